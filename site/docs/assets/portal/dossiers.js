// What the signed-in dossier pages share (account, submission, dossier): the sign-in prompt, each
// status in words, who did what, the procedure's catalogue export and fees, payments and the e-receipt.
import { api, site, signIn } from "./api.js";

/** What each national status means for the owner, and what they do next (on the dossier page). */
export const MEANING = {
  1: ["Hồ sơ đã được gửi, đang chờ cơ quan kiểm tra để tiếp nhận.", "Bạn chưa cần làm gì. Khi hồ sơ được tiếp nhận, bạn sẽ nhận thông báo."],
  2: ["Cơ quan đã tiếp nhận hồ sơ và hẹn ngày trả kết quả.", "Bạn chưa cần làm gì. Hãy theo dõi đến ngày hẹn trả kết quả."],
  3: ["Cơ quan không tiếp nhận hồ sơ này.", "Lý do có trong quá trình xử lý bên dưới. Bạn có thể hoàn thiện và nộp hồ sơ mới."],
  4: ["Cơ quan đang giải quyết hồ sơ.", "Bạn chưa cần làm gì. Nếu cần thêm giấy tờ, cơ quan sẽ báo cho bạn."],
  5: ["Cơ quan yêu cầu bổ sung giấy tờ.", "Xem yêu cầu bổ sung bên dưới và gửi phần bổ sung."],
  6: ["Cơ quan yêu cầu thực hiện nghĩa vụ tài chính (phí, lệ phí).", "Thanh toán trực tuyến bên dưới, hoặc nộp tại cơ quan. Hồ sơ được giải quyết tiếp khi khoản nộp được xác nhận."],
  7: ["Bạn đã yêu cầu rút hồ sơ; cơ quan đang xem xét.", "Bạn chưa cần làm gì. Cơ quan sẽ báo khi chấp thuận hoặc từ chối yêu cầu rút."],
  8: ["Hồ sơ đã dừng xử lý.", "Không cần làm gì thêm."],
  9: ["Cơ quan đã giải quyết xong hồ sơ.", "Kết quả sẽ được trả theo cách bạn đã chọn khi nộp."],
  10: ["Cơ quan đã trả kết quả.", "Hãy đánh giá mức độ hài lòng của bạn bên dưới."],
};

export const PAYMENT_STATUS = {
  created: "Chưa thanh toán",
  pending: "Đang chờ cổng thanh toán xác nhận",
  succeeded: "Đã thanh toán",
  failed: "Thanh toán không thành công",
  cancelled: "Đã huỷ thanh toán",
  expired: "Giao dịch đã hết hạn",
  refund_due: "Khoản này đã được nộp bằng giao dịch khác: chờ hoàn tiền",
};

export const GATEWAYS = { paygov: "Nền tảng thanh toán quốc gia", vnpay: "VNPay", momo: "Ví MoMo" };

/** The person's name for whoever made a step: the citizen, the payment system or an agency (by name). */
export function actorName(actor, names) {
  if (actor === "citizen") return "Người nộp hồ sơ";
  if (actor === "payment") return "Hệ thống thanh toán";
  const code = String(actor).replace(/^agency:/, "");
  return names.get(code)?.name || code;
}

export function dossierUrl(code) {
  return site(`ho-so/?ma=${encodeURIComponent(code)}`);
}

export function procedureUrl(code) {
  return site(`thu-tuc/${code.replace(/\./g, "-")}/`);
}

const loaded = new Map();
/** A procedure's catalogue export (du-lieu/thu-tuc/<slug>.json), or null if the catalogue has no such code. */
export function procedureExport(code) {
  if (!/^[0-9A-Za-z.-]{3,60}$/.test(code)) return Promise.resolve(null);
  if (!loaded.has(code)) {
    const url = site(`du-lieu/thu-tuc/${code.replace(/\./g, "-")}.json`);
    loaded.set(
      code,
      fetch(url).then((response) => (response.ok ? response.json() : null)),
    );
  }
  return loaded.get(code);
}

/** The fees of the procedure's online channel (what an online dossier pays). */
export function onlineFees(procedure) {
  return procedure?.channels?.find((channel) => channel.kind === "online")?.fees || [];
}

/** Show the "sign in first" section; its button comes back to this very address. */
export function askToSignIn(section) {
  section.hidden = false;
  if (section.dataset.ready) return;
  section.dataset.ready = "yes";
  section.querySelector("[data-portal-sign-in]").addEventListener("click", (event) => {
    event.preventDefault();
    signIn(location.href);
  });
}

/**
 * Open an e-receipt (it needs the access token, so it cannot be a plain link): a tab is opened
 * at once, while the click still counts as the person's, and given the receipt when it arrives.
 */
export async function openReceipt(intentId) {
  const tab = window.open("", "_blank");
  try {
    const page = await api(`/payments/intents/${encodeURIComponent(intentId)}/receipt`, { auth: true, text: true });
    const url = URL.createObjectURL(new Blob([page], { type: "text/html" }));
    if (tab) tab.location.href = url;
    else location.assign(url);
  } catch (error) {
    tab?.close();
    throw error;
  }
}
