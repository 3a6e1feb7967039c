"""The sandbox gateway's pages, served by the API only when `PORTAL_PAYMENT_SANDBOX` is on (the local
stack and the tests); elsewhere they answer 404."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from chalice import Blueprint, Response

from chalicelib.core.api import FORM, HTML, Call, LazyModule, ModelRefs, Returns, endpoint, html_reply, redirect
from chalicelib.core.config import get_settings
from chalicelib.core.errors import InvalidInput, NotFound

sandbox_api = Blueprint(__name__)
sandbox = LazyModule("chalicelib.payments.sandbox")
pages = LazyModule("chalicelib.payments.pages")
schemas = ModelRefs("chalicelib.payments.schemas")
GATEWAYS = ("vnpay", "momo", "paygov")


def _gateway(call: Call) -> str:
    name = call.params["gateway"]
    if not get_settings().payments.sandbox or name not in GATEWAYS:
        raise NotFound("Không tìm thấy trang.")
    return name


def _order(gateway: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
    from chalicelib.payments.gateways import get_gateway
    from chalicelib.payments.gateways.base import BadSignature, Malformed

    try:
        return get_gateway(gateway).read_order(params)
    except (BadSignature, Malformed):
        raise InvalidInput("Yêu cầu thanh toán sai chữ ký hoặc thiếu thông tin.") from None


@endpoint(
    sandbox_api,
    "/sandbox/payments/{gateway}",
    "GET",
    summary="Sandbox gateway: the payment page the citizen is redirected to",
    tag="sandbox",
    query=schemas.SandboxCheckoutQuery,
    responses={200: Returns("Trang thanh toán thử nghiệm", media=HTML)},
)
def sandbox_page(call: Call) -> Response:
    gateway = _gateway(call)
    from chalicelib.payments.gateways import get_gateway

    order = _order(gateway, call.raw_query)
    return html_reply(pages.sandbox_checkout(get_gateway(gateway).label, order, urlencode(call.raw_query)))


@endpoint(
    sandbox_api,
    "/sandbox/payments/{gateway}",
    "POST",
    summary="Sandbox gateway: pay or cancel, then signed callbacks (duplicated, delayed, reordered on request)",
    tag="sandbox",
    body=schemas.SandboxChoice,
    body_media=FORM,
    responses={302: Returns("Về trang kết quả của Cổng", media="", headers=("Location",))},
)
def sandbox_choose(call: Call) -> Response:
    gateway = _gateway(call)
    choice = call.body
    order = _order(gateway, dict(parse_qsl(choice.checkout, keep_blank_values=True)))
    outgoing, main = sandbox.choose(
        gateway,
        order,
        sandbox.Choice(choice.action == "pay", choice.copies, choice.delay, choice.reorder == "1"),
    )
    sandbox.deliver(outgoing, float(choice.delay))
    return redirect(f"{order.return_url}?{urlencode(main)}")
