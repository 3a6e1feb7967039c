"""The national payment platform style: SHA-256 over the fields joined by `|`, the secret last, hex in
`checksum`. INIT is a server-to-server POST (`PORTAL_PAYGOV_URL`) answered, signed the same way, with
`errorCode` `00` and the `payUrl` to send the citizen to; the confirm callback carries `errorCode`
(`00` = success) and is answered with an `errorCode`; unconfirmed payments are asked about with QUERY.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from chalicelib.core.config import PaymentSettings
from chalicelib.payments.gateways.base import (
    BadSignature,
    Malformed,
    Notice,
    Order,
    Outcome,
    Outgoing,
    Refused,
    Reply,
    Result,
    checked_url,
    text,
    whole_number,
    wire_time,
)

INIT_FIELDS = (
    "partnerCode",
    "reference",
    "amount",
    "currency",
    "channel",
    "bankCode",
    "description",
    "time",
    "ip",
    "returnUrl",
)
INIT_ANSWER_FIELDS = ("partnerCode", "reference", "errorCode", "payUrl")
CONFIRM_FIELDS = ("partnerCode", "reference", "amount", "currency", "transactionId", "bankCode", "time", "errorCode")
QUERY_FIELDS = ("partnerCode", "reference", "time")
CODES = {Outcome.SUCCEEDED: "00", Outcome.CANCELLED: "01", Outcome.PENDING: "09", Outcome.FAILED: "05"}
ANSWERS = {
    Result.CONFIRMED: ("00", "Xác nhận thành công"),
    Result.NOT_FOUND: ("01", "Không tìm thấy giao dịch"),
    Result.ALREADY: ("02", "Giao dịch đã được xác nhận"),
    Result.BAD_AMOUNT: ("04", "Số tiền không khớp"),
    Result.BAD_SIGNATURE: ("07", "Sai chữ ký"),
    Result.ERROR: ("99", "Lỗi không xác định"),
}


def checksum(secret: str, fields: tuple[str, ...], values: Mapping[str, Any]) -> str:
    joined = "|".join([*(str(values.get(name, "")) for name in fields), secret])
    return hashlib.sha256(joined.encode()).hexdigest()


class PaygovGateway:
    name = "paygov"
    label = "Nền tảng thanh toán quốc gia"

    def __init__(self, settings: PaymentSettings, issuer: str) -> None:
        self._partner = settings.paygov_partner_code
        self._secret = settings.paygov_secret
        self._ipn_url = f"{issuer}/payments/callbacks/paygov"

    def _signed(self, fields: tuple[str, ...], params: dict[str, Any]) -> dict[str, Any]:
        return {**params, "checksum": checksum(self._secret, fields, params)}

    def _check(self, fields: tuple[str, ...], params: Mapping[str, Any]) -> None:
        expected = checksum(self._secret, fields, params)
        if not hmac.compare_digest(expected.encode(), str(params.get("checksum", "")).lower().encode()):
            raise BadSignature(self.name)

    def create_request(self, order: Order, client_ip: str, at: float) -> dict[str, Any]:
        request = {
            "partnerCode": self._partner,
            "reference": order.order_id,
            "amount": str(order.amount),
            "currency": "VND",
            "channel": "WEB",
            "bankCode": "",
            "description": order.description,
            "time": wire_time(at),
            "ip": client_ip or "127.0.0.1",
            "returnUrl": order.return_url,
        }
        return self._signed(INIT_FIELDS, request)

    def pay_url(self, answer: Mapping[str, Any], request: Mapping[str, Any]) -> str:
        self._check(INIT_ANSWER_FIELDS, answer)
        if str(answer.get("errorCode")) != "00":
            raise Refused(f"errorCode {answer.get('errorCode')}")
        for name in ("partnerCode", "reference"):
            if str(answer.get(name)) != str(request[name]):
                raise Malformed(name)
        return checked_url(answer.get("payUrl"))

    def redirect_url(self, order: Order, client_ip: str, at: float) -> str:
        raise NotImplementedError("the national platform answers INIT with the payUrl")

    def create_answer(self, request: Mapping[str, Any], pay_url: str) -> dict[str, Any]:
        answer = {
            "partnerCode": request["partnerCode"],
            "reference": request["reference"],
            "errorCode": "00",
            "payUrl": pay_url,
        }
        return {**self._signed(INIT_ANSWER_FIELDS, answer), "message": "Khởi tạo giao dịch thành công"}

    def verify(self, params: Mapping[str, Any]) -> Notice:
        self._check(CONFIRM_FIELDS, params)
        if text(params, "partnerCode") != self._partner:
            raise Malformed("partnerCode")
        code = text(params, "errorCode")
        outcome = {"00": Outcome.SUCCEEDED, "01": Outcome.CANCELLED, "09": Outcome.PENDING}.get(code, Outcome.FAILED)
        return Notice(
            order_id=text(params, "reference"),
            transaction_id=text(params, "transactionId"),
            amount=whole_number(params, "amount"),
            currency=text(params, "currency"),
            outcome=outcome,
            code=code,
            bank_code=str(params.get("bankCode") or "") or None,
        )

    def reply(self, result: Result) -> Reply:
        code, message = ANSWERS[result]
        return Reply(200, {"errorCode": code, "message": message})

    def query_request(self, order_id: str, at: float, ordered_at: float) -> dict[str, str]:
        return self._signed(QUERY_FIELDS, {"partnerCode": self._partner, "reference": order_id, "time": wire_time(at)})

    def verify_answer(self, params: Mapping[str, Any]) -> Notice:
        return self.verify(params)  # QUERY is answered in the confirm callback's format

    def query_answer(self, notice: Notice, at: float, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.notice_params(notice, at)

    def read_order(self, params: Mapping[str, str]) -> Order:
        self._check(INIT_FIELDS, params)
        return Order(
            order_id=text(params, "reference"),
            amount=whole_number(params, "amount"),
            description=text(params, "description"),
            return_url=text(params, "returnUrl"),
            ipn_url=self._ipn_url,
        )

    def notice_params(self, notice: Notice, at: float) -> dict[str, Any]:
        params = {
            "partnerCode": self._partner,
            "reference": notice.order_id,
            "amount": str(notice.amount),
            "currency": notice.currency,
            "transactionId": notice.transaction_id,
            "bankCode": notice.bank_code or "VCB",
            "time": wire_time(at),
            "errorCode": CODES[notice.outcome],
        }
        return self._signed(CONFIRM_FIELDS, params)

    def callback(self, order: Order, params: dict[str, Any]) -> Outgoing:
        return Outgoing("POST", order.ipn_url, params)
