"""The portal's own site as a public OAuth client: code + PKCE without a secret, from the browser.

It can keep no secret, so what protects it is PKCE on every code, an exact redirect URI on the
site, rotating refresh tokens, and that `none` authentication is open to this client alone and
to no grant but the code and refresh ones.
"""

from __future__ import annotations

import pytest

from chalicelib.core.config import get_settings
from chalicelib.sso.clients import WEB_CALLBACK_PATH, WEB_CLIENT_ID
from tests.api.factories import (
    Flow,
    Registered,
    agency_token,
    bearer,
    create_agency_client,
    create_citizen,
    create_relying_party,
    token_request,
)

WEB = Registered(WEB_CLIENT_ID, None)


def _web_flow(http) -> Flow:
    return Flow(http, WEB, redirect_uri=get_settings().site_url + WEB_CALLBACK_PATH)


def test_the_site_signs_in_with_pkce_and_no_secret(http):
    citizen = create_citizen()
    tokens = _web_flow(http).tokens(citizen.identifier)
    me = http.get("/accounts/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200 and me.json_body["account_id"] == citizen.account_id
    refreshed = token_request(
        http, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": WEB_CLIENT_ID}
    )
    assert refreshed.status_code == 200, refreshed.body
    assert refreshed.json_body["refresh_token"] != tokens["refresh_token"]


def test_a_code_without_its_verifier_is_refused(http):
    citizen = create_citizen()
    flow = _web_flow(http)
    answer = flow.exchange(flow.sign_in(citizen.identifier), code_verifier=None)
    assert answer.status_code == 400 and answer.json_body["error"] == "invalid_grant"


def test_the_site_client_redirects_only_to_its_own_callback(http):
    flow = Flow(http, WEB, redirect_uri="https://ke-gian.example/tai-khoan/dang-nhap/")
    page = flow.authorize()
    assert page.status_code == 400
    assert "location" not in {name.lower() for name in page.headers}


def test_a_public_client_gets_no_client_credentials_token(http):
    answer = token_request(http, {"grant_type": "client_credentials", "client_id": WEB_CLIENT_ID})
    assert answer.status_code == 401 and answer.json_body["error"] == "invalid_client"


def test_a_confidential_client_cannot_skip_its_secret(http):
    citizen = create_citizen()
    portal = create_relying_party()
    flow = Flow(http, portal)
    fields = {
        "grant_type": "authorization_code",
        "code": flow.sign_in(citizen.identifier),
        "redirect_uri": flow.redirect_uri,
        "code_verifier": flow.verifier,
        "client_id": portal.client_id,
    }
    refused = token_request(http, fields)
    assert refused.status_code == 401 and refused.json_body["error"] == "invalid_client"


@pytest.mark.parametrize("path", ["/statistics/overview", "/oidc/jwks"])
def test_browser_routes_allow_the_site_origin_only(http, path):
    answer = http.get(path)
    assert answer.headers.get("Access-Control-Allow-Origin") == get_settings().site_origin


def test_agency_routes_are_not_open_to_browsers(http):
    agency = create_agency_client()
    answer = http.get("/agencies/UBND-XA-A/integration", headers=bearer(agency_token(http, agency)))
    assert answer.status_code == 200
    assert "Access-Control-Allow-Origin" not in answer.headers
