// The call centre's console: the queue (conversations waiting, callbacks due, cases handed over),
// answering a conversation, logging a call and acting on it, reading a dossier's status with the
// caller's consent, and searching the catalogue while talking. Keyboard first: every action is a
// form or a button in reading order, and single-key shortcuts (outside text fields) jump around.
import { ApiError, api, session, signIn, signOut, when } from "./api.js";
import { busy, clearErrors, h, showErrors, showProblem } from "./forms.js";

const ROLES = { operator: "tổng đài viên", supervisor: "giám sát viên" };
const KINDS = { conversation: "Hỏi đáp trực tuyến", callback: "Gọi lại", handover: "Chuyển giám sát viên" };
const root = document.querySelector("[data-portal-console]");
const $ = (selector, scope = root) => scope.querySelector(selector);
const work = $("[data-portal-work]");

/** Send a form's request; on a refusal show it next to the field the API names. */
async function send(form, request) {
  const alert = $("[data-portal-alert]", form);
  clearErrors(form, alert);
  const button = form.querySelector("button[type=submit]");
  busy(button, true);
  try {
    return await request();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const field = error.field && form.elements[error.field];
    if (field && field.id) showErrors(alert, [{ field, message: error.message }]);
    else showProblem(alert, error.message);
    return null;
  } finally {
    busy(button, false);
  }
}

function values(form, names) {
  const body = {};
  for (const name of names) {
    const value = form.elements[name].value.trim();
    if (value) body[name] = value;
  }
  return body;
}

function smallForm(label, fields, submitLabel, onSubmit) {
  const form = h("form", { class: "portal-form", novalidate: true }, h("h4", {}, label), h("div", { class: "portal-alert", role: "alert", "data-portal-alert": true }));
  for (const [name, text, kind] of fields) {
    const id = `work-${name}-${Math.random().toString(36).slice(2, 7)}`;
    const control = kind === "textarea" ? h("textarea", { id, name, rows: "3" }) : h("input", { id, name, type: kind || "text" });
    form.append(h("div", { class: "portal-field" }, h("label", { for: id }, text), control));
  }
  form.append(h("button", { class: "portal-button", type: "submit" }, submitLabel));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(form);
  });
  return form;
}

function showWork(title, ...children) {
  $("[data-portal-work-title]").textContent = title;
  $("[data-portal-work-body]").replaceChildren(...children);
  work.hidden = false;
  $("[data-portal-work-title]").focus();
}

// The queue, oldest first, each item a button that opens it.
async function loadQueue() {
  const status = $("[data-portal-queue-status]");
  status.textContent = "Đang tải hàng chờ…";
  try {
    const { items } = await api("/console/queue", { auth: true });
    $("[data-portal-queue]").replaceChildren(
      ...items.map((item) =>
        h(
          "li",
          {},
          h("button", { type: "button", class: "portal-link-button", "data-code": item.code }, `${KINDS[item.kind]} ${item.code}`),
          h("span", { class: "portal-meta" }, ` — ${item.contact || ""}, chờ ${item.waited_minutes} phút`),
        ),
      ),
    );
    for (const button of root.querySelectorAll("[data-portal-queue] button")) {
      button.addEventListener("click", () => (button.dataset.code.startsWith("HT-") ? openConversation(button.dataset.code) : openCall(button.dataset.code)));
    }
    status.textContent = items.length ? `${items.length} việc đang chờ.` : "Không có việc nào đang chờ.";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status.textContent = error.message;
  }
}

function messageItem(entry) {
  const who = entry.by === "citizen" ? "Người hỏi" : `Tổng đài viên ${entry.author || ""}`;
  return h("li", {}, h("time", { datetime: entry.at }, when(entry.at)), " — ", h("strong", {}, who), h("p", { class: "portal-text" }, entry.text));
}

