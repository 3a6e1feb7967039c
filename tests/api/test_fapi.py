"""The FAPI 2.0 security profile for relying parties registered for it: pushed authorization
requests (RFC 9126), private_key_jwt, PKCE, one-minute codes and DPoP-bound tokens (RFC 9449).

The relying party is driven by libraries nobody here wrote: Authlib authenticates it (its
`PrivateKeyJWT`) and fetches tokens, joserfc signs its DPoP proofs and computes the key's RFC 7638
thumbprint. Refusals go through the Chalice test client.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt as jose
from joserfc.jwk import ECKey

from chalicelib.sso import par
from tests.api.factories import FORM, PASSWORD, RP_REDIRECT, Flow, create_citizen, create_relying_party, header
from tests.api.live import LiveServer, live_server
from tests.api.test_relying_party import sign_in_as_a_browser

__all__ = ["live_server"]

SCOPE = "openid profile"


@pytest.fixture
def discovery(live_server: LiveServer) -> dict[str, Any]:
    return requests.get(live_server.at("/.well-known/openid-configuration"), timeout=10).json()


def proof(key: ECKey, method: str, url: str, access_token: str | None = None, **claims: Any) -> str:
    """A DPoP proof as RFC 9449 section 4.2 writes it, signed by joserfc."""
    body = {"jti": secrets.token_urlsafe(16), "htm": method, "htu": url, "iat": int(time.time()), **claims}
    if access_token is not None:
        body["ath"] = base64.urlsafe_b64encode(hashlib.sha256(access_token.encode()).digest()).rstrip(b"=").decode()
    return jose.encode({"alg": "ES256", "typ": "dpop+jwt", "jwk": key.as_dict(private=False)}, body, key)


class FapiClient:
    """A FAPI 2.0 relying party: its own signing key for client authentication, another for DPoP."""

    def __init__(self, discovery: dict[str, Any], client_id: str = "cong-fapi") -> None:
        self.discovery = discovery
        self.auth_key = ECKey.generate_key("P-256", {"kid": f"{client_id}-1", "alg": "ES256"}, private=True)
        self.dpop_key = ECKey.generate_key("P-256", private=True)
        create_relying_party(client_id, jwks={"keys": [self.auth_key.as_dict(private=False)]}, fapi=True)
        self.session = OAuth2Session(
            client_id,
            self.auth_key,
            scope=SCOPE,
            redirect_uri=RP_REDIRECT,
            token_endpoint_auth_method="private_key_jwt",
        )
        self.session.register_client_auth_method(PrivateKeyJWT(discovery["token_endpoint"], alg="ES256"))
        self.verifier = secrets.token_urlsafe(48)
        self.state, self.nonce = secrets.token_urlsafe(12), secrets.token_urlsafe(12)

    def push(self, **overrides: str) -> requests.Response:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).rstrip(b"=").decode()
        fields = {
            "response_type": "code",
            "client_id": self.session.client_id,
            "redirect_uri": RP_REDIRECT,
            "scope": SCOPE,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **overrides,
        }
        auth = self.session.client_auth("private_key_jwt")
        endpoint = self.discovery["pushed_authorization_request_endpoint"]
        return requests.post(endpoint, data=fields, auth=auth, timeout=10)

    def sign_in(self, identifier: str) -> str:
        pushed = self.push()
        assert pushed.status_code == 201, pushed.text
        query = urlencode({"client_id": self.session.client_id, "request_uri": pushed.json()["request_uri"]})
        callback = sign_in_as_a_browser(
            requests.Session(), f"{self.discovery['authorization_endpoint']}?{query}", identifier
        )
        answer = {key: values[0] for key, values in parse_qs(urlsplit(callback).query).items()}
        assert answer["state"] == self.state and answer["iss"] == self.discovery["issuer"]
        return answer["code"]

    def tokens(self, code: str) -> dict[str, Any]:
        endpoint = self.discovery["token_endpoint"]
        return self.session.fetch_token(
            endpoint, code=code, code_verifier=self.verifier, headers={"DPoP": proof(self.dpop_key, "POST", endpoint)}
        )

    def call(self, path: str, token: str, key: ECKey | None = None, scheme: str = "DPoP", **claims: Any) -> Any:
        url = f"{self.discovery['issuer']}{path}"
        headers = {"Authorization": f"{scheme} {token}"}
        if scheme == "DPoP":
            headers["DPoP"] = proof(key or self.dpop_key, "GET", claims.pop("htu", url), token, **claims)
        return requests.get(url, headers=headers, timeout=10)


def test_a_fapi_client_signs_in_with_a_pushed_request_and_gets_tokens_bound_to_its_dpop_key(discovery):
    assert discovery["pushed_authorization_request_endpoint"].endswith("/oidc/par")
    assert "ES256" in discovery["dpop_signing_alg_values_supported"]
    citizen = create_citizen()
    client = FapiClient(discovery)
    token = client.tokens(client.sign_in(citizen.identifier))
    assert token["token_type"] == "DPoP"
    claims = jose.decode(token["access_token"], _portal_key(discovery)).claims
    assert claims["cnf"] == {"jkt": client.dpop_key.thumbprint()}

    assert client.call("/accounts/me", token["access_token"]).json()["account_id"] == citizen.account_id
    as_bearer = client.call("/accounts/me", token["access_token"], scheme="Bearer")
    assert as_bearer.status_code == 401 and as_bearer.headers["WWW-Authenticate"].startswith("DPoP ")
    stolen = client.call("/accounts/me", token["access_token"], key=ECKey.generate_key("P-256", private=True))
    assert stolen.status_code == 401 and 'error="invalid_dpop_proof"' in stolen.headers["WWW-Authenticate"]
    elsewhere = client.call("/accounts/me", token["access_token"], htu=f"{discovery['issuer']}/dossiers")
    assert elsewhere.status_code == 401
    stale = client.call("/accounts/me", token["access_token"], iat=int(time.time()) - 600)
    assert stale.status_code == 401


def test_a_dpop_proof_is_accepted_once(discovery):
    client = FapiClient(discovery)
    token = client.tokens(client.sign_in(create_citizen().identifier))["access_token"]
    url = f"{discovery['issuer']}/accounts/me"
    headers = {"Authorization": f"DPoP {token}", "DPoP": proof(client.dpop_key, "GET", url, token)}
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    assert requests.get(url, headers=headers, timeout=10).status_code == 401


def test_a_bound_refresh_token_refreshes_only_with_a_proof_by_the_same_key(discovery):
    client = FapiClient(discovery)
    token = client.tokens(client.sign_in(create_citizen().identifier))
    endpoint = discovery["token_endpoint"]
    other = ECKey.generate_key("P-256", private=True)
    refused = client.session.post(
        endpoint,
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        headers={"DPoP": proof(other, "POST", endpoint)},
        auth=client.session.client_auth("private_key_jwt"),
        withhold_token=True,
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_dpop_proof"
    refreshed = client.session.refresh_token(
        endpoint, refresh_token=token["refresh_token"], headers={"DPoP": proof(client.dpop_key, "POST", endpoint)}
    )
    assert refreshed["token_type"] == "DPoP"
    assert client.call("/accounts/me", refreshed["access_token"]).status_code == 200


def test_a_fapi_client_must_push_its_request(discovery):
    client = FapiClient(discovery)
    url, _state = client.session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=client.verifier, nonce=client.nonce
    )
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["invalid_request"]


def test_a_fapi_client_gets_no_token_without_a_dpop_proof(discovery):
    client = FapiClient(discovery)
    code = client.sign_in(create_citizen().identifier)
    answer = client.session.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": RP_REDIRECT,
            "code_verifier": client.verifier,
        },
        auth=client.session.client_auth("private_key_jwt"),
        withhold_token=True,
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_dpop_proof"


def test_a_pushed_request_is_checked_like_an_authorization_request(discovery):
    client = FapiClient(discovery)
    assert client.push(redirect_uri="https://ke-gian.example/cb").json()["error"] == "invalid_request"
    assert client.push(scope="openid quan-tri").json()["error"] == "invalid_scope"
    assert client.push(code_challenge_method="plain").json()["error"] == "invalid_request"
    unauthenticated = requests.post(
        discovery["pushed_authorization_request_endpoint"], data={"client_id": "x"}, timeout=10
    )
    assert unauthenticated.status_code == 401 and unauthenticated.json()["error"] == "invalid_client"


def _portal_key(discovery: dict[str, Any]) -> Any:
    from joserfc.jwk import KeySet

    return KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())


# In-process: lifetimes and single use


def test_a_request_uri_is_used_once_by_its_own_client_and_lives_a_minute(http, clock):
    rp = create_relying_party()
    params = Flow(http, rp).authorize_params()
    pushed = http.post("/oidc/par", body=urlencode(params), headers={**FORM, **rp.basic()})
    assert pushed.status_code == 201 and pushed.json_body["expires_in"] == par.LIFETIME_SECONDS
    query = urlencode({"client_id": rp.client_id, "request_uri": pushed.json_body["request_uri"]})
    assert http.get(f"/oidc/authorize?{query}").status_code == 200
    assert http.get(f"/oidc/authorize?{query}").status_code == 400, "used once"
    again = http.post("/oidc/par", body=urlencode(params), headers={**FORM, **rp.basic()}).json_body["request_uri"]
    other = urlencode({"client_id": "cong-khac", "request_uri": again})
    assert http.get(f"/oidc/authorize?{other}").status_code == 400, "another client's"
    clock.advance(61)
    late = urlencode({"client_id": rp.client_id, "request_uri": again})
    assert http.get(f"/oidc/authorize?{late}").status_code == 400, "expired"


def test_a_fapi_client_cannot_be_registered_with_a_shared_secret():
    with pytest.raises(ValueError, match="private_key_jwt"):
        create_relying_party("cong-fapi-bi-mat", fapi=True)


def test_a_fapi_clients_code_lives_one_minute(http, clock):
    from chalicelib.sso.authorize import FAPI_CODE_SECONDS
    from chalicelib.store.grants import Grant

    assert FAPI_CODE_SECONDS == 60
    key = ECKey.generate_key("P-256", {"kid": "k1", "alg": "ES256"}, private=True)
    rp = create_relying_party("cong-fapi-ma", jwks={"keys": [key.as_dict(private=False)]}, fapi=True)
    flow = Flow(http, rp)
    pushed = _push_as(http, rp.client_id, key, flow.authorize_params())
    page = http.get("/oidc/authorize?" + urlencode({"client_id": rp.client_id, "request_uri": pushed}))
    assert page.status_code == 200
    flow._keep_cookies(page)
    answer = flow.submit(create_citizen().identifier, PASSWORD)
    assert answer.status_code == 302, answer.body
    [code] = [grant for grant in Grant.scan() if grant.kind == "code"]
    assert code.expires_at.timestamp() - code.created_at == pytest.approx(60, abs=1)  # TTLs are whole seconds
    assert header(answer, "location").startswith(RP_REDIRECT)


def _push_as(http: Any, client_id: str, key: ECKey, params: dict[str, str]) -> str:
    from chalicelib.core import clock as portal_clock
    from chalicelib.core.config import get_settings

    now = int(portal_clock.now())
    assertion = jose.encode(
        {"alg": "ES256", "kid": key.kid},
        {
            "iss": client_id,
            "sub": client_id,
            "aud": f"{get_settings().issuer}/oidc/par",
            "jti": secrets.token_hex(8),
            "exp": now + 60,
        },
        key,
    )
    body = {
        **params,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }
    answer = http.post("/oidc/par", body=urlencode(body), headers=FORM)
    assert answer.status_code == 201, answer.body
    return str(answer.json_body["request_uri"])
