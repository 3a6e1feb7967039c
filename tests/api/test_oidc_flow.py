"""The authorization-code flow end to end through the routes: sign-in page, code, tokens, userinfo."""

from __future__ import annotations

import jwt

from chalicelib.core.config import get_settings
from chalicelib.core.tokens import keyset
from tests.api.factories import (
    RP_LOGOUT,
    Flow,
    bearer,
    create_citizen,
    create_relying_party,
    header,
    redirect_query,
    token_request,
)


def test_discovery_names_every_endpoint_and_only_s256(http):
    document = http.get("/.well-known/openid-configuration").json_body
    issuer = get_settings().issuer
    assert document["issuer"] == issuer
    assert document["token_endpoint"] == f"{issuer}/oidc/token"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert set(document["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "private_key_jwt", "none"}


def test_jwks_publishes_the_signing_key_with_its_id(http):
    keys = http.get("/oidc/jwks").json_body["keys"]
    assert [key["kid"] for key in keys] == [keyset().active.kid]
    assert all("d" not in key for key in keys), "private key material must never be published"


def test_sign_in_page_is_vietnamese_accessible_html_without_scripts(http):
    flow = Flow(http, create_relying_party())
    page = flow.authorize()
    html = page.body.decode()
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    assert '<label for="identifier">' in html and 'autocomplete="current-password"' in html
    assert "Cổng dịch vụ công tỉnh Mẫu" in html
    assert "<script" not in html
    assert "frame-ancestors 'none'" in header(page, "content-security-policy")


def test_citizen_signs_in_and_the_id_token_carries_identity(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    tokens = flow.tokens(citizen.identifier)
    settings = get_settings()
    claims = jwt.decode(
        tokens["id_token"],
        keyset().active.public_key,
        algorithms=["ES256"],
        audience=flow.rp.client_id,
        issuer=settings.issuer,
    )
    assert claims["sub"] == citizen.account_id
    assert claims["nonce"] == flow.nonce
    assert claims["identity_number"] == "001099012345"
    assert claims["account_type"] == "citizen"
    assert claims["name"] == "Nguyễn Thị Thử"
    assert claims["acr"] == "urn:vn:dvcqg:loa:1" and claims["amr"] == ["pwd"]
    assert jwt.get_unverified_header(tokens["id_token"])["alg"] == "ES256"


def test_userinfo_answers_with_the_scopes_granted(http):
    citizen = create_citizen()
    tokens = Flow(http, create_relying_party(), scope="openid profile email").tokens(citizen.identifier)
    info = http.get("/oidc/userinfo", headers=bearer(tokens["access_token"])).json_body
    assert info["sub"] == citizen.account_id
    assert info["email"] == "thu@example.vn"
    assert "phone_number" not in info


def test_second_portal_signs_in_silently_with_the_session(http):
    citizen = create_citizen()
    first = Flow(http, create_relying_party())
    first.sign_in(citizen.identifier)
    second = Flow(
        http,
        create_relying_party("cong-bo-mau", redirect_uris=["https://bo-mau.gov.vn/cb"]),
        redirect_uri="https://bo-mau.gov.vn/cb",
        cookies=dict(first.cookies),
    )
    answer = second.authorize(prompt="none")
    assert answer.status_code == 302
    assert second.exchange(second.code_from(answer)).status_code == 200


def test_prompt_none_without_a_session_answers_login_required(http):
    flow = Flow(http, create_relying_party())
    answer = flow.authorize(prompt="none")
    assert redirect_query(answer)["error"] == "login_required"


def test_refresh_rotates_the_token(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    first = flow.tokens(citizen.identifier)
    second = token_request(
        http, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, flow.rp.basic()
    )
    assert second.status_code == 200
    assert second.json_body["refresh_token"] != first["refresh_token"]


def test_logout_ends_the_session_and_returns_to_the_registered_address(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    tokens = flow.tokens(citizen.identifier)
    answer = http.get(
        f"/oidc/logout?id_token_hint={tokens['id_token']}&post_logout_redirect_uri={RP_LOGOUT}&state=xyz",
        headers=flow._cookie_header(),
    )
    assert answer.status_code == 302
    assert header(answer, "location") == f"{RP_LOGOUT}?state=xyz"
    flow._keep_cookies(answer)
    assert redirect_query(flow.authorize(prompt="none"))["error"] == "login_required"
