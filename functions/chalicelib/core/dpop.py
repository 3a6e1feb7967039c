"""DPoP (RFC 9449): access and refresh tokens bound to a key the client holds.

The client signs a short proof JWT (`typ: dpop+jwt`, its public key in the `jwk` header) for each
request: the method (`htm`), the URL without query (`htu`), when (`iat`), a unique id (`jti`) and,
at a resource, the hash of the access token (`ath`). Tokens issued with a proof carry the key's
thumbprint (`cnf.jkt`, RFC 7638); a resource accepts such a token only with a fresh proof signed by
that key, so a stolen token is useless without the client's private key.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import jwt
from pynamodb.exceptions import PutError

from chalicelib.core import clock
from chalicelib.core.secrets import digest
from chalicelib.store.base import condition_failed
from chalicelib.store.grants import Grant, expiry

PROOF_TYPE = "dpop+jwt"
ALGORITHMS = ("ES256", "PS256", "RS256", "EdDSA")
MAX_AGE_SECONDS = 60  # a proof is accepted this long after (and this long before) its `iat`
MAX_PROOF_CHARS = 4000
_THUMBPRINT_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}


class InvalidProof(Exception):
    pass


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638: SHA-256 of the key's required members, sorted, without whitespace; base64url."""
    members = _THUMBPRINT_MEMBERS.get(str(jwk.get("kty")))
    if members is None or any(not isinstance(jwk.get(name), str) for name in members):
        raise InvalidProof("unsupported key")
    canonical = json.dumps({name: jwk[name] for name in members}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def token_hash(access_token: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(access_token.encode()).digest()).rstrip(b"=").decode()


def verify_proof(proof: str, *, method: str, url: str, access_token: str | None = None) -> str:
    """The thumbprint of the key that signed a valid, fresh, unused proof for this request."""
    claims, jwk = _checked(proof, method, url)
    if access_token is not None and claims.get("ath") != token_hash(access_token):
        raise InvalidProof("ath does not match the access token")
    key = thumbprint(jwk)
    _spend(key, str(claims["jti"]))
    return key


def _checked(proof: str, method: str, url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if not proof or len(proof) > MAX_PROOF_CHARS:
        raise InvalidProof("missing or too long")
    try:
        header = jwt.get_unverified_header(proof)
        jwk = header.get("jwk")
        if header.get("typ") != PROOF_TYPE or header.get("alg") not in ALGORITHMS or not isinstance(jwk, dict):
            raise InvalidProof("not a DPoP proof")
        if any(name in jwk for name in ("d", "p", "q", "dp", "dq", "qi", "k")):
            raise InvalidProof("the proof carries a private key")
        key = jwt.PyJWK(jwk, algorithm=str(header["alg"]))
        claims = jwt.decode(
            proof,
            key.key,
            algorithms=[str(header["alg"])],
            options={"require": ["jti", "htm", "htu", "iat"], "verify_aud": False, "verify_iat": False},
        )
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError) as error:
        raise InvalidProof(type(error).__name__) from None
    if claims["htm"] != method or _without_query(str(claims["htu"])) != _without_query(url):
        raise InvalidProof("htm or htu does not match the request")
    if not isinstance(claims["iat"], int | float) or abs(clock.now() - float(claims["iat"])) > MAX_AGE_SECONDS:
        raise InvalidProof("iat is not recent")
    if not isinstance(claims["jti"], str) or not 0 < len(claims["jti"]) <= 200:
        raise InvalidProof("jti")
    return claims, jwk


def _without_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def _spend(key: str, jti: str) -> None:
    """Each proof once: its `jti` is kept while the proof could still be accepted."""
    seen = Grant(
        Grant.key_of("dpop", digest(f"{key}:{jti}")),
        kind="dpop",
        created_at=clock.now(),
        expires_at=expiry(2 * MAX_AGE_SECONDS),
    )
    try:
        seen.save(condition=Grant.key.does_not_exist() | (Grant.expires_at < expiry(0)))
    except PutError as error:
        if condition_failed(error):
            raise InvalidProof("proof replayed") from None
        raise
