"""Fixed-window rate limits (`5 an hour per account`), one atomic conditional ADD per request."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib.core import clock
from chalicelib.core.errors import TooManyRequests
from chalicelib.core.secrets import digest
from chalicelib.store.base import condition_failed
from chalicelib.store.grants import Grant, expiry


def spend(name: str, subject: str, *, limit: int, window_seconds: int, message: str) -> None:
    """Count one use of `name` by `subject` (an account id, an IP address) or raise `TooManyRequests`."""
    window = int(clock.now() // window_seconds)
    key = Grant.key_of("rate", digest(f"{name}:{subject}:{window}"))
    try:
        Grant(key).update(
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
        retry_after = int((window + 1) * window_seconds - clock.now()) + 1
        raise TooManyRequests(message, retry_after=retry_after) from None
