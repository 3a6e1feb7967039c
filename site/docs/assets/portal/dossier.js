// One dossier of the signed-in person (?ma=<code>): its status in words and what to do next, fees and
// payment (pay, wait for the gateway, the e-receipt), supplement requests, results and rating, the
// timeline, what was submitted, and withdrawal while the agency has not finished.
import { ApiError, agencies, api, day, money, session, when } from "./api.js";
import {
  GATEWAYS,
  MEANING,
  PAYMENT_STATUS,
  actorName,
  askToSignIn,
  onlineFees,
  openReceipt,
  procedureExport,
  procedureUrl,
} from "./dossiers.js";
import { busy, clearErrors, enable, h, showErrors, showProblem } from "./forms.js";
import { GROUP_CODE, renderGroup } from "./linked.js";

const CODE = /^[A-Z0-9.-]+-\d{6}-\d{4,6}$/;
const WITHDRAWABLE = new Set([1, 2, 4, 5, 6]); // the statuses a withdrawal request may follow
const FEE_KIND = { fee: "Phí", charge: "Lệ phí", unspecified: "Phí, lệ phí" };
const RATING = { very_satisfied: "Rất hài lòng", satisfied: "Hài lòng", not_satisfied: "Không hài lòng" };
const FORM_LABELS = { noi_dung: "Nội dung đề nghị", nhan_ket_qua: "Cách nhận kết quả", dia_chi: "Địa chỉ nhận kết quả" };
const RECEIVE = {
  truc_tuyen: "Nhận bản điện tử trên Cổng Dịch vụ công",
  truc_tiep: "Nhận tại cơ quan tiếp nhận",
  buu_chinh: "Nhận qua dịch vụ bưu chính",
};
const POLL_MS = 2000;
const POLLS = 15; // a gateway confirms within seconds; after half a minute the person reloads

const code = (new URLSearchParams(location.search).get("ma") || "").trim().toUpperCase();
const loading = document.querySelector("[data-portal-loading]");
const pageAlert = document.querySelector("[data-portal-page-alert]");
const choose = document.querySelector("[data-portal-choose]");
const signInPart = document.querySelector("[data-portal-signin]");
const section = document.querySelector("[data-portal-dossier]");
const status = section.querySelector("[data-portal-status]");
const title = section.querySelector("[data-portal-title]");
const payForm = section.querySelector("[data-portal-pay]");
const supplementForm = section.querySelector("[data-portal-supplement]");
const rateForm = section.querySelector("[data-portal-rate]");
const withdrawForm = section.querySelector("[data-portal-withdraw]");

let dossier = null;
let names = new Map();
let procedure = null;
let intents = []; // this dossier's fee payments, newest first
let polls = 0;
let polling = false;

const $ = (name) => section.querySelector(`[data-portal-${name}]`);

function fact(term, ...value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, ...value));
}

async function load() {
  const [found, agencyNames] = await Promise.all([api(`/dossiers/${encodeURIComponent(code)}`, { auth: true }), agencies()]);
  dossier = found;
  names = agencyNames;
  const [exported, payments] = await Promise.all([
    procedureExport(dossier.procedure_code).catch(() => null),
    api("/payments/intents", { auth: true }),
  ]);
  procedure = exported;
  intents = payments.intents.filter((intent) => intent.kind === "dossier_fee" && intent.dossier_code === dossier.code);
  render();
}

function render() {
  const [meaning, next] = MEANING[dossier.status] || [dossier.status_label, ""];
  title.textContent = `Hồ sơ ${dossier.code}`;
  const due = dossier.due_date ? `${day(dossier.due_date)}${dossier.overdue ? " (đã quá hạn)" : ""}` : "Chưa có (cơ quan hẹn ngày khi tiếp nhận)";
  $("facts").replaceChildren(
    fact("Thủ tục", h("a", { href: procedureUrl(dossier.procedure_code) }, dossier.procedure_name)),
    fact("Cơ quan giải quyết", names.get(dossier.agency_id)?.name || dossier.agency_id),
    fact("Tình trạng", h("strong", {}, dossier.status_label), `. ${meaning}`),
    fact("Nộp lúc", when(dossier.submitted_at)),
    ...(dossier.received_at ? [fact("Tiếp nhận lúc", when(dossier.received_at))] : []),
    fact("Hạn trả kết quả", due),
    ...(dossier.finished_at ? [fact("Hoàn thành lúc", when(dossier.finished_at))] : []),
  );
  $("next").textContent = next;
  renderFees();
  renderSupplements();
  renderResults();
  renderRating();
  renderTimeline();
  renderSubmitted();
  $("withdraw-part").hidden = !WITHDRAWABLE.has(dossier.status);
}

