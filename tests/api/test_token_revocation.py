"""Withdrawing tokens before they expire: RFC 7009 revocation, RFC 7662 introspection, the denylist
the authoriser checks, logout and password changes, and OpenID Connect Back-Channel Logout.

The flows a relying party drives are driven by Authlib over real HTTP (a library somebody else
wrote: its `revoke_token`, `introspect_token` and `authlib.jose` checking the logout tokens); the
refusals go through the Chalice test client.
"""

from __future__ import annotations

import http.server
import secrets
import threading
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
import requests

from chalicelib.sso import backchannel
from tests.api.factories import (
    FORM,
    PASSWORD,
    Flow,
    agency_token,
    bearer,
    create_agency_client,
    create_citizen,
    create_relying_party,
    json_body,
    token_request,
)
from tests.api.live import LiveServer, live_server
from tests.api.test_relying_party import relying_party_session, sign_in_as_a_browser

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # authlib.jose is deprecated in favour of joserfc but is what Authlib's OIDC uses
    from authlib.jose import JsonWebKey, jwt

__all__ = ["live_server"]

NEW_PASSWORD = "Mật-khẩu-mới-2027"


@pytest.fixture
def discovery(live_server: LiveServer) -> dict[str, Any]:
    return requests.get(live_server.at("/.well-known/openid-configuration"), timeout=10).json()


