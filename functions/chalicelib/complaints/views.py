"""Complaints as the API shows them: the submitter's view, and the public one (no personal data)."""

from __future__ import annotations

from chalicelib.complaints.attachments import links
from chalicelib.complaints.schemas import AnswerView, ComplaintView, HistoryEntry, PublishedItem
from chalicelib.complaints.workflow import CLOSED, OPEN, PUBLISHED, label
from chalicelib.core import clock
from chalicelib.core.clock import moment
from chalicelib.store.complaints import Complaint

# The submitter sees the agency's answer once the coordinating office has checked it (an answer
# waiting for the check, or sent back, may still change); agencies see it all along.
CHECKED = frozenset({PUBLISHED, CLOSED})


def answer_of(item: Complaint) -> AnswerView | None:
    if not item.answer:
        return None
    return AnswerView(
        text=item.answer["text"], agency_id=item.answer["agency_id"], answered_at=moment(item.answer["at"])
    )


def complaint_view(item: Complaint, *, for_agency: bool = False) -> ComplaintView:
    overdue = bool(item.overdue) or (item.status in OPEN and item.deadline is not None and item.deadline < clock.now())
    return ComplaintView(
        code=item.code,
        kind=item.kind,
        agency_id=item.agency_id,
        topic=item.topic,
        title=item.title,
        content=item.content,
        procedure_code=item.procedure_code,
        status=item.status,
        status_label=label(item.status),
        deadline=moment(item.deadline),
        overdue=overdue,
        answer=answer_of(item) if for_agency or item.status in CHECKED else None,
        history=[
            HistoryEntry(
                at=moment(e["at"]),
                status=e["status"],
                status_label=label(e["status"]),
                actor=e["actor"],
                note=e.get("note"),
            )
            for e in item.history or []
        ],
        attachments=links(item.attachments or [], downloadable=for_agency),
        created_at=moment(item.created_at),
    )


def published_view(item: Complaint) -> PublishedItem:
    return PublishedItem(
        code=item.code,
        kind=item.kind,
        agency_id=item.agency_id,
        topic=item.topic,
        title=item.title,
        content=item.content,
        procedure_code=item.procedure_code,
        answer=answer_of(item),
        published_at=moment(item.published_at),
    )
