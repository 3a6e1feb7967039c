"""The short denylist of access tokens that were withdrawn before they expired.

Access tokens are self-contained JWTs, valid for minutes without a database read. Withdrawing one
early (its refresh family revoked on reuse, by RFC 7009 revocation or at logout; every token of an
account after a password change; one token by its `jti`) writes a `deny#...` item in the grants
table that lives only as long as the longest access token could (`ACCESS_TOKEN_SECONDS`); the
authoriser reads the few keys a token could be listed under in one consistent `BatchGetItem`.

The answer for a token is kept in the process for `CACHE_SECONDS` (a person's page makes several
calls at once), and forgotten at once when this process withdraws anything: a revocation takes
effect immediately where it was made and within a second on every other Lambda instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.core import clock
from chalicelib.store.grants import Grant, expiry

ACCESS_TOKEN_SECONDS = 10 * 60  # the longest an access token lives (people's; agency systems' are 5 minutes)
CACHE_SECONDS = 1.0
_CACHE_ENTRIES = 10_000
_SLACK_SECONDS = 60
_answers: dict[frozenset[str], tuple[float, bool]] = {}


def _entry(key: str, lifetime: float) -> None:
    now = clock.now()
    Grant(Grant.key_of("deny", key), kind="deny", created_at=now, expires_at=expiry(lifetime)).save()
    _answers.clear()


def deny_family(family: str) -> None:
    """Every access token minted from this refresh family (one sign-in at one relying party)."""
    _entry(f"family#{family}", ACCESS_TOKEN_SECONDS + _SLACK_SECONDS)


def deny_account(account_id: str) -> None:
    """Every access token of this account issued until now (after a password change)."""
    _entry(f"account#{account_id}", ACCESS_TOKEN_SECONDS + _SLACK_SECONDS)


def deny_token(jti: str, expires_at: float) -> None:
    """One access token, until it would have expired anyway."""
    _entry(f"jti#{jti}", max(0.0, expires_at - clock.now()) + _SLACK_SECONDS)


def is_denied(claims: Mapping[str, Any]) -> bool:
    """Whether a verified access token has been withdrawn (one read of at most three keys)."""
    keys = {Grant.key_of("deny", f"jti#{claims.get('jti', '')}")}
    if claims.get("fam"):
        keys.add(Grant.key_of("deny", f"family#{claims['fam']}"))
    if not claims.get("agency_id"):
        keys.add(Grant.key_of("deny", f"account#{claims['sub']}"))
    cached = _answers.get(frozenset(keys))
    now = clock.now()
    if cached is not None and cached[0] > now:
        return cached[1]
    denied = _read(keys, float(claims.get("iat", 0)))
    if len(_answers) >= _CACHE_ENTRIES:
        _answers.clear()
    _answers[frozenset(keys)] = (now + CACHE_SECONDS, denied)
    return denied


def _read(keys: set[str], issued: float) -> bool:
    for entry in Grant.batch_get(keys, consistent_read=True):
        if not entry.is_live():
            continue
        if entry.key.startswith("deny#account#") and issued >= int(entry.created_at):
            continue  # issued after the password change (`iat` has whole seconds: the same second counts as after)
        return True
    return False
