"""Backend factories: accounts, clients and whole sign-in flows, driven through the real routes."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from chalicelib.sso import accounts
from chalicelib.sso.clients import register_client
from chalicelib.sso.schemas import BusinessRegistration, CitizenRegistration
from chalicelib.store.accounts import Account
from devstack.gateway import GatewayTestClient as TestClient

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
        if self.secret is None:  # a public client names itself in the form (`client_id`) instead
            return {}
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
            **({"client_id": self.rp.client_id} if self.rp.secret is None else {}),
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


PDF = b"%PDF-1.7\n% ho so thu nghiem\n"


def user_token(http: Any, account: Account, password: str = PASSWORD) -> dict[str, str]:
    """A bearer header for a signed-in person, through the real sign-in flow."""
    rp = create_relying_party(f"rp-{account.account_id[:8]}")
    return bearer(Flow(http, rp).tokens(account.identifier, password)["access_token"])


def upload(ticket: dict[str, Any], body: bytes = PDF, content_type: str | None = None) -> None:
    """Do what the browser does with a presigned POST: put the bytes at the ticket's key."""
    import boto3

    from chalicelib.core.config import get_settings

    key = ticket["upload"]["fields"]["key"]
    boto3.client("s3", region_name=get_settings().region).put_object(
        Bucket=get_settings().attachments_bucket,
        Key=key,
        Body=body,
        ContentType=content_type or ticket["attachment"]["content_type"],
    )


def start_draft(http: Any, headers: dict[str, str], code: str = "1.999001", agency_id: str = "CA-TINH") -> Any:
    return http.post(
        "/dossiers/drafts",
        body=json_body({"procedure_code": code, "agency_id": agency_id, "form": {"ho_ten": "Nguyễn Thị Thử"}}),
        headers={"Content-Type": "application/json", **headers},
    )


def attach(http: Any, headers: dict[str, str], draft_id: str, document: str = "TK01", body: bytes = PDF) -> dict:
    request = {"document": document, "file_name": "to-khai.pdf", "content_type": "application/pdf", "size": len(body)}
    response = http.post(
        f"/dossiers/drafts/{draft_id}/attachments",
        body=json_body(request),
        headers={"Content-Type": "application/json", **headers},
    )
    assert response.status_code == 201, response.body
    upload(response.json_body, body)
    return response.json_body


def submit_dossier(http: Any, headers: dict[str, str], code: str = "1.999001") -> dict[str, Any]:
    """Draft, attach the required document, submit: the dossier as the API returns it."""
    draft = start_draft(http, headers, code)
    assert draft.status_code == 201, draft.body
    draft_id = draft.json_body["draft_id"]
    attach(http, headers, draft_id)
    submitted = http.post(f"/dossiers/drafts/{draft_id}/submission", headers=headers)
    assert submitted.status_code == 201, submitted.body
    return submitted.json_body


def json_body(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


_dossier_numbers = iter(range(1, 1_000_000))


def create_dossier(code: str | None = None, agency_id: str = "CA-TINH", status: int = 1, **fields: Any) -> Any:
    """A dossier saved straight to the table (as submission would leave it), for agency-side tests."""
    from chalicelib.core import clock
    from chalicelib.dossiers.lifecycle import event, refresh_open_index
    from chalicelib.store.dossiers import Dossier

    now = clock.now()
    values: dict[str, Any] = {
        "agency_id": agency_id,
        "procedure_code": "1.999001",
        "procedure_name": "Cấp giấy phép thử nghiệm",
        "owner_name": "Nguyễn Thị Thử",
        "owner_identifier": "001099012345",
        "contact_email": "thu@example.vn",
        "status": status,
        "submitted_at": now,
        "timeline": [event(status, "citizen", at=now)],
        "updated_at": now,
        **fields,
    }
    dossier = Dossier(code or f"{agency_id}-260101-{next(_dossier_numbers):04d}", **values)
    refresh_open_index(dossier)
    dossier.save()
    return dossier


# Payments


def dossier_awaiting_payment(account: Account, fees: list[dict[str, Any]] | None = None, **fields: Any) -> Any:
    """A dossier of `account` at status 6 (payment requested) whose procedure charges `fees` online."""
    fees = fees if fees is not None else [{"kind": "charge", "amount": 135000, "unit": "đồng/hồ sơ"}]
    publish_procedure("1.999001", channels=[{"kind": "online", "time_value": 3, "fees": fees}])
    values = {"owner_id": account.account_id, "owner_identifier": account.identifier, "channel": "online"}
    return create_dossier(**{"status": 6, **values, **fields})


def create_payment(http: Any, headers: dict[str, str], **body: Any) -> Any:
    return http.post("/payments/intents", body=json_body(body), headers={"Content-Type": "application/json", **headers})


def pending_payment(http: Any, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    """An intent created and sent to its gateway: the checkout answer (intent and redirect URL)."""
    created = create_payment(http, headers, **body)
    assert created.status_code == 201, created.body
    checkout = http.post(f"/payments/intents/{created.json_body['intent_id']}/checkout", headers=headers)
    assert checkout.status_code == 200, checkout.body
    return checkout.json_body


def gateway_notice(
    gateway: str, intent_id: str, amount: int, outcome: str = "succeeded", transaction_id: str = "900000000001"
) -> dict[str, Any]:
    """A callback signed exactly as `gateway` signs it."""
    from chalicelib.core import clock
    from chalicelib.payments.gateways import get_gateway
    from chalicelib.payments.gateways.base import Notice, Outcome

    notice = Notice(intent_id, transaction_id, amount, "VND", Outcome(outcome), "")
    return get_gateway(gateway).notice_params(notice, clock.now())


def send_callback(http: Any, gateway: str, params: dict[str, Any]) -> Any:
    """Deliver a callback the way the gateway does: VNPay's IPN is a GET, the others POST JSON."""
    if gateway == "vnpay":
        return http.get(f"/payments/callbacks/vnpay?{urlencode(params)}")
    return http.post(
        f"/payments/callbacks/{gateway}", body=json_body(params), headers={"Content-Type": "application/json"}
    )
