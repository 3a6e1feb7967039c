"""Agency systems' rate limits: announced on every agency answer, refused beyond the limit, per client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.core.config import get_settings
from tests.api.factories import agency_token, bearer, create_agency_client, create_citizen, header, user_token

LIMIT = 3


@pytest.fixture
def tiny_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("PORTAL_AGENCY_RATE_LIMIT", str(LIMIT))
    get_settings.cache_clear()
    yield LIMIT
    monkeypatch.undo()
    get_settings.cache_clear()


def integration(http, token: str, agency_id: str = "UBND-XA-A"):
    return http.get(f"/agencies/{agency_id}/integration", headers=bearer(token))


def test_agency_answers_announce_the_limit_and_count_down(http, tiny_limit, clock):
    token = agency_token(http, create_agency_client("UBND-XA-A", scopes=["agency:read"]))
    remaining = []
    for _ in range(LIMIT):
        answer = integration(http, token)
        assert answer.status_code == 200, answer.body
        assert header(answer, "RateLimit-Limit") == str(LIMIT)
        assert 1 <= int(header(answer, "RateLimit-Reset")) <= 61
        remaining.append(int(header(answer, "RateLimit-Remaining")))
    assert remaining == [2, 1, 0]


def test_a_client_over_its_limit_gets_a_429_with_retry_after_until_the_next_window(http, tiny_limit, clock):
    token = agency_token(http, create_agency_client("UBND-XA-A", scopes=["agency:read"]))
    for _ in range(LIMIT):
        assert integration(http, token).status_code == 200
    refused = integration(http, token)
    assert refused.status_code == 429
    assert refused.json_body["error"]["code"] == "too_many_requests"
    assert "phút" in refused.json_body["error"]["message"]
    wait = int(header(refused, "Retry-After"))
    assert 1 <= wait <= 61 and header(refused, "RateLimit-Reset") == str(wait)
    assert header(refused, "RateLimit-Remaining") == "0"
    clock.advance(wait)
    again = integration(http, token)
    assert again.status_code == 200 and header(again, "RateLimit-Remaining") == str(LIMIT - 1)


def test_refusals_after_authentication_still_count_and_carry_the_headers(http, tiny_limit, clock):
    token = agency_token(http, create_agency_client("UBND-XA-A", scopes=["agency:read"]))
    forbidden = integration(http, token, agency_id="UBND-XA-B")
    assert forbidden.status_code == 403
    assert header(forbidden, "RateLimit-Remaining") == str(LIMIT - 1)


def test_one_clients_excess_does_not_limit_another(http, tiny_limit, clock):
    noisy = agency_token(http, create_agency_client("UBND-XA-A", scopes=["agency:read"]))
    quiet = agency_token(http, create_agency_client("UBND-XA-B", scopes=["agency:read"]))
    for _ in range(LIMIT + 1):
        integration(http, noisy)
    assert integration(http, noisy).status_code == 429
    answer = integration(http, quiet, agency_id="UBND-XA-B")
    assert answer.status_code == 200 and header(answer, "RateLimit-Remaining") == str(LIMIT - 1)


def test_citizen_and_public_answers_carry_no_rate_limit_headers(http, tiny_limit):
    citizen = create_citizen()
    me = http.get("/accounts/me", headers=user_token(http, citizen))
    assert me.status_code == 200 and header(me, "RateLimit-Limit") is None
    assert header(http.get("/health"), "RateLimit-Limit") is None


def test_every_answer_names_the_api_version(http):
    assert header(http.get("/health"), "API-Version") == "1"
    refused = http.get("/accounts/me")
    assert refused.status_code == 401 and header(refused, "API-Version") == "1"


def test_agency_operations_document_their_rate_limit_headers_and_429(http):
    document = http.get("/openapi.json").json_body
    agency_operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if {"agencyToken"} & {scheme for requirement in operation.get("security", []) for scheme in requirement}
    ]
    assert agency_operations
    for path, method, operation in agency_operations:
        responses = operation["responses"]
        assert "429" in responses and "Retry-After" in responses["429"]["headers"], f"{method} {path}"
        success = next(answer for status, answer in responses.items() if status.startswith("2"))
        assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(success.get("headers", {}))
