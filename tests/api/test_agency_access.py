"""Agency systems: client credentials, private_key_jwt, and routes that only the owning agency may read."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from chalicelib.core import clock as clock_module
from chalicelib.core.config import get_settings
from chalicelib.sso.clients import ASSERTION_TYPE, register_client
from tests.api.factories import (
    FORM,
    Flow,
    agency_token,
    bearer,
    create_agency_client,
    create_citizen,
    create_relying_party,
    token_request,
)


def integration(http, agency_id: str, token: str | None):
    return http.get(f"/agencies/{agency_id}/integration", headers=bearer(token) if token else {})


# The owning agency and nobody else


def test_agency_reads_its_own_integration(http):
    agency = create_agency_client("UBND-XA-A")
    create_agency_client("UBND-XA-B")
    answer = integration(http, "UBND-XA-A", agency_token(http, agency))
    assert answer.status_code == 200
    assert answer.json_body["agency_id"] == "UBND-XA-A"
    assert [client["client_id"] for client in answer.json_body["clients"]] == [agency.client_id]
    assert all("secret" not in key for client in answer.json_body["clients"] for key in client)


def test_agency_token_cannot_read_another_agencys_integration(http):
    agency_a = create_agency_client("UBND-XA-A")
    create_agency_client("UBND-XA-B")
    answer = integration(http, "UBND-XA-B", agency_token(http, agency_a))
    assert answer.status_code == 403
    assert answer.json_body["error"]["code"] == "forbidden"
    assert "UBND-XA-B" not in answer.body.decode()


def test_user_token_cannot_read_an_agency_route(http):
    citizen = create_citizen()
    create_agency_client("UBND-XA-A")
    tokens = Flow(http, create_relying_party()).tokens(citizen.identifier)
    answer = integration(http, "UBND-XA-A", tokens["access_token"])
    assert answer.status_code == 403


def test_agency_token_without_the_route_scope_is_refused(http):
    agency = create_agency_client("UBND-XA-A")
    answer = integration(http, "UBND-XA-A", agency_token(http, agency, scope="dossiers:read"))
    assert answer.status_code == 403
    assert "agency:read" in answer.json_body["error"]["message"]


def test_agency_route_without_a_token_is_refused(http):
    create_agency_client("UBND-XA-A")
    answer = integration(http, "UBND-XA-A", None)
    assert answer.status_code == 401


def test_agency_token_cannot_be_used_as_a_persons_token(http):
    agency = create_agency_client("UBND-XA-A")
    assert http.get("/oidc/userinfo", headers=bearer(agency_token(http, agency))).status_code == 403


def test_agency_token_expires_after_five_minutes(http, clock):
    agency = create_agency_client("UBND-XA-A")
    token = agency_token(http, agency)
    clock.advance(5 * 60 + 1)
    assert integration(http, "UBND-XA-A", token).status_code == 401


# Client credentials


def test_client_credentials_are_refused_to_a_relying_party(http):
    rp = create_relying_party()
    answer = token_request(http, {"grant_type": "client_credentials"}, rp.basic())
    assert answer.status_code == 400
    assert answer.json_body["error"] == "unauthorized_client"


def test_client_credentials_beyond_the_clients_scopes_are_refused(http):
    agency = create_agency_client("UBND-XA-A", scopes=["agency:read"])
    answer = token_request(
        http, {"grant_type": "client_credentials", "scope": "agency:read dossiers:write"}, agency.basic()
    )
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_scope"


def test_client_credentials_grant_only_the_scopes_asked_for(http):
    agency = create_agency_client("UBND-XA-A")
    answer = token_request(http, {"grant_type": "client_credentials", "scope": "dossiers:read"}, agency.basic())
    assert answer.status_code == 200
    assert answer.json_body["scope"] == "dossiers:read"
    assert "refresh_token" not in answer.json_body and "id_token" not in answer.json_body


def test_agency_cannot_use_the_authorization_code_grant(http):
    agency = create_agency_client("UBND-XA-A")
    fields = {
        "grant_type": "authorization_code",
        "code": "x",
        "redirect_uri": "https://a.example",
        "code_verifier": "y",
    }
    answer = token_request(http, fields, agency.basic())
    assert answer.status_code == 400
    assert answer.json_body["error"] == "unauthorized_client"


# private_key_jwt


class KeyClient:
    """An agency client that authenticates with a key pair instead of a secret."""

    def __init__(self, client_id: str = "ubnd-xa-k-motcua", agency_id: str = "UBND-XA-K") -> None:
        self.client_id = client_id
        self.kid = "khoa-1"
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        jwk = {**ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True), "kid": self.kid}
        register_client(
            client_id,
            kind="agency",
            name=f"Hệ thống một cửa {agency_id}",
            agency_id=agency_id,
            scopes=["agency:read"],
            jwks={"keys": [jwk]},
        )

    def assertion(self, key=None, **claims) -> str:
        values = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": f"{get_settings().issuer}/oidc/token",
            "jti": secrets.token_urlsafe(16),
            "exp": int(clock_module.now()) + 60,
            **claims,
        }
        present = {name: value for name, value in values.items() if value is not None}
        return jwt.encode(present, key or self.private_key, algorithm="ES256", headers={"kid": self.kid})


def with_assertion(http, assertion: str):
    fields = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
    }
    return http.post("/oidc/token", body=urlencode(fields), headers=FORM)


def test_key_client_gets_a_token_with_a_signed_assertion(http):
    client = KeyClient()
    answer = with_assertion(http, client.assertion())
    assert answer.status_code == 200, answer.body
    assert integration(http, "UBND-XA-K", answer.json_body["access_token"]).status_code == 200


def test_replayed_assertion_is_refused(http):
    client = KeyClient()
    assertion = client.assertion()
    assert with_assertion(http, assertion).status_code == 200
    replayed = with_assertion(http, assertion)
    assert replayed.status_code == 401
    assert replayed.json_body["error"] == "invalid_client"


def test_assertion_signed_by_another_key_is_refused(http):
    client = KeyClient()
    stranger = ec.generate_private_key(ec.SECP256R1())
    answer = with_assertion(http, client.assertion(key=stranger))
    assert answer.status_code == 401
    assert answer.json_body["error"] == "invalid_client"


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "https://ke-gian.example/oidc/token"},
        {"sub": "client-khac"},
        {"exp": -10},
        {"exp": 2 * 3600},
        {"jti": None},
    ],
    ids=["wrong-audience", "wrong-subject", "expired", "too-long-lived", "no-jti"],
)
def test_assertion_with_wrong_claims_is_refused(http, claims):
    client = KeyClient()
    now = int(clock_module.now())
    values = {key: (now + value if key == "exp" else value) for key, value in claims.items()}
    answer = with_assertion(http, client.assertion(**values))
    assert answer.status_code == 401
    assert answer.json_body["error"] == "invalid_client"


def test_secret_client_cannot_authenticate_with_an_assertion_it_forged(http):
    agency = create_agency_client("UBND-XA-A")
    key = ec.generate_private_key(ec.SECP256R1())
    values = {
        "iss": agency.client_id,
        "sub": agency.client_id,
        "aud": f"{get_settings().issuer}/oidc/token",
        "jti": "mot-lan",
        "exp": int(clock_module.now()) + 60,
    }
    answer = with_assertion(http, jwt.encode(values, key, algorithm="ES256"))
    assert answer.status_code == 401
    assert answer.json_body["error"] == "invalid_client"


def test_key_client_cannot_authenticate_with_a_secret(http):
    client = KeyClient()
    basic = base64.b64encode(f"{client.client_id}:".encode()).decode()
    answer = token_request(http, {"grant_type": "client_credentials"}, {"Authorization": f"Basic {basic}"})
    assert answer.status_code == 401
    assert answer.json_body["error"] == "invalid_client"
