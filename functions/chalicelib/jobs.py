"""Scheduled handlers (each becomes its own Lambda function)."""

from __future__ import annotations

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
