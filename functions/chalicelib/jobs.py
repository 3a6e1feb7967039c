"""Scheduled and stream handlers (each becomes its own Lambda function)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.config import get_settings
from chalicelib.core.logs import log_event


def dispatch_notifications(event: Any = None) -> int:
    from chalicelib.notifications.outbox import dispatch_pending
    from chalicelib.notifications.providers import provider_for

    sent = dispatch_pending(provider_for(get_settings()))
    if sent:
        log_event("notifications_sent", count=sent)
    return sent


def flag_overdue_dossiers(event: Any = None) -> int:
    from chalicelib.dossiers.overdue import flag_overdue

    flagged = flag_overdue()
    log_event("overdue_flagged", count=flagged)
    return flagged


def reconcile_payments(event: Any = None) -> dict[str, int]:
    from chalicelib.payments.reconcile import reconcile

    counts = reconcile()
    if any(counts.values()):
        log_event("payments_reconciled", **counts)
    return counts


def flag_overdue_complaints(event: Any = None) -> int:
    from chalicelib.complaints.overdue import flag_overdue

    flagged = flag_overdue()
    log_event("overdue_complaints_flagged", count=flagged)
    return flagged


def count_stream(table: str) -> Any:
    """The stream handler for one table's changes (imported only when a record arrives)."""

    def handle(event: Any, context: Any = None) -> int:
        from chalicelib.stats.handlers import HANDLERS

        return HANDLERS[table](event)

    handle.__name__ = f"count_{table.replace('-', '_')}"
    return handle


def notify_dossier_changes(event: Any, context: Any = None) -> int:
    """Queue the owner's message for each status change on the dossiers stream."""
    from chalicelib.dossiers.notices import notify_changes

    return notify_changes(event)


def advance_linked_groups(event: Any, context: Any = None) -> int:
    """Release the steps of group dossiers whose predecessors just finished (linked processing)."""
    from chalicelib.linked.release import advance_from_stream

    return advance_from_stream(event)


def webhook_stream(table: str) -> Any:
    """The stream handler turning one table's changes into agencies' webhook deliveries."""

    def handle(event: Any, context: Any = None) -> int:
        from chalicelib.webhooks.stream import deliveries_from

        return deliveries_from(table, event)

    handle.__name__ = f"webhooks_{table.replace('-', '_')}"
    return handle


def retry_webhooks(event: Any = None) -> int:
    """Hand every due webhook delivery (retries, replays, anything the stream handler could not queue) on."""
    from chalicelib.webhooks.delivery import sweep

    swept = sweep()
    if swept:
        log_event("webhooks_swept", count=swept)
    return swept


def deliver_webhooks(event: Any, context: Any = None) -> int:
    """The SQS consumer: one attempt per message (a delivery id)."""
    from chalicelib.webhooks.delivery import attempt

    raw = event.to_dict() if hasattr(event, "to_dict") else event
    outcomes = [attempt(str(record["body"])) for record in raw.get("Records", [])]
    return outcomes.count("delivered")


WEBHOOK_TABLES = ("dossiers", "payment-intents", "complaints")


def stream_handlers(table: str) -> list[tuple[str, Callable[..., int]]]:
    """What reads a table's stream, by function name: its statistics, the dossier notices, the webhooks."""
    handlers: list[tuple[str, Callable[..., int]]] = [(f"stats-{table}", count_stream(table))]
    if table == "dossiers":
        handlers.append(("notify-dossiers", notify_dossier_changes))
        handlers.append(("linked-dossiers", advance_linked_groups))
    if table in WEBHOOK_TABLES:
        handlers.append((f"webhooks-{table}", webhook_stream(table)))
    return handlers
