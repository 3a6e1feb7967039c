// Submit a group dossier (?nhom=<group id>): the group's fields from the catalogue's export
// (du-lieu/lien-thong/<id>.json), asked once, sent to POST /linked-dossiers; then the group code,
// every step's code and agency.
import { ApiError, api, session, site } from "./api.js";
import { askToSignIn } from "./dossiers.js";
import { busy, clearErrors, enable, h, showErrors, showProblem } from "./forms.js";
import { renderGroup } from "./linked.js";

const groupId = (new URLSearchParams(location.search).get("nhom") || "").trim();
const loading = document.querySelector("[data-portal-loading]");
const pageAlert = document.querySelector("[data-portal-page-alert]");
const form = document.querySelector("[data-portal-linked-form]");
const alert = form.querySelector("[data-portal-alert]");
const submit = form.querySelector("button[type=submit]");
const result = document.querySelector("[data-portal-group]");

async function definition() {
  const response = await fetch(site(`du-lieu/lien-thong/${encodeURIComponent(groupId)}.json`));
  if (!response.ok) throw new ApiError(404, "not_found", "Không tìm thấy nhóm thủ tục liên thông này.");
  return response.json();
}

function field(item) {
  const id = `linked-${item.key}`;
  const input = h("input", { id, name: item.key, type: "text", maxlength: "300", autocomplete: "off" });
  if (item.required !== false) input.required = true;
  return h("div", { class: "portal-field" }, h("label", { for: id }, item.label + (item.required === false ? " (nếu có)" : "")), input);
}

function show(group) {
  form.querySelector("[data-portal-linked-name]").textContent = group.name;
  const steps = group.steps.map((step) => `${step.role} (${step.agency_name}, tối đa ${step.days} ngày làm việc)`);
  form.querySelector("[data-portal-linked-steps]").textContent = `Các bước: ${steps.join("; ")}.`;
  form.querySelector("[data-portal-linked-fields]").replaceChildren(...group.fields.map(field));
  form.hidden = false;
  enable(form);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form, alert);
  const values = {};
  const errors = [];
  for (const input of form.querySelectorAll("input[name]")) {
    const value = input.value.trim();
    if (value) values[input.name] = value;
    else if (input.required) errors.push({ field: input, message: `Hãy nhập ${input.labels[0].textContent.toLowerCase()}.` });
  }
  if (errors.length) {
    showErrors(alert, errors);
    return;
  }
  busy(submit, true, "Đang nộp…");
  try {
    const group = await api("/linked-dossiers", { method: "POST", body: { group: groupId, form: values }, auth: true });
    form.hidden = true;
    renderGroup(result, group);
    result.querySelector("[data-portal-group-title]").focus();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const input = error.field?.startsWith("form.") ? form.elements[error.field.slice(5)] : null;
    if (input) showErrors(alert, [{ field: input, message: error.message }]);
    else showProblem(alert, error.message);
  } finally {
    busy(submit, false);
  }
});

async function start() {
  if (!groupId) {
    showProblem(pageAlert, "Hãy chọn một nhóm tại trang Thủ tục liên thông.");
    return;
  }
  if (!session()) {
    askToSignIn(document.querySelector("[data-portal-signin]"));
    return;
  }
  loading.textContent = "Đang tải nhóm thủ tục…";
  try {
    show(await definition());
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showProblem(pageAlert, error.message);
  } finally {
    loading.textContent = "";
  }
}

start();
