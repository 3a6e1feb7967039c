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

    def require_agency(self, agency_id: str) -> None:
        """Refuse unless the token was issued to a system of `agency_id`."""
        if self.kind != "agency" or self.agency_id != agency_id:
            raise Forbidden("Mã truy cập không thuộc cơ quan sở hữu tài nguyên này.")

    def require_owner(self, account_id: str) -> None:
        if self.kind != "user" or self.subject != account_id:
            raise Forbidden("Bạn không có quyền truy cập tài nguyên của tài khoản khác.")


def bearer_token(headers: Mapping[str, str]) -> str:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(reason="invalid_request")
    return token.strip()


def authenticate(headers: Mapping[str, str], access: Access) -> Principal:
    from chalicelib.core.tokens import ACCESS_TOKEN_TYPE, InvalidToken, verify  # JWT and keys: first use only

    settings = get_settings()
    from chalicelib.core.denylist import is_denied

    try:
        claims = verify(bearer_token(headers), audience=settings.api_audience, token_type=ACCESS_TOKEN_TYPE)
    except InvalidToken:
        raise Unauthenticated("Mã truy cập không hợp lệ hoặc đã hết hạn.") from None
    if is_denied(claims):
        raise Unauthenticated("Mã truy cập đã bị thu hồi; vui lòng đăng nhập lại.")
    agency_id = claims.get("agency_id")
    principal = Principal(
        kind="agency" if agency_id else "user",
        subject=str(claims["sub"]),
        client_id=str(claims.get("client_id", "")),
        scopes=frozenset(str(claims.get("scope", "")).split()),
        agency_id=str(agency_id) if agency_id else None,
    )
    if principal.kind != access.kind:
        raise Forbidden("Loại mã truy cập không phù hợp với chức năng này.")
    missing = [scope for scope in access.scopes if scope not in principal.scopes]
    if missing:
        raise Forbidden(f"Mã truy cập thiếu phạm vi: {' '.join(missing)}.")
    return principal
