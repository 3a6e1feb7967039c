"""Minting and verifying the portal's JWTs (ID tokens, access tokens).

Verification pins the algorithm, issuer and audience and requires `exp`: the header's `alg` is
never trusted, so `alg: none` and HS256 tokens forged with the public key are refused.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jwt

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.keys import ALGORITHM, KeySet, load_from_dir, load_from_secret

ACCESS_TOKEN_TYPE = "at+jwt"
MAX_TOKEN_CHARS = 8192  # ours are under 1,500; anything longer is refused unread
_keyset: KeySet | None = None


class InvalidToken(Exception):
    pass


def keyset() -> KeySet:
    global _keyset
    if _keyset is None:
        settings = get_settings()
        if settings.keys_secret_id:
            import boto3

            client = boto3.client("secretsmanager", region_name=settings.region)
            _keyset = load_from_secret(settings.keys_secret_id, client)
        elif os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
            # Lambda's disk is read-only and per-instance: generated keys would differ between instances.
            raise RuntimeError("PORTAL_KEYS_SECRET_ID must name the signing-key secret when running on AWS")
        else:
            _keyset = load_from_dir(settings.keys_dir or Path(".devstack/keys"))
    return _keyset


def use_keyset(new: KeySet | None) -> None:
    """Replace the cached key set (after a rotation, or in tests)."""
    global _keyset
    _keyset = new


def sign(claims: dict[str, Any], token_type: str = "JWT") -> str:
    key = keyset().active
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": token_type})


def verify(token: str, *, audience: str, token_type: str | None = None, allow_expired: bool = False) -> dict[str, Any]:
    """Claims of a valid token; `InvalidToken` for anything else (signature, alg, iss, aud, exp, typ)."""
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("too long")
    try:
        header = jwt.get_unverified_header(token)
        key = keyset().find(str(header.get("kid", "")))
        if key is None:
            raise InvalidToken("unknown key id")
        if token_type is not None and str(header.get("typ", "")).lower() != token_type:
            raise InvalidToken("wrong token type")
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=get_settings().issuer,
            # Expiry is checked below against our clock (PyJWT reads time.time(), which tests cannot move).
            options={"require": ["exp", "iat", "iss", "aud", "sub"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(type(error).__name__) from None
    except RecursionError:  # PyJWT parses the header and claims with json.loads: nesting is not its concern
        raise InvalidToken("nested too deeply") from None
    if not allow_expired and float(claims["exp"]) <= clock.now():
        raise InvalidToken("expired")
    return claims
