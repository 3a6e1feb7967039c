"""Sign-in throttling: at most five unsuccessful attempts per login name, then a 15-minute lockout.

An attempt is counted *before* the password is checked, by a conditional update that refuses once
the limit is reached, so a burst of concurrent guesses cannot get past it; a successful sign-in
clears the count. Counters are keyed by a digest of the login name whether or not an account
exists, so the lockout says nothing about which identity numbers have accounts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.core import clock
from chalicelib.core.errors import TooManyRequests
from chalicelib.core.logs import log_event
from chalicelib.core.secrets import digest
from chalicelib.store.base import condition_failed
from chalicelib.store.grants import Grant, expiry

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
LOCKOUT_SECONDS = 15 * 60


def claim_attempt(identifier: str) -> None:
    """Count one attempt, or raise `TooManyRequests` when the login name is locked or at its limit."""
    key = _key(identifier)
    live = Grant.expires_at > expiry(0)
    for _race in range(3):
        try:
            Grant(key).update(actions=[Grant.count.add(1)], condition=live & (Grant.count < MAX_FAILURES))
            return
        except UpdateError as error:  # no live counter, or it is at the limit
            if not condition_failed(error):
                raise
        current = Grant.find(key)
        if current is not None and current.is_live():
            if current.count >= MAX_FAILURES:
                raise _refusal(current)
            continue  # the window opened after our update was refused: count on it
        try:
            fresh = Grant(
                key, kind="signin-attempts", count=1, created_at=clock.now(), expires_at=expiry(WINDOW_SECONDS)
            )
            fresh.save(condition=Grant.key.does_not_exist() | ~live)
            return
        except PutError as error:  # another request opened the window first: count on it
            if not condition_failed(error):
                raise
    raise TooManyRequests("Có quá nhiều lượt đăng nhập cùng lúc. Vui lòng thử lại sau ít phút.", retry_after=60)


def record_failure(identifier: str) -> bool:
    """After a wrong password: lock the login name if this was the last attempt allowed. True if locked."""
    counter = Grant.find(_key(identifier))
    if counter is None or counter.count < MAX_FAILURES:
        return False
    counter.update(
        actions=[
            Grant.data.set({"locked_until": clock.now() + LOCKOUT_SECONDS}),
            Grant.expires_at.set(expiry(LOCKOUT_SECONDS)),
        ]
    )
    log_event("sign_in_locked")
    return True


@contextmanager
def guarded(identifier: str, misses: tuple[type[Exception], ...]) -> Iterator[None]:
    """One counted attempt at a secret (a code, an owner's number): a miss raised inside counts towards
    the lockout, getting through clears the count."""
    claim_attempt(identifier)
    try:
        yield
    except misses:
        record_failure(identifier)
        raise
    clear(identifier)


def clear(identifier: str) -> None:
    Grant(_key(identifier)).delete()


def _key(identifier: str) -> str:
    return Grant.key_of("signin-attempts", digest(identifier))


def _refusal(counter: Grant) -> TooManyRequests:
    until = float(counter.data.get("locked_until") or counter.expires_at.timestamp())
    seconds = max(1, int(until - clock.now()) + 1)
    minutes = max(1, round(seconds / 60))
    return TooManyRequests(
        f"Đã nhập sai quá {MAX_FAILURES} lần nên tạm khoá; vui lòng thử lại sau {minutes} phút.",
        retry_after=seconds,
    )