// Fees and payment

function feeText(fee) {
  const kind = FEE_KIND[fee.kind] || "Phí";
  if (fee.amount === null || fee.amount === undefined) return `${kind}: ${fee.description || "theo thông báo của cơ quan"}`;
  if (fee.amount === 0) return `${kind}: miễn phí`;
  return `${kind}: ${money(fee.amount)}${fee.unit ? ` (${fee.unit})` : ""}`;
}

function receiptButton(intent) {
  const button = h("button", { type: "button", class: "portal-button portal-button--secondary" }, "Xem biên lai điện tử");
  button.addEventListener("click", () =>
    openReceipt(intent.intent_id).catch((error) => {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = error.message;
    }),
  );
  return h("p", {}, button, " ", h("span", { class: "portal-hint" }, "(mở trong thẻ mới, in được)"));
}

function renderFees() {
  const fees = onlineFees(procedure);
  const paid = intents.find((intent) => intent.status === "succeeded");
  const pending = intents.find((intent) => intent.status === "pending");
  const box = $("payment");
  $("fees-part").hidden = !(fees.length || intents.length);
  $("fees").replaceChildren(...fees.map((fee) => h("li", {}, feeText(fee))));
  payForm.hidden = true;
  box.replaceChildren();
  $("payment-alert").replaceChildren();
  if (paid) {
    box.append(
      h(
        "p",
        { class: "portal-paid" },
        h("strong", {}, `Đã thanh toán ${money(paid.amount)}`),
        ` lúc ${when(paid.settled_at)} qua ${GATEWAYS[paid.gateway] || paid.gateway}.`,
        paid.transaction_id ? ` Mã giao dịch: ${paid.transaction_id}.` : "",
      ),
      receiptButton(paid),
    );
    if (dossier.status === 6) waitForConfirmation(); // the dossier moves on just after the payment is credited
  } else if (pending) {
    const resume = h("button", { type: "button", class: "portal-button portal-button--secondary" }, "Tiếp tục thanh toán");
    resume.addEventListener("click", () => checkout(pending.intent_id, resume, $("payment-alert")));
    box.append(
      h("p", {}, h("strong", {}, PAYMENT_STATUS.pending), ` cho khoản ${money(pending.amount)}. Trang này tự cập nhật khi có xác nhận. Nếu bạn chưa thanh toán xong trên trang của cổng, hãy tiếp tục; đừng thanh toán lần thứ hai.`),
      h("p", {}, resume),
    );
    waitForConfirmation();
  } else if (dossier.status === 6) {
    const last = intents[0];
    if (last) box.append(h("p", {}, `Lần thanh toán gần nhất: ${PAYMENT_STATUS[last.status] || last.status}. Bạn có thể thanh toán lại.`));
    if (!fees.length || fees.some((fee) => fee.amount === null || fee.amount === undefined)) {
      box.append(h("p", {}, "Khoản phải nộp do cơ quan xác định: hãy nộp theo thông báo của cơ quan giải quyết."));
    } else {
      const total = fees.reduce((sum, fee) => sum + fee.amount, 0);
      payForm.querySelector("button[type=submit]").textContent = `Thanh toán ${money(total)}`;
      payForm.hidden = false;
    }
  }
}

async function checkout(intentId, button, alert) {
  busy(button, true, "Đang chuyển sang cổng thanh toán…");
  try {
    const answer = await api(`/payments/intents/${encodeURIComponent(intentId)}/checkout`, { method: "POST", auth: true });
    location.assign(answer.redirect_url);
  } catch (error) {
    busy(button, false);
    failed(error, alert);
  }
}

