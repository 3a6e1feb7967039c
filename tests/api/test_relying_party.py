"""An independent relying party signs a citizen in over real HTTP, using Authlib and nothing of ours.

Authlib plays the portal's server side (discovery, PKCE S256, token exchange, ID token checks,
userinfo, refresh); a `requests.Session` plays the citizen's browser on the sign-in page. If the
provider strays from OpenID Connect, this is where a library somebody else wrote says so.
"""

from __future__ import annotations

import re
import secrets
import warnings
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc.jwk import ECKey

from tests.api.factories import PASSWORD, RP_LOGOUT, RP_REDIRECT, create_citizen, create_relying_party
from tests.api.live import LiveServer, live_server

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # authlib.jose is deprecated in favour of joserfc but is what Authlib's OIDC uses
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

__all__ = ["live_server"]

SCOPE = "openid profile email phone"
_REQUEST_ID = re.compile(r'<input type="hidden" name="request_id" value="([^"]+)">')
_ACTION = re.compile(r'<form method="post" action="([^"]+)">')


@pytest.fixture
def discovery(live_server: LiveServer) -> dict[str, Any]:
    response = requests.get(live_server.at("/.well-known/openid-configuration"), timeout=10)
    assert response.status_code == 200
    return response.json()


def relying_party_session(client_id: str, secret: Any, **options: Any) -> OAuth2Session:
    return OAuth2Session(
        client_id, secret, scope=SCOPE, redirect_uri=RP_REDIRECT, code_challenge_method="S256", **options
    )


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def sign_in_as_a_browser(browser: requests.Session, authorization_url: str, identifier: str) -> str:
    """Open the sign-in page, submit the form as a person would; returns where the provider sends them."""
    page = browser.get(authorization_url, allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.text
    request_id = _REQUEST_ID.search(page.text)
    action = _ACTION.search(page.text)
    assert request_id and action, "the sign-in page must carry its form"
    answer = browser.post(
        action.group(1),
        data={"request_id": request_id.group(1), "identifier": identifier, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def verified_id_token(id_token: str, discovery: dict[str, Any], client_id: str, nonce: str | None) -> Any:
    keys = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        id_token,
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": discovery["issuer"]}},
        claims_params={"nonce": nonce, "client_id": client_id},
    )
    claims.validate()
    return claims


def test_authlib_relying_party_signs_in_refreshes_and_signs_out_a_citizen(discovery):
    citizen = create_citizen()
    portal = create_relying_party()
    session = relying_party_session(portal.client_id, portal.secret, token_endpoint_auth_method="client_secret_basic")
    browser = requests.Session()
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )

    callback = sign_in_as_a_browser(browser, url, citizen.identifier)
    assert callback.startswith(RP_REDIRECT)
    assert query_of(callback)["iss"] == discovery["issuer"]
    token = session.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, state=state, code_verifier=verifier
    )
    claims = verified_id_token(token["id_token"], discovery, portal.client_id, nonce)
    assert claims["sub"] == citizen.account_id
    assert claims["identity_number"] == citizen.identifier

    info = session.get(discovery["userinfo_endpoint"], timeout=10)
    assert info.status_code == 200
    assert info.json()["sub"] == citizen.account_id
    assert info.json()["email"] == "thu@example.vn"

    refreshed = session.refresh_token(discovery["token_endpoint"])
    assert refreshed["refresh_token"] != token["refresh_token"]
    verified_id_token(refreshed["id_token"], discovery, portal.client_id, nonce=None)

    goodbye = browser.get(
        discovery["end_session_endpoint"],
        params={"id_token_hint": token["id_token"], "post_logout_redirect_uri": RP_LOGOUT, "state": "tam-biet"},
        allow_redirects=False,
        timeout=10,
    )
    assert goodbye.status_code == 302
    assert goodbye.headers["Location"] == f"{RP_LOGOUT}?state=tam-biet"

    silent, silent_state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce, prompt="none"
    )
    answer = browser.get(silent, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    refusal = query_of(answer.headers["Location"])
    assert refusal["error"] == "login_required"
    assert refusal["state"] == silent_state


def test_authlib_relying_party_authenticates_with_a_private_key_jwt(discovery):
    citizen = create_citizen()
    key = ECKey.generate_key("P-256", {"kid": "cong-bo-mau-2026", "use": "sig", "alg": "ES256"}, private=True)
    portal = create_relying_party("cong-bo-mau", jwks={"keys": [key.as_dict(private=False)]})
    session = relying_party_session(portal.client_id, key, token_endpoint_auth_method="private_key_jwt")
    session.register_client_auth_method(PrivateKeyJWT(discovery["token_endpoint"], alg="ES256"))
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )

    callback = sign_in_as_a_browser(requests.Session(), url, citizen.identifier)
    token = session.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, state=state, code_verifier=verifier
    )

    assert verified_id_token(token["id_token"], discovery, portal.client_id, nonce)["sub"] == citizen.account_id
    assert session.get(discovery["userinfo_endpoint"], timeout=10).json()["sub"] == citizen.account_id
