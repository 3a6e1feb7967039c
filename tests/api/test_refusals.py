"""What the OpenID Connect provider refuses: untrusted redirects, spent or stolen codes and refresh
tokens, missing PKCE, wrong client secrets and every kind of forged or misused access token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import serialization

from chalicelib.core import clock as clock_module
from chalicelib.core.config import get_settings
from chalicelib.core.secrets import new_id
from chalicelib.core.tokens import ACCESS_TOKEN_TYPE, keyset, sign
from tests.api.factories import (
    RP_REDIRECT,
    Flow,
    Registered,
    bearer,
    create_citizen,
    create_relying_party,
    header,
    pkce_pair,
    redirect_query,
    token_request,
)


def refresh(http, rp: Registered, refresh_token: str):
    return token_request(http, {"grant_type": "refresh_token", "refresh_token": refresh_token}, rp.basic())


def userinfo(http, token: str):
    return http.get("/oidc/userinfo", headers=bearer(token))


def access_claims(subject: str, **overrides) -> dict:
    settings = get_settings()
    now = int(clock_module.now())
    return {
        "iss": settings.issuer,
        "sub": subject,
        "aud": settings.api_audience,
        "client_id": "cong-tinh-mau",
        "scope": "openid profile",
        "iat": now,
        "exp": now + 600,
        "jti": new_id(),
        **overrides,
    }


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_parts(header_values: dict, claims: dict) -> str:
    return b64url(json.dumps(header_values).encode()) + "." + b64url(json.dumps(claims).encode())


# Authorization requests


@pytest.mark.parametrize(
    "redirect_uri",
    [
        RP_REDIRECT + "/evil",
        RP_REDIRECT + "?x=1",
        RP_REDIRECT + "#fragment",
        "https://ke-gian.example/dang-nhap/callback",
        "https://tinh-mau.gov.vn.ke-gian.example/dang-nhap/callback",
        "http://tinh-mau.gov.vn/dang-nhap/callback",
        "",
    ],
)
def test_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(http, redirect_uri):
    flow = Flow(http, create_relying_party(), redirect_uri=redirect_uri)
    answer = flow.authorize()
    assert answer.status_code == 400
    assert header(answer, "location") is None
    assert header(answer, "content-type").startswith("text/html")
    assert "redirect_uri" in answer.body.decode()
    assert "dvc_authreq" not in flow.cookies


def test_unknown_client_gets_an_error_page_and_no_redirect(http):
    create_relying_party()
    answer = Flow(http, Registered("khong-ton-tai", "x")).authorize()
    assert answer.status_code == 400
    assert header(answer, "location") is None
    assert "chưa được đăng ký" in answer.body.decode()


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge": None},
        {"code_challenge_method": None},
        {"code_challenge_method": "plain"},
        {"code_challenge": "too-short"},
    ],
)
def test_authorization_without_an_s256_pkce_challenge_goes_back_with_invalid_request(http, overrides):
    flow = Flow(http, create_relying_party())
    answer = flow.authorize(**overrides)
    assert answer.status_code == 302
    assert header(answer, "location").startswith(RP_REDIRECT + "?")
    query = redirect_query(answer)
    assert query["error"] == "invalid_request"
    assert query["state"] == flow.state
    assert "code" not in query


def test_authorization_asking_for_a_scope_the_client_lacks_goes_back_with_invalid_scope(http):
    flow = Flow(http, create_relying_party(scopes=["openid", "profile"]), scope="openid profile phone")
    assert redirect_query(flow.authorize())["error"] == "invalid_scope"


# Authorization codes


def test_reused_code_is_refused_and_revokes_its_tokens(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    code = flow.sign_in(citizen.identifier)
    first = flow.exchange(code)
    assert first.status_code == 200

    again = flow.exchange(code)
    assert again.status_code == 400
    assert again.json_body["error"] == "invalid_grant"

    revoked = refresh(http, flow.rp, first.json_body["refresh_token"])
    assert revoked.status_code == 400
    assert revoked.json_body["error"] == "invalid_grant"


def test_code_expires_after_five_minutes(http, clock):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    code = flow.sign_in(citizen.identifier)
    clock.advance(301)
    answer = flow.exchange(code)
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_grant"


def test_code_is_still_good_just_before_it_expires(http, clock):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    code = flow.sign_in(citizen.identifier)
    clock.advance(290)
    assert flow.exchange(code).status_code == 200


def test_code_without_its_verifier_is_refused(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    answer = flow.exchange(flow.sign_in(citizen.identifier), code_verifier=None)
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_grant"


def test_code_with_another_verifier_is_refused(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    other_verifier, _challenge = pkce_pair()
    answer = flow.exchange(flow.sign_in(citizen.identifier), code_verifier=other_verifier)
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_grant"


def test_code_with_another_redirect_uri_is_refused(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party(redirect_uris=[RP_REDIRECT, RP_REDIRECT + "/2"]))
    answer = flow.exchange(flow.sign_in(citizen.identifier), redirect_uri=RP_REDIRECT + "/2")
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_grant"


def test_code_issued_to_one_client_cannot_be_redeemed_by_another(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    other = create_relying_party("cong-khac", redirect_uris=[RP_REDIRECT])
    code = flow.sign_in(citizen.identifier)
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": RP_REDIRECT,
        "code_verifier": flow.verifier,
    }
    answer = token_request(http, fields, other.basic())
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_grant"
    assert "access_token" not in answer.json_body


def test_wrong_client_secret_is_refused_with_invalid_client(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    code = flow.sign_in(citizen.identifier)
    flow.rp = Registered(flow.rp.client_id, "sai-bi-mat")
    answer = flow.exchange(code)
    assert answer.status_code == 401
    assert answer.json_body["error"] == "invalid_client"
    assert header(answer, "www-authenticate").startswith("Basic")


def test_token_request_without_client_authentication_is_refused(http):
    answer = token_request(http, {"grant_type": "client_credentials"})
    assert answer.status_code == 401
    assert answer.json_body["error"] == "invalid_client"


def test_unknown_grant_type_is_refused(http):
    rp = create_relying_party()
    answer = token_request(http, {"grant_type": "password"}, rp.basic())
    assert answer.status_code == 400
    assert answer.json_body["error"] == "unsupported_grant_type"


# Refresh tokens


def test_reused_refresh_token_is_refused_and_revokes_the_whole_family(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    first = flow.tokens(citizen.identifier)
    second = refresh(http, flow.rp, first["refresh_token"])
    assert second.status_code == 200

    replayed = refresh(http, flow.rp, first["refresh_token"])
    assert replayed.status_code == 400
    assert replayed.json_body["error"] == "invalid_grant"

    newer = refresh(http, flow.rp, second.json_body["refresh_token"])
    assert newer.status_code == 400
    assert newer.json_body["error"] == "invalid_grant"


def test_refresh_token_of_one_client_cannot_be_used_by_another(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    tokens = flow.tokens(citizen.identifier)
    other = create_relying_party("cong-khac", redirect_uris=[RP_REDIRECT])
    answer = refresh(http, other, tokens["refresh_token"])
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_grant"


def test_refresh_cannot_widen_the_scope(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party(), scope="openid profile")
    tokens = flow.tokens(citizen.identifier)
    fields = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "scope": "openid email"}
    answer = token_request(http, fields, flow.rp.basic())
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_scope"


# Access tokens


def test_properly_signed_access_token_is_accepted(http):
    """The control for the forgeries below: the same claims, signed by the portal, work."""
    citizen = create_citizen()
    token = sign(access_claims(citizen.account_id), ACCESS_TOKEN_TYPE)
    assert userinfo(http, token).status_code == 200


def test_access_token_with_alg_none_is_refused(http):
    citizen = create_citizen()
    parts = unsigned_parts(
        {"alg": "none", "typ": ACCESS_TOKEN_TYPE, "kid": keyset().active.kid}, access_claims(citizen.account_id)
    )
    for token in (parts + ".", parts):
        answer = userinfo(http, token)
        assert answer.status_code == 401
        assert answer.json_body["error"]["code"] == "unauthenticated"


def test_access_token_signed_hs256_with_the_public_key_is_refused(http):
    citizen = create_citizen()
    public_pem = keyset().active.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    parts = unsigned_parts(
        {"alg": "HS256", "typ": ACCESS_TOKEN_TYPE, "kid": keyset().active.kid}, access_claims(citizen.account_id)
    )
    signature = hmac.new(public_pem, parts.encode(), hashlib.sha256).digest()
    answer = userinfo(http, f"{parts}.{b64url(signature)}")
    assert answer.status_code == 401
    assert 'error="invalid_token"' in header(answer, "www-authenticate")


def test_access_token_with_a_tampered_payload_is_refused(http):
    citizen = create_citizen()
    other = create_citizen("002099012345")
    token_header, _payload, signature = sign(access_claims(citizen.account_id), ACCESS_TOKEN_TYPE).split(".")
    forged_payload = b64url(json.dumps(access_claims(other.account_id)).encode())
    assert userinfo(http, f"{token_header}.{forged_payload}.{signature}").status_code == 401


def test_expired_access_token_is_refused(http, clock):
    citizen = create_citizen()
    tokens = Flow(http, create_relying_party()).tokens(citizen.identifier)
    assert userinfo(http, tokens["access_token"]).status_code == 200
    clock.advance(601)
    answer = userinfo(http, tokens["access_token"])
    assert answer.status_code == 401
    assert 'error="invalid_token"' in header(answer, "www-authenticate")


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "https://api-khac.gov.vn"},
        {"aud": "cong-tinh-mau"},
        {"iss": "https://ke-gian.example"},
        {"iss": None},
        {"exp": None},
        {"sub": None},
    ],
    ids=["wrong-audience", "client-audience", "wrong-issuer", "no-issuer", "no-expiry", "no-subject"],
)
def test_access_token_with_wrong_or_missing_claims_is_refused(http, claims):
    citizen = create_citizen()
    values = {key: value for key, value in access_claims(citizen.account_id, **claims).items() if value is not None}
    assert userinfo(http, sign(values, ACCESS_TOKEN_TYPE)).status_code == 401


def test_id_token_cannot_be_used_as_an_access_token(http):
    citizen = create_citizen()
    tokens = Flow(http, create_relying_party()).tokens(citizen.identifier)
    assert userinfo(http, tokens["id_token"]).status_code == 401


def test_token_without_the_access_token_type_is_refused_even_with_the_api_audience(http):
    citizen = create_citizen()
    assert userinfo(http, sign(access_claims(citizen.account_id))).status_code == 401
    assert userinfo(http, sign(access_claims(citizen.account_id), "JWT")).status_code == 401


def test_token_signed_with_an_unknown_key_id_is_refused(http):
    citizen = create_citizen()
    token_header, payload, signature = sign(access_claims(citizen.account_id), ACCESS_TOKEN_TYPE).split(".")
    values = json.loads(base64.urlsafe_b64decode(token_header + "=="))
    renamed = b64url(json.dumps({**values, "kid": "khong-co-khoa"}).encode())
    assert userinfo(http, f"{renamed}.{payload}.{signature}").status_code == 401


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer khong-phai-jwt"])
def test_missing_or_malformed_bearer_token_is_refused(http, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    answer = http.get("/oidc/userinfo", headers=headers)
    assert answer.status_code == 401
    assert answer.json_body["error"]["code"] == "unauthenticated"


def test_sign_in_form_without_its_request_cookie_is_refused(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    flow.authorize()
    request_id = flow.cookies.pop("dvc_authreq")
    answer = flow.submit(citizen.identifier, request_id=request_id)
    assert answer.status_code == 400
    assert header(answer, "location") is None


def test_sign_in_form_for_an_expired_request_is_refused(http, clock):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    flow.authorize()
    clock.advance(10 * 60 + 1)
    answer = flow.submit(citizen.identifier)
    assert answer.status_code == 400
    assert header(answer, "location") is None
