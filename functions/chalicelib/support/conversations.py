"""Help conversations (hỗ trợ trực tuyến): a citizen, signed in or not, asks about a procedure or a
dossier; operators answer in the console; the citizen is notified, replies, and closes the
conversation with a short rating.

Anonymous citizens hold the conversation by its code and a random key handed out once (stored as a
digest), carried in the link of the confirmation message. Spam defences are those of complaints: a
honeypot field and five an hour per account, or per network address for anonymous senders.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.complaints.intake import contact_of
from chalicelib.core import clock
from chalicelib.core.calendar import vietnam_now
from chalicelib.core.config import get_settings
from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.core.logs import log_event
from chalicelib.core.ratelimit import spend
from chalicelib.core.secrets import digest, new_id, new_secret, same
from chalicelib.dossiers.codes import next_code
from chalicelib.dossiers.procedures import get_procedure
from chalicelib.notifications.outbox import enqueue
from chalicelib.store.accounts import Account
from chalicelib.store.base import condition_failed
from chalicelib.store.support import QUEUE, Conversation, FaqCandidate, StaffMember
from chalicelib.support import audit, staff
from chalicelib.support.schemas import ConversationAnswer, ConversationClosing, ConversationOpening

HOURLY_LIMIT = 5
CODE_PREFIX = "HT"
PROPOSED = "proposed"
_NOT_FOUND = "Không tìm thấy cuộc hỏi đáp với mã và khoá này."


def month_of(epoch: float) -> str:
    return vietnam_now(epoch).strftime("%Y-%m")


def open_conversation(
    request: ConversationOpening, account: Account | None, source_ip: str
) -> tuple[Conversation, str]:
    """The stored conversation and its access key (shown once)."""
    if request.website:
        log_event("support_honeypot")
        raise InvalidInput("Yêu cầu không hợp lệ.")
    _limit(account, source_ip)
    name, email, phone = contact_of(request, account)
    if request.procedure_code and get_procedure(request.procedure_code) is None:
        raise NotFound("Không tìm thấy thủ tục hành chính với mã này.", field="procedure_code")
    return start(
        topic=request.topic,
        text=request.message,
        contact=(name, email, phone),
        procedure_code=request.procedure_code,
        dossier_code=request.dossier_code,
        account_id=account.account_id if account else None,
    )


def start(
    *,
    topic: str,
    text: str,
    contact: tuple[str, str | None, str | None],
    procedure_code: str | None = None,
    dossier_code: str | None = None,
    account_id: str | None = None,
    source: str = "online",
) -> tuple[Conversation, str]:
    now = clock.now()
    key = new_secret()
    name, email, phone = contact
    item = Conversation(
        next_code(CODE_PREFIX, now),
        topic=topic,
        procedure_code=procedure_code,
        dossier_code=dossier_code,
        account_id=account_id,
        name=name,
        email=email,
        phone=phone,
        key_digest=digest(key),
        messages=[{"at": now, "by": "citizen", "text": text}],
        status="waiting",
        source=source,
        queue=QUEUE,
        waiting_since=now,
        month=month_of(now),
        created_at=now,
        updated_at=now,
    )
    item.save(condition=Conversation.code.does_not_exist())
    _notify(item, "support_opened", {"code": item.code, "url": link(item.code, key)})
    log_event("support_conversation_opened", code=item.code, source=source)
    return item, key


def link(code: str, key: str) -> str:
    """The conversation page; the key travels in the fragment, which browsers never send to a server."""
    return f"{get_settings().site_url}ho-tro/hoi-thoai/#ma={code}&khoa={key}"


def load(code: str) -> Conversation:
    try:
        return Conversation.get(code, consistent_read=True)
    except DoesNotExist:
        raise NotFound(_NOT_FOUND, field="code") from None


def held(code: str, key: str | None, account: Account | None) -> Conversation:
    """The conversation if the caller holds it: its key, or the account that opened it. A wrong key
    answers exactly like an unknown code."""
    try:
        item = load(code)
    except NotFound:
        raise NotFound(_NOT_FOUND, field="code") from None
    by_key = key is not None and same(item.key_digest, digest(key))
    by_account = account is not None and item.account_id == account.account_id
    if not (by_key or by_account):
        raise NotFound(_NOT_FOUND, field="code")
    return item


def mine(account: Account) -> list[Conversation]:
    return list(Conversation.by_account.query(account.account_id, scan_index_forward=False, limit=50))


def reply(item: Conversation, text: str) -> Conversation:
    if item.status == "closed":
        raise Conflict("Cuộc hỏi đáp đã kết thúc; hãy mở cuộc hỏi đáp mới.", field="status")
    now = clock.now()
    item.messages = [*item.messages, {"at": now, "by": "citizen", "text": text}]
    if item.status != "waiting":
        item.status, item.queue, item.waiting_since = "waiting", QUEUE, now
    item.updated_at = now
    _save(item)
    return item


def close(item: Conversation, closing: ConversationClosing) -> Conversation:
    if item.status == "closed":
        raise Conflict("Cuộc hỏi đáp đã kết thúc.", field="status")
    item.status, item.rating, item.rating_comment = "closed", closing.rating, closing.comment
    item.queue, item.waiting_since = None, None
    item.updated_at = clock.now()
    _save(item)
    log_event("support_conversation_closed", code=item.code, rating=closing.rating)
    return item


def answer(member: StaffMember, code: str, request: ConversationAnswer) -> Conversation:
    """An operator's answer: the citizen is notified; a reusable one becomes an FAQ candidate."""
    item = load(code)
    if item.status == "closed":
        raise Conflict("Cuộc hỏi đáp đã kết thúc.", field="status")
    candidate = _faq_candidate(member, item, request) if request.reusable else None  # checked before any write
    now = clock.now()
    item.messages = [*item.messages, {"at": now, "by": "operator", "text": request.text, "author": member.full_name}]
    item.status, item.queue, item.waiting_since = "answered", None, None
    item.first_answer_at = item.first_answer_at or now
    item.updated_at = now
    _save(item)
    if candidate is not None:
        candidate.save()
    audit.record(
        staff.actor(member), "conversation_answered", code, faq_candidate=candidate.candidate_id if candidate else None
    )
    _notify(item, "support_answered", {"code": code, "text": request.text})
    return item


