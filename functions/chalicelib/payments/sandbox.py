"""The sandbox gateway: what VNPay, MoMo and the national platform do, played locally.

Its page (see `sandbox_routes`) reads the signed redirect like the real gateway, lets the citizen
pay or cancel, keeps the outcome in its own book (`SandboxCharge`, which answers status queries),
then sends the signed callbacks to the portal, optionally duplicated, delayed, and with a stale
failed attempt delivered after the success (out of order). Delivery is pluggable: over HTTP in a
background thread by default (`make run`), synchronously through the test client in tests.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pynamodb.exceptions import DoesNotExist

from chalicelib.core import clock
from chalicelib.core.logs import log_event
from chalicelib.payments.gateways import get_gateway
from chalicelib.payments.gateways.base import Notice, Order, Outcome, Outgoing
from chalicelib.store.payments import SandboxCharge

ORDER_FIELDS = {"vnpay": "vnp_TxnRef", "momo": "orderId", "paygov": "reference"}
Delivery = Callable[[list[Outgoing], float], None]


@dataclass(frozen=True)
class Choice:
    pay: bool
    copies: int = 1
    delay_seconds: float = 0
    reorder: bool = False


def transaction_id() -> str:
    return str(10**11 + secrets.randbelow(9 * 10**11))  # numeric: MoMo's transId is a number


def choose(gateway_name: str, order: Order, choice: Choice) -> tuple[list[Outgoing], dict[str, Any]]:
    """Record the citizen's choice; the callbacks to send, and the signed query for the return URL."""
    gateway = get_gateway(gateway_name)
    now = clock.now()
    outcome = Outcome.SUCCEEDED if choice.pay else Outcome.CANCELLED
    notice = Notice(order.order_id, transaction_id(), order.amount, "VND", outcome, "")
    SandboxCharge(
        f"{gateway.name}#{order.order_id}",
        outcome=outcome.value,
        transaction_id=notice.transaction_id,
        amount=order.amount,
        at=now,
    ).save()
    main = gateway.notice_params(notice, now)
    sequence = [main] * max(1, choice.copies)
    if choice.reorder:
        # A declined card before the successful attempt, its callback arriving last.
        stale = Notice(order.order_id, transaction_id(), order.amount, "VND", Outcome.FAILED, "")
        sequence.append(gateway.notice_params(stale, now - 30))
    return [gateway.callback(order, params) for params in sequence], main


def answer_query(gateway_name: str, request: dict[str, str]) -> dict[str, Any] | None:
    """The gateway's answer to a status query, from the sandbox book; None when it never saw the order."""
    gateway = get_gateway(gateway_name)
    order_id = str(request.get(ORDER_FIELDS[gateway.name], ""))
    try:
        charge = SandboxCharge.get(f"{gateway.name}#{order_id}", consistent_read=True)
    except DoesNotExist:
        return None
    notice = Notice(order_id, charge.transaction_id, int(charge.amount), "VND", Outcome(charge.outcome), "")
    return gateway.query_answer(notice, float(charge.at), request)


def answer_create(gateway_name: str, request: dict[str, Any]) -> dict[str, Any]:
    """The gateway's answer to a checkout create request: a `payUrl` to the sandbox page, which reads
    the signed request back from its query string as the real gateway reads it from its own book."""
    from chalicelib.core.config import get_settings

    pay_url = f"{get_settings().issuer}/sandbox/payments/{gateway_name}?{urlencode(request)}"
    return get_gateway(gateway_name).create_answer(request, pay_url)


class SandboxTransport:
    """Create requests and status queries answered by the sandbox gateway, in process."""

    def query(self, gateway: str, request: dict[str, str]) -> dict[str, Any] | None:
        return answer_query(gateway, request)

    def create(self, gateway: str, request: dict[str, Any]) -> dict[str, Any] | None:
        return answer_create(gateway, request)


def send_http(outgoing: Outgoing) -> None:
    if outgoing.method == "GET":
        request = urllib.request.Request(f"{outgoing.url}?{urlencode(outgoing.params)}", method="GET")
    else:
        body = json.dumps(outgoing.params).encode()
        request = urllib.request.Request(
            outgoing.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status = response.status
    except OSError as error:
        status = getattr(error, "code", 0)
    log_event("sandbox_callback_sent", url=outgoing.url, status=status)


def deliver_in_background(outgoings: list[Outgoing], delay_seconds: float) -> None:
    def run() -> None:
        time.sleep(delay_seconds)
        for outgoing in outgoings:
            try:
                send_http(outgoing)
            except Exception:
                log_event("sandbox_callback_failed", logging.WARNING, url=outgoing.url)

    threading.Thread(target=run, daemon=True).start()


_delivery: Delivery = deliver_in_background


def use_delivery(new: Delivery) -> Delivery:
    """Swap how the sandbox sends its callbacks (tests); returns the previous way."""
    global _delivery
    previous, _delivery = _delivery, new
    return previous


def deliver(outgoings: list[Outgoing], delay_seconds: float) -> None:
    _delivery(outgoings, delay_seconds)
