"""Fixed-window rate limits (`5 an hour per account`), one atomic conditional ADD per request.

Agency systems (client-credentials tokens) get one on every agency route (`agency_request`,
called by `core.api`): 600 requests a minute per client by default (`PORTAL_AGENCY_RATE_LIMIT`),
announced in every answer with the IETF draft's `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset`, refused beyond with a 429 and `Retry-After`. API Gateway's stage throttling
(infra/) stays the outer limit for all traffic.
"""

from __future__ import annotations

from typing import NamedTuple

from pynamodb.exceptions import UpdateError

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.errors import TooManyRequests
from chalicelib.core.secrets import digest
from chalicelib.store.base import condition_failed
from chalicelib.store.grants import Grant, expiry

AGENCY_WINDOW_SECONDS = 60
RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


class Quota(NamedTuple):
    """What is left of a window: `reset` is the number of seconds until the next one."""

    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return dict(zip(RATE_LIMIT_HEADERS, (str(self.limit), str(self.remaining), str(self.reset)), strict=True))


def agency_request(client_id: str) -> Quota:
    """Count one request of an agency system, or raise `TooManyRequests` carrying the quota headers."""
    limit = get_settings().agency_rate_limit
    message = f"Hệ thống của cơ quan đã gửi quá {limit} yêu cầu trong một phút. Vui lòng thử lại sau ít giây."
    try:
        return spend("agency", client_id, limit=limit, window_seconds=AGENCY_WINDOW_SECONDS, message=message)
    except TooManyRequests as refusal:
        refusal.headers.update(Quota(limit, 0, refusal.retry_after).headers())
        raise


def spend(name: str, subject: str, *, limit: int, window_seconds: int, message: str) -> Quota:
    """Count one use of `name` by `subject` (an account id, an IP address) or raise `TooManyRequests`."""
    window = int(clock.now() // window_seconds)
    key = Grant.key_of("rate", digest(f"{name}:{subject}:{window}"))
    counter = Grant(key)
    try:
        counter.update(
            actions=[
                Grant.count.add(1),
                Grant.kind.set("rate"),
                Grant.created_at.set(clock.now()),
                Grant.expires_at.set(expiry(window_seconds)),
            ],
            condition=Grant.count.does_not_exist() | (Grant.count < limit),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        raise TooManyRequests(message, retry_after=_until_next(window, window_seconds)) from None
    return Quota(limit, max(0, limit - int(counter.count)), _until_next(window, window_seconds))


def _until_next(window: int, window_seconds: int) -> int:
    return int((window + 1) * window_seconds - clock.now()) + 1
