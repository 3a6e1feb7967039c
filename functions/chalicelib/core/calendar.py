"""Working days in Vietnam: Monday to Friday, minus public holidays (the maintained `holidays`
package: Tết by the lunar calendar, substituted days off, 24 November from 2026).

Legal processing times are counted in working days from the day after a dossier is received;
a dossier received after office hours or on a day off counts as received on the next working day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from typing import Any

VIETNAM = timezone(timedelta(hours=7), "ICT")
OFFICE_CLOSES = time(17, 0)


@cache
def _holidays(year: int) -> Any:
    import holidays

    return holidays.country_holidays("VN", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def reception_day(moment: datetime) -> date:
    """The working day a dossier counts as received on, for a moment in any timezone."""
    local = moment.astimezone(VIETNAM)
    day = local.date()
    if not is_working_day(day) or local.time() >= OFFICE_CLOSES:
        return next_working_day(day)
    return day


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (the start day itself is not counted)."""
    day = start
    for _ in range(count):
        day = next_working_day(day)
    return day


def due_date(received: datetime, amount: float, unit: str) -> date | None:
    """When the result is due for a processing time from the catalogue (`working_days`, `days`, `hours`, `months`)."""
    start = reception_day(received)
    if unit == "working_days":
        return add_working_days(start, max(0, round(amount)))
    if unit == "days":
        return start + timedelta(days=round(amount))
    if unit == "hours":
        return add_working_days(start, max(0, -(-int(amount) // 8)))  # 8 office hours a working day
    if unit == "months":
        month = start.month - 1 + round(amount)
        year, month = start.year + month // 12, month % 12 + 1
        return _clamped(year, month, start.day)
    return None


def _clamped(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def vietnam_now(now: float) -> datetime:
    return datetime.fromtimestamp(now, tz=UTC).astimezone(VIETNAM)


def epoch(moment: datetime) -> float:
    """Seconds since the epoch; a moment without a timezone is Vietnam time, as on the national wire format."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    return moment.timestamp()
