"""The reconciliation job: ask the gateway about every pending intent and settle it from the answer,
the same way a callback would (so the two racing each other still credit once); expire intents the
gateway never saw or still calls pending long after the payment window.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from pynamodb.exceptions import UpdateError

from chalicelib.core import clock
from chalicelib.core.logs import log_event
from chalicelib.payments import callbacks, intents
from chalicelib.payments.gateways import get_gateway
from chalicelib.payments.gateways.base import Outcome, Result
from chalicelib.store.base import condition_failed
from chalicelib.store.payments import PENDING_SHARDS, PaymentIntent


class Transport(Protocol):
    def query(self, gateway: str, request: dict[str, str]) -> dict[str, Any] | None: ...


class NoTransport:
    """Used outside the sandbox until the gateways' query endpoints are configured: nothing to ask."""

    def query(self, gateway: str, request: dict[str, str]) -> dict[str, Any] | None:
        return None


class HttpTransport:
    """Asks each gateway's status-query endpoint (`PORTAL_<GATEWAY>_QUERY_URL`): the signed query as
    JSON, the signed answer back, verified by the adapter exactly like a callback."""

    def __init__(self, urls: dict[str, str], timeout: float = 10.0) -> None:
        self.urls = urls
        self.timeout = timeout

    def query(self, gateway: str, request: dict[str, str]) -> dict[str, Any] | None:
        import json
        import urllib.request

        url = self.urls.get(gateway)
        if not url:
            return None
        body = json.dumps(request).encode()
        outgoing = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(outgoing, timeout=self.timeout) as response:  # OSError handled by the caller
            answer = json.load(response)
        return answer if isinstance(answer, dict) else None


def default_transport() -> Transport:
    from chalicelib.core.config import get_settings

    payments = get_settings().payments
    if payments.sandbox:
        from chalicelib.payments.sandbox import SandboxTransport

        return SandboxTransport()
    if payments.query_urls:
        return HttpTransport(payments.query_urls)
    return NoTransport()


def reconcile(transport: Transport | None = None, limit: int = 100) -> dict[str, int]:
    transport = transport or default_transport()
    counts = {"settled": 0, "expired": 0, "waiting": 0}
    for shard in range(PENDING_SHARDS):
        for key in PaymentIntent.pending.query(str(shard), limit=limit):
            intent = intents.load(key.intent_id)
            if intent is not None and intent.status == intents.PENDING:
                counts[reconcile_one(intent, transport)] += 1
    return counts


def reconcile_one(intent: PaymentIntent, transport: Transport) -> str:
    gateway = get_gateway(intent.gateway)
    try:
        answer = transport.query(gateway.name, gateway.query_request(intent.intent_id, clock.now()))
    except (OSError, ValueError):  # unreachable gateway, or an answer that is not JSON
        log_event("payment_query_failed", logging.WARNING, intent_id=intent.intent_id, gateway=gateway.name)
        answer = None
    if answer is not None:
        result, notice = callbacks.process(gateway.name, answer, source="query")
        if notice is not None and notice.outcome != Outcome.PENDING and result in (Result.CONFIRMED, Result.ALREADY):
            return "settled"
    if clock.now() - float(intent.pending_at or intent.created_at) > intents.EXPIRE_AFTER_SECONDS:
        return "expired" if expire(intent) else "settled"
    return "waiting"


def expire(intent: PaymentIntent) -> bool:
    """pending -> expired, only if nothing settled it since it was read."""
    now = clock.now()
    intents.set_status(intent, "expired", now)
    try:
        intent.update(
            actions=[
                PaymentIntent.status.set("expired"),
                PaymentIntent.history.set(intent.history),
                PaymentIntent.settled_at.set(now),
                PaymentIntent.pending_shard.remove(),
            ],
            condition=PaymentIntent.status == intents.PENDING,
        )
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    log_event("payment_expired", intent_id=intent.intent_id)
    return True
