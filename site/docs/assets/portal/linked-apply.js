// Submit a group dossier (?nhom=<group id>): the group's fields from the catalogue's export
// (du-lieu/lien-thong/<id>.json), asked once, sent to POST /linked-dossiers; then the group code,
// every step's code and agency.
import { ApiError, api, session, site, upload } from "./api.js";
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

const TYPES = new Set(["application/pdf", "image/jpeg", "image/png"]);

function documentField(item) {
  const id = `linked-doc-${item.key}`;
  const input = h("input", { id, name: `doc:${item.key}`, type: "file", accept: "application/pdf,image/jpeg,image/png" });
  return h("div", { class: "portal-field" }, h("label", { for: id }, item.name), input);
}

async function uploaded(input) {
  const file = input.files[0];
  if (!file) return null;
  if (!TYPES.has(file.type) || file.size > 10 * 1024 * 1024) {
    throw new ApiError(400, "invalid_input", "Tệp phải là PDF, JPEG hoặc PNG, tối đa 10 MB.", input.name);
  }
  const document = input.name.slice(4);
  const body = { group: groupId, document, file_name: file.name, content_type: file.type, size: file.size };
  const ticket = await api("/linked-dossiers/attachments", { method: "POST", body, auth: true });
  await upload(ticket.upload, file);
  return ticket.attachment;
}

function show(group) {
  form.querySelector("[data-portal-linked-name]").textContent = group.name;
  const steps = group.steps.map((step) => `${step.role} (${step.agency_name}, tối đa ${step.days} ngày làm việc)`);
  form.querySelector("[data-portal-linked-steps]").textContent = `Các bước: ${steps.join("; ")}.`;
  const documents = (group.documents || []).filter((item) => item.key);
  const heading = documents.length ? [h("h3", {}, "Giấy tờ (mỗi loại tải lên một lần, dùng cho mọi bước)")] : [];
  form.querySelector("[data-portal-linked-fields]").replaceChildren(...group.fields.map(field), ...heading, ...documents.map(documentField));
  form.hidden = false;
  enable(form);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form, alert);
  const values = {};
  const errors = [];
  for (const input of form.querySelectorAll("input[name]:not([type=file])")) {
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
    const attachments = [];
    for (const input of form.querySelectorAll("input[type=file]")) {
      const attachment = await uploaded(input);
      if (attachment) attachments.push(attachment);
    }
    const body = { group: groupId, form: values, attachments };
    const group = await api("/linked-dossiers", { method: "POST", body, auth: true });
    form.hidden = true;
    renderGroup(result, group);
    result.querySelector("[data-portal-group-title]").focus();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const name = error.field?.startsWith("form.") ? error.field.slice(5) : error.field;
    const input = name ? form.elements[name] : null;
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
