"""A path no route declares is a 404 in the one error shape, not API Gateway's default 403
`{"message": "Missing Authentication Token"}`: in the tests' client, on the local server, and (by
gateway responses, tests/infra) on AWS."""

from __future__ import annotations

import pytest
import requests

from tests.api.factories import header
from tests.api.live import LiveServer, live_server

__all__ = ["live_server"]

UNKNOWN = ["/khong-co", "/agency/khong-co/gi/ca", "/dossiers/mine/extra/parts", "/openapi.json/x"]


def assert_not_found(status: int, body: dict, api_version: str | None) -> None:
    assert status == 404
    assert body == {"error": {"code": "not_found", "message": "Không có tài nguyên nào tại địa chỉ này."}}
    assert api_version == "1"


@pytest.mark.parametrize("path", UNKNOWN)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
def test_an_unknown_path_is_a_404_in_the_error_shape(http, method, path):
    answer = http.request(method, path, headers={"Content-Type": "application/json"}, body=b"{}")
    assert_not_found(answer.status_code, answer.json_body, header(answer, "API-Version"))
    assert header(answer, "Content-Type") == "application/json"


def test_an_unknown_path_with_a_bearer_token_is_a_404_too(http):
    answer = http.get("/khong-co", headers={"Authorization": "Bearer abc"})
    assert_not_found(answer.status_code, answer.json_body, header(answer, "API-Version"))


def test_a_known_path_with_another_method_is_still_a_405(http):
    answer = http.request("DELETE", "/health")
    assert answer.status_code == 405 and answer.json_body["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_the_local_server_answers_an_unknown_path_with_a_404_in_the_error_shape(live_server: LiveServer, method):
    answer = requests.request(method, live_server.at("/khong-co/nao/ca"), timeout=10)
    assert_not_found(answer.status_code, answer.json(), answer.headers.get("API-Version"))
    assert answer.headers["Cache-Control"] == "no-store"
