"""The call centre's console: staff only (an operator or supervisor role, signed in with TOTP).

Every route checks the role on the staff table at each request (`staff.require`), so a revoked role
stops working at once; every action that changes something or reads a citizen's data is audited.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access

console_api = Blueprint(__name__)
staff = LazyModule("chalicelib.support.staff")
audit = LazyModule("chalicelib.support.audit")
queue = LazyModule("chalicelib.support.queue")
lookup = LazyModule("chalicelib.support.lookup")
conversations = LazyModule("chalicelib.support.conversations")
calls = LazyModule("chalicelib.support.calls")
views = LazyModule("chalicelib.support.views")
schemas = ModelRefs("chalicelib.support.schemas")

STAFF = Access.user("openid")
TAG = "support-console"
SUPERVISOR = "supervisor"


@endpoint(
    console_api,
    "/console/me",
    "GET",
    summary="The signed-in staff member and their role",
    tag=TAG,
    access=STAFF,
    responses={200: Returns("Cán bộ hỗ trợ", schemas.StaffView)},
)
def console_me(call: Call) -> Response:
    return json_reply(views.staff_view(staff.require(call.user)))


@endpoint(
    console_api,
    "/console/queue",
    "GET",
    summary="Open conversations and callbacks due (and, for supervisors, cases handed over), oldest first",
    tag=TAG,
    access=STAFF,
    responses={200: Returns("Hàng chờ", schemas.Queue)},
)
def console_queue(call: Call) -> Response:
    return json_reply(queue.queue_for(staff.require(call.user)))


@endpoint(
    console_api,
    "/console/audit",
    "GET",
    summary="The staff audit trail, newest first, with the hash chain verified (supervisors)",
    tag=TAG,
    access=STAFF,
    responses={200: Returns("Nhật ký thao tác", schemas.AuditTrail)},
)
def console_audit(call: Call) -> Response:
    member = staff.require(call.user, SUPERVISOR)
    audit.record(staff.actor(member), "audit_read")
    check = audit.verify()
    entries = [views.audit_entry_view(entry) for entry in audit.recent()]
    trail = schemas.AuditTrail.resolve()(
        entries=entries, total=check.entries, intact=check.intact, first_broken_seq=check.broken_at
    )
    return json_reply(trail)


@endpoint(
    console_api,
    "/console/dossier-reads",
    "POST",
    summary="Read a caller's dossier status, with their consent and a reason (logged for the owner, audited)",
    tag=TAG,
    access=STAFF,
    body=schemas.DossierRead,
    responses={
        200: Returns("Tình trạng hồ sơ (không có ghi chú nội bộ)", ModelRefs("chalicelib.dossiers.schemas").Tracking)
    },
)
def read_dossier(call: Call) -> Response:
    from chalicelib.dossiers.views import tracking
    from chalicelib.support.dossier_reads import read_for_caller

    return json_reply(tracking(read_for_caller(staff.require(call.user), call.body)))


@endpoint(
    console_api,
    "/console/search",
    "GET",
    summary="Search the catalogue's procedures and FAQ while talking (with or without diacritics)",
    tag=TAG,
    access=STAFF,
    query=schemas.LookupQuery,
    responses={200: Returns("Thủ tục và hỏi đáp phù hợp", schemas.LookupResults)},
)
def console_search(call: Call) -> Response:
    staff.require(call.user)
    return json_reply(lookup.search(call.query.q))


@endpoint(
    console_api,
    "/console/conversations/{code}",
    "GET",
    summary="A help conversation with the citizen's contact",
    tag=TAG,
    access=STAFF,
    responses={200: Returns("Cuộc hỏi đáp", schemas.StaffConversationView)},
)
def console_conversation(call: Call) -> Response:
    staff.require(call.user)
    return json_reply(views.staff_conversation_view(conversations.load(call.params["code"])))


@endpoint(
    console_api,
    "/console/conversations/{code}/answers",
    "POST",
    summary="Answer a help conversation (the citizen is notified); `reusable` offers it to the FAQ",
    tag=TAG,
    access=STAFF,
    body=schemas.ConversationAnswer,
    responses={200: Returns("Cuộc hỏi đáp", schemas.StaffConversationView)},
)
def answer_conversation(call: Call) -> Response:
    member = staff.require(call.user)
    return json_reply(views.staff_conversation_view(conversations.answer(member, call.params["code"], call.body)))


_CALL = Returns("Cuộc gọi", schemas.CallView)


@endpoint(
    console_api,
    "/console/calls",
    "POST",
    summary="Log a call: caller, topic, procedure, linked dossier or complaint (checked), notes, outcome",
    tag=TAG,
    access=STAFF,
    body=schemas.CallLog,
    responses={201: _CALL},
)
def log_call(call: Call) -> Response:
    return json_reply(views.call_view(calls.log_call(staff.require(call.user), call.body)), 201)


@endpoint(
    console_api,
    "/console/calls/{code}",
    "GET",
    summary="A logged call with its history",
    tag=TAG,
    access=STAFF,
    responses={200: _CALL},
)
def get_call(call: Call) -> Response:
    staff.require(call.user)
    return json_reply(views.call_view(calls.load(call.params["code"])))


@endpoint(
    console_api,
    "/console/calls/{code}/complaint",
    "POST",
    summary="Turn a call into a complaint or question filed for the caller",
    tag=TAG,
    access=STAFF,
    body=schemas.CallComplaint,
    responses={200: _CALL},
)
def call_to_complaint(call: Call) -> Response:
    member = staff.require(call.user)
    return json_reply(views.call_view(calls.to_complaint(member, call.params["code"], call.body)))


@endpoint(
    console_api,
    "/console/calls/{code}/conversation",
    "POST",
    summary="Turn a call into a help conversation (its link is sent to the caller's contact)",
    tag=TAG,
    access=STAFF,
    body=schemas.CallConversation,
    responses={200: _CALL},
)
def call_to_conversation(call: Call) -> Response:
    member = staff.require(call.user)
    return json_reply(views.call_view(calls.to_conversation(member, call.params["code"], call.body)))


@endpoint(
    console_api,
    "/console/calls/{code}/handover",
    "POST",
    summary="Hand a case to a supervisor (it waits in the supervisors' queue)",
    tag=TAG,
    access=STAFF,
    body=schemas.CallNote,
    responses={200: _CALL},
)
def hand_over_call(call: Call) -> Response:
    member = staff.require(call.user)
    return json_reply(views.call_view(calls.hand_over(member, call.params["code"], call.body)))


@endpoint(
    console_api,
    "/console/calls/{code}/resolution",
    "POST",
    summary="Settle a callback or a case handed over (cases handed over: supervisors only)",
    tag=TAG,
    access=STAFF,
    body=schemas.CallNote,
    responses={200: _CALL},
)
def resolve_call(call: Call) -> Response:
    member = staff.require(call.user)
    return json_reply(views.call_view(calls.resolve(member, call.params["code"], call.body)))
