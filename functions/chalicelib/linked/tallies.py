"""Statistics of linked processing: group dossiers submitted, and each agency's linked steps finished
on time or late, per month. A finished step is counted from the stream record that finished it, in
one transaction with that record's mark, so a replayed batch counts nothing twice."""

from __future__ import annotations

from datetime import date
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.calendar import vietnam_now
from chalicelib.dossiers.statuses import FINISHED
from chalicelib.linked.schemas import AgencySteps, LinkedStats
from chalicelib.stats.streams import MARK_SECONDS, image_of
from chalicelib.store.base import condition_failed, connection
from chalicelib.store.grants import expiry
from chalicelib.store.linked import LinkedTally
from chalicelib.store.stats import StreamMark

ALL = "all"


def month_of(epoch: float) -> str:
    return vietnam_now(epoch).strftime("%Y-%m")


def count_group(transaction: TransactWrite, month: str) -> None:
    """Count a submitted group in the submission's own transaction."""
    transaction.update(LinkedTally(month, ALL), actions=[LinkedTally.groups.add(1)])


def count_finished_steps(records: list[dict[str, Any]]) -> int:
    counted = 0
    for record in records:
        data = record.get("dynamodb", {})
        old, new = image_of(data.get("OldImage")), image_of(data.get("NewImage"))
        if not new or not new.get("group_code") or new.get("status") not in FINISHED:
            continue
        if old is not None and old.get("status") in FINISHED:
            continue
        counted += _count_once(str(record["eventID"]), new)
    return counted


def _count_once(event_id: str, step: dict[str, Any]) -> int:
    finished_at = float(step.get("finished_at") or step["updated_at"])
    due = step.get("due_date")
    punctual = not due or vietnam_now(finished_at).date() <= date.fromisoformat(str(due))
    field = LinkedTally.on_time if punctual else LinkedTally.late
    month = month_of(finished_at)
    try:
        with TransactWrite(connection=connection()) as transaction:
            mark = StreamMark(f"linked#{event_id}", expires_at=expiry(MARK_SECONDS))
            transaction.save(mark, condition=StreamMark.event_id.does_not_exist())
            for scope in (ALL, str(step["agency_id"])):
                transaction.update(LinkedTally(month, scope), actions=[field.add(1)])
    except TransactWriteError as error:
        if condition_failed(error):
            return 0  # counted before: a retried or replayed record
        raise
    return 1


def month_report(month: str | None) -> LinkedStats:
    """The month's group dossiers and each agency's linked steps finished on time and late."""
    month = month or month_of(clock.now())
    rows = list(LinkedTally.query(month))
    total = next((int(row.groups or 0) for row in rows if row.scope == ALL), 0)
    agencies = [
        AgencySteps(agency_id=row.scope, on_time=int(row.on_time or 0), late=int(row.late or 0))
        for row in rows
        if row.scope != ALL
    ]
    return LinkedStats(month=month, groups=total, agencies=agencies)
