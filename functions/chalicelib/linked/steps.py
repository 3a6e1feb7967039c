"""Where each step of a group dossier stands, derived from the step dossiers themselves.

Nothing here is stored: a step's state is read from its dossier (or its absence) and its
predecessors', so a replayed, late or duplicated event can never leave a stale copy behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.dossiers.statuses import FINISHED, Status
from chalicelib.linked.definitions import GroupDef, StepDef
from chalicelib.store.dossiers import Dossier
from chalicelib.store.linked import LinkedGroup

REFUSED = frozenset({Status.NOT_ACCEPTED, Status.STOPPED})

STATE_LABELS = {
    "waiting": "Chờ bước trước",
    "paused": "Tạm dừng: bước trước đang chờ bổ sung giấy tờ",
    "in_progress": "Đang giải quyết",
    "awaiting_data": "Đã xử lý xong, chờ cơ quan gửi dữ liệu kết quả",
    "done": "Đã có kết quả",
    "refused": "Bị từ chối hoặc dừng xử lý",
    "cancelled": "Không thực hiện",
}


@dataclass(frozen=True)
class StepState:
    step: StepDef
    code: str
    agency_id: str
    dossier: Dossier | None
    state: str
    reason: str | None = None  # why a step waits, is paused or will not run


def outputs_of(dossier: Dossier) -> dict[str, str]:
    values: dict[str, str] = {}
    for result in dossier.results or []:
        values.update(result.get("fields") or {})
    return values


def finished(dossier: Dossier | None, step: StepDef) -> bool:
    """Finished with every value later steps need (an agency may move to 9 before attaching them)."""
    if dossier is None or Status(dossier.status) not in FINISHED:
        return False
    return set(step.outputs) <= set(outputs_of(dossier))


def step_dossiers(group: LinkedGroup) -> dict[str, Dossier]:
    """The released steps' dossiers, by step id, read consistently."""
    codes = {entry["code"]: step_id for step_id, entry in group.steps.items()}
    found = Dossier.batch_get(list(codes), consistent_read=True)
    return {codes[d.code]: d for d in found if d.group_code == group.code}


def states(definition: GroupDef, group: LinkedGroup, dossiers: dict[str, Dossier]) -> list[StepState]:
    result: dict[str, StepState] = {}
    for step in definition.steps:  # in dependency order (definitions.in_order)
        entry = group.steps[step.id]
        dossier = dossiers.get(step.id)
        state, reason = _state_of(definition, group, step, dossier, result)
        result[step.id] = StepState(step, entry["code"], entry["agency_id"], dossier, state, reason)
    return list(result.values())


def _state_of(
    definition: GroupDef, group: LinkedGroup, step: StepDef, dossier: Dossier | None, before: dict[str, StepState]
) -> tuple[str, str | None]:
    if dossier is not None:
        status = Status(dossier.status)
        if status in REFUSED:
            return "refused", None
        if status in FINISHED:
            return ("done", None) if finished(dossier, step) else ("awaiting_data", None)
        return "in_progress", None
    if group.withdrawn_at is not None:
        return "cancelled", "Người nộp đã rút hồ sơ trước khi bước này bắt đầu."
    for earlier in step.after:
        other = before[earlier]
        if other.state in ("refused", "cancelled"):
            return "cancelled", f"Bước “{other.step.role}” không hoàn thành nên bước này không thực hiện."
    for earlier in step.after:
        other = before[earlier]
        if other.dossier is not None and other.dossier.status == Status.SUPPLEMENT_REQUESTED:
            return "paused", f"Chờ người nộp bổ sung giấy tờ cho bước “{other.step.role}”."
        if other.state == "paused":
            return "paused", other.reason
    return "waiting", None


def ready(definition: GroupDef, current: list[StepState]) -> list[StepState]:
    """Steps not yet released whose predecessors have all finished with their data."""
    by_id = {entry.step.id: entry for entry in current}
    return [
        entry
        for entry in current
        if entry.dossier is None
        and entry.state in ("waiting", "paused")
        and all(by_id[b].state == "done" for b in entry.step.after)
    ]


def inputs_for(step: StepDef, by_id: dict[str, StepState]) -> dict[str, str]:
    """The values mapped from earlier steps' results into this step's form."""
    values: dict[str, str] = {}
    for target, source in step.inputs:
        step_id, _, output = source.partition(".")
        dossier = by_id[step_id].dossier
        value = outputs_of(dossier).get(output) if dossier is not None else None
        if value is not None:
            values[target] = value
    return values


def group_status(current: list[StepState], group: LinkedGroup) -> str:
    kinds = {entry.state for entry in current}
    if kinds <= {"done"}:
        return "finished"
    if kinds <= {"done", "refused", "cancelled"}:
        return "withdrawn" if group.withdrawn_at is not None else "closed"
    return "withdrawing" if group.withdrawn_at is not None else "processing"


GROUP_LABELS = {
    "processing": "Đang giải quyết",
    "finished": "Đã có đủ kết quả",
    "closed": "Đã kết thúc, có bước không hoàn thành",
    "withdrawing": "Đang rút hồ sơ",
    "withdrawn": "Đã rút hồ sơ",
}
