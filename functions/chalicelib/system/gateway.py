"""What the gateway answers on its own, before or instead of the app, in the one error shape.

API Gateway refuses some requests itself: a path no route declares (`MISSING_AUTHENTICATION_TOKEN`,
a 403 `{"message": "Missing Authentication Token"}` by default: here a 404), its stage throttling
(`THROTTLED`), a body over its limit, a request the firewall blocks, any other 4xx or 5xx of its own.
`infra/api.py` turns this table into gateway responses on AWS; the local stack's server and the
tests' client (`devstack/gateway.py`) answer from the same table, so all three agree.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from chalicelib.core.api import API_VERSION
from chalicelib.core.errors import error_body


class GatewayError(NamedTuple):
    response_type: str  # API Gateway's gateway response type
    status: int | None  # None: the status API Gateway chose
    code: str
    message: str

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message)


NO_ROUTE = GatewayError("MISSING_AUTHENTICATION_TOKEN", 404, "not_found", "Không có tài nguyên nào tại địa chỉ này.")
DEFAULT_4XX = GatewayError("DEFAULT_4XX", None, "bad_request", "Yêu cầu không hợp lệ.")
DEFAULT_5XX = GatewayError(
    "DEFAULT_5XX", None, "internal_error", "Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút."
)

GATEWAY_ERRORS = (
    NO_ROUTE,
    GatewayError(
        "THROTTLED", 429, "too_many_requests", "Hệ thống đang nhận quá nhiều yêu cầu. Vui lòng thử lại sau ít giây."
    ),
    GatewayError("REQUEST_TOO_LARGE", 413, "payload_too_large", "Nội dung yêu cầu vượt quá kích thước cho phép."),
    GatewayError("WAF_FILTERED", 403, "forbidden", "Yêu cầu đã bị tường lửa của hệ thống từ chối."),
    DEFAULT_4XX,
    DEFAULT_5XX,
)

# Headers every gateway answer carries, as the app's own answers do (`core.api`).
GATEWAY_HEADERS = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "API-Version": API_VERSION,
}
