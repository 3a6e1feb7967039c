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
