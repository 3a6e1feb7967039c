"""HTML the citizen sees: the printable e-receipt, the page the gateway returns to, the sandbox gateway."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from chalicelib.core.calendar import vietnam_now
from chalicelib.core.config import get_settings
from chalicelib.payments.callbacks import money
from chalicelib.payments.gateways.base import Order
from chalicelib.store.payments import PaymentIntent

STATUS_TEXT = {
    "created": "Chưa thanh toán",
    "pending": "Đang chờ cổng thanh toán xác nhận",
    "succeeded": "Thanh toán thành công",
    "failed": "Thanh toán không thành công",
    "cancelled": "Đã huỷ thanh toán",
    "expired": "Giao dịch đã hết hạn",
    "refund_due": "Khoản này đã được thanh toán bằng giao dịch khác; số tiền của giao dịch này sẽ được hoàn lại",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem;border-bottom:1px solid #ccc}"
    "td.so-tien{text-align:right}button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem}"
    "@media print{.portal-khong-in{display:none}}"
)


def page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def when(at: float | None) -> str:
    return vietnam_now(float(at)).strftime("%H:%M:%S ngày %d/%m/%Y") if at else ""


def receipt(intent: PaymentIntent) -> str:
    rows = [
        ("Dịch vụ", intent.service),
        ("Thủ tục", f"{intent.procedure_code} - {intent.procedure_name}" if intent.procedure_code else None),
        ("Cơ quan", f"{intent.agency_name} ({intent.agency_id})"),
        ("Mã hồ sơ", intent.dossier_code),
        ("Nội dung", intent.description),
        ("Tài khoản thụ hưởng", intent.beneficiary_account),
        ("Người nộp", intent.payer_name),
        ("Cổng thanh toán", intent.gateway.upper()),
        ("Mã giao dịch", intent.transaction_id),
        ("Thời gian thanh toán", when(intent.settled_at)),
    ]
    facts = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows if v)
    lines = "".join(
        f'<tr><td>{escape(line["name"])}</td><td class="so-tien">{escape(money(int(line["amount"])))}</td></tr>'
        for line in intent.lines
    )
    total = f'<tr><th>Tổng cộng</th><th class="so-tien">{escape(money(int(intent.amount)))}</th></tr>'
    body = (
        "<h1>Biên lai thu điện tử</h1>"
        f"<p>Số biên lai: <strong>{escape(intent.intent_id)}</strong></p>"
        f"<table>{facts}</table><h2>Các khoản nộp</h2>"
        f"<table><tr><th>Khoản</th><th>Số tiền</th></tr>{lines}{total}</table>"
        '<p class="portal-khong-in"><button onclick="window.print()">In biên lai</button></p>'
    )
    return page("Biên lai thu điện tử", body)


def back_link(intent: PaymentIntent | None) -> str:
    """The way back to the citizen site: the dossier's page for a dossier fee, the account page otherwise."""
    site = get_settings().site_url
    if intent is not None and intent.dossier_code:
        href, text = f"{site}ho-so/?ma={quote(intent.dossier_code)}", f"Quay lại hồ sơ {intent.dossier_code}"
    else:
        href, text = f"{site}tai-khoan/", "Về Tài khoản của tôi"
    return f'<p><a href="{escape(href)}">{escape(text)}</a></p>'


def returned(intent: PaymentIntent | None) -> str:
    if intent is None:
        return page("Không tìm thấy giao dịch", "<h1>Không tìm thấy giao dịch</h1>" + back_link(None))
    status = STATUS_TEXT.get(intent.status, intent.status)
    body = (
        f"<h1>{escape(status)}</h1>"
        f"<p>{escape(intent.description)}: <strong>{escape(money(int(intent.amount)))}</strong></p>"
        f"<p>Mã giao dịch trên Cổng: {escape(intent.intent_id)}</p>"
    )
    if intent.status == "pending":
        body += "<p>Kết quả sẽ được cập nhật ngay khi cổng thanh toán xác nhận. Vui lòng tải lại trang sau ít phút.</p>"
    return page(status, body + back_link(intent))


def sandbox_checkout(gateway_label: str, order: Order, checkout: str) -> str:
    fields: list[tuple[str, Any]] = [("Mã đơn hàng", order.order_id), ("Nội dung", order.description)]
    facts = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in fields)
    body = (
        f"<h1>{escape(gateway_label)} (thử nghiệm)</h1>"
        "<p>Đây là cổng thanh toán thử nghiệm chạy cục bộ: không có tiền thật.</p>"
        f"<table>{facts}<tr><th>Số tiền</th><td><strong>{escape(money(order.amount))}</strong></td></tr></table>"
        '<form method="post"><input type="hidden" name="checkout" value="' + escape(checkout) + '">'
        '<p><label>Số lần gửi thông báo (trùng lặp) <input type="number" name="copies" value="1" min="1" max="5">'
        "</label></p>"
        '<p><label>Gửi chậm (giây) <input type="number" name="delay" value="0" min="0" max="30"></label></p>'
        '<p><label><input type="checkbox" name="reorder" value="1"> Gửi sai thứ tự (một lần thử thất bại '
        "cũ đến sau)</label></p>"
        '<button name="action" value="pay">Thanh toán</button>'
        '<button name="action" value="cancel">Huỷ giao dịch</button></form>'
    )
    return page(f"{gateway_label} (thử nghiệm)", body)
