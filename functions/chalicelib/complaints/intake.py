"""Receiving complaints and questions from anyone (signed in or not), and following them.

Spam defences that do not hurt real people: a hidden honeypot field that browsers leave empty,
five submissions an hour per signed-in account, or per network address for anonymous senders,
and nothing that needs JavaScript.
"""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.complaints.attachments import tickets
from chalicelib.complaints.records import load, notify_submitter, open_shard
from chalicelib.complaints.schemas import Intake
from chalicelib.complaints.workflow import RECEIVED, deadline_for
from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.errors import InvalidInput, NotFound
from chalicelib.core.logs import log_event
from chalicelib.core.ratelimit import spend
from chalicelib.core.secrets import same
from chalicelib.dossiers.codes import next_code
from chalicelib.dossiers.procedures import get_procedure
from chalicelib.sso import throttle
from chalicelib.store.accounts import Account
from chalicelib.store.complaints import Complaint

HOURLY_LIMIT = 5
CODE_PREFIX = {"complaint": "PA", "question": "HD"}


def submit(request: Intake, account: Account | None, source_ip: str) -> tuple[Complaint, list[dict[str, Any]]]:
    """The stored complaint and the presigned uploads for its attachments."""
    if request.website:
        log_event("complaint_honeypot")
        raise InvalidInput("Yêu cầu không hợp lệ.")
    _limit(account, source_ip)
    name, email, phone = contact_of(request, account)
    agency_id = _answering_agency(request)
    now = clock.now()
    code = next_code(CODE_PREFIX[request.kind], now)
    stored, uploads = tickets(code, request.attachments)
    item = Complaint(
        code,
        kind=request.kind,
        agency_id=agency_id,
        holder=get_settings().coordinating_agency,
        topic=request.topic,
        title=request.title,
        content=request.content,
        procedure_code=request.procedure_code,
        account_id=account.account_id if account else None,
        name=name,
        email=email,
        phone=phone,
        address=request.address,
        attachments=stored,
        consent_to_publish=request.consent_to_publish,
        status=RECEIVED,
        history=[{"at": now, "status": RECEIVED, "actor": "citizen"}],
        deadline=deadline_for(RECEIVED, now),
        open_shard=open_shard(code),
        created_at=now,
        updated_at=now,
    )
    item.save(condition=Complaint.code.does_not_exist())
    notify_submitter(item)
    log_event("complaint_received", code=code, kind=request.kind)
    return item, uploads


def mine(account: Account) -> list[Complaint]:
    return list(Complaint.by_submitter.query(account.account_id, scan_index_forward=False, limit=50))


def own(account: Account, code: str) -> Complaint:
    item = load(code)
    if item.account_id != account.account_id:
        raise NotFound("Không tìm thấy phản ánh, kiến nghị hoặc câu hỏi.", field="code")
    return item


def lookup(code: str, contact: str) -> Complaint:
    """Anonymous submitters follow theirs with the code and the e-mail or phone they gave."""
    miss = NotFound("Không tìm thấy phản ánh với mã và thông tin liên hệ này.", field="code")
    with throttle.guarded(f"complaint:{code}", misses=(NotFound,)):
        try:
            item = load(code)
        except NotFound:
            raise miss from None  # an unknown code answers exactly like a wrong contact
        known = [value for value in (item.email, item.phone) if value]
        if not any(same(value.lower(), contact.strip().lower()) for value in known):
            raise miss
    return item


def _limit(account: Account | None, source_ip: str) -> None:
    """Five an hour: per account for signed-in people (a household, an office or a mobile carrier's
    NAT puts many behind one address), per network address for everyone else."""
    message = f"Mỗi giờ chỉ gửi được {HOURLY_LIMIT} phản ánh hoặc câu hỏi. Vui lòng thử lại sau."
    if account is not None:
        spend("complaint", account.account_id, limit=HOURLY_LIMIT, window_seconds=3600, message=message)
    elif source_ip:
        spend("complaint-ip", source_ip, limit=HOURLY_LIMIT, window_seconds=3600, message=message)


class Contact(Protocol):
    """What a form without an account gives to be answered (complaints, help conversations)."""

    name: str | None
    email: Any
    phone: str | None


def contact_of(request: Contact, account: Account | None) -> tuple[str, str | None, str | None]:
    if account is not None:
        return account.full_name, account.email, account.phone
    if not request.name:
        raise InvalidInput("Hãy cho biết họ và tên.", field="name")
    if not (request.email or request.phone):
        raise InvalidInput("Hãy để lại thư điện tử hoặc số điện thoại để nhận trả lời.", field="email")
    return request.name, str(request.email) if request.email else None, request.phone


def _answering_agency(request: Intake) -> str:
    if request.kind == "complaint":
        return str(request.agency_id)
    procedure = get_procedure(str(request.procedure_code))
    if procedure is None:
        raise NotFound("Không tìm thấy thủ tục hành chính với mã này.", field="procedure_code")
    if request.agency_id and procedure.serves(request.agency_id):
        return request.agency_id
    return procedure.executing[0]
