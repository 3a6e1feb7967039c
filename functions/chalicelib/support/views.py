"""Stored support records as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core.clock import moment
from chalicelib.store.support import AuditEntry, Conversation, DataAccess, FaqCandidate, StaffMember, SupportCall
from chalicelib.support.schemas import (
    AuditEntryView,
    CallEvent,
    CallView,
    ConversationView,
    DataAccessView,
    FaqCandidateView,
    MessageView,
    OpenedConversation,
    StaffConversationView,
    StaffView,
)


def moment_of(epoch: float | None) -> datetime:
    value = moment(epoch)
    assert value is not None
    return value


def staff_view(member: StaffMember) -> StaffView:
    return StaffView(account_id=member.account_id, name=member.full_name, role=member.role)  # type: ignore[arg-type]


def audit_entry_view(entry: AuditEntry) -> AuditEntryView:
    return AuditEntryView(
        seq=int(entry.seq),
        at=moment_of(entry.at),
        actor_id=entry.actor_id,
        actor_role=entry.actor_role,
        action=entry.action,
        subject=entry.subject,
        details=dict(entry.details),
        hash=entry.hash,
    )


def data_access_view(entry: DataAccess) -> DataAccessView:
    return DataAccessView(
        at=moment_of(entry.at),
        dossier_code=entry.dossier_code,
        actor_kind=entry.actor_kind,  # type: ignore[arg-type]
        actor=entry.actor,
        reason=entry.reason,
    )


def _conversation_fields(item: Conversation) -> dict[str, Any]:
    return {
        "code": item.code,
        "topic": item.topic,
        "procedure_code": item.procedure_code,
        "dossier_code": item.dossier_code,
        "status": item.status,
        "messages": [
            MessageView(at=moment_of(float(m["at"])), by=m["by"], author=m.get("author"), text=m["text"])
            for m in item.messages
        ],
        "rating": item.rating,
        "created_at": moment_of(item.created_at),
    }


def conversation_view(item: Conversation) -> ConversationView:
    return ConversationView(**_conversation_fields(item))


def opened_conversation(item: Conversation, key: str) -> OpenedConversation:
    return OpenedConversation(**_conversation_fields(item), key=key)


def staff_conversation_view(item: Conversation) -> StaffConversationView:
    return StaffConversationView(
        **_conversation_fields(item), name=item.name, email=item.email, phone=item.phone, source=item.source
    )


def faq_candidate_view(candidate: FaqCandidate) -> FaqCandidateView:
    return FaqCandidateView(procedure=candidate.procedure_code, question=candidate.question, answer=candidate.answer)


def call_view(call: SupportCall) -> CallView:
    return CallView(
        code=call.code,
        operator_name=call.operator_name,
        caller_name=call.caller_name,
        caller_phone=call.caller_phone,
        caller_email=call.caller_email,
        topic=call.topic,
        procedure_code=call.procedure_code,
        dossier_code=call.dossier_code,
        complaint_code=call.complaint_code,
        conversation_code=call.conversation_code,
        notes=call.notes,
        outcome=call.outcome,
        callback_at=moment(call.callback_at),
        waiting=call.queue is not None,
        history=[
            CallEvent(at=moment_of(float(e["at"])), by=e["by"], action=e["action"], note=e.get("note"))
            for e in call.history
        ],
        created_at=moment_of(call.created_at),
    )
