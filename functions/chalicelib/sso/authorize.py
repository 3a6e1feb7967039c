"""The authorization endpoint's rules: validate a request, remember it while the person signs in,
keep the sign-in session, and issue single-use authorization codes.

Errors about the client or redirect URI are shown to the person (never redirected: the redirect
URI is not trusted yet); every other error goes back to the relying party as `?error=...`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.secrets import digest, new_id, new_secret
from chalicelib.sso.accounts import get_account
from chalicelib.sso.clients import get_client
from chalicelib.store.accounts import Account
from chalicelib.store.clients import Client
from chalicelib.store.grants import Grant, expiry

CODE_SECONDS = 5 * 60
FAPI_CODE_SECONDS = 60  # FAPI 2.0 security profile, 5.3.2.1
REQUEST_SECONDS = 10 * 60
SESSION_SECONDS = 8 * 60 * 60
SUPPORTED_SCOPES = frozenset({"openid", "profile", "email", "phone"})
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_MAX_PARAM = 2000


class UntrustedRedirect(Exception):
    """The client or redirect URI is wrong: tell the person, do not redirect anywhere."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RedirectableError(Exception):
    def __init__(self, error: str, description: str, request: dict[str, str]) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.request = request

    def location(self) -> str:
        return redirect_with(self.request, {"error": self.error, "error_description": self.description})


@dataclass(frozen=True)
class Session:
    key: str
    account_id: str
    auth_time: int
    amr: tuple[str, ...]
    sid: str = ""  # named in ID tokens; `sid#<sid>` lists the refresh families this sign-in opened


def validate_request(params: dict[str, str]) -> tuple[Client, dict[str, str]]:
    """Check an authorization request; returns the client and the parameters to keep."""
    client = get_client(params.get("client_id", ""))
    if client is None or client.kind != "relying_party":
        raise UntrustedRedirect("Ứng dụng yêu cầu đăng nhập chưa được đăng ký với Cổng.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:  # exact string match, no prefixes or patterns
        raise UntrustedRedirect("Địa chỉ chuyển hướng (redirect_uri) không khớp với địa chỉ đã đăng ký.")
    kept = {name: params[name] for name in _KEPT if name in params}
    if any(len(value) > _MAX_PARAM for value in kept.values()):
        raise RedirectableError("invalid_request", "A parameter is too long.", kept)
    _check_protocol(params, client, kept)
    return client, kept


_KEPT = (
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "response_type",
)


def _check_protocol(params: dict[str, str], client: Client, kept: dict[str, str]) -> None:
    def refuse(error: str, description: str) -> RedirectableError:
        return RedirectableError(error, description, kept)

    if params.get("response_type") != "code":
        raise refuse("unsupported_response_type", "Only response_type=code is supported.")
    scopes = set(params.get("scope", "").split())
    if "openid" not in scopes:
        raise refuse("invalid_scope", "The openid scope is required.")
    if not scopes <= SUPPORTED_SCOPES or not scopes <= set(client.scopes) | {"openid"}:
        raise refuse("invalid_scope", "A requested scope is not allowed for this client.")
    if not params.get("state"):
        raise refuse("invalid_request", "state is required.")
    if not params.get("nonce"):
        raise refuse("invalid_request", "nonce is required.")
    if params.get("code_challenge_method") != "S256" or not _CHALLENGE.fullmatch(params.get("code_challenge", "")):
        raise refuse("invalid_request", "PKCE with code_challenge_method=S256 is required.")
    if params.get("prompt", "") not in ("", "none", "login"):
        raise refuse("invalid_request", "prompt must be none or login.")


def redirect_with(request: dict[str, str], values: dict[str, str]) -> str:
    """The relying party's redirect URI with the answer, its `state` and our `iss` (RFC 9207)."""
    answer = {**values, "state": request.get("state", ""), "iss": get_settings().issuer}
    return append_query(request["redirect_uri"], answer)


def append_query(uri: str, values: dict[str, str]) -> str:
    present = {key: value for key, value in values.items() if value}
    if not present:
        return uri
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(present)}"


