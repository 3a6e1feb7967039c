"""The relying-party and agency client registry, and client authentication at the token endpoint.

Confidential clients authenticate with `client_secret_basic` (secret compared as a digest, in
constant time) or `private_key_jwt` (RFC 7523: an assertion signed with a key from the client's
registered JWKS, audience the token endpoint, single-use `jti`).

One public client exists: the portal's own site, a static app in the citizen's browser that
can keep no secret. It is defined by configuration rather than the table, so every deployment
has it with redirect URIs on its own site; it authenticates with `client_id` alone (`none`),
which is safe only because the code flow always demands PKCE and refresh tokens rotate with
reuse detection (RFC 9700, 2.1.1 and 4.14).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Protocol
from urllib.parse import unquote_plus

import jwt
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.errors import OAuthProblem
from chalicelib.core.secrets import digest, new_secret, same
from chalicelib.sso.schemas import TokenRequest
from chalicelib.store.base import condition_failed
from chalicelib.store.clients import Client
from chalicelib.store.grants import Grant, expiry

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("ES256", "RS256", "PS256")
MAX_ASSERTION_LIFETIME = 3600
MAX_CLIENT_ID_BYTES = 200
PUBLIC_GRANTS = ("authorization_code", "refresh_token")  # a public client never gets client_credentials
ENDPOINTS = ("token", "revoke", "introspect", "par")  # where a client assertion may be addressed


WEB_CLIENT_ID = "cong-dich-vu-cong"
WEB_CALLBACK_PATH = "tai-khoan/dang-nhap/"
WEB_SCOPES = ("openid", "profile", "email", "phone")


def get_client(client_id: str) -> Client | None:
    if not 0 < len(client_id.encode()) <= MAX_CLIENT_ID_BYTES:
        return None  # names no client; DynamoDB would refuse it as a key (empty, or over its key size limit)
    if client_id == WEB_CLIENT_ID:
        return web_client()
    try:
        return Client.get(client_id)
    except DoesNotExist:
        return None


def register_client(
    client_id: str,
    *,
    kind: str,
    name: str,
    scopes: Iterable[str],
    agency_id: str | None = None,
    redirect_uris: Iterable[str] = (),
    post_logout_redirect_uris: Iterable[str] = (),
    backchannel_logout_uri: str | None = None,
    jwks: Mapping[str, object] | None = None,
    secret: str | None = None,
    fapi: bool = False,
    sandbox: bool = False,
) -> tuple[Client, str | None]:
    """Create or replace a client. Returns it with its secret (generated unless given; None for key clients).
    `fapi`: the FAPI 2.0 security profile, which authenticates with keys only (private_key_jwt).
    `sandbox`: a self-service test client of a demo agency, never a real one."""
    if fapi and jwks is None:
        raise ValueError("a FAPI 2.0 client authenticates with private_key_jwt: register its jwks")
    if jwks is None:
        secret = secret or new_secret()
    client = Client(
        client_id,
        kind=kind,
        name=name,
        agency_id=agency_id,
        auth_method="private_key_jwt" if jwks is not None else "client_secret_basic",
        secret_digest=digest(secret) if secret else None,
        jwks=json.dumps(jwks) if jwks is not None else None,
        redirect_uris=list(redirect_uris),
        post_logout_redirect_uris=list(post_logout_redirect_uris),
        backchannel_logout_uri=backchannel_logout_uri,
        fapi=fapi,
        sandbox=sandbox,
        scopes=set(scopes),
        created_at=clock.now(),
    )
    client.save()
    return client, secret if jwks is None else None


def web_client() -> Client:
    """The portal's own site as a public client (never stored)."""
    site = get_settings().site_url
    return Client(
        WEB_CLIENT_ID,
        kind="relying_party",
        name="Cổng Dịch vụ công",
        auth_method="none",
        redirect_uris=[site + WEB_CALLBACK_PATH],
        post_logout_redirect_uris=[site],
        scopes=set(WEB_SCOPES),
        created_at=0,
    )


class ClientCredentials(Protocol):
    """The form fields a client authenticates with at the token, revocation and introspection endpoints."""

    client_id: str | None
    client_assertion_type: str | None
    client_assertion: str | None