def _faq_candidate(member: StaffMember, item: Conversation, request: ConversationAnswer) -> FaqCandidate:
    procedure_code = request.procedure_code or item.procedure_code
    if not request.faq_question:
        raise InvalidInput("Câu trả lời dùng lại cần một câu hỏi viết chung cho mọi người.", field="faq_question")
    if not procedure_code:
        raise InvalidInput("Câu trả lời dùng lại cần mã thủ tục.", field="procedure_code")
    return FaqCandidate(
        PROPOSED,
        f"{clock.now():017.6f}#{new_id()}",
        procedure_code=procedure_code,
        question=request.faq_question,
        answer=request.faq_answer or request.text,
        conversation_code=item.code,
        proposed_by=member.full_name,
        created_at=clock.now(),
    )


def faq_candidates() -> list[FaqCandidate]:
    return list(FaqCandidate.query(PROPOSED))


def _save(item: Conversation) -> None:
    try:
        item.save()
    except PutError as error:
        if not condition_failed(error):
            raise
        raise Conflict("Cuộc hỏi đáp vừa thay đổi; hãy tải lại và thử lại.") from None


def _notify(item: Conversation, template: str, params: dict[str, Any]) -> None:
    if item.email:
        enqueue("email", item.email, template, params)
    elif item.phone:
        enqueue("sms", item.phone, template, params)


def _limit(account: Account | None, source_ip: str) -> None:
    message = f"Mỗi giờ chỉ gửi được {HOURLY_LIMIT} yêu cầu hỗ trợ. Vui lòng thử lại sau."
    if account is not None:
        spend("support", account.account_id, limit=HOURLY_LIMIT, window_seconds=3600, message=message)
    elif source_ip:
        spend("support-ip", source_ip, limit=HOURLY_LIMIT, window_seconds=3600, message=message)