class LogoutReceiver:
    """A relying party's back-channel logout endpoint on loopback: records every POSTed form."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                receiver.received.append({"path": self.path, **{key: values[0] for key, values in form.items()}})
                self.send_response(200)
                self.send_header("Cache-Control", "no-store")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[LogoutReceiver]:
    started = LogoutReceiver()
    yield started
    started.close()


def signed_in(discovery: dict[str, Any], browser: requests.Session, portal: Any, identifier: str) -> tuple[Any, dict]:
    """Authlib signs `identifier` in at `portal` through `browser`; returns its session and tokens."""
    session = relying_party_session(portal.client_id, portal.secret, token_endpoint_auth_method="client_secret_basic")
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    page = browser.get(url, allow_redirects=False, timeout=10)
    signed_in_already = page.status_code == 302  # signed in at the portal: the code comes at once
    callback = page.headers["Location"] if signed_in_already else sign_in_as_a_browser(browser, url, identifier)
    token = session.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, state=state, code_verifier=verifier
    )
    return session, token


def api_answers(discovery: dict[str, Any], access_token: str) -> int:
    issuer = discovery["issuer"]
    return requests.get(f"{issuer}/accounts/me", headers=bearer(access_token), timeout=10).status_code


def test_authlib_revokes_a_refresh_token_and_every_token_of_its_sign_in_stops_working(discovery):
    citizen = create_citizen()
    session, token = signed_in(discovery, requests.Session(), create_relying_party(), citizen.identifier)
    assert api_answers(discovery, token["access_token"]) == 200

    answer = session.revoke_token(
        discovery["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token"
    )
    assert answer.status_code == 200

    assert api_answers(discovery, token["access_token"]) == 401
    assert session.introspect_token(discovery["introspection_endpoint"], token=token["access_token"]).json() == {
        "active": False
    }
    refused = requests.post(
        discovery["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(session.client_id, session.client_secret),
        timeout=10,
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


def test_authlib_revokes_an_access_token_alone_and_keeps_refreshing(discovery):
    citizen = create_citizen()
    session, token = signed_in(discovery, requests.Session(), create_relying_party(), citizen.identifier)
    assert session.revoke_token(discovery["revocation_endpoint"], token=token["access_token"]).status_code == 200
    assert api_answers(discovery, token["access_token"]) == 401
    refreshed = session.refresh_token(discovery["token_endpoint"])
    assert api_answers(discovery, refreshed["access_token"]) == 200


def test_authlib_introspects_its_own_tokens_and_learns_nothing_of_another_clients(discovery):
    citizen = create_citizen()
    portal = create_relying_party()
    session, token = signed_in(discovery, requests.Session(), portal, citizen.identifier)
    access = session.introspect_token(discovery["introspection_endpoint"], token=token["access_token"]).json()
    assert access["active"] is True and access["token_type"] == "Bearer"
    assert (access["sub"], access["client_id"], access["iss"]) == (
        citizen.account_id,
        portal.client_id,
        discovery["issuer"],
    )
    assert set(access["scope"].split()) == {"openid", "profile", "email", "phone"}
    refresh = session.introspect_token(
        discovery["introspection_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token"
    ).json()
    assert refresh["active"] is True and refresh["token_type"] == "refresh_token"

    other = create_relying_party("cong-tinh-khac")
    stranger = relying_party_session(other.client_id, other.secret, token_endpoint_auth_method="client_secret_basic")
    for mine in (token["access_token"], token["refresh_token"]):
        assert stranger.introspect_token(discovery["introspection_endpoint"], token=mine).json() == {"active": False}
        assert stranger.revoke_token(discovery["revocation_endpoint"], token=mine).status_code == 200
    assert api_answers(discovery, token["access_token"]) == 200, "another client's revocation changes nothing"


def verified_logout_token(discovery: dict[str, Any], logout_token: str, client_id: str) -> Any:
    keys = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        logout_token,
        keys,
        claims_options={
            "iss": {"essential": True, "value": discovery["issuer"]},
            "aud": {"essential": True, "value": client_id},
            "iat": {"essential": True},
            "jti": {"essential": True},
        },
    )
    claims.validate()
    return claims


def test_logout_revokes_every_relying_partys_tokens_and_tells_them_on_the_back_channel(discovery, receiver):
    citizen = create_citizen()
    browser = requests.Session()
    first = create_relying_party("cong-tinh-a", backchannel_logout_uri=f"{receiver.url}/a/logout")
    second = create_relying_party("cong-tinh-b", backchannel_logout_uri=f"{receiver.url}/b/logout")
    silent = create_relying_party("cong-tinh-c")  # no back-channel URI: its tokens still stop working
    sessions = {
        portal.client_id: signed_in(discovery, browser, portal, citizen.identifier)
        for portal in (first, second, silent)
    }
    sids = {client_id: verified_id_sid(discovery, token["id_token"]) for client_id, (_, token) in sessions.items()}
    assert len(set(sids.values())) == 1, "one sign-in at the portal, one sid for every relying party"

    goodbye = browser.get(discovery["end_session_endpoint"], allow_redirects=False, timeout=10)
    assert goodbye.status_code == 200

    assert sorted(entry["path"] for entry in receiver.received) == ["/a/logout", "/b/logout"]
    for entry, portal in zip(sorted(receiver.received, key=lambda e: e["path"]), (first, second), strict=True):
        header = jwt_header(entry["logout_token"])
        assert header["typ"] == "logout+jwt" and header["alg"] == "ES256"
        claims = verified_logout_token(discovery, entry["logout_token"], portal.client_id)
        assert claims["sub"] == citizen.account_id and claims["sid"] == sids[portal.client_id]
        assert claims["events"] == {"http://schemas.openid.net/event/backchannel-logout": {}}
        assert "nonce" not in claims
    for session, token in sessions.values():
        assert api_answers(discovery, token["access_token"]) == 401
        assert session.introspect_token(discovery["introspection_endpoint"], token=token["refresh_token"]).json() == {
            "active": False
        }


def verified_id_sid(discovery: dict[str, Any], id_token: str) -> str:
    keys = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    return str(jwt.decode(id_token, keys)["sid"])


def jwt_header(token: str) -> dict[str, Any]:
    import base64
    import json

    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


# Refusals and the denylist, through the test client


@pytest.fixture
def sent() -> Iterator[list[backchannel.Notice]]:
    """Logout tokens the portal would send, caught instead of posted."""
    caught: list[backchannel.Notice] = []
    previous = backchannel.use_delivery(caught.extend)
    yield caught
    backchannel.use_delivery(previous)


def test_an_access_token_is_refused_once_the_code_it_came_from_is_replayed(http):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    code = flow.sign_in(citizen.identifier)
    tokens = flow.exchange(code).json_body
    assert http.get("/accounts/me", headers=bearer(tokens["access_token"])).status_code == 200
    assert flow.exchange(code).status_code == 400  # the replay revokes the family
    refused = http.get("/accounts/me", headers=bearer(tokens["access_token"]))
    assert refused.status_code == 401 and "thu hồi" in refused.json_body["error"]["message"]


def test_a_replayed_refresh_token_withdraws_the_access_tokens_of_its_family(http):
    citizen = create_citizen()
    rp = create_relying_party()
    tokens = Flow(http, rp).tokens(citizen.identifier)
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    newer = token_request(http, refresh, rp.basic()).json_body
    assert token_request(http, refresh, rp.basic()).status_code == 400
    assert http.get("/accounts/me", headers=bearer(newer["access_token"])).status_code == 401


def test_a_password_change_withdraws_every_access_token_issued_before_it(http, clock):
    citizen = create_citizen()
    first = Flow(http, create_relying_party()).tokens(citizen.identifier)["access_token"]
    second = Flow(http, create_relying_party("cong-tinh-khac")).tokens(citizen.identifier)["access_token"]
    clock.advance(1)
    body = json_body({"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    changed = http.post(
        "/accounts/me/password", body=body, headers={**bearer(first), "Content-Type": "application/json"}
    )
    assert changed.status_code == 200, changed.body
    assert http.get("/accounts/me", headers=bearer(first)).status_code == 401
    assert http.get("/accounts/me", headers=bearer(second)).status_code == 401
    clock.advance(1)
    fresh = Flow(http, create_relying_party("cong-tinh-moi")).tokens(citizen.identifier, NEW_PASSWORD)
    assert http.get("/accounts/me", headers=bearer(fresh["access_token"])).status_code == 200


def test_logout_with_only_a_genuine_id_token_hint_ends_that_sign_in(http, sent):
    citizen = create_citizen()
    rp = create_relying_party(backchannel_logout_uri="https://tinh-mau.gov.vn/dang-xuat/kenh-sau")
    tokens = Flow(http, rp).tokens(citizen.identifier)
    answer = http.get("/oidc/logout?" + urlencode({"id_token_hint": tokens["id_token"]}))  # no session cookie
    assert answer.status_code == 200
    assert http.get("/accounts/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert [notice.client_id for notice in sent] == [rp.client_id]


def test_logout_with_a_forged_id_token_hint_ends_nothing(http, sent):
    citizen = create_citizen()
    tokens = Flow(http, create_relying_party()).tokens(citizen.identifier)
    head, body, signature = tokens["id_token"].split(".")
    forged = f"{head}.{body}.{signature[::-1]}"
    assert http.get("/oidc/logout?" + urlencode({"id_token_hint": forged})).status_code == 200
    assert http.get("/accounts/me", headers=bearer(tokens["access_token"])).status_code == 200
    assert sent == []


def introspect(http: Any, token: str, headers: dict[str, str], **fields: str) -> Any:
    return http.post("/oidc/introspect", body=urlencode({"token": token, **fields}), headers={**FORM, **headers})


def test_introspection_needs_a_confidential_clients_authentication(http):
    citizen = create_citizen()
    rp = create_relying_party()
    tokens = Flow(http, rp).tokens(citizen.identifier)
    anonymous = introspect(http, tokens["access_token"], {})
    assert anonymous.status_code == 401 and anonymous.json_body["error"] == "invalid_client"
    public = introspect(http, tokens["access_token"], {}, client_id="cong-dich-vu-cong")
    assert public.status_code == 401 and public.json_body["error"] == "invalid_client"
    assert introspect(http, tokens["access_token"], rp.basic()).json_body["active"] is True


@pytest.mark.parametrize("token", ["", "khong-phai-ma", "a.b.c", "x" * 300])
def test_revoking_or_introspecting_an_unknown_token_changes_nothing(http, token):
    rp = create_relying_party()
    revoked = http.post("/oidc/revoke", body=urlencode({"token": token}), headers={**FORM, **rp.basic()})
    assert revoked.status_code == (400 if not token else 200)
    if token:
        assert introspect(http, token, rp.basic()).json_body == {"active": False}


def test_an_agency_system_revokes_its_own_access_token(http):
    agency = create_agency_client("UBND-XA-A", scopes=["agency:read"])
    token = agency_token(http, agency)
    assert http.get("/agencies/UBND-XA-A/integration", headers=bearer(token)).status_code == 200
    assert introspect(http, token, agency.basic()).json_body["active"] is True
    revoked = http.post("/oidc/revoke", body=urlencode({"token": token}), headers={**FORM, **agency.basic()})
    assert revoked.status_code == 200
    assert http.get("/agencies/UBND-XA-A/integration", headers=bearer(token)).status_code == 401


def test_the_public_web_client_revokes_its_refresh_token_at_sign_out(http):
    from chalicelib.sso.clients import WEB_CLIENT_ID, web_client
    from tests.api.factories import Registered

    citizen = create_citizen()
    site = Registered(WEB_CLIENT_ID, None)  # the site is a public client: no secret
    flow = Flow(http, site, redirect_uri=web_client().redirect_uris[0])
    tokens = flow.tokens(citizen.identifier)
    body = urlencode({"token": tokens["refresh_token"], "client_id": WEB_CLIENT_ID})
    assert http.post("/oidc/revoke", body=body, headers=FORM).status_code == 200
    assert http.get("/accounts/me", headers=bearer(tokens["access_token"])).status_code == 401


def test_discovery_names_the_revocation_introspection_and_back_channel_support(http):
    document = http.get("/.well-known/openid-configuration").json_body
    issuer = document["issuer"]
    assert document["revocation_endpoint"] == f"{issuer}/oidc/revoke"
    assert document["introspection_endpoint"] == f"{issuer}/oidc/introspect"
    assert document["backchannel_logout_supported"] is True
    assert document["backchannel_logout_session_supported"] is True
    assert "sid" in document["claims_supported"]
