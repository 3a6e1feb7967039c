"""Short-lived, single-use or revocable things the sign-in flows hand out.

One table, keyed `<kind>#<digest or id>`: pending authorization requests, authorization codes,
sign-in sessions (and `sid#` items listing the refresh families each sign-in opened), refresh
tokens and their families, password-reset codes, client-assertion ids seen (replay), sign-in
failure counters, and the short denylist of revoked access tokens (`deny#...`). Secrets are stored
as digests only.

`expires_at` is a DynamoDB TTL attribute so AWS deletes old items, but TTL deletion is lazy (and
moto never does it), so every reader checks expiry itself through `is_live`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from chalicelib.core import clock
from chalicelib.store.base import table_meta


class Grant(Model):
    Meta = table_meta("grants")

    key = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    account_id = UnicodeAttribute(null=True)
    client_id = UnicodeAttribute(null=True)
    family = UnicodeAttribute(null=True)
    data = JSONAttribute(default=dict)
    used = BooleanAttribute(default=False)
    revoked = BooleanAttribute(default=False)
    count = NumberAttribute(default=0)
    families = UnicodeSetAttribute(null=True)  # on `sid#` items: the refresh families a sign-in opened
    created_at = NumberAttribute()
    expires_at = TTLAttribute()

    def is_live(self) -> bool:
        return not self.revoked and self.expires_at.timestamp() > clock.now()

    @staticmethod
    def key_of(kind: str, value: str) -> str:
        return f"{kind}#{value}"

    @classmethod
    def find(cls, key: str) -> Grant | None:
        """The item, read consistently (a just-spent code must look spent), or None."""
        try:
            return cls.get(key, consistent_read=True)
        except DoesNotExist:
            return None


def expiry(seconds: float) -> datetime:
    """The TTL value for something that lives `seconds` from now."""
    return datetime.fromtimestamp(clock.now() + seconds, tz=UTC)
