"""Payment endpoints: the citizen's intents, checkout, e-receipt and return page, and the gateways'
callbacks (no token: they authenticate by signature and are answered in each gateway's own codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.core.api import HTML, Call, LazyModule, ModelRefs, Returns, endpoint, html_reply, json_reply
from chalicelib.core.auth import Access
from chalicelib.core.clock import moment
from chalicelib.core.errors import Conflict, NotFound

if TYPE_CHECKING:
    from chalicelib.payments.gateways.base import Result
    from chalicelib.store.accounts import Account
    from chalicelib.store.payments import PaymentIntent

payments_api = Blueprint(__name__)
accounts = LazyModule("chalicelib.sso.accounts")
intents = LazyModule("chalicelib.payments.intents")
callbacks = LazyModule("chalicelib.payments.callbacks")
pages = LazyModule("chalicelib.payments.pages")
schemas = ModelRefs("chalicelib.payments.schemas")

SIGNED_IN = Access.user("openid")
_INTENT = Returns("Giao dịch thanh toán", schemas.IntentView)
_CONFLICT = Returns("Trạng thái không cho phép", media="")


def _account(call: Call) -> Account:
    account = accounts.get_account(call.user.subject)
    if account is None:
        raise NotFound("Tài khoản không còn tồn tại.")
    return account


def view(intent: PaymentIntent) -> dict:
    from chalicelib.payments.schemas import IntentView

    fields = {name: getattr(intent, name) for name in IntentView.model_fields}
    fields["amount"] = int(intent.amount)
    for name in ("created_at", "pending_at", "settled_at", "updated_at"):
        fields[name] = moment(fields[name])
    fields["history"] = [{**change, "at": moment(change["at"])} for change in intent.history or []]
    return IntentView.model_validate(fields).model_dump(mode="json", exclude_none=True)


@endpoint(
    payments_api,
    "/payments/intents",
    "POST",
    summary="Create a payment intent (the amount is computed by the portal)",
    tag="payments",
    access=SIGNED_IN,
    body=schemas.IntentCreate,
    responses={201: _INTENT, 409: _CONFLICT},
)
def create_intent(call: Call) -> Response:
    return json_reply(view(intents.create(_account(call), call.body)), 201)


@endpoint(
    payments_api,
    "/payments/intents",
    "GET",
    summary="My payment intents, newest first",
    tag="payments",
    access=SIGNED_IN,
    responses={200: Returns("Giao dịch của tôi", schemas.IntentList)},
)
def list_intents(call: Call) -> Response:
    return json_reply({"intents": [view(intent) for intent in intents.my_intents(_account(call))]})


@endpoint(
    payments_api,
    "/payments/intents/{intent_id}",
    "GET",
    summary="A payment intent",
    tag="payments",
    access=SIGNED_IN,
    responses={200: _INTENT},
)
def get_intent(call: Call) -> Response:
    return json_reply(view(intents.own_intent(_account(call), call.params["intent_id"])))


@endpoint(
    payments_api,
    "/payments/intents/{intent_id}/checkout",
    "POST",
    summary="Send the intent to its gateway: the URL to redirect the payer to",
    tag="payments",
    access=SIGNED_IN,
    responses={200: Returns("Địa chỉ cổng thanh toán", schemas.Checkout), 409: _CONFLICT},
)
def checkout(call: Call) -> Response:
    intent, url = intents.checkout(_account(call), call.params["intent_id"], call.source_ip)
    return json_reply({"intent": view(intent), "redirect_url": url})


@endpoint(
    payments_api,
    "/payments/intents/{intent_id}/receipt",
    "GET",
    summary="The e-receipt of a successful payment (printable HTML)",
    tag="payments",
    access=SIGNED_IN,
    responses={200: Returns("Biên lai điện tử", media=HTML), 409: _CONFLICT},
)
def receipt(call: Call) -> Response:
    intent = intents.own_intent(_account(call), call.params["intent_id"])
    if intent.status != intents.SUCCEEDED:
        raise Conflict("Giao dịch chưa thanh toán thành công nên chưa có biên lai.")
    return html_reply(pages.receipt(intent))


@endpoint(
    payments_api,
    "/payments/intents/{intent_id}/return",
    "GET",
    summary="Where the gateway sends the payer back; shows the stored status, never the query string's",
    tag="payments",
    responses={200: Returns("Kết quả thanh toán", media=HTML)},
)
def payment_return(call: Call) -> Response:
    return html_reply(pages.returned(intents.load(call.params["intent_id"][:100])))


def _gateway_reply(gateway: str, result: Result) -> Response:
    from chalicelib.payments.gateways import get_gateway

    reply = get_gateway(gateway).reply(result)
    if reply.body is None:
        return Response(body="", status_code=reply.status)
    return json_reply(reply.body, reply.status)


@endpoint(
    payments_api,
    "/payments/callbacks/vnpay",
    "GET",
    summary="VNPay IPN (signed query string); answered with RspCode",
    tag="payment callbacks",
    query=schemas.VnpayIpnQuery,
    responses={200: Returns("RspCode 00, 01, 02, 04, 97 hoặc 99", schemas.VnpayAnswer)},
)
def vnpay_ipn(call: Call) -> Response:
    return _gateway_reply("vnpay", callbacks.handle("vnpay", call.raw_query))


@endpoint(
    payments_api,
    "/payments/callbacks/momo",
    "POST",
    summary="MoMo IPN (signed JSON); acknowledged with 204",
    tag="payment callbacks",
    body=schemas.MomoNotice,
    responses={204: Returns("Đã nhận", media=""), 400: Returns("Không chấp nhận")},
)
def momo_ipn(call: Call) -> Response:
    return _gateway_reply("momo", callbacks.handle("momo", call.body.model_dump()))


@endpoint(
    payments_api,
    "/payments/callbacks/paygov",
    "POST",
    summary="National payment platform confirm callback (signed JSON); answered with errorCode",
    tag="payment callbacks",
    body=schemas.PaygovConfirm,
    responses={200: Returns("errorCode 00 khi xác nhận thành công", schemas.PaygovAnswer)},
)
def paygov_confirm(call: Call) -> Response:
    return _gateway_reply("paygov", callbacks.handle("paygov", call.body.model_dump()))
