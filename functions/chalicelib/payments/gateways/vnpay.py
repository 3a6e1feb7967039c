"""VNPay-style gateway: HMAC-SHA512 over the sorted, URL-encoded, non-empty `vnp_` parameters, hex in
`vnp_SecureHash`; amounts x100; times `yyyyMMddHHmmss` GMT+7; the IPN is a GET answered with
`{"RspCode", "Message"}`. The portal signs the redirect itself (no server-to-server create).

The status query (`querydr`, a JSON POST) is signed over its fields joined by `|` in a fixed order,
names the original payment's `vnp_CreateDate` as `vnp_TransactionDate`, and is answered in its own
format, signed the same way over its own fields: `vnp_ResponseCode` says whether the query worked
(`00`; `91` order not found), `vnp_TransactionStatus` what became of the payment (`00` paid, `01`
pending, anything else failed).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

from chalicelib.core.config import PaymentSettings
from chalicelib.payments.gateways.base import (
    BadSignature,
    Malformed,
    Notice,
    Order,
    Outcome,
    Outgoing,
    Reply,
    Result,
    text,
    whole_number,
    wire_time,
)

PAY_WINDOW_SECONDS = 15 * 60
QUERY_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
ANSWER_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
TRANSACTION_STATUS = {Outcome.SUCCEEDED: "00", Outcome.PENDING: "01", Outcome.FAILED: "02", Outcome.CANCELLED: "02"}
UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
ANSWERS = {
    Result.CONFIRMED: ("00", "Confirm Success"),
    Result.NOT_FOUND: ("01", "Order not found"),
    Result.ALREADY: ("02", "Order already confirmed"),
    Result.BAD_AMOUNT: ("04", "Invalid amount"),
    Result.BAD_SIGNATURE: ("97", "Invalid signature"),
    Result.ERROR: ("99", "Unknown error"),
}
# (vnp_ResponseCode, vnp_TransactionStatus) the gateway sends for each outcome.
CODES = {
    Outcome.SUCCEEDED: ("00", "00"),
    Outcome.PENDING: ("00", "01"),
    Outcome.CANCELLED: ("24", "02"),
    Outcome.FAILED: ("51", "02"),
}


def hash_data(params: Mapping[str, Any]) -> str:
    """`key=value&...` sorted by key, empty values and the hash fields dropped, URL-encoded (spaces as +)."""
    pairs = sorted((key, str(value)) for key, value in params.items() if key not in UNSIGNED and str(value) != "")
    return "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in pairs)


def sign(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def piped(fields: tuple[str, ...], values: Mapping[str, Any]) -> str:
    return "|".join(str(values.get(name, "")) for name in fields)


class VnpayGateway:
    name = "vnpay"
    label = "VNPAY"

    def __init__(self, settings: PaymentSettings, issuer: str) -> None:
        self._tmn = settings.vnpay_tmn_code
        self._secret = settings.vnpay_hash_secret
        self._pay_url = settings.vnpay_url or f"{issuer}/sandbox/payments/vnpay"
        self._ipn_url = f"{issuer}/payments/callbacks/vnpay"

    def create_request(self, order: Order, client_ip: str, at: float) -> None:
        return None  # a redirect the portal signs itself

    def pay_url(self, answer: Mapping[str, Any], request: Mapping[str, Any]) -> str:
        raise NotImplementedError("VNPay takes no create request")

    def create_answer(self, request: Mapping[str, Any], pay_url: str) -> dict[str, Any]:
        raise NotImplementedError("VNPay takes no create request")

    def redirect_url(self, order: Order, client_ip: str, at: float) -> str:
        params = {
            "vnp_Version": "2.1.0",
            "vnp_Command": "pay",
            "vnp_TmnCode": self._tmn,
            "vnp_Amount": str(order.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.order_id,
            "vnp_OrderInfo": order.description,
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": order.return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": wire_time(at),
            "vnp_ExpireDate": wire_time(at + PAY_WINDOW_SECONDS),
        }
        data = hash_data(params)
        return f"{self._pay_url}?{data}&vnp_SecureHash={sign(self._secret, data)}"

    def _check(self, params: Mapping[str, Any]) -> None:
        given = str(params.get("vnp_SecureHash", ""))
        signed = {key: value for key, value in params.items() if key.startswith("vnp_")}
        if not hmac.compare_digest(sign(self._secret, hash_data(signed)).encode(), given.lower().encode()):
            raise BadSignature(self.name)

    def verify(self, params: Mapping[str, Any]) -> Notice:
        self._check(params)
        if text(params, "vnp_TmnCode") != self._tmn:
            raise Malformed("vnp_TmnCode")
        amount = whole_number(params, "vnp_Amount")
        if amount % 100:
            raise Malformed("vnp_Amount")
        response, status = text(params, "vnp_ResponseCode"), text(params, "vnp_TransactionStatus")
        if response == "00" and status == "00":
            outcome = Outcome.SUCCEEDED
        elif status == "01":
            outcome = Outcome.PENDING
        elif response == "24":
            outcome = Outcome.CANCELLED
        else:
            outcome = Outcome.FAILED
        return Notice(
            order_id=text(params, "vnp_TxnRef"),
            transaction_id=text(params, "vnp_TransactionNo"),
            amount=amount // 100,
            currency="VND",
            outcome=outcome,
            code=f"{response}/{status}",
            bank_code=str(params.get("vnp_BankCode") or "") or None,
        )

    def reply(self, result: Result) -> Reply:
        code, message = ANSWERS[result]
        return Reply(200, {"RspCode": code, "Message": message})

    def query_request(self, order_id: str, at: float, ordered_at: float) -> dict[str, str]:
        params = {
            "vnp_RequestId": f"{order_id[:16]}{int(at)}",
            "vnp_Version": "2.1.0",
            "vnp_Command": "querydr",
            "vnp_TmnCode": self._tmn,
            "vnp_TxnRef": order_id,
            "vnp_TransactionDate": wire_time(ordered_at),  # the payment request's vnp_CreateDate
            "vnp_CreateDate": wire_time(at),
            "vnp_IpAddr": "127.0.0.1",
            "vnp_OrderInfo": f"Truy van {order_id}",
        }
        # querydr signs the fields joined by "|" in this fixed order, not the sorted query string.
        return {**params, "vnp_SecureHash": sign(self._secret, piped(QUERY_FIELDS, params))}

    def verify_answer(self, params: Mapping[str, Any]) -> Notice:
        """A `querydr` answer: its own fields, its own signature, the payment's own status."""
        given = str(params.get("vnp_SecureHash", ""))
        if not hmac.compare_digest(sign(self._secret, piped(ANSWER_FIELDS, params)).encode(), given.lower().encode()):
            raise BadSignature(self.name)
        if text(params, "vnp_ResponseCode") != "00":
            raise Malformed("vnp_ResponseCode")  # the query itself failed (91: VNPay has no such order)
        if text(params, "vnp_TmnCode") != self._tmn:
            raise Malformed("vnp_TmnCode")
        amount = whole_number(params, "vnp_Amount")
        if amount % 100:
            raise Malformed("vnp_Amount")
        status = text(params, "vnp_TransactionStatus")
        outcome = {"00": Outcome.SUCCEEDED, "01": Outcome.PENDING}.get(status, Outcome.FAILED)
        return Notice(
            order_id=text(params, "vnp_TxnRef"),
            transaction_id=str(params.get("vnp_TransactionNo") or "") or f"query-{text(params, 'vnp_TxnRef')}",
            amount=amount // 100,
            currency="VND",
            outcome=outcome,
            code=f"{params.get('vnp_ResponseCode')}/{status}",
            bank_code=str(params.get("vnp_BankCode") or "") or None,
        )

    def query_answer(self, notice: Notice, at: float, request: Mapping[str, Any]) -> dict[str, Any]:
        answer = {
            "vnp_ResponseId": f"R{request.get('vnp_RequestId', '')}",
            "vnp_Command": "querydr",
            "vnp_ResponseCode": "00",
            "vnp_Message": "QueryDR Success",
            "vnp_TmnCode": self._tmn,
            "vnp_TxnRef": notice.order_id,
            "vnp_Amount": str(notice.amount * 100),
            "vnp_BankCode": notice.bank_code or "NCB",
            "vnp_PayDate": wire_time(at),
            "vnp_TransactionNo": notice.transaction_id,
            "vnp_TransactionType": "01",
            "vnp_TransactionStatus": TRANSACTION_STATUS[notice.outcome],
            "vnp_OrderInfo": str(request.get("vnp_OrderInfo", "")),
            "vnp_PromotionCode": "",
            "vnp_PromotionAmount": "",
        }
        return {**answer, "vnp_SecureHash": sign(self._secret, piped(ANSWER_FIELDS, answer))}

    def read_order(self, params: Mapping[str, str]) -> Order:
        self._check(params)
        return Order(
            order_id=text(params, "vnp_TxnRef"),
            amount=whole_number(params, "vnp_Amount") // 100,
            description=text(params, "vnp_OrderInfo"),
            return_url=text(params, "vnp_ReturnUrl"),
            ipn_url=self._ipn_url,
        )

    def notice_params(self, notice: Notice, at: float) -> dict[str, Any]:
        response, status = CODES[notice.outcome]
        params = {
            "vnp_Amount": str(notice.amount * 100),
            "vnp_BankCode": notice.bank_code or "NCB",
            "vnp_CardType": "ATM",
            "vnp_PayDate": wire_time(at),
            "vnp_ResponseCode": response,
            "vnp_TmnCode": self._tmn,
            "vnp_TransactionNo": notice.transaction_id,
            "vnp_TransactionStatus": status,
            "vnp_TxnRef": notice.order_id,
        }
        return {**params, "vnp_SecureHash": sign(self._secret, hash_data(params))}

    def callback(self, order: Order, params: dict[str, Any]) -> Outgoing:
        return Outgoing("GET", order.ipn_url, params)
