"""Telling the owner that a dossier's status changed, from the dossiers table's stream.

Every status change (an agency's move, a sync item, a withdrawal, a payment, a new dossier) is a
stream record whose images differ in `status`; this handler queues one `dossier_status` message for
it. Queuing here rather than in the request keeps a status change to one write, and a retried or
replayed batch never sends a message twice: each record's id is marked in the same transaction as
the message, under "does not exist" (as the statistics count each record once).
"""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core.logs import log_event
from chalicelib.dossiers.statuses import label
from chalicelib.notifications.outbox import message
from chalicelib.stats.streams import MARK_SECONDS, image_of, records_of
from chalicelib.store.base import condition_failed, connection
from chalicelib.store.grants import expiry
from chalicelib.store.stats import StreamMark


def notify_changes(event: Any, context: Any = None) -> int:
    """Queue a message for each record that changed a dossier's status; returns how many were queued."""
    queued = 0
    for record in records_of(event):
        data = record.get("dynamodb", {})
        old, new = image_of(data.get("OldImage")), image_of(data.get("NewImage"))
        if new is None or "status" not in new or (old is not None and old.get("status") == new.get("status")):
            continue
        if new.get("sandbox") or _quiet(new):
            continue
        queued += _queue_once(str(record["eventID"]), new)
    return queued


def _quiet(dossier: dict[str, Any]) -> bool:
    """The move was synced with `notify: false` (a historical load): its timeline entry says so."""
    timeline = dossier.get("timeline") or []
    return bool(timeline) and isinstance(timeline[-1], dict) and bool(timeline[-1].get("quiet"))


def _queue_once(event_id: str, dossier: dict[str, Any]) -> int:
    email, phone = dossier.get("contact_email"), dossier.get("contact_phone")
    if not (email or phone):
        return 0
    params = {
        "code": dossier["code"],
        "status": label(int(dossier["status"])),
        "procedure": dossier.get("procedure_name", ""),
    }
    outgoing = message("email", str(email), "dossier_status", params) if email else None
    outgoing = outgoing or message("sms", str(phone), "dossier_status", params)
    try:
        with TransactWrite(connection=connection()) as transaction:
            mark = StreamMark(f"notice#{event_id}", expires_at=expiry(MARK_SECONDS))
            transaction.save(mark, condition=StreamMark.event_id.does_not_exist())
            transaction.save(outgoing)
    except TransactWriteError as error:
        if condition_failed(error):
            return 0  # queued before: a retried or replayed record
        raise
    log_event("notification_queued", logging.INFO, channel=outgoing.channel, template="dossier_status")
    return 1
