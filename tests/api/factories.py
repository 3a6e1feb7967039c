"""Backend factories: accounts, clients and whole sign-in flows, driven through the real routes."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from chalice.test import Client as TestClient

from chalicelib.sso import accounts
from chalicelib.sso.clients import register_client
from chalicelib.sso.schemas import BusinessRegistration, CitizenRegistration
from chalicelib.store.accounts import Account

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PASSWORD = "Mật-khẩu-thử-2026"
RP_REDIRECT = "https://tinh-mau.gov.vn/dang-nhap/callback"
RP_LOGOUT = "https://tinh-mau.gov.vn/"


def create_citizen(identity_number: str = "001099012345", password: str = PASSWORD, **fields: Any) -> Account:
    values = {"full_name": "Nguyễn Thị Thử", "email": "thu@example.vn", "phone": "0912345678", **fields}
    return accounts.register(CitizenRegistration(identity_number=identity_number, password=password, **values))


def create_business(tax_code: str = "0100109106", password: str = PASSWORD, **fields: Any) -> Account:
    values = {"full_name": "Công ty TNHH Thử Nghiệm", "email": "ketoan@example.vn", **fields}
    return accounts.register(BusinessRegistration(tax_code=tax_code, password=password, **values))


@dataclass
class Registered:
    client_id: str
    secret: str | None

    def basic(self) -> dict[str, str]:
        raw = f"{self.client_id}:{self.secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def create_relying_party(client_id: str = "cong-tinh-mau", **fields: Any) -> Registered:
    values: dict[str, Any] = {
        "kind": "relying_party",
        "name": "Cổng dịch vụ công tỉnh Mẫu",
        "scopes": ["openid", "profile", "email", "phone"],
        "redirect_uris": [RP_REDIRECT],
        "post_logout_redirect_uris": [RP_LOGOUT],
        **fields,
    }
    _client, secret = register_client(client_id, **values)
    return Registered(client_id, secret)


def create_agency_client(agency_id: str = "UBND-XA-A", client_id: str | None = None, **fields: Any) -> Registered:
    values: dict[str, Any] = {
        "kind": "agency",
        "name": f"Hệ thống một cửa {agency_id}",
        "agency_id": agency_id,
        "scopes": ["agency:read", "dossiers:read", "dossiers:write"],
        **fields,
    }
    client_id = client_id or f"{agency_id.lower()}-motcua"
    _client, secret = register_client(client_id, **values)
    return Registered(client_id, secret)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class Flow:
    """One authorization-code sign-in, step by step, through the Chalice test client."""

    http: Any
    rp: Registered
    redirect_uri: str = RP_REDIRECT
    scope: str = "openid profile email phone"
    verifier: str = ""
    challenge: str = ""
    state: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.verifier:
            self.verifier, self.challenge = pkce_pair()

    def authorize_params(self, **overrides: str) -> dict[str, str]:
        params = {
            "response_type": "code",
            "client_id": self.rp.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            **overrides,
        }
        return {key: value for key, value in params.items() if value is not None}

    def authorize(self, **overrides: str) -> Any:
        response = self.http.get(
            "/oidc/authorize?" + urlencode(self.authorize_params(**overrides)), headers=self._cookie_header()
        )
        self._keep_cookies(response)
        return response

    def submit(self, identifier: str, password: str = PASSWORD, request_id: str | None = None) -> Any:
        request_id = request_id or self.cookies.get("dvc_authreq", "")
        body = urlencode({"request_id": request_id, "identifier": identifier, "password": password})
        response = self.http.post("/oidc/authorize", body=body, headers={**FORM, **self._cookie_header()})
        self._keep_cookies(response)
        return response

    def sign_in(self, identifier: str, password: str = PASSWORD) -> str:
        """Authorize and sign in; returns the authorization code."""
        page = self.authorize()
        assert page.status_code == 200, page.body
        answer = self.submit(identifier, password)
        assert answer.status_code == 302, answer.body
        return self.code_from(answer)

    def code_from(self, response: Any) -> str:
        query = redirect_query(response)
        assert query.get("state") == self.state
        return query["code"]

    def exchange(self, code: str, **overrides: str) -> Any:
        fields = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": self.verifier,
            **overrides,
        }
        return token_request(self.http, {k: v for k, v in fields.items() if v is not None}, self.rp.basic())

    def tokens(self, identifier: str, password: str = PASSWORD) -> dict[str, Any]:
        response = self.exchange(self.sign_in(identifier, password))
        assert response.status_code == 200, response.body
        return response.json_body

    def _cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    def _keep_cookies(self, response: Any) -> None:
        for header in set_cookie_headers(response):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


def header(response: Any, name: str) -> Any:
    """A response header by case-insensitive name (the Chalice test client keeps the case it was given)."""
    for key, value in response.headers.items():
        if key.lower() == name.lower():
            return value
    return None


def set_cookie_headers(response: Any) -> list[str]:
    value = header(response, "set-cookie")
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return re.split(r",\s*(?=\w+=)", value)


def redirect_query(response: Any) -> dict[str, str]:
    location = header(response, "location")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def token_request(http: Any, fields: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    return http.post("/oidc/token", body=urlencode(fields), headers={**FORM, **(headers or {})})


def agency_token(http: Any, agency: Registered, scope: str | None = None) -> str:
    fields = {"grant_type": "client_credentials"}
    if scope:
        fields["scope"] = scope
    response = token_request(http, fields, agency.basic())
    assert response.status_code == 200, response.body
    return response.json_body["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_test_client(app: Any) -> TestClient:
    return TestClient(app)


def publish_procedure(code: str = "1.999001", **overrides: Any) -> dict[str, Any]:
    """Write a procedure's catalogue export where the backend reads procedures (as `catalog_build` does)."""
    from catalog_build.exports import procedure_json
    from catalog_build.models import Procedure
    from chalicelib.core.config import get_settings
    from chalicelib.dossiers.procedures import get_procedure, slug_of
    from tests.factories import procedure_record

    record = procedure_record(code, **overrides)
    folder = get_settings().procedures_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug_of(code)}.json").write_text(procedure_json(Procedure.model_validate(record)), encoding="utf-8")
    get_procedure.cache_clear()
    return record
