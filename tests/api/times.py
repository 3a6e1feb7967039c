"""How every time in an answer looks: ISO 8601 with Vietnam's offset."""

from __future__ import annotations

from datetime import datetime


def vietnam_time(value: object) -> datetime:
    """The time `value` names, after checking it is ISO 8601 text with the +07:00 offset."""
    assert isinstance(value, str) and value.endswith("+07:00"), f"not an ISO 8601 time in Vietnam's offset: {value!r}"
    return datetime.fromisoformat(value)
