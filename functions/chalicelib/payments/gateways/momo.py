"""MoMo-style gateway: HMAC-SHA256 over `key=value&...` in a fixed field order (raw values, not
URL-encoded), hex in `signature`; the IPN is a JSON POST acknowledged with HTTP 204.

Checkout is a server-to-server create request POSTed to MoMo (`PORTAL_MOMO_URL`), answered with
`resultCode` 0 and the `payUrl` to send the citizen to; the answer must echo the partner, order,
request and amount. The sandbox gateway answers the same request in process, with a `payUrl` to its
own page carrying the signed request.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

from chalicelib.core.config import PaymentSettings
from chalicelib.core.errors import error_body
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
)

CREATE_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "ipnUrl",
    "orderId",
    "orderInfo",
    "partnerCode",
    "redirectUrl",
    "requestId",
    "requestType",
)
NOTICE_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "message",
    "orderId",
    "orderInfo",
    "orderType",
    "partnerCode",
    "payType",
    "requestId",
    "responseTime",
    "resultCode",
    "transId",
)
QUERY_FIELDS = ("accessKey", "orderId", "partnerCode", "requestId")
PENDING_CODES = frozenset({1000, 7000, 7002})
CODES = {Outcome.SUCCEEDED: 0, Outcome.CANCELLED: 1006, Outcome.FAILED: 1001, Outcome.PENDING: 1000}
MESSAGES = {
    0: "Thành công.",
    1006: "Người dùng đã từ chối thanh toán.",
    1001: "Giao dịch thất bại.",
    1000: "Đang xử lý.",
}


def raw_signature(fields: tuple[str, ...], values: Mapping[str, Any]) -> str:
    return "&".join(f"{name}={'' if values.get(name) is None else values[name]}" for name in fields)


def sign(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha256).hexdigest()


class MomoGateway:
    name = "momo"
    label = "Ví MoMo"

    def __init__(self, settings: PaymentSettings, issuer: str) -> None:
        self._partner = settings.momo_partner_code
        self._access = settings.momo_access_key
        self._secret = settings.momo_secret_key
        self._ipn_url = f"{issuer}/payments/callbacks/momo"

    def _signed(self, fields: tuple[str, ...], params: dict[str, Any]) -> dict[str, Any]:
        data = raw_signature(fields, {"accessKey": self._access, **params})
        return {**params, "signature": sign(self._secret, data)}

    def _check(self, fields: tuple[str, ...], params: Mapping[str, Any]) -> None:
        expected = sign(self._secret, raw_signature(fields, {**params, "accessKey": self._access}))
        if not hmac.compare_digest(expected.encode(), str(params.get("signature", "")).lower().encode()):
            raise BadSignature(self.name)

    def create_request(self, order: Order, client_ip: str, at: float) -> dict[str, Any]:
        request = {
            "partnerCode": self._partner,
            "requestId": f"{order.order_id}-{int(at)}",
            "amount": str(order.amount),
            "orderId": order.order_id,
            "orderInfo": order.description,
            "redirectUrl": order.return_url,
            "ipnUrl": self._ipn_url,
            "requestType": "captureWallet",
            "extraData": "",
        }
        return {**self._signed(CREATE_FIELDS, request), "lang": "vi"}

    def pay_url(self, answer: Mapping[str, Any], request: Mapping[str, Any]) -> str:
        if str(answer.get("resultCode")) != "0":
            raise Refused(f"resultCode {answer.get('resultCode')}")
        for name in ("partnerCode", "orderId", "requestId", "amount"):
            if str(answer.get(name)) != str(request[name]):
                raise Malformed(name)
        return checked_url(answer.get("payUrl"))

    def redirect_url(self, order: Order, client_ip: str, at: float) -> str:
        raise NotImplementedError("MoMo answers the create request with the payUrl")

    def create_answer(self, request: Mapping[str, Any], pay_url: str) -> dict[str, Any]:
        return {
            **{name: request[name] for name in ("partnerCode", "orderId", "requestId")},
            "amount": int(request["amount"]),
            "responseTime": int(time.time() * 1000),
            "message": "Thành công.",
            "resultCode": 0,
            "payUrl": pay_url,
            "deeplink": "",
            "qrCodeUrl": "",
        }

    def verify(self, params: Mapping[str, Any]) -> Notice:
        self._check(NOTICE_FIELDS, params)
        if text(params, "partnerCode") != self._partner:
            raise Malformed("partnerCode")
        result = int(text(params, "resultCode")) if text(params, "resultCode").lstrip("-").isdigit() else None
        if result is None:
            raise Malformed("resultCode")
        if result == 0:
            outcome = Outcome.SUCCEEDED
        elif result in PENDING_CODES:
            outcome = Outcome.PENDING
        elif result == 1006:
            outcome = Outcome.CANCELLED
        else:
            outcome = Outcome.FAILED
        return Notice(
            order_id=text(params, "orderId"),
            transaction_id=str(whole_number(params, "transId")),
            amount=whole_number(params, "amount"),
            currency="VND",
            outcome=outcome,
            code=str(result),
            bank_code=str(params.get("payType") or "") or None,
        )

    def reply(self, result: Result) -> Reply:
        if result in (Result.CONFIRMED, Result.ALREADY):
            return Reply(204, None)
        return Reply(400, error_body(result.value, "Thông báo thanh toán không được chấp nhận."))

    def query_request(self, order_id: str, at: float, ordered_at: float) -> dict[str, str]:
        request = {"partnerCode": self._partner, "requestId": f"{order_id}-q{int(at)}", "orderId": order_id}
        return {**self._signed(QUERY_FIELDS, request), "lang": "vi"}

    def verify_answer(self, params: Mapping[str, Any]) -> Notice:
        return self.verify(params)  # the query answer is signed like the IPN

    def query_answer(self, notice: Notice, at: float, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.notice_params(notice, at)

    def read_order(self, params: Mapping[str, str]) -> Order:
        self._check(CREATE_FIELDS, params)
        return Order(
            order_id=text(params, "orderId"),
            amount=whole_number(params, "amount"),
            description=text(params, "orderInfo"),
            return_url=text(params, "redirectUrl"),
            ipn_url=text(params, "ipnUrl"),
        )

    def notice_params(self, notice: Notice, at: float) -> dict[str, Any]:
        code = CODES[notice.outcome]
        params: dict[str, Any] = {
            "partnerCode": self._partner,
            "orderId": notice.order_id,
            "requestId": f"{notice.order_id}-n",
            "amount": notice.amount,
            "orderInfo": "Thanh toan dich vu cong",
            "orderType": "momo_wallet",
            "transId": int(notice.transaction_id),
            "resultCode": code,
            "message": MESSAGES[code],
            "payType": notice.bank_code or "qr",
            "responseTime": int(at * 1000),
            "extraData": "",
        }
        return self._signed(NOTICE_FIELDS, params)

    def callback(self, order: Order, params: dict[str, Any]) -> Outgoing:
        return Outgoing("POST", order.ipn_url, params)
