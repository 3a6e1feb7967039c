"""What agencies do with a complaint or question. The coordinating office decides on what comes in
and checks every answer; the agency holding it answers or transfers it. Each action is allowed
only to the office whose turn it is, and only in the state where it makes sense.
"""

from __future__ import annotations

from chalicelib.complaints.records import Effect, change, enter, load, notify_submitter
from chalicelib.complaints.schemas import Check, Decision, QueueQuery, Transfer
from chalicelib.complaints.workflow import (
    ANSWERED,
    ASSIGNED,
    CLOSED,
    PUBLISHED,
    RECEIVED,
    REFUSED,
    label,
)
from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.errors import Forbidden, InvalidInput, NotFound
from chalicelib.core.feed import feed_page
from chalicelib.store.complaints import Complaint

REFUSALS = {"out_of_scope": "Ngoài thẩm quyền", "duplicate": "Trùng lặp"}


def queue(agency_id: str, status: str | None = None) -> list[Complaint]:
    """What the agency must act on now, newest activity first."""
    items = Complaint.by_holder.query(agency_id, scan_index_forward=False, limit=100)
    return [item for item in items if status is None or item.status == status]


FEED_KEY = {"agency_id": "S", "code": "S", "updated_at": "N"}  # the `changes-by-agency` index's start key


def changes(agency_id: str, query: QueueQuery) -> tuple[list[Complaint], str | None]:
    """The change feed of what is assigned to the agency to answer (see `core.feed`)."""
    status = (Complaint.status == query.status) if query.status else None
    return feed_page(Complaint.changes_by_agency, Complaint.updated_at, agency_id, FEED_KEY, query, status)


def visible(agency_id: str, code: str) -> Complaint:
    """The coordinating office sees everything; an agency sees what it holds or answers for."""
    item = load(code)
    if agency_id not in (get_settings().coordinating_agency, item.agency_id, item.holder):
        raise NotFound("Không tìm thấy phản ánh, kiến nghị hoặc câu hỏi.", field="code")
    return item


def decide(agency_id: str, code: str, decision: Decision) -> Complaint:
    _require_coordinator(agency_id)

    def apply(item: Complaint) -> list[Effect]:
        _require_state(item, RECEIVED)
        if decision.action == "refuse":
            enter(item, REFUSED, f"agency:{agency_id}", REFUSALS[str(decision.reason)])
            item.holder = agency_id
            return [lambda: notify_submitter(item)]
        item.agency_id = decision.agency_id or item.agency_id
        item.holder = item.agency_id
        enter(item, ASSIGNED, f"agency:{agency_id}", decision.note)
        return [lambda: notify_submitter(item)]

    return change(code, apply)


def transfer(agency_id: str, code: str, request: Transfer) -> Complaint:
    def apply(item: Complaint) -> list[Effect]:
        _require_holder(item, agency_id)
        _require_state(item, ASSIGNED)
        if request.agency_id == item.agency_id:
            raise InvalidInput("Cơ quan nhận chuyển phải khác cơ quan hiện tại.", field="agency_id")
        item.agency_id = request.agency_id
        item.holder = request.agency_id
        enter(item, ASSIGNED, f"agency:{agency_id}", f"Chuyển tới {request.agency_id}: {request.note}")
        return []

    return change(code, apply)


def answer(agency_id: str, code: str, text: str) -> Complaint:
    def apply(item: Complaint) -> list[Effect]:
        _require_holder(item, agency_id)
        _require_state(item, ASSIGNED)
        now = clock.now()
        item.answered_on_time = item.deadline is None or now <= item.deadline
        item.answer = {"text": text, "agency_id": agency_id, "at": now}
        item.holder = get_settings().coordinating_agency
        enter(item, ANSWERED, f"agency:{agency_id}")
        return []

    return change(code, apply)


def check(agency_id: str, code: str, request: Check) -> Complaint:
    _require_coordinator(agency_id)

    def apply(item: Complaint) -> list[Effect]:
        _require_state(item, ANSWERED)
        if request.action == "send_back":
            item.holder = item.agency_id
            enter(item, ASSIGNED, f"agency:{agency_id}", request.note)
            return []
        if item.consent_to_publish:
            enter(item, PUBLISHED, f"agency:{agency_id}", request.note)
            item.published_agency = item.agency_id
            item.published_at = clock.now()
            item.faq_bucket = "faq" if item.kind == "question" and item.procedure_code else None
        else:
            enter(item, CLOSED, f"agency:{agency_id}", request.note)
        return [lambda: notify_submitter(item)]

    return change(code, apply)


def _require_coordinator(agency_id: str) -> None:
    if agency_id != get_settings().coordinating_agency:
        raise Forbidden("Chỉ đơn vị đầu mối (văn phòng điều phối) được thực hiện thao tác này.")


def _require_holder(item: Complaint, agency_id: str) -> None:
    if item.holder != agency_id:
        raise NotFound("Không tìm thấy phản ánh, kiến nghị hoặc câu hỏi.", field="code")


def _require_state(item: Complaint, status: str) -> None:
    if item.status != status:
        raise InvalidInput(
            f"Không thực hiện được ở trạng thái “{label(item.status)}” (cần “{label(status)}”).", field="status"
        )
