"""The one authorisation helper every route goes through (declared on the route, run by `core.api`).

Bearer access tokens are verified inside the app rather than by an API Gateway authorizer, so that
`chalice local`, the tests and Lambda behave the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

from chalicelib.core.config import get_settings
from chalicelib.core.errors import Forbidden, Unauthenticated

Kind = Literal["user", "agency"]

# Every scope an agency system's client-credentials token may carry: listed by discovery
# (`scopes_supported`) and by the OpenAPI document's `agencyToken` scheme.
AGENCY_SCOPES = {
    "agency:read": "Read the agency's own integration data",
    "dossiers:read": "Read the agency's dossiers",
    "dossiers:write": "Update the agency's dossiers",
    "complaints:answer": "Answer complaints routed to the agency",
    "payments:read": "Read payments for the agency's dossiers",
    "webhooks:manage": "Register webhook endpoints, rotate their secrets, replay dead deliveries",
}


class Access(NamedTuple):
    """What a route needs: a signed-in person's token or an agency system's token, and scopes."""

    kind: Kind
    scopes: tuple[str, ...] = ()

    @classmethod
    def user(cls, *scopes: str) -> Access:
        return cls("user", scopes)

    @classmethod
    def agency(cls, *scopes: str) -> Access:
        return cls("agency", scopes)


class Principal(NamedTuple):
    kind: Kind
    subject: str
    client_id: str
    scopes: frozenset[str]
    agency_id: str | None = None
    amr: frozenset[str] = frozenset()  # how the person signed in (`pwd`, `otp`): staff routes need `otp`

    def require_agency(self, agency_id: str) -> None:
        """Refuse unless the token was issued to a system of `agency_id`."""
        if self.kind != "agency" or self.agency_id != agency_id:
            raise Forbidden("Mã truy cập không thuộc cơ quan sở hữu tài nguyên này.")

    def require_owner(self, account_id: str) -> None:
        if self.kind != "user" or self.subject != account_id:
            raise Forbidden("Bạn không có quyền truy cập tài nguyên của tài khoản khác.")


def access_token(headers: Mapping[str, str]) -> tuple[str, str]:
    """The scheme (`bearer` or `dpop`, RFC 9449) and the token of the Authorization header."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() not in ("bearer", "dpop") or not token.strip():
        raise Unauthenticated(reason="invalid_request")
    return scheme.lower(), token.strip()


def authenticate(headers: Mapping[str, str], access: Access, *, method: str = "GET", url: str = "") -> Principal:
    """`method` and `url` (without query) are what a DPoP proof must name for this request."""
    from chalicelib.core.denylist import is_denied
    from chalicelib.core.tokens import ACCESS_TOKEN_TYPE, InvalidToken, verify  # JWT and keys: first use only

    settings = get_settings()
    scheme, token = access_token(headers)
    try:
        claims = verify(token, audience=settings.api_audience, token_type=ACCESS_TOKEN_TYPE)
    except InvalidToken:
        raise Unauthenticated("Mã truy cập không hợp lệ hoặc đã hết hạn.") from None
    _check_binding(claims, scheme, token, headers, method, url)
    if is_denied(claims):
        raise Unauthenticated("Mã truy cập đã bị thu hồi; vui lòng đăng nhập lại.")
    agency_id = claims.get("agency_id")
    principal = Principal(
        kind="agency" if agency_id else "user",
        subject=str(claims["sub"]),
        client_id=str(claims.get("client_id", "")),
        scopes=frozenset(str(claims.get("scope", "")).split()),
        agency_id=str(agency_id) if agency_id else None,
        amr=frozenset(str(method) for method in claims.get("amr") or ()),
    )
    if principal.kind != access.kind:
        raise Forbidden("Loại mã truy cập không phù hợp với chức năng này.")
    missing = [scope for scope in access.scopes if scope not in principal.scopes]
    if missing:
        raise Forbidden(f"Mã truy cập thiếu phạm vi: {' '.join(missing)}.")
    return principal


def _check_binding(
    claims: Mapping[str, object], scheme: str, token: str, headers: Mapping[str, str], method: str, url: str
) -> None:
    """A DPoP-bound token (`cnf.jkt`) only with a fresh proof by its key; never as a bearer token."""
    from chalicelib.core.dpop import InvalidProof, verify_proof

    confirmation = claims.get("cnf")
    bound = confirmation.get("jkt") if isinstance(confirmation, dict) else None
    if scheme == "bearer":
        if bound:
            raise Unauthenticated("Mã truy cập này gắn với khoá DPoP.", reason="invalid_token", scheme="DPoP")
        return
    if not bound:
        raise Unauthenticated("Mã truy cập không gắn với khoá DPoP.", reason="invalid_token", scheme="DPoP")
    try:
        key = verify_proof(headers.get("dpop", ""), method=method, url=url, access_token=token)
    except InvalidProof:
        raise Unauthenticated("Bằng chứng DPoP không hợp lệ.", reason="invalid_dpop_proof", scheme="DPoP") from None
    if key != bound:
        raise Unauthenticated("Bằng chứng DPoP ký bằng khoá khác.", reason="invalid_dpop_proof", scheme="DPoP")
