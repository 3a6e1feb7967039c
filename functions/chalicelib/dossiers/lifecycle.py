"""How a dossier changes: one status move at a time, recorded in its timeline, saved with optimistic
locking, then the side effects (notification, on-time tally) once the save has won.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import date
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError

from chalicelib.core import clock
from chalicelib.core.calendar import vietnam_now
from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.core.logs import log_event
from chalicelib.dossiers.statuses import CLOSED, FINISHED, Status, can_move, label
from chalicelib.store.base import condition_failed
from chalicelib.store.dossiers import OPEN_SHARDS, AgencyTally, Dossier

Effect = Callable[[], None]
SAVE_ATTEMPTS = 8


def event(status: int, actor: str, note: str | None = None, at: float | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"at": clock.now() if at is None else at, "status": int(status), "actor": actor}
    if note:
        entry["note"] = note
    return entry


def move(
    dossier: Dossier,
    target: Status,
    *,
    actor: str,
    note: str | None = None,
    checked: bool = True,
    at: float | None = None,
) -> list[Effect]:
    """Change the status in memory (the caller saves); returns what to do once the save has won."""
    current = Status(dossier.status)
    if checked and not can_move(current, target):
        raise InvalidInput(
            f"Không thể chuyển hồ sơ từ trạng thái {int(current)} ({label(current)}) "
            f"sang {int(target)} ({label(target)}).",
            field="status",
        )
    now = clock.now() if at is None else at
    dossier.status = int(target)
    dossier.timeline = [*dossier.timeline, event(target, actor, note, now)]
    dossier.updated_at = clock.now()
    if target == Status.RECEIVED and dossier.received_at is None:
        dossier.received_at = now
    effects: list[Effect] = [lambda: notify_status(dossier)]
    if target in FINISHED and dossier.finished_at is None:
        dossier.finished_at = now
        effects.append(_tally(dossier))
    if target == Status.RETURNED:
        dossier.returned_at = now
    refresh_open_index(dossier)
    return effects


def refresh_open_index(dossier: Dossier) -> None:
    """Keep the sparse `open-by-due` index to dossiers still open with a due date, not yet flagged overdue."""
    status = Status(dossier.status)
    if status in CLOSED or status in FINISHED or not dossier.due_date or dossier.overdue:
        dossier.open_shard = None
    else:
        dossier.open_shard = str(zlib.crc32(dossier.code.encode()) % OPEN_SHARDS)


def on_time(dossier: Dossier) -> bool:
    if not dossier.due_date or dossier.finished_at is None:
        return True
    return vietnam_now(dossier.finished_at).date() <= date.fromisoformat(dossier.due_date)


def _tally(dossier: Dossier) -> Effect:
    def count() -> None:
        month = vietnam_now(float(dossier.finished_at or clock.now())).strftime("%Y-%m")
        field = AgencyTally.on_time if on_time(dossier) else AgencyTally.late
        AgencyTally(f"{dossier.agency_id}#{month}").update(actions=[field.add(1)])

    return count


def notify_status(dossier: Dossier) -> None:
    from chalicelib.notifications.outbox import enqueue

    params = {"code": dossier.code, "status": label(dossier.status), "procedure": dossier.procedure_name}
    if dossier.contact_email:
        enqueue("email", dossier.contact_email, "dossier_status", params)
    elif dossier.contact_phone:
        enqueue("sms", dossier.contact_phone, "dossier_status", params)


def load(code: str) -> Dossier:
    try:
        return Dossier.get(code, consistent_read=True)
    except DoesNotExist:
        raise NotFound("Không tìm thấy hồ sơ.", field="code") from None


def change(code: str, apply: Callable[[Dossier], list[Effect]]) -> Dossier:
    """Read, apply, save under the version condition; on a lost race read again and re-apply."""
    for _attempt in range(SAVE_ATTEMPTS):
        dossier = load(code)
        effects = apply(dossier)
        try:
            dossier.save()
        except PutError as error:
            if condition_failed(error):
                continue
            raise
        run(effects)
        return dossier
    log_event("dossier_contention", code=code)
    raise Conflict("Hồ sơ đang được cập nhật đồng thời. Vui lòng thử lại.")


def run(effects: list[Effect]) -> None:
    for effect in effects:
        effect()


def lost_race(error: PutError | TransactWriteError) -> bool:
    return condition_failed(error)