def remember_request(request: dict[str, str]) -> str:
    request_id = new_id()
    Grant(
        Grant.key_of("authreq", request_id),
        kind="authreq",
        client_id=request["client_id"],
        data=request,
        created_at=clock.now(),
        expires_at=expiry(REQUEST_SECONDS),
    ).save()
    return request_id


def recall_request(request_id: str) -> dict[str, str] | None:
    grant = Grant.find(Grant.key_of("authreq", request_id))
    return dict(grant.data) if grant and grant.is_live() else None


def forget_request(request_id: str) -> None:
    Grant(Grant.key_of("authreq", request_id)).delete()


def start_session(account: Account, amr: tuple[str, ...]) -> tuple[str, Session]:
    """A new sign-in session; returns the cookie value and the session."""
    cookie = new_secret()
    auth_time = int(clock.now())
    key = Grant.key_of("session", digest(cookie))
    sid = new_id()
    Grant(
        key,
        kind="session",
        account_id=account.account_id,
        data={"auth_time": auth_time, "amr": list(amr), "sid": sid},
        created_at=clock.now(),
        expires_at=expiry(SESSION_SECONDS),
    ).save()
    return cookie, Session(key, account.account_id, auth_time, amr, sid)


def remember_family(sid: str, family: str) -> None:
    """Note a refresh family under its sign-in, for logout; kept as long as refresh tokens live."""
    from chalicelib.sso.issuance import REFRESH_SECONDS

    if sid:
        Grant(Grant.key_of("sid", sid)).update(
            actions=[
                Grant.kind.set("sid"),
                Grant.families.add({family}),
                Grant.created_at.set(Grant.created_at | clock.now()),
                Grant.expires_at.set(expiry(REFRESH_SECONDS)),
            ]
        )


def families_of(sid: str) -> list[Grant]:
    """The refresh families opened from this sign-in (each with its client and account)."""
    hub = Grant.find(Grant.key_of("sid", sid)) if sid else None
    if hub is None or not hub.families:
        return []
    return list(Grant.batch_get([Grant.key_of("family", family) for family in hub.families], consistent_read=True))


def find_session(cookie: str | None) -> Session | None:
    if not cookie:
        return None
    grant = Grant.find(Grant.key_of("session", digest(cookie)))
    if grant is None or not grant.is_live() or grant.account_id is None:
        return None
    account = get_account(grant.account_id)
    if account is None or grant.created_at < account.password_changed_at:
        return None  # signed in before the password changed: sign in again
    data = grant.data
    return Session(grant.key, grant.account_id, int(data["auth_time"]), tuple(data["amr"]), str(data.get("sid", "")))


def end_session(cookie: str | None) -> str:
    """Forget the sign-in session; returns its `sid` ("" when there was none)."""
    if not cookie:
        return ""
    key = Grant.key_of("session", digest(cookie))
    grant = Grant.find(key)
    Grant(key).delete()
    return str(grant.data.get("sid", "")) if grant else ""


def issue_code(request: dict[str, str], session: Session, *, lifetime: float = CODE_SECONDS) -> str:
    """A single-use code for this request; valid five minutes (one for FAPI 2.0 clients). Returns the
    code (stored as a digest)."""
    code = new_secret()
    Grant(
        Grant.key_of("code", digest(code)),
        kind="code",
        account_id=session.account_id,
        client_id=request["client_id"],
        family=new_id(),
        data={
            "redirect_uri": request["redirect_uri"],
            "scope": request["scope"],
            "nonce": request["nonce"],
            "code_challenge": request["code_challenge"],
            "auth_time": session.auth_time,
            "amr": list(session.amr),
            "sid": session.sid,
        },
        created_at=clock.now(),
        expires_at=expiry(lifetime),
    ).save()
    return code


def describe(client: Client) -> dict[str, Any]:
    return {"client_id": client.client_id, "name": client.name}
