"""The overdue job for complaints and questions: flag those whose current state's deadline passed.

Reads the sparse, sharded `open-by-deadline` index, re-reads each candidate (the index lags) and
flags it under the version condition; a flagged item leaves the index, so it is not read again.
"""

from __future__ import annotations

from chalicelib.complaints.records import Effect, change
from chalicelib.complaints.workflow import OPEN
from chalicelib.core import clock
from chalicelib.store.complaints import Complaint
from chalicelib.store.dossiers import OPEN_SHARDS


def flag_overdue(now: float | None = None) -> int:
    moment = clock.now() if now is None else now
    flagged = 0
    for shard in range(OPEN_SHARDS):
        for entry in Complaint.open_by_deadline.query(str(shard), Complaint.deadline < moment):
            flagged += _flag(entry.code, moment)
    return flagged


def _flag(code: str, moment: float) -> int:
    changed: list[bool] = []

    def apply(item: Complaint) -> list[Effect]:
        if item.status in OPEN and not item.overdue and item.deadline is not None and item.deadline < moment:
            item.overdue = True
            item.open_shard = None
            changed.append(True)
        return []

    change(code, apply)
    return 1 if changed else 0
