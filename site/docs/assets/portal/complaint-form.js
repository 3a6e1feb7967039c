// Send a complaint or a question (POST /complaints), signed in or not, then upload its attachments
// with the presigned POSTs the API hands back, and tell the person their code and how to follow it.
//
// Signed in, the API takes the name and contacts from the account, so the contact fields are hidden
// and the account's are shown instead. Address (?co-quan=), procedure (?thu-tuc=) and kind
// (?loai=cau-hoi) may come in the page's address, e.g. from a procedure's page.
import { ApiError, agencies, api, session, signIn, site, upload, when } from "./api.js";
import { agencyOptions, busy, clearErrors, enable, h, retryTime, showErrors, showProblem } from "./forms.js";

const TYPES = { pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png" };
const MAX_FILES = 3;
const MAX_BYTES = 5 * 1024 * 1024;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^(\+84|0)\d{9,10}$/;
const PROCEDURE = /^[0-9A-Za-z.\-]{3,60}$/;

const form = document.querySelector("[data-portal-complaint]");
const alert = form.querySelector("[data-portal-alert]");
const status = form.querySelector("[data-portal-status]");
const submit = form.querySelector("button[type=submit]");
const done = document.querySelector("[data-portal-done]");
const fields = form.elements;
const params = new URLSearchParams(location.search);
let signedIn = Boolean(session());

enable(form);

function field(name) {
  return fields.namedItem(name);
}

function kind() {
  return form.querySelector("input[name=kind]:checked").value;
}

/** The agency is required for a complaint; a question needs the procedure instead. */
function explainKind() {
  const question = kind() === "question";
  form.querySelector("[data-portal-agency-hint]").textContent = question
    ? "Không bắt buộc: nếu bỏ trống, câu hỏi được chuyển tới cơ quan thực hiện thủ tục."
    : "Cơ quan bạn phản ánh, kiến nghị. Bắt buộc.";
  form.querySelector("[data-portal-procedure-hint]").textContent = question
    ? "Ghi trên trang của thủ tục, ví dụ 1.001193. Bắt buộc với câu hỏi."
    : "Ghi trên trang của thủ tục, ví dụ 1.001193. Không bắt buộc với phản ánh.";
  field("agency_id").required = !question; // announced as required (the form is novalidate: our messages)
  field("procedure_code").required = question;
  submit.textContent = question ? "Gửi câu hỏi" : "Gửi phản ánh";
}

function showMode() {
  document.querySelector("[data-portal-signed-out]").hidden = signedIn;
  document.querySelector("[data-portal-signed-in]").hidden = !signedIn;
  for (const element of form.querySelectorAll("[data-portal-anonymous]")) element.hidden = signedIn;
}

async function describeAccount() {
  const summary = document.querySelector("[data-portal-contact-summary]");
  summary.textContent = `Bạn đang đăng nhập với tên ${session().name}. Trả lời được gửi tới thông tin liên hệ của tài khoản và hiện trong mục Phản ánh của tôi.`;
  try {
    const me = await api("/oidc/userinfo", { auth: true });
    const contacts = [me.email, me.phone_number].filter(Boolean).join(", ");
    if (contacts) {
      summary.textContent = `Bạn đang đăng nhập với tên ${me.name}. Trả lời được gửi tới ${contacts} và hiện trong mục Phản ánh của tôi.`;
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) {
      signedIn = false;
      showMode();
    }
  }
}

function typeOf(file) {
  return TYPES[file.name.split(".").pop().toLowerCase()] || file.type;
}

function check() {
  const errors = [];
  const wrong = (name, message) => errors.push({ field: field(name), message });
  const value = (name) => field(name).value.trim();
  const question = kind() === "question";
  if (!question && !value("agency_id")) wrong("agency_id", "Hãy chọn cơ quan tiếp nhận phản ánh.");
  if (question && !value("procedure_code")) wrong("procedure_code", "Câu hỏi cần gắn với một thủ tục hành chính: hãy nhập mã thủ tục.");
  else if (value("procedure_code") && !PROCEDURE.test(value("procedure_code"))) wrong("procedure_code", "Mã thủ tục chỉ gồm chữ số, chữ cái và dấu chấm, ví dụ 1.001193.");
  const title = value("title").length;
  if (title < 5 || title > 200) wrong("title", title ? `Tiêu đề cần từ 5 đến 200 ký tự (hiện có ${title}).` : "Hãy nhập tiêu đề.");
  const content = value("content").length;
  if (content < 20 || content > 5000) wrong("content", content ? `Nội dung cần từ 20 đến 5.000 ký tự (hiện có ${content}).` : "Hãy nhập nội dung.");
  const files = [...field("files").files];
  if (files.length > MAX_FILES) wrong("files", `Chỉ đính kèm được tối đa ${MAX_FILES} tệp (đang chọn ${files.length}).`);
  else if (files.some((file) => !Object.values(TYPES).includes(typeOf(file)))) wrong("files", "Chỉ nhận tệp PDF, JPEG hoặc PNG.");
  else if (files.some((file) => file.size > MAX_BYTES || file.size === 0)) wrong("files", "Mỗi tệp phải có nội dung và không quá 5 MB.");
  if (!signedIn) {
    if (value("name").length < 2) wrong("name", "Hãy cho biết họ và tên.");
    const email = value("email");
    const phone = value("phone").replace(/[\s.]/g, "");
    if (!email && !phone) wrong("email", "Hãy để lại thư điện tử hoặc số điện thoại để nhận trả lời.");
    if (email && !EMAIL.test(email)) wrong("email", "Địa chỉ thư điện tử chưa đúng, ví dụ ten@example.vn.");
    if (phone && !PHONE.test(phone)) wrong("phone", "Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84.");
  }
  return errors;
}

function body() {
  const value = (name) => field(name).value.trim();
  const request = {
    kind: kind(),
    topic: value("topic"),
    title: value("title"),
    content: value("content"),
    consent_to_publish: field("consent_to_publish").checked,
    website: field("website").value,
    attachments: [...field("files").files].map((file) => ({ file_name: file.name, content_type: typeOf(file), size: file.size })),
  };
  if (value("agency_id")) request.agency_id = value("agency_id");
  if (value("procedure_code")) request.procedure_code = value("procedure_code");
  if (value("address")) request.address = value("address");
  if (!signedIn) {
    request.name = value("name");
    if (value("email")) request.email = value("email");
    if (value("phone")) request.phone = value("phone").replace(/[\s.]/g, "");
  }
  return request;
}

/** The API names the field it refused (e.g. "procedure_code", "attachments.0.size"): show it there. */
function fieldOf(name) {
  if (!name) return null;
  const element = field(name.startsWith("attachments") ? "files" : name);
  return element && element.id && !element.closest("[hidden]") ? element : null;
}

function refused(error) {
  const target = fieldOf(error.field);
  if (error.status === 401) {
    signedIn = false;
    showMode();
    showProblem(alert, "Phiên đăng nhập đã hết hạn. Hãy điền họ tên và thông tin liên hệ rồi gửi lại, hoặc đăng nhập lại.");
  } else if (error.status === 429) {
    showProblem(alert, `${error.message}${error.retryAfter ? ` Bạn có thể gửi lại từ ${retryTime(error.retryAfter)}.` : ""}`);
  } else if (target) {
    showErrors(alert, [{ field: target, message: error.message }]);
  } else {
    showProblem(alert, error.message);
  }
}

async function uploadAll(received) {
  const files = [...field("files").files];
  const failed = [];
  for (const [index, ticket] of received.uploads.entries()) {
    try {
      await upload(ticket, files[index]);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      failed.push(ticket.file_name);
    }
  }
  return failed;
}

function finish(received, failed) {
  const question = received.kind === "question";
  done.querySelector("#complaint-done-title").textContent = question ? "Đã gửi câu hỏi" : "Đã gửi phản ánh, kiến nghị";
  done.querySelector("[data-portal-done-code]").textContent = received.code;
  const deadline = received.deadline ? ` (chậm nhất ${when(received.deadline)})` : "";
  const follow = signedIn
    ? "Bạn theo dõi trong mục Phản ánh của tôi, hoặc bằng mã này."
    : "Bạn theo dõi bằng mã này cùng thư điện tử hoặc số điện thoại đã để lại.";
  done.querySelector("[data-portal-done-next]").textContent =
    `Văn phòng điều phối sẽ tiếp nhận và chuyển tới cơ quan có thẩm quyền trong 2 ngày làm việc${deadline}; bạn nhận thông báo mỗi khi có kết quả. ${follow}`;
  const files = done.querySelector("[data-portal-done-files]");
  files.replaceChildren(
    ...received.attachments.map((file) =>
      h("li", {}, failed.includes(file.file_name) ? `Chưa tải lên được tệp ${file.file_name}: hãy gửi tệp này qua thư hoặc kèm khi cơ quan liên hệ.` : `Đã đính kèm ${file.file_name}.`),
    ),
  );
  files.hidden = !received.attachments.length;
  done.querySelector("[data-portal-done-follow]").href = site(`phan-anh/theo-doi/?ma=${encodeURIComponent(received.code)}`);
  form.hidden = true;
  document.querySelectorAll("[data-portal-signed-in], [data-portal-signed-out]").forEach((note) => (note.hidden = true));
  done.hidden = false;
  done.querySelector("#complaint-done-title").focus();
}

form.addEventListener("change", (event) => {
  if (event.target.name === "kind") explainKind();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form, alert);
  const errors = check();
  if (errors.length) {
    showErrors(alert, errors);
    return;
  }
  busy(submit, true);
  status.textContent = "Đang gửi…";
  try {
    const received = await api("/complaints", { method: "POST", body: body(), auth: signedIn });
    if (received.uploads.length) status.textContent = "Đang tải tệp đính kèm lên…";
    const failed = await uploadAll(received);
    status.textContent = "";
    finish(received, failed);
  } catch (error) {
    status.textContent = "";
    if (!(error instanceof ApiError)) throw error;
    refused(error);
  } finally {
    busy(submit, false);
  }
});

done.querySelector("[data-portal-again]").addEventListener("click", () => {
  form.reset();
  explainKind();
  done.hidden = true;
  form.hidden = false;
  showMode();
  field("title").focus();
});

document.querySelector("[data-portal-sign-in]").addEventListener("click", (event) => {
  event.preventDefault();
  signIn(location.href);
});

if (params.get("loai") === "cau-hoi" || params.get("thu-tuc")) form.querySelector("input[name=kind][value=question]").checked = true;
field("procedure_code").value = (params.get("thu-tuc") || "").trim();
explainKind();
showMode();
if (signedIn) describeAccount();
agencies().then((names) => {
  agencyOptions(field("agency_id"), names, (params.get("co-quan") || "").trim().toUpperCase());
  if (!names.size) showProblem(alert, "Không tải được danh sách cơ quan. Vui lòng tải lại trang.");
});
