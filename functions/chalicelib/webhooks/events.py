"""Which changes agencies hear about, read from the tables' streams (never from a citizen's request).

Each event is derived from one stream record: its id is a digest of the record's id and the event's
type, so a stream batch that Lambda retries or replays yields the very same events, and deliveries
(keyed by event id and endpoint) are created once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from chalicelib.core.calendar import VIETNAM

DOSSIER_SUBMITTED = "dossier.submitted"
SUPPLEMENT_SUBMITTED = "dossier.supplement_submitted"
WITHDRAWAL_REQUESTED = "dossier.withdrawal_requested"
PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_REFUND_DUE = "payment.refund_due"
COMPLAINT_ASSIGNED = "complaint.assigned"
COMPLAINT_TRANSFERRED = "complaint.transferred"
RATING_RECEIVED = "rating.received"
PING = "ping"

EVENT_TYPES: dict[str, str] = {
    DOSSIER_SUBMITTED: "Người dân nộp hồ sơ trực tuyến trên Cổng",
    SUPPLEMENT_SUBMITTED: "Người dân đã nộp bổ sung giấy tờ (hồ sơ từ 5 về 4)",
    WITHDRAWAL_REQUESTED: "Người dân yêu cầu rút hồ sơ (trạng thái 7)",
    PAYMENT_SUCCEEDED: "Thanh toán cho cơ quan thành công",
    PAYMENT_REFUND_DUE: "Khoản tiền đã thu phải hoàn lại (nghĩa vụ đã được thanh toán bằng giao dịch khác)",
    COMPLAINT_ASSIGNED: "Phản ánh, kiến nghị được giao cho cơ quan",
    COMPLAINT_TRANSFERRED: "Phản ánh, kiến nghị được chuyển tới cơ quan",
    RATING_RECEIVED: "Người dân đánh giá việc giải quyết hồ sơ",
    PING: "Sự kiện thử do cơ quan tự gửi",
}

Image = dict[str, Any]


class Event(NamedTuple):
    event_id: str
    type: str
    agency_id: str
    occurred_at: float
    data: dict[str, Any]

    def body(self) -> dict[str, Any]:
        return {
            "id": self.event_id,
            "type": self.type,
            "occurred_at": iso(self.occurred_at),
            "agency_id": self.agency_id,
            "data": self.data,
        }


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=VIETNAM).isoformat(timespec="seconds")


def event_id(source_id: str, kind: str) -> str:
    return "evt_" + hashlib.sha256(f"{source_id}|{kind}".encode()).hexdigest()[:32]


def _event(source_id: str, kind: str, agency_id: str | None, at: float, data: dict[str, Any]) -> list[Event]:
    return [Event(event_id(source_id, kind), kind, agency_id, at, data)] if agency_id else []


def dossier_events(source_id: str, old: Image | None, new: Image | None, at: float) -> list[Event]:
    if new is None or new.get("sandbox"):
        return []
    agency = new.get("agency_id")
    data = {
        "code": new.get("code"),
        "procedure_code": new.get("procedure_code"),
        "status": new.get("status"),
        "channel": new.get("channel"),
    }
    if new.get("group_code"):  # a step of a linked group: what it belongs to
        data |= {"group_code": new["group_code"], "group_step": new.get("group_step")}
    before = old or {}
    found: list[Event] = []
    if old is None and new.get("source", "portal") == "portal":
        found += _event(source_id, DOSSIER_SUBMITTED, agency, at, data)
    status, previous = new.get("status"), before.get("status")
    if old is not None and status != previous:
        last = (new.get("timeline") or [{}])[-1]
        if previous == 5 and status == 4 and isinstance(last, dict) and last.get("actor") == "citizen":
            found += _event(source_id, SUPPLEMENT_SUBMITTED, agency, at, data)
        by_citizen = isinstance(last, dict) and last.get("actor") == "citizen"
        if status == 7 and by_citizen:  # the agency's own sync to 7 is no news to the agency
            found += _event(source_id, WITHDRAWAL_REQUESTED, agency, at, {**data, "reason": last.get("note")})
    rating = new.get("rating")
    if rating and rating != before.get("rating"):
        found += _event(source_id, RATING_RECEIVED, agency, at, {**data, "rating": _times_as_iso(rating)})
    return found


def _times_as_iso(rating: dict[str, Any]) -> dict[str, Any]:
    """A rating as stored keeps epoch seconds (`at`, `first_at`); an event says times as the API does."""
    return {
        key: iso(float(value)) if key in ("at", "first_at") and value is not None else value
        for key, value in rating.items()
    }


def payment_events(source_id: str, old: Image | None, new: Image | None, at: float) -> list[Event]:
    if new is None:
        return []
    status, previous = new.get("status"), (old or {}).get("status")
    if status == previous or status not in ("succeeded", "refund_due"):
        return []
    data = {
        "intent_id": new.get("intent_id"),
        "dossier_code": new.get("dossier_code"),
        "amount": new.get("credited_amount") or new.get("amount"),
        "currency": new.get("currency", "VND"),
        "gateway": new.get("gateway"),
        "transaction_id": new.get("transaction_id"),
        "status": status,
    }
    kind = PAYMENT_SUCCEEDED if status == "succeeded" else PAYMENT_REFUND_DUE
    return _event(source_id, kind, new.get("agency_id"), at, data)


def complaint_events(source_id: str, old: Image | None, new: Image | None, at: float) -> list[Event]:
    if new is None:
        return []
    data = {"code": new.get("code"), "kind": new.get("kind"), "topic": new.get("topic"), "title": new.get("title")}
    before = old or {}  # none when the first record seen is already assigned (the local stack's scans merge)
    agency, previous_agency = new.get("agency_id"), before.get("agency_id")
    if new.get("status") == "assigned" and before.get("status") in (None, "received"):
        return _event(source_id, COMPLAINT_ASSIGNED, agency, at, data)
    if new.get("status") == "assigned" and agency != previous_agency:
        return _event(source_id, COMPLAINT_TRANSFERRED, agency, at, {**data, "from_agency_id": previous_agency})
    return []


EVENTS_OF: dict[str, Callable[[str, Image | None, Image | None, float], list[Event]]] = {
    "dossiers": dossier_events,
    "payment-intents": payment_events,
    "complaints": complaint_events,
}
