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


def stream_handlers(table: str) -> list[tuple[str, Callable[..., int]]]:
    """What reads a table's stream, by function name: its statistics, and for dossiers the notices."""
    handlers: list[tuple[str, Callable[..., int]]] = [(f"stats-{table}", count_stream(table))]
    if table == "dossiers":
        handlers.append(("notify-dossiers", notify_dossier_changes))
    return handlers
