"""The life of a complaint or question, as a table of states and who may move it.

    received --accept--> assigned --answer--> answered --approve--> published (consent) / closed
        \\--refuse--> refused     \\--transfer--> assigned    \\--send back--> assigned

The coordinating office accepts or refuses what comes in and checks every answer; the answering
agency may transfer it to another agency. Each state has a deadline in working days.
"""

from __future__ import annotations

from datetime import datetime, time

from chalicelib.core.calendar import VIETNAM, add_working_days, reception_day, vietnam_now

RECEIVED, ASSIGNED, ANSWERED, REFUSED, PUBLISHED, CLOSED = (
    "received",
    "assigned",
    "answered",
    "refused",
    "published",
    "closed",
)
LABELS = {
    RECEIVED: "Đã tiếp nhận",
    ASSIGNED: "Đang xử lý tại cơ quan",
    ANSWERED: "Đã trả lời, chờ kiểm tra",
    REFUSED: "Không tiếp nhận",
    PUBLISHED: "Đã công khai trả lời",
    CLOSED: "Đã kết thúc",
}
OPEN = frozenset({RECEIVED, ASSIGNED, ANSWERED})
# Working days allowed in each open state (accept within 2, answer within 10, check within 3).
DEADLINE_DAYS = {RECEIVED: 2, ASSIGNED: 10, ANSWERED: 3}


def deadline_for(status: str, now: float) -> float | None:
    """End of office hours on the last working day allowed for `status`, from `now`."""
    days = DEADLINE_DAYS.get(status)
    if days is None:
        return None
    last = add_working_days(reception_day(vietnam_now(now)), days)
    return datetime.combine(last, time(17, 0), tzinfo=VIETNAM).timestamp()


def label(status: str) -> str:
    return LABELS[status]
