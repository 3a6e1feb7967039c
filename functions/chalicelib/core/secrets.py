"""Random identifiers and one-way digests of bearer secrets (codes, refresh tokens, sessions)."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_id() -> str:
    return secrets.token_hex(16)


def new_secret() -> str:
    """A bearer secret with 256 bits of entropy, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Stored instead of the secret: a leaked table does not hand out working tokens.

    SHA-256 without salt is enough here because every secret is 256 random bits, not a password.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def numeric_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"
