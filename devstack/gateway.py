"""The local gateway's own refusals as API Gateway answers them on AWS (`chalicelib.system.gateway`).

Chalice's local gateway (behind both `chalice local` and `chalice.test.Client`) answers a path no
route declares with a 403 `{"message": "Missing Authentication Token"}`, as API Gateway does by
default. On AWS our gateway responses make it a 404 in the one error shape; here `refusal` does the
same for the local server (`devstack.api_handler`) and `GatewayTestClient` for the tests.
"""

from __future__ import annotations

import json

from chalice.local import ForbiddenError, LocalGatewayException
from chalice.test import Client, HTTPResponse, TestHTTPClient

from chalicelib.system.gateway import DEFAULT_4XX, DEFAULT_5XX, GATEWAY_HEADERS, NO_ROUTE


def refusal(error: LocalGatewayException) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of the answer to a request the local gateway refused."""
    if isinstance(error, ForbiddenError) and error.headers.get("x-amzn-ErrorType") == "UnauthorizedException":
        kind, status = NO_ROUTE, NO_ROUTE.status or 404  # no route matched (the app declares no authorizer)
    else:
        kind, status = (DEFAULT_5XX if error.CODE >= 500 else DEFAULT_4XX), error.CODE
    body = json.dumps(kind.body(), ensure_ascii=False).encode()
    return status, dict(GATEWAY_HEADERS), body


class GatewayHTTPClient(TestHTTPClient):
    def _error_response(self, e: LocalGatewayException) -> HTTPResponse:
        status, headers, body = refusal(e)
        return HTTPResponse(headers=headers, body=body, status_code=status)


class GatewayTestClient(Client):
    """`chalice.test.Client` whose gateway refusals are those of our gateway on AWS."""

    @property
    def http(self) -> TestHTTPClient:
        if self._http_client is None:
            self._http_client = GatewayHTTPClient(self._app, self._chalice_config)
        return self._http_client
