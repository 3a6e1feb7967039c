"""How a dossier changes: one status move at a time, recorded in its timeline, saved with optimistic
locking, then the side effects (the on-time tally) once the save has won. The owner is told from the
dossiers table's stream (`dossiers.notices`), so no change writes a notification itself.

An agency's status change is one conditional `UpdateItem` (`set_status`): the move is legal and the
dossier the agency's own, or nothing is written; the event is appended to the timeline in the same
request. Everything else (sync, withdrawal, supplements, payment) reads, applies and saves (`change`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError

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
    effects: list[Effect] = []
    if target in FINISHED and dossier.finished_at is None:
        dossier.finished_at = now
        if not dossier.sandbox:
            effects.append(_tally(dossier))
    if target == Status.RETURNED:
        dossier.returned_at = now
    refresh_open_index(dossier)
    return effects


def set_status(code: str, target: Status, *, agency_id: str, actor: str, note: str | None = None) -> Dossier:
    """Move an agency's dossier to `target` in one conditional write: only from a status that may move
    there, only if the dossier is the agency's. The write answers with the dossier as it was, and the
    same move applied to that in memory is exactly what was stored (and says whether it just finished,
    for the tally). The error path reads, to say which of the two conditions failed."""
    now = clock.now()
    sources = [int(status) for status in Status if can_move(status, target)]
    actions = [
        Dossier.status.set(int(target)),
        Dossier.timeline.set((Dossier.timeline | []).append([event(target, actor, note, now)])),
        Dossier.updated_at.set(now),
        Dossier.version.add(1),
    ]
    if target == Status.RECEIVED:
        actions.append(Dossier.received_at.set(Dossier.received_at | now))
    if target in FINISHED:
        actions.append(Dossier.finished_at.set(Dossier.finished_at | now))
    if target == Status.RETURNED:
        actions.append(Dossier.returned_at.set(now))
    if target in CLOSED or target in FINISHED:
        actions.append(Dossier.open_shard.remove())  # moves never lead from closed back to open
    condition = Dossier.code.exists() & (Dossier.agency_id == agency_id)
    condition &= Dossier.status.is_in(*sources) if sources else Dossier.status.does_not_exist()
    try:
        answer = Dossier._get_connection().update_item(
            code, actions=actions, condition=condition, return_values=ALL_OLD
        )
    except UpdateError as error:
        if error.cause_response_code == "ValidationException":  # a timeline still stored as JSON text
            return change(code, lambda dossier: _owned_move(dossier, target, agency_id, actor, note))
        if not condition_failed(error):
            raise
        _explain_refusal(code, agency_id, target)
    dossier = Dossier.from_raw_data(answer["Attributes"])
    effects = move(dossier, target, actor=actor, note=note, at=now)
    dossier.updated_at, dossier.version = now, int(dossier.version or 0) + 1
    run(effects)
    return dossier


def _owned_move(dossier: Dossier, target: Status, agency_id: str, actor: str, note: str | None) -> list[Effect]:
    if dossier.agency_id != agency_id:
        raise NotFound("Không tìm thấy hồ sơ.", field="code")
    return move(dossier, target, actor=actor, note=note)


def _explain_refusal(code: str, agency_id: str, target: Status) -> NoReturn:
    _owned_move(load(code), target, agency_id, "", None)  # a 404, or the 400 naming both statuses
    raise Conflict("Hồ sơ đang được cập nhật đồng thời. Vui lòng thử lại.")  # it moved meanwhile


def refresh_open_index(dossier: Dossier) -> None:
    """Keep the sparse `open-by-due` index to dossiers still open with a due date, not yet flagged overdue."""
    status = Status(dossier.status)
    if status in CLOSED or status in FINISHED or not dossier.due_date or dossier.overdue:
        dossier.open_shard = None
    else:
        dossier.open_shard = str(zlib.crc32(dossier.code.encode()) % OPEN_SHARDS)


def on_time(dossier: Dossier) -> bool | None:
    """Whether the dossier finished by its due date; None when it had none (neither on time nor late)."""
    if not dossier.due_date:
        return None
    if dossier.finished_at is None:
        return True
    return vietnam_now(dossier.finished_at).date() <= date.fromisoformat(dossier.due_date)


def _tally(dossier: Dossier) -> Effect:
    def count() -> None:
        month = vietnam_now(float(dossier.finished_at or clock.now())).strftime("%Y-%m")
        punctual = on_time(dossier)
        if punctual is None:
            field = AgencyTally.without_due_date
        else:
            field = AgencyTally.on_time if punctual else AgencyTally.late
        AgencyTally(f"{dossier.agency_id}#{month}").update(actions=[field.add(1)])

    return count


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
