"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): 30-second steps, 6 digits, SHA-1,
the parameters every authenticator app uses by default."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # accept the previous and next step too: phones' clocks drift


def new_secret() -> str:
    """160 random bits (RFC 4226's recommended length), base32 without padding as apps expect."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, algorithm)).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def step_of(epoch: float) -> int:
    return int(epoch // STEP_SECONDS)


def code_at(secret: str, epoch: float) -> str:
    return hotp(_key(secret), step_of(epoch))


def matching_step(secret: str, code: str, epoch: float) -> int | None:
    """The time step whose code this is (within the allowed drift), or None. Compared in constant time."""
    key = _key(secret)
    now = step_of(epoch)
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), code):
            found = step
    return found


def provisioning_uri(secret: str, account: str, issuer: str = "Cổng Dịch vụ công") -> str:
    """The `otpauth://` address authenticator apps read (as a QR code or pasted)."""
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?{query}"
