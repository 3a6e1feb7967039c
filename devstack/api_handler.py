"""The local API server's own refusals in the API's one error shape.

Chalice's local server is Python's `http.server`: a request line over 64 KB (414), a malformed
request line or too many headers (400, 431) are refused before the app runs, with an HTML page.
This handler answers them as the API answers everything else, `{"error": {"code", "message"}}`, as
it does the local gateway's own (`devstack.gateway`: an unknown path is a 404), so clients (and
schemathesis, which checks every answer against the OpenAPI document) see one shape.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from chalice.local import ChaliceRequestHandler, LocalGatewayException

from devstack.gateway import refusal

_MESSAGES = {
    400: ("bad_request", "Yêu cầu HTTP không hợp lệ."),
    414: ("uri_too_long", "Địa chỉ yêu cầu quá dài."),
    431: ("headers_too_large", "Tiêu đề yêu cầu quá lớn."),
}


class ApiRequestHandler(ChaliceRequestHandler):
    def _send_error_response(self, error: LocalGatewayException) -> None:
        """The gateway's own refusals (a path no route declares: 404) as on AWS (`devstack.gateway`)."""
        status, headers, body = refusal(error)
        self._send_http_response(status, headers, body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        name, text = _MESSAGES.get(code, ("http_error", HTTPStatus(code).phrase))
        body = json.dumps({"error": {"code": name, "message": text}}, ensure_ascii=False).encode()
        self.close_connection = True
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Connection", "close")
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(body)


def serve_with(server: Any, app: Any, config: Any, handler: type = ApiRequestHandler) -> None:
    """Make a `chalice.local.LocalDevServer` use `handler` for its requests."""
    import functools

    server.server.RequestHandlerClass = functools.partial(handler, app_object=app, config=config)
