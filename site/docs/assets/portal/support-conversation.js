// A help conversation as the citizen sees it: the messages, a reply form while it is open, and
// closing it with a rating. Opened by the code and key in the fragment (#ma=…&khoa=…), or, signed in,
// by the code alone (?ma=…). POST bodies carry the key; it never goes into an address sent anywhere.
import { ApiError, api, session, when } from "./api.js";
import { busy, clearErrors, enable, h, showErrors, showProblem } from "./forms.js";

const STATES = {
  waiting: "Đang chờ tổng đài viên trả lời.",
  answered: "Tổng đài viên đã trả lời. Bạn có thể trao đổi tiếp hoặc kết thúc và đánh giá.",
  closed: "Cuộc hỏi đáp đã kết thúc. Cảm ơn bạn đã đánh giá.",
};
const fragment = new URLSearchParams(location.hash.slice(1));
const code = (fragment.get("ma") || new URLSearchParams(location.search).get("ma") || "").toUpperCase();
const key = fragment.get("khoa") || undefined;
const signedIn = !key && Boolean(session());
const loading = document.querySelector("[data-portal-loading]");
const pageAlert = document.querySelector("[data-portal-page-alert]");
const section = document.querySelector("[data-portal-conversation]");
const replyForm = section.querySelector("[data-portal-reply]");
const closeForm = section.querySelector("[data-portal-close]");

function message(entry) {
  const who = entry.by === "citizen" ? "Bạn" : `Tổng đài viên${entry.author ? ` ${entry.author}` : ""}`;
  return h(
    "li",
    { class: `portal-message portal-message--${entry.by}` },
    h("time", { datetime: entry.at }, when(entry.at)),
    " — ",
    h("strong", {}, who),
    h("p", { class: "portal-text" }, entry.text),
  );
}

function show(item) {
  section.querySelector("[data-portal-title]").textContent = `Cuộc hỏi đáp ${item.code}`;
  section.querySelector("[data-portal-state]").textContent = STATES[item.status] || "";
  section.querySelector("[data-portal-messages]").replaceChildren(...item.messages.map(message));
  replyForm.hidden = item.status === "closed";
  closeForm.hidden = item.status === "closed";
  section.hidden = false;
}

function withKey(body) {
  return key ? { ...body, key } : body;
}

async function load() {
  if (!code || (!key && !signedIn)) {
    showProblem(pageAlert, "Hãy mở trang này bằng liên kết trong tin nhắn xác nhận, hoặc đăng nhập nếu bạn đã hỏi khi đăng nhập.");
    return;
  }
  loading.textContent = "Đang tải cuộc hỏi đáp…";
  try {
    show(await api("/support/conversations/lookup", { method: "POST", body: withKey({ code }), auth: signedIn }));
    loading.textContent = "";
  } catch (error) {
    loading.textContent = "";
    if (!(error instanceof ApiError)) throw error;
    showProblem(pageAlert, error.message);
  }
}

function sender(form, path, body, label) {
  return async (event) => {
    event.preventDefault();
    const alert = form.querySelector("[data-portal-alert]");
    clearErrors(form, alert);
    const { errors, value } = body();
    if (errors.length) {
      showErrors(alert, errors);
      return;
    }
    const button = form.querySelector("button[type=submit]");
    busy(button, true, label);
    try {
      show(await api(`/support/conversations/${encodeURIComponent(code)}/${path}`, { method: "POST", body: withKey(value), auth: signedIn }));
      form.reset();
      section.querySelector("[data-portal-title]").focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showProblem(alert, error.message);
    } finally {
      busy(button, false);
    }
  };
}

replyForm.addEventListener(
  "submit",
  sender(replyForm, "messages", () => {
    const text = replyForm.elements.text.value.trim();
    return { errors: text ? [] : [{ field: replyForm.elements.text, message: "Hãy viết tin nhắn." }], value: { text } };
  }, "Đang gửi…"),
);
closeForm.addEventListener(
  "submit",
  sender(closeForm, "closure", () => {
    const rating = closeForm.elements.rating.value;
    const comment = closeForm.elements.comment.value.trim();
    const first = closeForm.querySelector("input[name=rating]");
    return {
      errors: rating ? [] : [{ field: first, message: "Hãy chọn mức độ hài lòng." }],
      value: { rating, ...(comment ? { comment } : {}) },
    };
  }, "Đang gửi đánh giá…"),
);
enable(replyForm);
enable(closeForm);
load();