// A payment sent to its gateway is confirmed by the gateway's callback, usually seconds after the
// person comes back, and the dossier moves on just after: look again a few times (render() asks
// for the next look while something is still on its way), saying what changed.
function waitForConfirmation() {
  if (polling || polls >= POLLS) return;
  polling = true;
  polls += 1;
  setTimeout(async () => {
    const before = new Map(intents.map((intent) => [intent.intent_id, intent.status]));
    const statusBefore = dossier.status;
    polling = false;
    try {
      await load();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return;
    }
    const settled = intents.find((intent) => before.get(intent.intent_id) === "pending" && intent.status !== "pending");
    if (settled) {
      status.textContent = settled.status === "succeeded" ? "Thanh toán đã được xác nhận." : `Giao dịch: ${PAYMENT_STATUS[settled.status] || settled.status}.`;
    } else if (dossier.status !== statusBefore) {
      status.textContent = `Hồ sơ đã chuyển sang bước: ${dossier.status_label}.`;
    }
  }, POLL_MS);
}

payForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const alert = payForm.querySelector("[data-portal-alert]");
  const button = payForm.querySelector("button[type=submit]");
  clearErrors(payForm, alert);
  busy(button, true, "Đang tạo giao dịch…");
  let intent;
  try {
    const body = { kind: "dossier_fee", dossier_code: dossier.code, gateway: payForm.elements.gateway.value };
    intent = await api("/payments/intents", { method: "POST", auth: true, body });
  } catch (error) {
    busy(button, false);
    failed(error, alert);
    return;
  }
  busy(button, false);
  await checkout(intent.intent_id, button, alert);
});

// Supplements, results, rating

function renderSupplements() {
  const requests = dossier.supplements || [];
  $("supplements-part").hidden = !requests.length && dossier.status !== 5;
  $("supplements").replaceChildren(
    ...requests.map((request) =>
      h(
        "li",
        {},
        h("strong", {}, `Yêu cầu lúc ${when(request.requested_at)}: `),
        h("span", { class: "portal-text" }, request.reason),
        request.documents?.length ? h("span", { class: "portal-meta" }, `Giấy tờ cần bổ sung: ${request.documents.join("; ")}`) : "",
        request.new_due_date ? h("span", { class: "portal-meta" }, `Hạn trả kết quả mới: ${day(request.new_due_date)}`) : "",
      ),
    ),
  );
  supplementForm.hidden = dossier.status !== 5;
}

function renderResults() {
  const results = dossier.results || [];
  $("results-part").hidden = !results.length;
  $("results").replaceChildren(
    ...results.map((result) =>
      h(
        "li",
        {},
        h("strong", {}, result.name),
        result.number ? ` (số ${result.number})` : "",
        result.url && /^https?:\/\//i.test(result.url) ? h("span", { class: "portal-meta" }, h("a", { href: result.url }, `Tải văn bản: ${result.name}`)) : "",
      ),
    ),
  );
}

function renderRating() {
  const rating = dossier.rating;
  $("rating-part").hidden = dossier.status !== 10 && !rating;
  rateForm.hidden = dossier.status !== 10;
  $("rated").textContent = rating
    ? `Bạn đã đánh giá: ${RATING[rating.level] || rating.level} (lúc ${when(rating.rated_at)}).${rating.comment ? ` Ý kiến: ${rating.comment}` : ""}`
    : "Ý kiến của bạn giúp cơ quan phục vụ tốt hơn; kết quả đánh giá được tổng hợp công khai theo từng cơ quan.";
  if (rating) {
    const chosen = rateForm.querySelector(`input[name=level][value="${rating.level}"]`);
    if (chosen) chosen.checked = true;
    rateForm.elements.comment.value = rating.comment || "";
  }
  rateForm.querySelector("button[type=submit]").textContent = rating ? "Sửa đánh giá" : "Gửi đánh giá";
}

function renderTimeline() {
  const events = dossier.timeline.map((event) =>
    h(
      "li",
      {},
      h("time", { datetime: event.at }, when(event.at)),
      " — ",
      h("strong", {}, event.status_label),
      ` (${actorName(event.actor, names)})`,
      event.note ? h("span", { class: "portal-meta portal-text" }, event.note) : "",
    ),
  );
  $("timeline").replaceChildren(...(events.length ? events : [h("li", {}, "Chưa có bước xử lý nào.")]));
}

