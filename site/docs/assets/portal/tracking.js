// Track a dossier by its code and the owner's number (POST /dossiers/lookup, public, throttled).
//
// The number is personal: it is sent in the body of a POST, never put in the page's address (where
// it would stay in the history, in server logs and in links people share). Only the code may come
// in the address (?ma=...), so a link from a notice fills it in.
import { ApiError, agencies, api, day, site, when } from "./api.js";
import { busy, clearErrors, enable, h, retryTime, showErrors, showProblem } from "./forms.js";
import { GROUP_CODE, renderGroup } from "./linked.js";

const CODE = /^[A-Z0-9.\-]+-\d{6}-\d{4,6}$/;
const IDENTIFIER = /^(\d{12}|\d{10}|\d{13}|\d{10}-\d{3})$/;
const FINISHED = new Set([3, 8, 9, 10]);

// What each national status means for the person, and what they do next.
const MEANING = {
  1: ["Hồ sơ đã được gửi và đang chờ cơ quan kiểm tra để tiếp nhận.", "Bạn chưa cần làm gì. Khi hồ sơ được tiếp nhận, bạn sẽ nhận thông báo qua thư điện tử hoặc tin nhắn."],
  2: ["Cơ quan đã tiếp nhận hồ sơ và hẹn ngày trả kết quả.", "Bạn chưa cần làm gì. Hãy theo dõi đến ngày hẹn trả kết quả."],
  3: ["Cơ quan không tiếp nhận hồ sơ này.", "Lý do có trong thông báo của cơ quan. Bạn có thể hoàn thiện và nộp hồ sơ mới; nếu thấy chưa thỏa đáng, hãy gửi phản ánh, kiến nghị."],
  4: ["Cơ quan đang giải quyết hồ sơ.", "Bạn chưa cần làm gì. Nếu cần thêm giấy tờ, cơ quan sẽ báo cho bạn."],
  5: ["Cơ quan yêu cầu bổ sung giấy tờ.", "Đăng nhập và mở hồ sơ trong Tài khoản của tôi để xem giấy tờ cần bổ sung và gửi phần bổ sung, hoặc mang giấy tờ tới bộ phận một cửa. Ngày hẹn trả mới do cơ quan ghi rõ."],
  6: ["Cơ quan yêu cầu thực hiện nghĩa vụ tài chính (phí, lệ phí, thuế).", "Đăng nhập để thanh toán trực tuyến, hoặc nộp tại cơ quan. Hồ sơ được giải quyết tiếp sau khi cơ quan nhận được khoản nộp."],
  7: ["Bạn đã yêu cầu rút hồ sơ; cơ quan đang xem xét.", "Bạn chưa cần làm gì. Cơ quan sẽ báo khi chấp thuận hoặc từ chối yêu cầu rút."],
  8: ["Hồ sơ đã dừng xử lý.", "Không cần làm gì thêm. Nếu bạn không yêu cầu dừng, hãy liên hệ cơ quan giải quyết hoặc gửi phản ánh, kiến nghị."],
  9: ["Cơ quan đã giải quyết xong hồ sơ.", "Kết quả sẽ được trả theo cách bạn đã chọn khi nộp (tại bộ phận một cửa, qua bưu chính hoặc trực tuyến)."],
  10: ["Cơ quan đã trả kết quả.", "Đăng nhập để xem kết quả và đánh giá mức độ hài lòng (trong Tài khoản của tôi)."],
};

const form = document.querySelector("[data-portal-tracking]");
const alert = form.querySelector("[data-portal-alert]");
const status = form.querySelector("[data-portal-status]");
const submit = form.querySelector("button[type=submit]");
const codeField = form.elements.ma;
const numberField = form.elements["so-dinh-danh"];
const result = document.querySelector("[data-portal-result]");

enable(form);
codeField.value = (new URLSearchParams(location.search).get("ma") || "").trim().toUpperCase();

function actorName(actor, names) {
  if (actor === "citizen") return "Người nộp hồ sơ";
  if (actor === "payment") return "Hệ thống thanh toán";
  const code = actor.replace(/^agency:/, "");
  return names.get(code)?.name || code;
}

function dueText(dossier) {
  if (!dossier.due_date) return "Chưa có (cơ quan hẹn ngày khi tiếp nhận hồ sơ)";
  const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10); // the date in Vietnam (UTC+7)
  const late = dossier.due_date < today && !FINISHED.has(dossier.status);
  return late ? `${day(dossier.due_date)} — đã quá hạn` : day(dossier.due_date);
}

