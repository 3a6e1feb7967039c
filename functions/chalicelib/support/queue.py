"""The console's queue: conversations waiting for an answer and callbacks due (and, for supervisors,
cases handed to them), oldest first, with the time waited.

Both tables carry a sparse `open-queue` index: only items that wait have a `queue` value, so the
queue reads exactly what waits and never the history."""

from __future__ import annotations

from chalicelib.core import clock
from chalicelib.store.support import QUEUE, Conversation, StaffMember, SupportCall
from chalicelib.support.schemas import Queue, QueueItem
from chalicelib.support.views import moment_of

SUPERVISOR_QUEUE = "supervisor"
MAX_ITEMS = 100


def queue_for(member: StaffMember) -> Queue:
    now = clock.now()
    items = [_conversation_item(item, now) for item in Conversation.open_queue.query(QUEUE, limit=MAX_ITEMS)]
    calls = list(SupportCall.open_queue.query(QUEUE, SupportCall.waiting_since <= now, limit=MAX_ITEMS))
    if member.role == "supervisor":
        calls += list(SupportCall.open_queue.query(SUPERVISOR_QUEUE, limit=MAX_ITEMS))
    items += [_call_item(call, now) for call in calls]
    items.sort(key=lambda item: item.waiting_since)
    return Queue(items=items[:MAX_ITEMS])


def _waited(since: float, now: float) -> int:
    return max(0, int((now - since) // 60))


def _conversation_item(item: Conversation, now: float) -> QueueItem:
    return QueueItem(
        kind="conversation",
        code=item.code,
        topic=item.topic,
        procedure_code=item.procedure_code,
        dossier_code=item.dossier_code,
        contact=item.name,
        waiting_since=moment_of(item.waiting_since),
        waited_minutes=_waited(float(item.waiting_since or now), now),
    )


def _call_item(call: SupportCall, now: float) -> QueueItem:
    return QueueItem(
        kind="handover" if call.queue == SUPERVISOR_QUEUE else "callback",
        code=call.code,
        topic=call.topic,
        procedure_code=call.procedure_code,
        dossier_code=call.dossier_code,
        contact=call.caller_name or call.caller_phone or call.caller_email,
        waiting_since=moment_of(call.waiting_since),
        waited_minutes=_waited(float(call.waiting_since or now), now),
    )
