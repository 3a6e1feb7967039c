"""The nightly overdue job: flag open dossiers whose due date (hẹn trả) has passed.

It reads the sparse `open-by-due` index shard by shard (only open dossiers with a due date that are
not yet flagged carry a shard), re-reads each candidate (the index is eventually consistent) and sets
`overdue` under the version condition, so it never overwrites a concurrent status change.
"""

from __future__ import annotations

import logging
from datetime import date

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.core import clock
from chalicelib.core.calendar import vietnam_now
from chalicelib.core.logs import log_event
from chalicelib.dossiers import lifecycle
from chalicelib.store.base import condition_failed
from chalicelib.store.dossiers import OPEN_SHARDS, Dossier


def vietnam_today() -> date:
    return vietnam_now(clock.now()).date()


def is_past_due(due_date: str | None, today: date | None = None) -> bool:
    return bool(due_date) and date.fromisoformat(str(due_date)) < (today or vietnam_today())


def flag_overdue(today: date | None = None) -> int:
    """Flag every open dossier due before `today` (Vietnam date); returns how many were flagged now."""
    today = today or vietnam_today()
    flagged = 0
    for shard in range(OPEN_SHARDS):
        for entry in Dossier.open_by_due.query(str(shard), Dossier.due_date < today.isoformat()):
            flagged += flag(entry.code, today)
    return flagged


def flag(code: str, today: date) -> int:
    """1 if this call flagged the dossier, 0 if it is no longer open, no longer late or already flagged."""
    for _attempt in range(lifecycle.SAVE_ATTEMPTS):
        try:
            dossier = Dossier.get(code, consistent_read=True)
        except DoesNotExist:
            return 0
        if dossier.overdue or dossier.open_shard is None or not is_past_due(dossier.due_date, today):
            return 0
        dossier.overdue = True
        lifecycle.refresh_open_index(dossier)
        try:
            dossier.save()
        except PutError as error:
            if condition_failed(error):
                continue
            raise
        if dossier.group_code:  # a linked step: say which agency holds the group up
            log_event(
                "linked_step_overdue", group=dossier.group_code, step=dossier.group_step, agency_id=dossier.agency_id
            )
        return 1
    log_event("dossier_contention", logging.WARNING, code=code, job="overdue")
    return 0
