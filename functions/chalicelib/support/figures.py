"""The support centre's monthly figures: calls, conversations, conversations answered within the
target, the median time to a first answer, and satisfaction among closed conversations.

Read from the `by-month` indexes (only the few fields these need are projected): a month is a few
thousand items at the national call centre's volume, and the answer is cached by the CDN for five
minutes. At a much larger volume these would become counters fed by the tables' streams, like the
other statistics; a median, though, needs the distribution, which a counter does not keep.
"""

from __future__ import annotations

from statistics import median

from chalicelib.store.support import Conversation, SupportCall
from chalicelib.support.schemas import SupportMonth

ANSWER_TARGET_SECONDS = 4 * 60 * 60  # a first answer within four hours
SATISFIED = frozenset({"very_satisfied", "satisfied"})


def monthly(months: list[str]) -> list[SupportMonth]:
    return [_month(month) for month in months]


def _month(month: str) -> SupportMonth:
    calls = SupportCall.by_month.count(month)
    conversations = list(Conversation.by_month.query(month))
    waits = [float(c.first_answer_at) - float(c.created_at) for c in conversations if c.first_answer_at is not None]
    ratings = [c.rating for c in conversations if c.rating]
    return SupportMonth(
        month=month,
        calls=calls,
        conversations=len(conversations),
        answered=len(waits),
        answered_within_target_rate=_share(sum(wait <= ANSWER_TARGET_SECONDS for wait in waits), len(waits)),
        median_first_answer_minutes=round(median(waits) / 60, 1) if waits else None,
        satisfaction_rate=_share(sum(rating in SATISFIED for rating in ratings), len(ratings)),
        rated=len(ratings),
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
