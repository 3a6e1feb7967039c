"""Withdrawing tokens before they expire, and telling relying parties whether one still holds.

- RFC 7009 revocation (`POST /oidc/revoke`): a refresh token revokes its whole family and denies
  the family's access tokens; an access token is denied by its `jti`. A client may only revoke its
  own tokens; anything else, unknown tokens included, is answered 200 and changes nothing.
- RFC 7662 introspection (`POST /oidc/introspect`): a confidential client asks about a token issued
  to it; everything else is `{"active": false}`.
- Logout ends a sign-in: every refresh family opened from it is revoked (and its access tokens
  denied), and each relying party that registered a back-channel logout URI is told (OpenID
  Connect Back-Channel Logout 1.0, see `sso.backchannel`).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.denylist import deny_token, is_denied
from chalicelib.core.logs import log_event
from chalicelib.core.secrets import digest
from chalicelib.core.tokens import ACCESS_TOKEN_TYPE, InvalidToken, verify
from chalicelib.sso.accounts import get_account
from chalicelib.sso.authorize import families_of
from chalicelib.sso.issuance import revoke_family
from chalicelib.store.clients import Client
from chalicelib.store.grants import Grant

INACTIVE: dict[str, Any] = {"active": False}


def revoke(client: Client, token: str, hint: str | None) -> None:
    for kind in _order(hint):
        if kind == "refresh_token":
            grant = _refresh_grant(token)
            if grant is not None:
                if grant.client_id == client.client_id:
                    revoke_family(str(grant.family))
                    log_event("token_revoked", client_id=client.client_id, kind="refresh_token")
                return
        else:
            claims = _access_claims(token)
            if claims is not None:
                if claims.get("client_id") == client.client_id:
                    deny_token(str(claims["jti"]), float(claims["exp"]))
                    log_event("token_revoked", client_id=client.client_id, kind="access_token")
                return


def introspect(client: Client, token: str, hint: str | None) -> dict[str, Any]:
    for kind in _order(hint):
        answer = _refresh_answer(token) if kind == "refresh_token" else _access_answer(token)
        if answer is not None:
            return answer if answer.get("client_id") == client.client_id and answer["active"] else INACTIVE
    return INACTIVE


def _order(hint: str | None) -> tuple[str, str]:
    """Look where the hint says first (RFC 7009 2.1: an unknown hint is only a hint)."""
    return ("refresh_token", "access_token") if hint == "refresh_token" else ("access_token", "refresh_token")


def _access_claims(token: str) -> dict[str, Any] | None:
    if token.count(".") != 2:
        return None
    try:
        return verify(token, audience=get_settings().api_audience, token_type=ACCESS_TOKEN_TYPE, allow_expired=True)
    except InvalidToken:
        return None


def _access_answer(token: str) -> dict[str, Any] | None:
    claims = _access_claims(token)
    if claims is None:
        return None
    if float(claims["exp"]) <= clock.now() or is_denied(claims):
        return {**INACTIVE, "client_id": claims.get("client_id")}
    answer = {"active": True, "token_type": "Bearer"}
    answer.update({name: claims[name] for name in ("scope", "client_id", "sub", "exp", "iat", "iss", "aud", "jti")})
    if claims.get("cnf"):
        answer["cnf"] = claims["cnf"]  # RFC 9449 6.2: the key a DPoP-bound token is bound to
    return answer


def _refresh_grant(token: str) -> Grant | None:
    if not 0 < len(token) <= 200:
        return None
    grant = Grant.find(Grant.key_of("refresh", digest(token)))
    return grant if grant is not None and grant.kind == "refresh" else None


def _refresh_answer(token: str) -> dict[str, Any] | None:
    grant = _refresh_grant(token)
    if grant is None:
        return None
    family = Grant.find(Grant.key_of("family", str(grant.family)))
    account = get_account(str(grant.account_id))
    live = (
        grant.is_live()
        and not grant.used
        and family is not None
        and family.is_live()
        and account is not None
        and grant.created_at >= account.password_changed_at
    )
    if not live:
        return {**INACTIVE, "client_id": grant.client_id}
    return {
        "active": True,
        "token_type": "refresh_token",
        "scope": grant.data.get("scope", ""),
        "client_id": grant.client_id,
        "sub": grant.account_id,
        "iat": int(grant.created_at),
        "exp": int(grant.expires_at.timestamp()),
        "iss": get_settings().issuer,
    }


def end_sign_in(sid: str) -> list[tuple[str, str]]:
    """Revoke every family opened from this sign-in; returns (client id, account id) of each, for logout."""
    ended = []
    for family in families_of(sid):
        revoke_family(family.key.removeprefix("family#"))
        if family.client_id and family.account_id:
            ended.append((family.client_id, family.account_id))
    if ended:
        log_event("sign_in_ended", families=len(ended))
    return sorted(set(ended))
