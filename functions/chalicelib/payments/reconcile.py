"""The reconciliation job: ask the gateway about every pending intent and settle it from the answer,
the same way a callback would (so the two racing each other still credit once); expire intents the
gateway never saw or still calls pending long after the payment window.
"""

from __future__ import annotations

import logging

from pynamodb.exceptions import UpdateError

from chalicelib.core import clock
from chalicelib.core.logs import log_event
from chalicelib.payments import callbacks, intents
from chalicelib.payments.gateways import get_gateway
from chalicelib.payments.gateways.base import Outcome, Result
from chalicelib.payments.transport import Transport, current_transport
from chalicelib.store.base import condition_failed
from chalicelib.store.payments import PENDING_SHARDS, PaymentIntent


def reconcile(transport: Transport | None = None, limit: int = 100) -> dict[str, int]:
    transport = transport or current_transport()
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
        ordered_at = float(intent.pending_at or intent.created_at)
        answer = transport.query(gateway.name, gateway.query_request(intent.intent_id, clock.now(), ordered_at))
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
                PaymentIntent.updated_at.set(clock.now()),
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
