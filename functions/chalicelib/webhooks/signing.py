"""Signatures as the Standard Webhooks specification defines them (standardwebhooks.com), so agencies
can verify with any of its libraries or ten lines of their own:

    webhook-signature: v1,<base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}"))>

`key` is the base64 after `whsec_`. While a rotated-out secret overlaps the new one, the header carries
one `v1,` entry per secret, separated by spaces; a receiver accepts the delivery if any entry matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(PREFIX))
    digest = hmac.new(key, f"{event_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_in_use: list[str], event_id: str, timestamp: int, body: bytes) -> str:
    return " ".join(signature(secret, event_id, timestamp, body) for secret in secrets_in_use)


def verify(secret: str, headers: dict[str, str], body: bytes, now: float) -> bool:
    """What a receiver does (the guide's example does the same): a fresh timestamp and a matching entry."""
    try:
        timestamp = int(headers["webhook-timestamp"])
        event_id = headers["webhook-id"]
        offered = headers["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, event_id, timestamp, body)
    return any(hmac.compare_digest(expected, entry) for entry in offered)