def authenticate_client(form: TokenRequest, headers: Mapping[str, str]) -> Client:
    return authenticate(form, headers, public=form.grant_type in PUBLIC_GRANTS)


def authenticate(form: ClientCredentials, headers: Mapping[str, str], *, public: bool) -> Client:
    """The calling client; `public`: whether the public web client may call with its `client_id` alone."""
    basic = headers.get("authorization", "")
    if basic.lower().startswith("basic "):
        return _by_secret(basic[6:].strip())
    if form.client_assertion is not None:
        return _by_assertion(form)
    if form.client_id is not None and public:
        client = get_client(form.client_id)
        if client is not None and client.auth_method == "none":
            return client
    raise _invalid_client("Thiếu xác thực ứng dụng (client_secret_basic hoặc private_key_jwt).")


def _invalid_client(message: str) -> OAuthProblem:
    return OAuthProblem("invalid_client", message, status=401, headers={"WWW-Authenticate": 'Basic realm="oidc"'})


def _by_secret(credentials: str) -> Client:
    try:
        client_id, _, secret = base64.b64decode(credentials, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _invalid_client("Thông tin xác thực ứng dụng sai định dạng.") from None
    client = get_client(unquote_plus(client_id))
    expected = client.secret_digest if client and client.auth_method == "client_secret_basic" else None
    if not same(expected or digest(""), digest(unquote_plus(secret))) or expected is None:
        raise _invalid_client("Ứng dụng không xác thực được.")
    return client  # type: ignore[return-value]


def _by_assertion(form: ClientCredentials) -> Client:
    if form.client_assertion_type != ASSERTION_TYPE:
        raise _invalid_client("client_assertion_type không được hỗ trợ.")
    assertion = str(form.client_assertion)
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
        header = jwt.get_unverified_header(assertion)
    except (jwt.PyJWTError, RecursionError):  # PyJWT's json.loads recurses on deep nesting
        raise _invalid_client("client_assertion không phải JWT hợp lệ.") from None
    client = get_client(str(unverified.get("iss", "")))
    if client is None or client.auth_method != "private_key_jwt" or not client.jwks:
        raise _invalid_client("Ứng dụng không xác thực được.")
    if form.client_id is not None and form.client_id != client.client_id:
        raise _invalid_client("client_id không khớp với client_assertion.")
    claims = _verify_assertion(assertion, header, client)
    _spend_jti(client.client_id, str(claims["jti"]), float(claims["exp"]))
    return client


def _verify_assertion(assertion: str, header: Mapping[str, object], client: Client) -> dict[str, object]:
    settings = get_settings()
    keys = jwt.PyJWKSet.from_dict(json.loads(str(client.jwks)))
    candidates = [key for key in keys.keys if header.get("kid") in (None, key.key_id)]
    for key in candidates:
        if key.algorithm_name not in ASSERTION_ALGORITHMS:
            continue
        try:
            claims = jwt.decode(
                assertion,
                key.key,
                algorithms=[key.algorithm_name],
                audience=[*(f"{settings.issuer}/oidc/{name}" for name in ENDPOINTS), settings.issuer],
                issuer=client.client_id,
                options={"require": ["exp", "iss", "sub", "aud", "jti"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            continue
        lifetime = float(claims["exp"]) - clock.now()
        if claims["sub"] == client.client_id and 0 < lifetime <= MAX_ASSERTION_LIFETIME:
            return claims
    raise _invalid_client("client_assertion không hợp lệ hoặc đã hết hạn.")


def _spend_jti(client_id: str, jti: str, expires: float) -> None:
    """Refuse a replayed assertion: each `jti` is recorded until its assertion expires."""
    seen = Grant(
        Grant.key_of("jti", digest(f"{client_id}:{jti}")),
        kind="jti",
        client_id=client_id,
        created_at=clock.now(),
        expires_at=expiry(expires - clock.now()),
    )
    try:
        seen.save(condition=Grant.key.does_not_exist() | (Grant.expires_at < expiry(0)))
    except PutError as error:
        if condition_failed(error):
            raise _invalid_client("client_assertion đã được dùng.") from None
        raise