function fact(term, ...value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, ...value));
}

async function show(dossier) {
  const names = await agencies();
  const [meaning, next] = MEANING[dossier.status] || [dossier.status_label, ""];
  result.querySelector("[data-portal-result-title]").textContent = `Hồ sơ ${dossier.code}`;
  result.querySelector("[data-portal-facts]").replaceChildren(
    fact("Thủ tục", dossier.procedure_name),
    fact("Cơ quan giải quyết", actorName(dossier.agency_id, names)),
    fact("Tình trạng", h("strong", {}, dossier.status_label), `. ${meaning}`),
    fact("Hạn trả kết quả", dueText(dossier)),
  );
  const nextStep = result.querySelector("[data-portal-next]");
  nextStep.replaceChildren(next);
  if ([5, 6, 10].includes(dossier.status)) {
    nextStep.append(" ", h("a", { href: site("tai-khoan/") }, "Mở Tài khoản của tôi"), ".");
  } else if ([3, 8].includes(dossier.status)) {
    nextStep.append(" ", h("a", { href: site("phan-anh/") }, "Gửi phản ánh, kiến nghị"), ".");
  }
  const timeline = dossier.timeline.map((event) =>
    h("li", {}, h("time", { datetime: event.at }, when(event.at)), " — ", h("strong", {}, event.status_label), ` (${actorName(event.actor, names)})`),
  );
  result.querySelector("[data-portal-timeline]").replaceChildren(...(timeline.length ? timeline : [h("li", {}, "Chưa có bước xử lý nào.")]));
  result.hidden = false;
  result.querySelector("[data-portal-result-title]").focus();
}

function check() {
  const errors = [];
  const code = codeField.value.replace(/\s+/g, "").toUpperCase();
  const number = numberField.value.replace(/[\s.]+/g, "");
  codeField.value = code;
  if (!code) errors.push({ field: codeField, message: "Hãy nhập mã hồ sơ." });
  else if (!CODE.test(code)) errors.push({ field: codeField, message: "Mã hồ sơ có dạng MÃ CƠ QUAN-năm tháng ngày-số thứ tự, ví dụ CSGT-251120-0001." });
  if (!number) errors.push({ field: numberField, message: "Hãy nhập số định danh cá nhân hoặc mã số thuế của chủ hồ sơ." });
  else if (!IDENTIFIER.test(number)) errors.push({ field: numberField, message: "Số định danh cá nhân gồm 12 chữ số; mã số thuế gồm 10 hoặc 13 chữ số." });
  return { errors, code, number };
}

function refused(error) {
  if (error.status === 404) {
    showProblem(alert, `${error.message} Hãy kiểm tra lại mã hồ sơ và số định danh (hoặc mã số thuế) của chủ hồ sơ. Nhập sai 5 lần, mã hồ sơ này sẽ tạm khoá tra cứu 15 phút.`);
  } else if (error.status === 429) {
    const later = error.retryAfter ? ` Bạn có thể thử lại từ ${retryTime(error.retryAfter)}.` : "";
    showProblem(alert, `${error.message}${later}`);
  } else if (error.field === "code" || error.field === "identifier") {
    showErrors(alert, [{ field: error.field === "code" ? codeField : numberField, message: error.message }]);
  } else {
    showProblem(alert, error.message);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form, alert);
  status.textContent = "";
  const { errors, code, number } = check();
  if (errors.length) {
    showErrors(alert, errors);
    return;
  }
  busy(submit, true, "Đang tra cứu…");
  status.textContent = "Đang tra cứu hồ sơ…";
  try {
    const group = document.querySelector("[data-portal-group]");
    group.hidden = true;
    if (GROUP_CODE.test(code)) {
      result.hidden = true;
      renderGroup(group, await api("/linked-dossiers/lookup", { method: "POST", body: { code, identifier: number } }));
      status.textContent = "";
      group.querySelector("[data-portal-group-title]").focus();
      return;
    }
    const dossier = await api("/dossiers/lookup", { method: "POST", body: { code, identifier: number } });
    status.textContent = "";
    await show(dossier);
    if (dossier.group_code) {
      // A step of a group dossier: the whole group's timeline beneath it.
      renderGroup(group, await api("/linked-dossiers/lookup", { method: "POST", body: { code: dossier.group_code, identifier: number } }));
    }
  } catch (error) {
    status.textContent = "";
    result.hidden = true;
    if (!(error instanceof ApiError)) throw error;
    refused(error);
  } finally {
    busy(submit, false);
  }
});
