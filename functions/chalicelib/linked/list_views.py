"""Lists and their rows as the API shows them."""

from __future__ import annotations

from chalicelib.core.clock import moment
from chalicelib.linked.definitions import GroupDef, get_group
from chalicelib.linked.lists import progress
from chalicelib.linked.schemas import ListRowView, ListView, WorkerRowStatus
from chalicelib.store.linked import LinkedList, ListRow

ROW_LABELS = {
    "pending": "Đang chờ xác nhận",
    "refused": "Không được hỗ trợ",
    "approved": "Đã được phê duyệt, chờ chi trả",
}


def row_status(row: ListRow, definition: GroupDef) -> tuple[str, str | None]:
    """(status, the role of the step it waits at or that refused it)."""
    if row.refused_at_stage is not None:
        return "refused", definition.steps[int(row.refused_at_stage)].role
    if int(row.stage) >= len(definition.steps):
        return "approved", None
    return "pending", definition.steps[int(row.stage)].role


def list_view(found: LinkedList) -> ListView:
    definition = get_group(found.group_id)
    steps, approved = progress(definition, found.code)
    return ListView(
        code=found.code,
        group=found.group_id,
        name=found.name,
        rows=int(found.rows),
        submitted_at=moment(found.submitted_at),  # type: ignore[arg-type]
        steps=steps,
        approved=approved,
    )


def row_view(row: ListRow, definition: GroupDef) -> ListRowView:
    status, _role = row_status(row, definition)
    stage = definition.steps[min(int(row.stage), len(definition.steps) - 1)].id
    return ListRowView(
        identity_number=row.identity_number,
        row=int(row.row),
        values=dict(row.values),
        stage="approved" if status == "approved" else stage,
        status=status,  # type: ignore[arg-type]
        reason=row.reason,
    )


def worker_view(found: LinkedList, row: ListRow) -> WorkerRowStatus:
    definition = get_group(found.group_id)
    status, role = row_status(row, definition)
    return WorkerRowStatus(
        list_code=found.code,
        group_name=definition.name,
        status=status,  # type: ignore[arg-type]
        status_label=ROW_LABELS[status],
        stage_role=role,
        reason=row.reason,
        updated_at=moment(row.updated_at),  # type: ignore[arg-type]
    )
