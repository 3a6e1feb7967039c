// Follow a complaint or question: by code and the e-mail or phone left with it (POST
// /complaints/lookup, throttled per code), or, signed in, everything sent from the account
// (GET /complaints/mine). The contact is personal, so it travels in a POST body, never in the
// address; only the code may come in the address (?ma=...), from the page that gave it.
import { ApiError, agencies, api, session, signIn, when } from "./api.js";
import { busy, clearErrors, enable, h, retryTime, showErrors, showProblem } from "./forms.js";

const CODE = /^(PA|HD)-\d{6}-\d{4,6}$/;
const KINDS = { complaint: "Phản ánh, kiến nghị", question: "Câu hỏi về thủ tục" };
const MEANING = {
  received: "Văn phòng điều phối đang xem xét để chuyển tới cơ quan có thẩm quyền.",
  assigned: "Cơ quan có thẩm quyền đang xử lý.",
  answered: "Cơ quan đã trả lời; Văn phòng điều phối đang kiểm tra câu trả lời trước khi gửi tới bạn.",
  refused: "Không được tiếp nhận; lý do có trong quá trình xử lý bên dưới.",
  published: "Đã có câu trả lời; câu trả lời được công khai, không kèm thông tin cá nhân của bạn.",
  closed: "Đã có câu trả lời.",
};

const form = document.querySelector("[data-portal-follow]");
const alert = form.querySelector("[data-portal-alert]");
const status = form.querySelector("[data-portal-status]");
const submit = form.querySelector("button[type=submit]");
const found = document.querySelector("[data-portal-found]");
const codeField = form.elements.ma;
const contactField = form.elements["lien-he"];

function agencyName(names, actor) {
  if (actor === "citizen") return "Người gửi";
  const code = actor.replace(/^agency:/, "");
  return names.get(code)?.name || code;
}

function fact(term, ...value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, ...value));
}

/** One complaint as its submitter sees it: where it is, the answer once checked, and its history. */
function complaintCard(item, names) {
  const open = ["received", "assigned", "answered"].includes(item.status);
  const state = [h("strong", {}, item.status_label), `. ${MEANING[item.status] || ""}`];
  if (item.overdue) state.push(" ", h("strong", { class: "portal-late" }, "Đã quá hạn xử lý."));
  const facts = h(
    "dl",
    { class: "portal-facts" },
    fact("Mã", item.code),
    fact("Loại", KINDS[item.kind] || item.kind),
    fact("Cơ quan xử lý", agencyName(names, item.agency_id)),
    fact("Ngày gửi", when(item.created_at)),
    fact("Tình trạng", ...state),
    open && item.deadline ? fact("Hạn xử lý bước này", when(item.deadline)) : null,
  );
  const answer = item.answer
    ? h(
        "div",
        { class: "portal-answer" },
        h("h4", {}, `Trả lời của ${agencyName(names, item.answer.agency_id)}`),
        h("p", { class: "portal-text" }, item.answer.text),
        h("p", { class: "portal-count" }, `Trả lời lúc ${when(item.answer.answered_at)}`),
      )
    : h("p", {}, "Chưa có câu trả lời.");
  const history = h(
    "ol",
    { class: "portal-timeline" },
    ...item.history.map((entry) =>
      h(
        "li",
        {},
        h("time", { datetime: entry.at }, when(entry.at)),
        " — ",
        h("strong", {}, entry.status_label),
        ` (${agencyName(names, entry.actor)})`,
        entry.note ? `: ${entry.note}` : "",
      ),
    ),
  );
  return h(
    "article",
    { class: "portal-complaint" },
    h("h3", {}, item.title),
    facts,
    answer,
    h("details", { class: "portal-history" }, h("summary", {}, "Quá trình xử lý"), history),
  );
}

function check() {
  const errors = [];
  const code = codeField.value.replace(/\s+/g, "").toUpperCase();
  let contact = contactField.value.trim();
  if (!contact.includes("@")) contact = contact.replace(/[\s.]/g, "");
  codeField.value = code;
  if (!code) errors.push({ field: codeField, message: "Hãy nhập mã phản ánh hoặc câu hỏi." });
  else if (!CODE.test(code)) errors.push({ field: codeField, message: "Mã có dạng PA-năm tháng ngày-số thứ tự (hoặc HD-… với câu hỏi), ví dụ PA-251120-0001." });
  if (contact.length < 5) errors.push({ field: contactField, message: "Hãy nhập thư điện tử hoặc số điện thoại bạn đã để lại khi gửi." });
  return { errors, code, contact };
}

function refused(error) {
  if (error.status === 404) {
    showProblem(alert, `${error.message} Hãy kiểm tra lại mã và thư điện tử hoặc số điện thoại đã để lại khi gửi. Nhập sai 5 lần, mã này sẽ tạm khoá tra cứu 15 phút.`);
  } else if (error.status === 429) {
    showProblem(alert, `${error.message}${error.retryAfter ? ` Bạn có thể thử lại từ ${retryTime(error.retryAfter)}.` : ""}`);
  } else if (error.field === "code" || error.field === "contact") {
    showErrors(alert, [{ field: error.field === "code" ? codeField : contactField, message: error.message }]);
  } else {
    showProblem(alert, error.message);
  }
}

async function lookup(event) {
  event.preventDefault();
  clearErrors(form, alert);
  const { errors, code, contact } = check();
  if (errors.length) {
    showErrors(alert, errors);
    return;
  }
  busy(submit, true, "Đang tra cứu…");
  status.textContent = "Đang tra cứu…";
  try {
    const [item, names] = await Promise.all([api("/complaints/lookup", { method: "POST", body: { code, contact } }), agencies()]);
    status.textContent = "";
    found.querySelector("[data-portal-found-item]").replaceChildren(complaintCard(item, names));
    found.hidden = false;
    found.querySelector("h2").focus();
  } catch (error) {
    status.textContent = "";
    found.hidden = true;
    if (!(error instanceof ApiError)) throw error;
    refused(error);
  } finally {
    busy(submit, false);
  }
}

async function showMine() {
  const list = document.querySelector("[data-portal-mine]");
  const mineStatus = document.querySelector("[data-portal-mine-status]");
  mineStatus.textContent = "Đang tải phản ánh của bạn…";
  try {
    const [{ items }, names] = await Promise.all([api("/complaints/mine", { auth: true }), agencies()]);
    list.replaceChildren(...items.map((item) => h("li", {}, complaintCard(item, names))));
    mineStatus.textContent = items.length ? `Bạn đã gửi ${items.length} phản ánh, kiến nghị hoặc câu hỏi.` : "Bạn chưa gửi phản ánh, kiến nghị hay câu hỏi nào khi đăng nhập.";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    mineStatus.textContent = error.message;
    if (error.status === 401) showSignedIn(false); // the session ended: offer to sign in again
  }
}

function showSignedIn(signedIn) {
  document.querySelector("[data-portal-signed-out]").hidden = signedIn;
  document.querySelector("[data-portal-signed-in]").hidden = !signedIn;
}

enable(form);
codeField.value = (new URLSearchParams(location.search).get("ma") || "").trim().toUpperCase();
form.addEventListener("submit", lookup);
document.querySelector("[data-portal-sign-in]").addEventListener("click", (event) => {
  event.preventDefault();
  signIn(location.href);
});
showSignedIn(Boolean(session()));
if (session()) showMine();