async function openConversation(code) {
  const item = await api(`/console/conversations/${encodeURIComponent(code)}`, { auth: true });
  const contact = [item.name, item.email, item.phone].filter(Boolean).join(" · ");
  const answer = smallForm("Trả lời", [["text", "Câu trả lời", "textarea"], ["faq_question", "Câu hỏi viết chung (nếu đề xuất đưa vào hỏi đáp)"]], "Gửi trả lời", async (form) => {
    const body = values(form, ["text", "faq_question"]);
    body.reusable = form.elements.reusable.checked;
    const done = await send(form, () => api(`/console/conversations/${encodeURIComponent(code)}/answers`, { method: "POST", body, auth: true }));
    if (done) {
      await openConversation(code);
      loadQueue();
    }
  });
  answer.insertBefore(h("label", { class: "portal-choice" }, h("input", { type: "checkbox", name: "reusable", id: `reusable-${code}` }), " Câu trả lời dùng lại được: đề xuất đưa vào hỏi đáp của danh mục"), answer.lastElementChild);
  const facts = h("p", {}, `Chủ đề: ${item.topic}${item.procedure_code ? ` · Thủ tục ${item.procedure_code}` : ""}${item.dossier_code ? ` · Hồ sơ ${item.dossier_code}` : ""} · ${contact}`);
  showWork(`Hỏi đáp ${item.code}`, facts, h("ol", { class: "portal-timeline" }, ...item.messages.map(messageItem)), item.status === "closed" ? h("p", {}, "Đã kết thúc.") : answer);
}

function callFacts(call) {
  const links = [call.dossier_code && `Hồ sơ ${call.dossier_code}`, call.complaint_code && `Phản ánh ${call.complaint_code}`, call.conversation_code && `Hỏi đáp ${call.conversation_code}`].filter(Boolean);
  return h(
    "div",
    {},
    h("p", { "data-portal-call-summary": true }, `Người gọi: ${[call.caller_name, call.caller_phone, call.caller_email].filter(Boolean).join(" · ")} · Kết quả: ${call.outcome}${links.length ? ` · Liên kết: ${links.join(", ")}` : ""}`),
    h("p", { class: "portal-text" }, call.notes),
    h("ol", { class: "portal-timeline" }, ...call.history.map((entry) => h("li", {}, h("time", { datetime: entry.at }, when(entry.at)), ` — ${entry.by}: ${entry.action}${entry.note ? ` (${entry.note})` : ""}`))),
  );
}

async function openCall(code, call) {
  call ??= await api(`/console/calls/${encodeURIComponent(code)}`, { auth: true });
  const path = (action) => `/console/calls/${encodeURIComponent(code)}/${action}`;
  const act = (action, names) => async (form) => {
    const done = await send(form, () => api(path(action), { method: "POST", body: values(form, names), auth: true }));
    if (done) {
      await openCall(code, done);
      loadQueue();
    }
  };
  showWork(
    `Cuộc gọi ${call.code}`,
    callFacts(call),
    smallForm("Chuyển thành phản ánh", [["agency_id", "Mã cơ quan tiếp nhận"], ["title", "Tiêu đề"], ["content", "Nội dung phản ánh", "textarea"]], "Tạo phản ánh", act("complaint", ["agency_id", "title", "content"])),
    smallForm("Mở hỏi đáp trực tuyến cho người gọi", [["message", "Câu hỏi của người gọi", "textarea"]], "Mở hỏi đáp", act("conversation", ["message"])),
    smallForm("Chuyển giám sát viên", [["note", "Lý do chuyển", "textarea"]], "Chuyển", act("handover", ["note"])),
    call.waiting ? smallForm("Đã xử lý xong", [["note", "Kết quả xử lý"]], "Đóng việc", act("resolution", ["note"])) : "",
  );
}

