// Ask for help online: POST /support/conversations (signed in, or with a name and a contact), then
// open the conversation page. The key that opens it travels in the address's fragment, which the
// browser never sends to a server; the same link reaches the person by e-mail or text message.
import { ApiError, api, session, site } from "./api.js";
import { busy, clearErrors, enable, retryTime, showErrors, showProblem } from "./forms.js";

const form = document.querySelector("[data-portal-ask]");
const alert = form.querySelector("[data-portal-alert]");
const status = form.querySelector("[data-portal-status]");
const submit = form.querySelector("button[type=submit]");
const fields = form.elements;
const signedIn = Boolean(session());

function check() {
  const errors = [];
  const body = { topic: fields.topic.value, message: fields.message.value.trim(), website: fields.website.value };
  const procedure = fields.procedure_code.value.trim();
  const dossier = fields.dossier_code.value.replace(/\s+/g, "").toUpperCase();
  if (procedure) body.procedure_code = procedure;
  if (dossier) body.dossier_code = dossier;
  if (body.message.length < 10) errors.push({ field: fields.message, message: "Hãy viết câu hỏi, ít nhất 10 ký tự." });
  if (!signedIn) {
    const name = fields.name.value.trim();
    const email = fields.email.value.trim();
    const phone = fields.phone.value.replace(/[\s.]/g, "");
    if (name.length < 2) errors.push({ field: fields.name, message: "Hãy cho biết họ và tên." });
    if (!email && !phone) errors.push({ field: fields.email, message: "Hãy để lại thư điện tử hoặc số điện thoại để nhận trả lời." });
    if (phone && !/^(\+84|0)\d{9,10}$/.test(phone)) errors.push({ field: fields.phone, message: "Số điện thoại có 10 hoặc 11 chữ số, bắt đầu bằng 0." });
    Object.assign(body, { name, ...(email ? { email } : {}), ...(phone ? { phone } : {}) });
  }
  return { errors, body };
}

const FIELDS = { message: "message", name: "name", email: "email", phone: "phone", procedure_code: "procedure_code", dossier_code: "dossier_code" };

async function ask(event) {
  event.preventDefault();
  clearErrors(form, alert);
  const { errors, body } = check();
  if (errors.length) {
    showErrors(alert, errors);
    return;
  }
  busy(submit, true);
  status.textContent = "Đang gửi câu hỏi…";
  try {
    const opened = await api("/support/conversations", { method: "POST", body, auth: signedIn });
    status.textContent = `Đã gửi câu hỏi ${opened.code}. Đang mở cuộc hỏi đáp…`;
    location.assign(site(`ho-tro/hoi-thoai/#ma=${encodeURIComponent(opened.code)}&khoa=${encodeURIComponent(opened.key)}`));
  } catch (error) {
    status.textContent = "";
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 429) showProblem(alert, `${error.message}${error.retryAfter ? ` Bạn có thể gửi lại từ ${retryTime(error.retryAfter)}.` : ""}`);
    else if (error.field && FIELDS[error.field]) showErrors(alert, [{ field: fields[FIELDS[error.field]], message: error.message }]);
    else showProblem(alert, error.message);
  } finally {
    busy(submit, false);
  }
}

const query = new URLSearchParams(location.search);
if (query.get("thu-tuc")) {
  fields.procedure_code.value = query.get("thu-tuc");
  fields.topic.value = "thu-tuc";
}
if (query.get("ho-so")) {
  fields.dossier_code.value = query.get("ho-so").toUpperCase();
  fields.topic.value = "ho-so";
}
if (signedIn) {
  form.querySelector("[data-portal-anonymous]").hidden = true;
  form.querySelector("[data-portal-signed-in-note]").hidden = false;
}
enable(form);
form.addEventListener("submit", ask);
