"""The API keeps its OpenAPI document's promises: schemathesis against the live server on loopback.

Every operation gets generated requests, valid and invalid, with a real citizen's and a real agency
system's access tokens where the operation asks for one. No answer may be a server error, and every
answer must have a documented status, a documented content type and a body that fits its schema.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import load_all_checks

from chalicelib.system.routes import openapi_document
from tests.api.factories import (
    Flow,
    agency_token,
    create_agency_client,
    create_citizen,
    create_relying_party,
    token_request,
)
from tests.api.live import LiveServer, live_server

__all__ = ["live_server"]

# Every check schemathesis has, but the response-time limit (no timing asserts in tests).
load_all_checks()
CHECKS = [check for check in REGISTRY.get_all() if check.__name__ != "max_response_time"]
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def bearer_tokens(http: Any) -> dict[str, str]:
    """Access tokens for each security scheme of the document, for a seeded citizen and agency."""
    citizen = create_citizen()
    user = Flow(http, create_relying_party()).tokens(citizen.identifier)
    agency = create_agency_client("UBND-XA-A", scopes=["agency:read", "dossiers:read"])
    return {"userToken": user["access_token"], "agencyToken": agency_token(http, agency)}


def the_document() -> dict[str, Any]:
    """The document the app serves, built in-process at collection (its server is the live server's URL).

    Loaded at import rather than through `schemathesis.pytest.from_fixture`: with pytest 9.2 the lazy
    loader fails (it rewrites `request.node._nodeid`, which pytest no longer has). The test below
    proves this is the document the server actually serves.
    """
    import app  # noqa: F401 - registers the routes the document describes

    return copy.deepcopy(openapi_document())


def configure_checks(schema: Any) -> None:
    """The statuses two checks accept, where this API's answers are legitimately others than the defaults.

    Schema-valid requests may still break rules no JSON Schema states (a password too easy to guess, an
    identity number's province code, a PKCE verifier that does not match its challenge): 400s in the
    one error shape. Nothing else is acceptable, and never a 5xx (schemathesis allows one by default).
    Invalid requests may also be refused as too large (413, the body cap; 414, a request line over 64 KB,
    which the HTTP server refuses before the app runs); never with a 5xx either.
    """
    checks = schema.config.checks
    checks.positive_data_acceptance.expected_statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
    checks.negative_data_rejection.expected_statuses = [
        "400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429"
    ]  # fmt: skip


schema = schemathesis.openapi.from_dict(the_document())
configure_checks(schema)


def test_the_document_under_test_is_the_one_the_live_server_serves(live_server: LiveServer):
    served = requests.get(live_server.at("/openapi.json"), timeout=10)
    assert served.status_code == 200
    assert served.json() == the_document()


def authorised(case: Any, tokens: dict[str, str]) -> None:
    """Send the token the operation's security requirement names (schemathesis cannot sign in itself)."""
    for requirement in case.operation.definition.raw.get("security", []):
        for scheme in requirement:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tokens[scheme]}"}


# The seeded accounts and tokens are meant to be shared by every example of an operation.
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_its_openapi_document_promises(case, live_server, bearer_tokens):
    authorised(case, bearer_tokens)
    case.call_and_validate(base_url=live_server.url, checks=CHECKS, timeout=10)


def test_authorize_without_a_client_id_shows_the_problem_page_rather_than_a_server_error(http):
    page = http.get("/oidc/authorize")
    assert page.status_code == 400
    assert "chưa được đăng ký" in page.body.decode()


def test_token_request_with_an_empty_client_id_is_an_invalid_client_rather_than_a_server_error(http):
    empty_id = {"Authorization": "Basic " + base64.b64encode(b":bi-mat").decode()}
    answer = token_request(http, {"grant_type": "client_credentials"}, empty_id)
    assert answer.status_code == 401
    assert answer.json_body["error"] == "invalid_client"
