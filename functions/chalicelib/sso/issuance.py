"""The token endpoint's rules: authorization codes, refresh-token rotation, client credentials.

Refresh tokens rotate: each use returns a new one and spends the old. A spent token presented
again means someone copied it, so the whole family (every token descended from the same sign-in)
is revoked, its access tokens are denied (`core.denylist`), and the legitimate holder must sign in
again. Access tokens carry their family (`fam`) and every token its sign-in session (`sid`), so a
family or a whole sign-in can be withdrawn (RFC 7009 revocation, logout) before tokens expire.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.errors import OAuthProblem
from chalicelib.core.logs import log_event
from chalicelib.core.secrets import digest, new_id, new_secret, same
from chalicelib.core.tokens import ACCESS_TOKEN_TYPE, sign
from chalicelib.sso.accounts import acr_of, get_account
from chalicelib.sso.schemas import TokenReply, TokenRequest
from chalicelib.store.accounts import Account
from chalicelib.store.base import condition_failed
from chalicelib.store.clients import Client
from chalicelib.store.grants import Grant, expiry

ACCESS_SECONDS = 10 * 60
AGENCY_ACCESS_SECONDS = 5 * 60
ID_TOKEN_SECONDS = 10 * 60
REFRESH_SECONDS = 30 * 24 * 60 * 60
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")


def invalid_grant(message: str = "Mã cấp quyền không hợp lệ, đã dùng hoặc đã hết hạn.") -> OAuthProblem:
    return OAuthProblem("invalid_grant", message)


@dataclass(frozen=True)
class SignInContext:
    account: Account
    client: Client
    scope: str
    nonce: str | None
    auth_time: int
    amr: list[str]
    family: str
    sid: str
    jkt: str | None = None  # the DPoP key the tokens are bound to (RFC 9449)


def grant_tokens(client: Client, form: TokenRequest, jkt: str | None = None) -> TokenReply:
    """`jkt`: the thumbprint of the key a DPoP proof was signed with; the tokens are bound to it."""
    if form.grant_type == "authorization_code":
        return _tokens(replace(exchange_code(client, form), jkt=jkt), with_id_token=True)
    if form.grant_type == "refresh_token":
        return _tokens(replace(rotate_refresh_token(client, form, jkt), jkt=jkt), with_id_token=True)
    if form.grant_type == "client_credentials":
        return client_credentials(client, form.scope, jkt)
    raise OAuthProblem("unsupported_grant_type", "grant_type không được hỗ trợ.")


def exchange_code(client: Client, form: TokenRequest) -> SignInContext:
    if client.kind != "relying_party":
        raise OAuthProblem("unauthorized_client", "Ứng dụng này không được dùng luồng mã cấp quyền.")
    grant = Grant.find(Grant.key_of("code", digest(form.code or "")))
    if grant is None or grant.kind != "code" or grant.client_id != client.client_id:
        raise invalid_grant()
    _spend(grant, on_reuse="authorization_code_reuse")
    if not grant.is_live() or grant.data["redirect_uri"] != form.redirect_uri:
        raise invalid_grant()
    if not _pkce_matches(form.code_verifier, grant.data["code_challenge"]):
        raise invalid_grant("code_verifier không khớp với code_challenge.")
    return _context(grant, client, nonce=grant.data["nonce"])


def rotate_refresh_token(client: Client, form: TokenRequest, jkt: str | None = None) -> SignInContext:
    grant = Grant.find(Grant.key_of("refresh", digest(form.refresh_token or "")))
    if grant is None or grant.kind != "refresh" or grant.client_id != client.client_id:
        raise invalid_grant("Refresh token không hợp lệ.")
    if grant.data.get("jkt") and grant.data["jkt"] != jkt:  # bound: only with a proof by the same key
        raise OAuthProblem("invalid_dpop_proof", "Refresh token gắn với khoá DPoP khác.")
    _spend(grant, on_reuse="refresh_token_reuse")
    family = Grant.find(Grant.key_of("family", str(grant.family)))
    if not grant.is_live() or family is None or not family.is_live():
        raise invalid_grant("Refresh token đã hết hạn hoặc bị thu hồi.")
    if form.scope and not set(form.scope.split()) <= set(grant.data["scope"].split()):
        raise OAuthProblem("invalid_scope", "Không thể mở rộng phạm vi khi làm mới mã.")
    return _context(grant, client, nonce=None, scope=form.scope)


def client_credentials(client: Client, requested: str | None, jkt: str | None = None) -> TokenReply:
    if client.kind != "agency" or not client.agency_id:
        raise OAuthProblem("unauthorized_client", "Chỉ hệ thống của cơ quan được dùng client_credentials.")
    scopes = set(requested.split()) if requested else set(client.scopes)
    if not scopes <= set(client.scopes):
        raise OAuthProblem("invalid_scope", "Phạm vi yêu cầu vượt quá phạm vi được cấp cho ứng dụng.")
    scope = " ".join(sorted(scopes))
    now = int(clock.now())
    token = sign(
        {
            "iss": get_settings().issuer,
            "sub": client.client_id,
            "aud": get_settings().api_audience,
            "client_id": client.client_id,
            "agency_id": client.agency_id,
            "scope": scope,
            "iat": now,
            "exp": now + AGENCY_ACCESS_SECONDS,
            "jti": new_id(),
            **({"cnf": {"jkt": jkt}} if jkt else {}),
        },
        ACCESS_TOKEN_TYPE,
    )
    log_event("agency_token_issued", client_id=client.client_id, agency_id=client.agency_id)
    kind = "DPoP" if jkt else "Bearer"
    return TokenReply(access_token=token, token_type=kind, expires_in=AGENCY_ACCESS_SECONDS, scope=scope)


def _spend(grant: Grant, *, on_reuse: str) -> None:
    """Mark a code or refresh token used; a second use revokes everything issued from it."""
    try:
        grant.update(actions=[Grant.used.set(True)], condition=Grant.used == False)  # noqa: E712
    except UpdateError as error:
        if not condition_failed(error):
            raise
        revoke_family(str(grant.family))
        log_event(on_reuse, client_id=grant.client_id, family=grant.family)
        raise invalid_grant() from None


def revoke_family(family: str) -> None:
    """No more refresh from this family, and its access tokens are denied from now on. The item keeps
    its client and account (back-channel logout reads them) and is created if it was never opened."""
    from chalicelib.core.denylist import deny_family

    Grant(Grant.key_of("family", family)).update(
        actions=[
            Grant.kind.set("family"),
            Grant.revoked.set(True),
            Grant.created_at.set(Grant.created_at | clock.now()),
            Grant.expires_at.set(expiry(REFRESH_SECONDS)),
        ]
    )
    deny_family(family)


def _pkce_matches(verifier: str | None, challenge: str) -> bool:
    if verifier is None or not _VERIFIER.fullmatch(verifier):
        return False
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return same(computed, challenge)


def _context(grant: Grant, client: Client, *, nonce: str | None, scope: str | None = None) -> SignInContext:
    account = get_account(str(grant.account_id))
    if account is None:
        raise invalid_grant("Tài khoản không còn tồn tại.")
    if grant.created_at < account.password_changed_at:
        raise invalid_grant("Mật khẩu đã thay đổi; vui lòng đăng nhập lại.")
    return SignInContext(
        account=account,
        client=client,
        scope=scope or grant.data["scope"],
        nonce=nonce,
        auth_time=int(grant.data["auth_time"]),
        amr=list(grant.data["amr"]),
        family=str(grant.family),
        sid=str(grant.data.get("sid", "")),
    )


def _tokens(context: SignInContext, *, with_id_token: bool) -> TokenReply:
    _open_family(context)
    refresh = new_secret()
    Grant(
        Grant.key_of("refresh", digest(refresh)),
        kind="refresh",
        account_id=context.account.account_id,
        client_id=context.client.client_id,
        family=context.family,
        data={
            "scope": context.scope,
            "auth_time": context.auth_time,
            "amr": context.amr,
            "sid": context.sid,
            **({"jkt": context.jkt} if context.jkt else {}),
        },
        created_at=clock.now(),
        expires_at=expiry(REFRESH_SECONDS),
    ).save()
    return TokenReply(
        access_token=_access_token(context),
        token_type="DPoP" if context.jkt else "Bearer",
        expires_in=ACCESS_SECONDS,
        scope=context.scope,
        id_token=_id_token(context) if with_id_token else None,
        refresh_token=refresh,
    )


def _open_family(context: SignInContext) -> None:
    """Create the family record once; never overwrite it, or a concurrent revocation would be lost."""
    key = Grant.key_of("family", context.family)
    family = Grant.find(key)
    if family is None:
        try:
            Grant(
                key,
                kind="family",
                account_id=context.account.account_id,
                client_id=context.client.client_id,
                data={"sid": context.sid},
                created_at=clock.now(),
                expires_at=expiry(REFRESH_SECONDS),
            ).save(condition=Grant.key.does_not_exist())
            from chalicelib.sso.authorize import remember_family

            remember_family(context.sid, context.family)
            return
        except PutError as error:
            if not condition_failed(error):
                raise
            family = Grant.find(key)
    if family is None or not family.is_live():
        raise invalid_grant("Phiên đăng nhập đã bị thu hồi.")


def _access_token(context: SignInContext) -> str:
    now = int(clock.now())
    settings = get_settings()
    return sign(
        {
            "iss": settings.issuer,
            "sub": context.account.account_id,
            "aud": settings.api_audience,
            "client_id": context.client.client_id,
            "scope": context.scope,
            "auth_time": context.auth_time,
            "acr": acr_of(context.account.assurance_level),
            "amr": context.amr,
            "iat": now,
            "exp": now + ACCESS_SECONDS,
            "jti": new_id(),
            "fam": context.family,
            "sid": context.sid,
            **({"cnf": {"jkt": context.jkt}} if context.jkt else {}),
        },
        ACCESS_TOKEN_TYPE,
    )


def _id_token(context: SignInContext) -> str:
    now = int(clock.now())
    account = context.account
    claims: dict[str, Any] = {
        "iss": get_settings().issuer,
        "sub": account.account_id,
        "aud": context.client.client_id,
        "azp": context.client.client_id,
        "iat": now,
        "exp": now + ID_TOKEN_SECONDS,
        "auth_time": context.auth_time,
        "acr": acr_of(account.assurance_level),
        "amr": context.amr,
        **identity_claims(account),
    }
    if context.nonce:
        claims["nonce"] = context.nonce
    if context.sid:
        claims["sid"] = context.sid  # OpenID Connect Back-Channel Logout: the sign-in a logout token names
    return sign(claims)


def identity_claims(account: Account) -> dict[str, Any]:
    """Who the person is, as relying parties receive it in the ID token and from userinfo."""
    claims: dict[str, Any] = {"name": account.full_name, "account_type": account.account_type}
    claims["identity_number" if account.account_type == "citizen" else "tax_code"] = account.identifier
    return claims
