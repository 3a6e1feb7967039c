"""Domain errors. Raised anywhere, turned into the one JSON error shape in `core.api` only.

    {"error": {"code": "invalid_field", "message": "...", "field": "identity_number"}}

Messages are Vietnamese because they reach citizens; codes are stable English identifiers that
client code can branch on.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PortalError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.field)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


class InvalidInput(PortalError):
    status = 400
    code = "invalid_input"


class Unauthenticated(PortalError):
    status = 401
    code = "unauthenticated"

    def __init__(
        self,
        message: str = "Cần đăng nhập hoặc mã truy cập hợp lệ.",
        *,
        reason: str = "invalid_token",
        scheme: str = "Bearer",
    ):
        challenge = f'{scheme} error="{reason}"' + (' algs="ES256 PS256 RS256 EdDSA"' if scheme == "DPoP" else "")
        super().__init__(message, headers={"WWW-Authenticate": challenge})


class Forbidden(PortalError):
    status = 403
    code = "forbidden"


class NotFound(PortalError):
    status = 404
    code = "not_found"


class Conflict(PortalError):
    status = 409
    code = "conflict"


class PayloadTooLarge(PortalError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(PortalError):
    status = 415
    code = "unsupported_media_type"


class ServiceUnavailable(PortalError):
    status = 503
    code = "service_unavailable"


class TooManyRequests(PortalError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class OAuthProblem(PortalError):
    """An error in the OAuth 2.0 wire format (RFC 6749 section 5.2), for endpoints relying parties call."""

    def __init__(
        self, oauth_code: str, message: str, *, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, headers=headers)
        self.oauth_code = oauth_code
        self.status = status  # type: ignore[misc]
        self.code = oauth_code  # type: ignore[misc]