function renderSubmitted() {
  const form = Object.entries(dossier.form || {}).map(([key, value]) =>
    fact(FORM_LABELS[key] || key, h("span", { class: "portal-text" }, key === "nhan_ket_qua" ? RECEIVE[value] || value : value)),
  );
  $("form").replaceChildren(...form);
  const files = dossier.attachments.map((item) => h("li", {}, `Tệp đính kèm: ${item.file_name}`));
  $("attachments").replaceChildren(...files);
}

// Sending something about the dossier: each answer is the dossier as it now is.

function failed(error, alert) {
  if (!(error instanceof ApiError)) throw error;
  if (error.status === 401) {
    section.hidden = true;
    askToSignIn(signInPart);
    showProblem(pageAlert, "Phiên đăng nhập đã hết. Hãy đăng nhập lại để tiếp tục.");
    return;
  }
  showProblem(alert || pageAlert, error.message);
}

function action(form, check, send, done, focusAfter) {
  const alert = form.querySelector("[data-portal-alert]");
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, alert);
    status.textContent = "";
    const errors = check();
    if (errors.length) {
      showErrors(alert, errors);
      return;
    }
    busy(button, true);
    let answer;
    try {
      answer = await send();
    } catch (error) {
      failed(error, alert);
      return;
    } finally {
      busy(button, false); // before render(), which may relabel the button
    }
    dossier = answer;
    render();
    status.textContent = done;
    (focusAfter && !focusAfter.closest("[hidden]") ? focusAfter : title).focus();
  });
}

const path = (what) => `/dossiers/${encodeURIComponent(dossier.code)}/${what}`;

action(
  rateForm,
  () => (rateForm.elements.level.value ? [] : [{ field: rateForm.querySelector("input[name=level]"), message: "Hãy chọn mức độ hài lòng." }]),
  () => {
    const comment = rateForm.elements.comment.value.trim();
    const body = { level: rateForm.elements.level.value, ...(comment ? { comment } : {}) };
    return api(path("rating"), { method: "PUT", auth: true, body });
  },
  "Cảm ơn bạn đã đánh giá.",
  section.querySelector("#dossier-rating-title"),
);

action(
  supplementForm,
  () => (supplementForm.elements.note.value.trim() ? [] : [{ field: supplementForm.elements.note, message: "Hãy nhập nội dung bổ sung." }]),
  () => api(path("supplements"), { method: "POST", auth: true, body: { note: supplementForm.elements.note.value.trim() } }),
  "Đã gửi phần bổ sung. Hồ sơ chuyển sang Đang xử lý.",
);

action(
  withdrawForm,
  () => (withdrawForm.elements.reason.value.trim() ? [] : [{ field: withdrawForm.elements.reason, message: "Hãy nêu lý do rút hồ sơ." }]),
  () => api(path("withdrawal"), { method: "POST", auth: true, body: { reason: withdrawForm.elements.reason.value.trim() } }),
  "Đã gửi yêu cầu rút hồ sơ. Cơ quan sẽ xem xét và báo kết quả.",
);

async function loadGroup(groupCode) {
  renderGroup(document.querySelector("[data-portal-group]"), await api(`/linked-dossiers/${encodeURIComponent(groupCode)}`, { auth: true }));
}

async function start() {
  if (!code) return; // no code yet: the form asking for it stays
  choose.elements.ma.value = code;
  if (!CODE.test(code)) {
    showProblem(pageAlert, `“${code}” không phải mã hồ sơ. Mã hồ sơ có dạng MÃ CƠ QUAN-năm tháng ngày-số thứ tự, ví dụ CSGT-251120-0001.`);
    return;
  }
  choose.hidden = true;
  if (!session()) {
    askToSignIn(signInPart);
    return;
  }
  loading.textContent = `Đang tải hồ sơ ${code}…`;
  try {
    if (GROUP_CODE.test(code)) {
      await loadGroup(code); // a group dossier: its timeline of steps, each step's own page from there
      return;
    }
    await load();
    if (dossier.group_code) await loadGroup(dossier.group_code);
    for (const form of [payForm, supplementForm, rateForm, withdrawForm]) enable(form);
    section.hidden = false;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) {
      askToSignIn(signInPart);
    } else {
      choose.hidden = false;
      showProblem(pageAlert, error.status === 404 ? `Không tìm thấy hồ sơ ${code} trong tài khoản của bạn. Hãy kiểm tra lại mã hồ sơ.` : error.message);
    }
  } finally {
    loading.textContent = "";
  }
}

start();
