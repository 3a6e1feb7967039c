// The account page: sign in or out; once signed in, my dossiers (a page at a time), my drafts and my
// payments, each dossier linking to its page.
import { ApiError, agencies, api, day, money, session, signIn, signOut, site, when } from "./api.js";
import { GATEWAYS, PAYMENT_STATUS, dossierUrl, openReceipt, procedureExport } from "./dossiers.js";
import { h } from "./forms.js";

const PAGE = 10;
const root = document.querySelector("[data-portal-account]");
const signedOut = root.querySelector("[data-portal-signed-out]");
const signedIn = root.querySelector("[data-portal-signed-in]");

function show(current) {
  signedOut.hidden = Boolean(current);
  signedIn.hidden = !current;
  if (current) root.querySelector("[data-portal-name]").textContent = current.name;
}

function part(name) {
  const section = root.querySelector(`[data-portal-${name}]`);
  return { section, status: section.querySelector("[data-portal-status]"), list: section.querySelector("[data-portal-list]") };
}

/** A list failed to load: a session that has expired sends the person back to "sign in". */
function failed(where, error) {
  if (!(error instanceof ApiError)) throw error;
  if (error.status === 401) {
    show(null);
    return;
  }
  where.status.textContent = `Không tải được danh sách: ${error.message}`;
}

function meta(...parts) {
  return h("span", { class: "portal-meta" }, parts.filter(Boolean).join(" · "));
}

// My dossiers, newest first; "Xem thêm" asks for the next page with the cursor of the last one.
const dossiers = part("dossiers");
const more = dossiers.section.querySelector("[data-portal-more]");
let cursor = null;

function dossierItem(dossier, names) {
  const due = dossier.due_date ? `Hẹn trả: ${day(dossier.due_date)}${dossier.overdue ? " (đã quá hạn)" : ""}` : "";
  return h(
    "li",
    {},
    h("a", { href: dossierUrl(dossier.code) }, h("span", { class: "portal-code" }, dossier.code)),
    h("span", { class: "portal-meta" }, dossier.procedure_name),
    h("span", { class: "portal-meta" }, "Tình trạng: ", h("strong", {}, dossier.status_label)),
    meta(`Nộp lúc ${when(dossier.submitted_at)}`, due, names.get(dossier.agency_id)?.name || dossier.agency_id),
  );
}

async function loadDossiers() {
  const first = cursor === null;
  dossiers.status.textContent = first ? "Đang tải hồ sơ của bạn…" : "Đang tải thêm hồ sơ…";
  more.disabled = true;
  try {
    const query = new URLSearchParams({ limit: String(PAGE), ...(cursor ? { cursor } : {}) });
    const [answer, names] = await Promise.all([api(`/dossiers?${query}`, { auth: true }), agencies()]);
    const items = answer.dossiers.map((dossier) => dossierItem(dossier, names));
    dossiers.list.append(...items);
    cursor = answer.next_cursor || null;
    more.hidden = !cursor;
    const count = dossiers.list.children.length;
    if (!count) {
      dossiers.status.replaceChildren("Bạn chưa có hồ sơ nào. ", h("a", { href: site("tim-kiem/") }, "Tìm thủ tục để nộp hồ sơ trực tuyến"), ".");
    } else {
      dossiers.status.textContent = first ? `Có ${count} hồ sơ${cursor ? " gần nhất; bấm “Xem thêm hồ sơ” để xem tiếp" : ""}.` : `Đã hiện thêm ${items.length} hồ sơ.`;
    }
    if (!first && items.length) items[0].querySelector("a").focus();
  } catch (error) {
    failed(dossiers, error);
  } finally {
    more.disabled = false;
  }
}

more.addEventListener("click", loadDossiers);

// My drafts: continue each where it was left.
const drafts = part("drafts");

async function loadDrafts() {
  drafts.status.textContent = "Đang tải hồ sơ nháp…";
  try {
    const answer = await api("/dossiers/drafts", { auth: true });
    const procedures = new Map();
    await Promise.all(
      [...new Set(answer.drafts.map((draft) => draft.procedure_code))].map(async (code) => {
        procedures.set(code, await procedureExport(code).catch(() => null));
      }),
    );
    const items = answer.drafts.map((draft) => {
      const name = procedures.get(draft.procedure_code)?.name || `Thủ tục ${draft.procedure_code}`;
      const required = draft.requirements.filter((requirement) => requirement.required);
      const done = required.filter((requirement) => requirement.attached > 0).length;
      const link = site(`nop-ho-so/?thu-tuc=${encodeURIComponent(draft.procedure_code)}&nhap=${encodeURIComponent(draft.draft_id)}`);
      return h(
        "li",
        {},
        h("a", { href: link }, `Tiếp tục nộp: ${name}`),
        meta(`Mã thủ tục ${draft.procedure_code}`, `Sửa lần cuối ${when(draft.updated_at)}`, `Đã đính kèm ${done}/${required.length} thành phần bắt buộc`),
      );
    });
    drafts.list.replaceChildren(...items);
    drafts.status.textContent = items.length ? "" : "Không có hồ sơ nháp nào.";
  } catch (error) {
    failed(drafts, error);
  }
}

// My payments: what, how much, where it stands; the e-receipt once paid.
const payments = part("payments");

function paymentItem(intent) {
  const item = h(
    "li",
    {},
    h("strong", {}, intent.description),
    meta(money(intent.amount), PAYMENT_STATUS[intent.status] || intent.status, GATEWAYS[intent.gateway] || intent.gateway),
    meta(`Tạo lúc ${when(intent.created_at)}`, intent.settled_at ? `Kết thúc lúc ${when(intent.settled_at)}` : ""),
  );
  const actions = h("span", { class: "portal-actions" });
  if (intent.dossier_code) actions.append(h("a", { href: dossierUrl(intent.dossier_code) }, `Hồ sơ ${intent.dossier_code}`));
  if (intent.status === "succeeded") {
    const button = h(
      "button",
      { type: "button", class: "portal-button portal-button--secondary" },
      "Xem biên lai điện tử",
      h("span", { class: "portal-sr-only" }, ` — ${intent.description}`),
    );
    button.addEventListener("click", () =>
      openReceipt(intent.intent_id).catch((error) => {
        if (!(error instanceof ApiError)) throw error;
        payments.status.textContent = error.message;
      }),
    );
    actions.append(button);
  }
  if (actions.children.length) item.append(actions);
  return item;
}

async function loadPayments() {
  payments.status.textContent = "Đang tải các khoản thanh toán…";
  try {
    const answer = await api("/payments/intents", { auth: true });
    payments.list.replaceChildren(...answer.intents.map(paymentItem));
    payments.status.textContent = answer.intents.length ? "" : "Chưa có khoản thanh toán nào.";
  } catch (error) {
    failed(payments, error);
  }
}

const current = session();
show(current);
root.querySelector("[data-portal-sign-in]").addEventListener("click", (event) => {
  event.preventDefault();
  signIn(location.href);
});
root.querySelector("[data-portal-sign-out]").addEventListener("click", signOut);
if (current) {
  loadDossiers();
  loadDrafts();
  loadPayments();
}
