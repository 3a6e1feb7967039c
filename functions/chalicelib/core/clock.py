"""The one place that reads the time, so tests can move it."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from chalicelib.core.calendar import VIETNAM


class Clock:
    def now(self) -> float:
        return time.time()

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)


class FixedClock(Clock):
    """A clock tests can advance: `clock.advance(601)` expires a ten-minute code."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


clock: Clock = Clock()


def use_clock(new: Clock) -> Clock:
    """Swap the process clock (tests only); returns the previous one."""
    global clock
    previous, clock = clock, new
    return previous


def now() -> float:
    return clock.now()


def moment(epoch: float | None) -> datetime | None:
    """A stored epoch as the API shows every time: ISO 8601 in Vietnam's time with its offset
    (`2026-11-23T14:05:00+07:00`), whatever the zone the time was sent in."""
    return None if epoch is None else datetime.fromtimestamp(float(epoch), tz=VIETNAM)
