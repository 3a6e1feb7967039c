"""The call centre's log: an operator records a call (caller, topic, procedure, linked dossier or
complaint, notes, outcome), turns it into a complaint or a help conversation, or hands it to a
supervisor. Callbacks and cases handed over wait in the console's queue until resolved."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.dossiers.codes import next_code
from chalicelib.dossiers.procedures import get_procedure
from chalicelib.store.base import condition_failed
from chalicelib.store.support import QUEUE, StaffMember, SupportCall
from chalicelib.support import audit, conversations, staff
from chalicelib.support.queue import SUPERVISOR_QUEUE
from chalicelib.support.schemas import CallComplaint, CallConversation, CallLog, CallNote

CODE_PREFIX = "CG"


def log_call(member: StaffMember, request: CallLog) -> SupportCall:
    _check_links(request)
    now = clock.now()
    callback = request.callback_at.timestamp() if request.outcome == "callback" and request.callback_at else None
    call = SupportCall(
        next_code(CODE_PREFIX, now),
        operator_id=member.account_id,
        operator_name=member.full_name,
        caller_name=request.caller_name,
        caller_phone=request.caller_phone,
        caller_email=str(request.caller_email) if request.caller_email else None,
        topic=request.topic,
        procedure_code=request.procedure_code,
        dossier_code=request.dossier_code,
        complaint_code=request.complaint_code,
        notes=request.notes,
        outcome=request.outcome,
        callback_at=callback,
        history=[_event(member, "logged", now)],
        queue=QUEUE if callback else None,
        waiting_since=callback,
        month=conversations.month_of(now),
        created_at=now,
        updated_at=now,
    )
    call.save(condition=SupportCall.code.does_not_exist())
    audit.record(staff.actor(member), "call_logged", call.code, outcome=request.outcome)
    return call


def _check_links(request: CallLog) -> None:
    """Linked records must exist: a typo in a code is caught while the caller is still on the line."""
    from chalicelib.complaints.records import load as load_complaint
    from chalicelib.dossiers.lifecycle import load as load_dossier

    if request.procedure_code and get_procedure(request.procedure_code) is None:
        raise NotFound("Không tìm thấy thủ tục hành chính với mã này.", field="procedure_code")
    if request.dossier_code:
        try:
            load_dossier(request.dossier_code)
        except NotFound:
            raise NotFound("Không tìm thấy hồ sơ với mã này.", field="dossier_code") from None
    if request.complaint_code:
        try:
            load_complaint(request.complaint_code)
        except NotFound:
            raise NotFound("Không tìm thấy phản ánh với mã này.", field="complaint_code") from None


def load(code: str) -> SupportCall:
    try:
        return SupportCall.get(code, consistent_read=True)
    except DoesNotExist:
        raise NotFound("Không tìm thấy cuộc gọi.", field="code") from None


def to_complaint(member: StaffMember, code: str, request: CallComplaint) -> SupportCall:
    """File a complaint or question for the caller, with the caller's contact (no anti-spam limit:
    staff file it)."""
    from chalicelib.complaints.intake import submit
    from chalicelib.complaints.schemas import Intake

    call = load(code)
    if call.complaint_code:
        raise Conflict(f"Cuộc gọi đã gắn với phản ánh {call.complaint_code}.", field="code")
    intake = Intake(
        kind=request.kind,
        agency_id=request.agency_id,
        procedure_code=call.procedure_code,
        topic="thu-tuc-hanh-chinh" if call.procedure_code else "khac",
        title=request.title,
        content=request.content,
        name=call.caller_name or "Người gọi tổng đài",
        email=call.caller_email,
        phone=call.caller_phone,
    )
    complaint, _uploads = submit(intake, None, source_ip="")
    call.complaint_code = complaint.code
    return _change(call, member, "complaint", "Đã chuyển thành phản ánh " + complaint.code)


def to_conversation(member: StaffMember, code: str, request: CallConversation) -> SupportCall:
    """Open a help conversation for the caller; its link goes to the caller's contact."""
    call = load(code)
    if call.conversation_code:
        raise Conflict(f"Cuộc gọi đã gắn với cuộc hỏi đáp {call.conversation_code}.", field="code")
    conversation, _key = conversations.start(
        topic=call.topic,
        text=request.message,
        contact=(call.caller_name or "Người gọi tổng đài", call.caller_email, call.caller_phone),
        procedure_code=call.procedure_code,
        dossier_code=call.dossier_code,
        source="call",
    )
    call.conversation_code = conversation.code
    return _change(call, member, "conversation", "Đã mở cuộc hỏi đáp " + conversation.code)


def hand_over(member: StaffMember, code: str, request: CallNote) -> SupportCall:
    call = load(code)
    if call.queue == SUPERVISOR_QUEUE:
        raise Conflict("Cuộc gọi đã được chuyển cho giám sát viên.", field="code")
    call.queue, call.waiting_since, call.handover_note = SUPERVISOR_QUEUE, clock.now(), request.note
    return _change(call, member, "handed_over", request.note)


def resolve(member: StaffMember, code: str, request: CallNote) -> SupportCall:
    """A callback made or a case handed over settled: it leaves the queue."""
    call = load(code)
    if call.queue is None:
        raise InvalidInput("Cuộc gọi không ở trong hàng chờ.", field="code")
    if call.queue == SUPERVISOR_QUEUE and member.role != "supervisor":
        raise InvalidInput("Chỉ giám sát viên xử lý được trường hợp đã chuyển cho giám sát viên.", field="code")
    call.queue, call.waiting_since = None, None
    return _change(call, member, "resolved", request.note)


def _change(call: SupportCall, member: StaffMember, action: str, note: str) -> SupportCall:
    now = clock.now()
    if action in ("complaint", "conversation", "handed_over"):
        call.outcome = action
    call.history = [*call.history, _event(member, action, now, note)]
    call.updated_at = now
    try:
        call.save()
    except PutError as error:
        if not condition_failed(error):
            raise
        raise Conflict("Cuộc gọi vừa thay đổi; hãy tải lại và thử lại.") from None
    audit.record(staff.actor(member), f"call_{action}", call.code, note=note)
    return call


def _event(member: StaffMember, action: str, at: float, note: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"at": at, "by": member.full_name, "action": action}
    if note:
        event["note"] = note
    return event