function callBody(form) {
  const body = values(form, ["caller_phone", "caller_name", "caller_email", "topic", "procedure_code", "dossier_code", "complaint_code", "notes"]);
  body.outcome = form.elements.outcome.value;
  if (body.dossier_code) body.dossier_code = body.dossier_code.toUpperCase();
  if (body.complaint_code) body.complaint_code = body.complaint_code.toUpperCase();
  const at = form.elements.callback_at.value;
  if (body.outcome === "callback" && at) body.callback_at = `${at.length === 16 ? `${at}:00` : at}+07:00`;
  return body;
}

async function logCall(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const call = await send(form, () => api("/console/calls", { method: "POST", body: callBody(form), auth: true }));
  if (call) {
    form.reset();
    await openCall(call.code, call);
    loadQueue();
  }
}

async function readDossier(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const body = values(form, ["dossier_code", "reason"]);
  body.consent = form.elements.consent.checked;
  if (body.dossier_code) body.dossier_code = body.dossier_code.toUpperCase();
  if (!body.consent) {
    showErrors($("[data-portal-alert]", form), [{ field: form.elements.consent, message: "Chỉ xem khi người gọi đã đồng ý." }]);
    return;
  }
  const found = await send(form, () => api("/console/dossier-reads", { method: "POST", body, auth: true }));
  if (found) {
    $("[data-portal-read-result]").replaceChildren(
      h("h3", { tabindex: "-1" }, `Hồ sơ ${found.code}: ${found.status_label}`),
      h("p", {}, found.procedure_name),
      h("ol", { class: "portal-timeline" }, ...found.timeline.map((entry) => h("li", {}, `${when(entry.at)} — ${entry.status_label}`))),
    );
    $("[data-portal-read-result] h3").focus();
  }
}

async function search(event) {
  event.preventDefault();
  const q = event.currentTarget.elements.q.value.trim();
  const status = $("[data-portal-search-status]");
  if (q.length < 2) {
    status.textContent = "Hãy nhập ít nhất 2 ký tự.";
    return;
  }
  status.textContent = "Đang tìm…";
  try {
    const found = await api(`/console/search?${new URLSearchParams({ q })}`, { auth: true });
    $("[data-portal-search-results]").replaceChildren(
      h("h3", {}, "Thủ tục"),
      h("ul", { class: "portal-list" }, ...found.procedures.map((p) => h("li", {}, h("span", { class: "portal-code" }, p.code), ` ${p.name}`))),
      h("h3", {}, "Hỏi đáp"),
      h("ul", { class: "portal-list" }, ...found.faq.map((f) => h("li", {}, h("strong", {}, f.question), h("p", {}, f.answer)))),
    );
    status.textContent = `${found.procedures.length} thủ tục, ${found.faq.length} câu hỏi đáp.`;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status.textContent = error.message;
  }
}

function shortcuts(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select")) return;
  const jump = { "/": () => $("#search-q").focus(), n: () => $("#call-phone").focus(), h: () => $("#queue-title").focus(), r: loadQueue }[event.key];
  if (jump) {
    event.preventDefault();
    jump();
  }
}

async function start() {
  const current = session();
  $("[data-portal-sign-in]").addEventListener("click", () => signIn(location.href));
  if (!current) return;
  try {
    const me = await api("/console/me", { auth: true });
    $("[data-portal-signed-out]").hidden = true;
    $("[data-portal-signed-in]").hidden = false;
    $("[data-portal-name]").textContent = me.name;
    $("[data-portal-role]").textContent = ROLES[me.role];
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showProblem($("[data-portal-console-alert]"), error.status === 403 ? `${error.message} Nếu bạn là cán bộ hỗ trợ, hãy đăng xuất rồi đăng nhập lại.` : error.message);
    return;
  }
  $("[data-portal-sign-out]").addEventListener("click", signOut);
  $("[data-portal-refresh]").addEventListener("click", loadQueue);
  $("[data-portal-call]").addEventListener("submit", logCall);
  $("[data-portal-read]").addEventListener("submit", readDossier);
  $("[data-portal-search]").addEventListener("submit", search);
  document.addEventListener("keydown", shortcuts);
  loadQueue();
}

start();
