// Submit a dossier online: ?thu-tuc=<procedure code>, and &nhap=<draft id> to continue a draft.
//
// Step 1 saves a draft (case, receiving agency, the form's fields); step 2 attaches each dossier
// component: every file is checked here first (type, size, first bytes), registered with the API,
// then posted straight to storage with the presigned POST it hands back. The API checks it all again
// at submission, which answers with the dossier code.
import { ApiError, agencies, api, day, session, site, upload } from "./api.js";
import { askToSignIn, dossierUrl, procedureExport, procedureUrl } from "./dossiers.js";
import { busy, clearErrors, enable, h, showErrors, showProblem } from "./forms.js";

const MAX_BYTES = 10 * 1024 * 1024;
const TYPES = {
  "application/pdf": { label: "PDF", endings: [".pdf"], first: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  "image/jpeg": { label: "JPEG", endings: [".jpg", ".jpeg"], first: [0xff, 0xd8, 0xff] },
  "image/png": { label: "PNG", endings: [".png"], first: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
};
const ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png";
const ACCOUNT = { citizen: "công dân", business: "doanh nghiệp" };
const EXPIRED = "Phiên đăng nhập đã hết. Hãy đăng nhập lại; phần hồ sơ nháp đã lưu vẫn còn.";

const params = new URLSearchParams(location.search);
const loading = document.querySelector("[data-portal-loading]");
const pageAlert = document.querySelector("[data-portal-page-alert]");
const choose = document.querySelector("[data-portal-choose]");
const signInPart = document.querySelector("[data-portal-signin]");
const applyPart = document.querySelector("[data-portal-apply]");
const details = applyPart.querySelector("[data-portal-details]");
const documents = applyPart.querySelector("[data-portal-documents]");
const requirementsHolder = documents.querySelector("[data-portal-requirements]");
const done = document.querySelector("[data-portal-done]");
const fields = details.elements;

let procedure = null;
let draft = null; // the draft as the API last returned it, once step 1 is saved
let uploads = Promise.resolve(); // files go up one after another (each changes the draft)

function parts(form) {
  return {
    alert: form.querySelector("[data-portal-alert]"),
    status: form.querySelector("[data-portal-status]"),
    button: form.querySelector("button[type=submit]"),
  };
}

function sizeText(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toLocaleString("vi-VN", { maximumFractionDigits: 1 })} MB`;
}

function remember(name, value) {
  if (value) params.set(name, value);
  else params.delete(name);
  history.replaceState(null, "", `?${params}`);
}

// The session ended (or never began): the draft saved so far stays; sign in and come back here.
function needSignIn(message) {
  applyPart.hidden = true;
  askToSignIn(signInPart);
  if (message) showProblem(pageAlert, message);
}

// Step 1: case, agency and the form's fields.

function selectedCase() {
  return Number(details.querySelector("input[name=case]:checked")?.value || 0);
}

function formValues() {
  const values = { noi_dung: fields.noi_dung.value.trim(), nhan_ket_qua: fields.nhan_ket_qua.value };
  if (values.nhan_ket_qua === "buu_chinh") values.dia_chi = fields.dia_chi.value.trim();
  return values;
}

function toggleAddress() {
  const postal = fields.nhan_ket_qua.value === "buu_chinh";
  details.querySelector("[data-portal-address]").hidden = !postal;
  fields.dia_chi.required = postal;
}

function checkDetails() {
  const errors = [];
  if (!fields.agency.value) errors.push({ field: fields.agency, message: "Hãy chọn cơ quan tiếp nhận hồ sơ." });
  if (!fields.noi_dung.value.trim()) errors.push({ field: fields.noi_dung, message: "Hãy nhập nội dung đề nghị." });
  if (fields.nhan_ket_qua.value === "buu_chinh" && !fields.dia_chi.value.trim()) {
    errors.push({ field: fields.dia_chi, message: "Hãy nhập địa chỉ nhận kết quả qua bưu chính." });
  }
  return errors;
}

async function fillDetails(names) {
  applyPart.querySelector("[data-portal-procedure-name]").textContent = procedure.name;
  applyPart.querySelector("[data-portal-procedure-code]").textContent = procedure.code;
  applyPart.querySelector("[data-portal-procedure-link]").href = procedureUrl(procedure.code);
  const cases = details.querySelector("[data-portal-cases]");
  procedure.cases.forEach((item, index) => {
    const radio = h("input", { type: "radio", id: `apply-case-${index}`, name: "case", value: String(index), checked: index === 0 });
    cases.append(h("label", { class: "portal-choice" }, radio, " ", item.name || `Trường hợp ${index + 1}`));
  });
  const executing = procedure.agencies.executing;
  if (executing.length > 1) fields.agency.append(h("option", { value: "" }, "Chọn cơ quan tiếp nhận"));
  for (const code of executing) fields.agency.append(h("option", { value: code }, names.get(code)?.name || code));
  details.addEventListener("change", (event) => {
    if (event.target.name === "nhan_ket_qua") toggleAddress();
  });
}

function showDraft() {
  const radio = details.querySelector(`input[name=case][value="${draft.case_index}"]`);
  if (radio) radio.checked = true;
  fields.agency.value = draft.agency_id;
  if (fields.agency.value !== draft.agency_id) fields.agency.append(h("option", { value: draft.agency_id, selected: true }, draft.agency_id));
  fields.agency.disabled = true;
  fields.noi_dung.value = draft.form.noi_dung || "";
  const receive = details.querySelector(`input[name=nhan_ket_qua][value="${draft.form.nhan_ket_qua}"]`);
  if (receive) receive.checked = true;
  fields.dia_chi.value = draft.form.dia_chi || "";
  toggleAddress();
  showDocuments();
}

/** Create the draft, or save the case and the form into it; true when the documents asked for changed. */
async function save() {
  const body = { case_index: selectedCase(), form: formValues() };
  if (!draft) {
    draft = await api("/dossiers/drafts", {
      method: "POST",
      auth: true,
      body: { procedure_code: procedure.code, agency_id: fields.agency.value, ...body },
    });
    remember("nhap", draft.draft_id);
    fields.agency.disabled = true;
    return true;
  }
  const before = draft.case_index;
  draft = await api(`/dossiers/drafts/${encodeURIComponent(draft.draft_id)}`, { method: "PUT", auth: true, body });
  return draft.case_index !== before;
}

function fieldOf(name) {
  return { agency_id: fields.agency.disabled ? null : fields.agency, case_index: details.querySelector("input[name=case]"), form: fields.noi_dung }[name];
}

function refused(error, form) {
  if (!(error instanceof ApiError)) throw error;
  if (error.status === 401) {
    needSignIn(EXPIRED);
    return;
  }
  const { alert } = parts(form);
  const field = fieldOf(error.field);
  if (field) showErrors(alert, [{ field, message: error.message }]);
  else showProblem(alert, error.message);
}

details.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { alert, status, button } = parts(details);
  clearErrors(details, alert);
  status.textContent = "";
  const errors = checkDetails();
  if (errors.length) {
    showErrors(alert, errors);
    return;
  }
  busy(button, true, "Đang lưu…");
  try {
    await uploads;
    if (await save()) showDocuments();
    status.textContent = "Đã lưu hồ sơ nháp. Tiếp theo, đính kèm giấy tờ ở bước 2.";
    documents.querySelector("#apply-documents-title").focus();
  } catch (error) {
    refused(error, details);
  } finally {
    busy(button, false);
  }
});

// Step 2: one file field per dossier component of the chosen case.

function showDocuments() {
  requirementsHolder.replaceChildren(...draft.requirements.map(documentField));
  documents.hidden = false;
  enable(documents);
}

function documentField(requirement, index) {
  const id = `apply-doc-${index}`;
  const input = h("input", { type: "file", id, name: id, accept: ACCEPT, "aria-describedby": `${id}-hint ${id}-files` });
  const progress = h("progress", { max: "100", value: "0", hidden: true, "aria-label": `Tiến độ tải lên: ${requirement.name}` });
  const list = h("ul", { class: "portal-files", id: `${id}-files` });
  for (const attachment of draft.attachments.filter((item) => item.document === requirement.key)) {
    list.append(fileItem(attachment, input));
  }
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (file) uploads = uploads.then(() => attach(file, requirement, { input, progress, list }));
  });
  return h(
    "div",
    { class: "portal-field portal-document" },
    h("label", { for: id }, requirement.name, " ", h("span", { class: "portal-need" }, requirement.required ? "(bắt buộc)" : "(nếu có)")),
    h("p", { class: "portal-hint", id: `${id}-hint` }, "PDF, JPEG hoặc PNG, tối đa 10 MB."),
    input,
    progress,
    list,
  );
}

function fileItem(attachment, input) {
  const remove = h("button", { type: "button", class: "portal-linkbutton" }, "Xoá", h("span", { class: "portal-sr-only" }, ` tệp ${attachment.file_name}`));
  const item = h("li", {}, `Đã tải lên: ${attachment.file_name} (${sizeText(attachment.size)}) `, remove);
  remove.addEventListener("click", () => {
    uploads = uploads.then(() => removeFile(attachment, item, input));
  });
  return item;
}

async function removeFile(attachment, item, input) {
  const { alert, status } = parts(documents);
  try {
    const path = `/dossiers/drafts/${encodeURIComponent(draft.draft_id)}/attachments/${encodeURIComponent(attachment.attachment_id)}`;
    draft = await api(path, { method: "DELETE", auth: true });
    item.remove();
    input.focus();
    status.textContent = `Đã xoá tệp “${attachment.file_name}”.`;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) needSignIn(EXPIRED);
    else showProblem(alert, `Chưa xoá được tệp “${attachment.file_name}”: ${error.message}`);
  }
}

function typeOf(file) {
  if (TYPES[file.type]) return file.type;
  const name = file.name.toLowerCase();
  return Object.keys(TYPES).find((type) => TYPES[type].endings.some((ending) => name.endsWith(ending))) || "";
}

/** Why a file cannot be sent (in words), or "" when it can. */
async function problemWith(file, type) {
  if (!type) return `Tệp “${file.name}” không phải PDF, JPEG hoặc PNG. Hãy chọn tệp đúng định dạng.`;
  if (file.size === 0) return `Tệp “${file.name}” không có nội dung. Hãy chọn tệp khác.`;
  if (file.size > MAX_BYTES) {
    return `Tệp “${file.name}” nặng ${sizeText(file.size)}, vượt quá 10 MB. Hãy nén tệp hoặc chụp lại với độ phân giải thấp hơn.`;
  }
  const first = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (!TYPES[type].first.every((byte, index) => first[index] === byte)) {
    return `Nội dung tệp “${file.name}” không phải là tệp ${TYPES[type].label}. Hãy chọn đúng tệp.`;
  }
  return "";
}

function clearField(field) {
  field.removeAttribute("aria-invalid");
  const error = document.getElementById(`${field.id}-error`);
  if (error) error.hidden = true;
  const ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== `${field.id}-error`);
  field.setAttribute("aria-describedby", ids.join(" "));
}

async function attach(file, requirement, { input, progress, list }) {
  const { alert, status } = parts(documents);
  clearField(input);
  alert.replaceChildren();
  const type = typeOf(file);
  const problem = await problemWith(file, type);
  if (problem) {
    input.value = "";
    status.textContent = "";
    showErrors(alert, [{ field: input, message: problem }]);
    return;
  }
  status.textContent = `Đang tải lên “${file.name}”…`;
  progress.value = 0;
  progress.hidden = false;
  try {
    const ticket = await api(`/dossiers/drafts/${encodeURIComponent(draft.draft_id)}/attachments`, {
      method: "POST",
      auth: true,
      body: { document: requirement.key, file_name: file.name.slice(-200), content_type: type, size: file.size },
    });
    try {
      await upload(ticket.upload, file, (fraction) => {
        progress.value = Math.round(fraction * 100);
      });
    } catch (error) {
      // The file never arrived: take it off the draft again, or it would block the submission.
      const path = `/dossiers/drafts/${encodeURIComponent(draft.draft_id)}/attachments/${encodeURIComponent(ticket.attachment.attachment_id)}`;
      await api(path, { method: "DELETE", auth: true }).catch(() => null);
      throw error;
    }
    draft.attachments.push(ticket.attachment);
    list.append(fileItem(ticket.attachment, input));
    input.value = "";
    status.textContent = `Đã tải lên “${file.name}” cho thành phần “${requirement.name}”.`;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status.textContent = "";
    if (error.status === 401) needSignIn(EXPIRED);
    else showErrors(alert, [{ field: input, message: `Chưa tải lên được “${file.name}”: ${error.message}` }]);
  } finally {
    progress.hidden = true;
  }
}

function missingDocuments() {
  return draft.requirements.flatMap((requirement, index) =>
    requirement.required && !draft.attachments.some((item) => item.document === requirement.key)
      ? [{ field: document.getElementById(`apply-doc-${index}`), message: `Hãy đính kèm “${requirement.name}”.` }]
      : [],
  );
}

documents.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { alert, status, button } = parts(documents);
  await uploads;
  clearErrors(documents, alert);
  const detailErrors = checkDetails();
  if (detailErrors.length) {
    showErrors(parts(details).alert, detailErrors);
    return;
  }
  const missing = missingDocuments();
  if (missing.length) {
    showErrors(alert, missing);
    return;
  }
  busy(button, true, "Đang nộp hồ sơ…");
  status.textContent = "Đang nộp hồ sơ…";
  try {
    if (await save()) {
      // The case was changed in step 1 since the last save: its dossier components differ.
      showDocuments();
      status.textContent = "";
      showProblem(alert, "Bạn đã đổi trường hợp nên thành phần hồ sơ đã thay đổi. Hãy kiểm tra các tệp đính kèm rồi bấm “Nộp hồ sơ”.");
      return;
    }
    finished(await api(`/dossiers/drafts/${encodeURIComponent(draft.draft_id)}/submission`, { method: "POST", auth: true }));
  } catch (error) {
    status.textContent = "";
    refused(error, documents);
  } finally {
    busy(button, false);
  }
});

function finished(dossier) {
  applyPart.hidden = true;
  remember("nhap", null);
  done.querySelector("[data-portal-code]").textContent = dossier.code;
  done.querySelector("[data-portal-due]").textContent = dossier.due_date
    ? `Ngày hẹn trả kết quả: ${day(dossier.due_date)} (tính theo ngày làm việc).`
    : "Cơ quan sẽ hẹn ngày trả kết quả khi tiếp nhận hồ sơ.";
  const link = done.querySelector("[data-portal-dossier-link]");
  link.href = dossierUrl(dossier.code);
  link.textContent = `Xem hồ sơ ${dossier.code}`;
  done.hidden = false;
  done.querySelector("h2").focus();
}

// Continue a draft from the account page (?nhap=...); one that expired or was submitted starts afresh.
async function resume(draftId) {
  try {
    draft = await api(`/dossiers/drafts/${encodeURIComponent(draftId)}`, { auth: true });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) return needSignIn();
    remember("nhap", null);
    showProblem(pageAlert, `Không mở được hồ sơ nháp: ${error.message} Nháp chỉ được lưu 30 ngày và không còn sau khi đã nộp. Bạn có thể điền hồ sơ mới bên dưới.`);
    return;
  }
  if (draft.procedure_code !== procedure.code) {
    location.replace(site(`nop-ho-so/?thu-tuc=${encodeURIComponent(draft.procedure_code)}&nhap=${encodeURIComponent(draftId)}`));
    return;
  }
  showDraft();
}

function refuse(...message) {
  showProblem(pageAlert, ...message);
}

async function start() {
  const code = (params.get("thu-tuc") || "").trim();
  if (!code) return; // no procedure yet: the form asking for its code stays
  choose.elements["thu-tuc"].value = code;
  loading.textContent = "Đang tải thông tin thủ tục…";
  const [found, names] = await Promise.all([procedureExport(code).catch(() => null), agencies()]);
  loading.textContent = "";
  procedure = found;
  if (!procedure) {
    refuse(`Không tìm thấy thủ tục có mã “${code}”. Hãy kiểm tra lại mã, hoặc `, h("a", { href: site("tim-kiem/") }, "tìm thủ tục"), ".");
    return;
  }
  if (procedure.online_level === "offline" || procedure.status !== "active") {
    refuse(`Thủ tục “${procedure.name}” chưa nhận hồ sơ trực tuyến. `, h("a", { href: procedureUrl(procedure.code) }, "Xem cách nộp trực tiếp hoặc qua bưu chính"), ".");
    return;
  }
  choose.hidden = true;
  const current = session();
  if (!current) return needSignIn();
  if (current.account_type && !procedure.audiences.includes(current.account_type)) {
    refuse(`Thủ tục “${procedure.name}” không dành cho tài khoản ${ACCOUNT[current.account_type] || current.account_type}.`);
    return;
  }
  await fillDetails(names);
  enable(details);
  applyPart.hidden = false;
  if (params.get("nhap")) await resume(params.get("nhap"));
}

start();
