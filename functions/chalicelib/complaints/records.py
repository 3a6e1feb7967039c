"""Reading and saving complaints: load, optimistic-lock retries, history entries, the open index."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.complaints.workflow import OPEN, deadline_for, label
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.store.base import condition_failed
from chalicelib.store.complaints import Complaint
from chalicelib.store.dossiers import OPEN_SHARDS

Effect = Callable[[], None]
_NOT_FOUND = "Không tìm thấy phản ánh, kiến nghị hoặc câu hỏi."


def load(code: str) -> Complaint:
    try:
        return Complaint.get(code, consistent_read=True)
    except DoesNotExist:
        raise NotFound(_NOT_FOUND, field="code") from None


def enter(item: Complaint, status: str, actor: str, note: str | None = None) -> None:
    """Put the item in `status` (in memory): history, the state's deadline, the open-by-deadline index."""
    now = clock.now()
    entry: dict[str, Any] = {"at": now, "status": status, "actor": actor}
    if note:
        entry["note"] = note
    item.status = status
    item.history = [*(item.history or []), entry]
    item.deadline = deadline_for(status, now)
    item.overdue = False
    item.updated_at = now
    item.open_shard = open_shard(item.code) if status in OPEN else None


def open_shard(code: str) -> str:
    return str(zlib.crc32(code.encode()) % OPEN_SHARDS)


def change(code: str, apply: Callable[[Complaint], list[Effect]], attempts: int = 8) -> Complaint:
    for _attempt in range(attempts):
        item = load(code)
        effects = apply(item)
        try:
            item.save()
        except PutError as error:
            if condition_failed(error):
                continue
            raise
        for effect in effects:
            effect()
        return item
    raise Conflict("Phản ánh đang được cập nhật đồng thời. Vui lòng thử lại.")


def notify_submitter(item: Complaint) -> None:
    from chalicelib.notifications.outbox import enqueue

    params = {"code": item.code, "status": label(item.status)}
    if item.email:
        enqueue("email", item.email, "complaint_status", params)
    elif item.phone:
        enqueue("sms", item.phone, "complaint_status", params)
