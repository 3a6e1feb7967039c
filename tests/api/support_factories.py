"""Support-centre factories: staff members with a known TOTP secret, signed in through the real
two-step sign-in, and the calls the console makes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from chalicelib.core import clock
from chalicelib.store.accounts import Account
from chalicelib.support import staff, totp
from tests.api.factories import FORM, PASSWORD, Flow, bearer, create_citizen, create_relying_party, json_body

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
JSON = {"Content-Type": "application/json"}


@dataclass
class Staff:
    account: Account
    secret: str
    recovery_codes: list[str]


def create_staff(identity_number: str = "001099077001", role: str = "operator", secret: str = SECRET) -> Staff:
    account = create_citizen(identity_number, full_name=f"Cán bộ {role}", email=f"{identity_number}@example.vn")
    member = staff.grant(identity_number, role, "Quản trị thử")
    codes = staff.enrol(member, secret) if secret else []
    return Staff(account, secret, codes)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, page
    return found.group(1)


def second_factor(flow: Flow, page: Any, code: str) -> Any:
    body = page.body.decode() if isinstance(page.body, bytes) else page.body
    form = {"request_id": hidden(body, "request_id"), "token": hidden(body, "token"), "code": code}
    response = flow.http.post(
        "/oidc/authorize/second-factor", body=urlencode(form), headers={**FORM, **flow._cookie_header()}
    )
    flow._keep_cookies(response)
    return response


def staff_headers(http: Any, member: Staff, code: str | None = None) -> dict[str, str]:
    """A bearer header for a staff member signed in with password and TOTP."""
    rp = create_relying_party(f"rp-{member.account.account_id[:8]}")
    flow = Flow(http, rp)
    assert flow.authorize().status_code == 200
    page = flow.submit(member.account.identifier, PASSWORD)
    assert page.status_code == 200, page.body
    answer = second_factor(flow, page, code or totp.code_at(member.secret, clock.now()))
    assert answer.status_code == 302, answer.body
    tokens = flow.exchange(flow.code_from(answer)).json_body
    return bearer(tokens["access_token"])


def post(http: Any, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return http.post(path, body=json_body(body), headers={**JSON, **(headers or {})})
