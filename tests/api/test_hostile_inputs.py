"""A corpus of hostile inputs sent to every route: none may answer with a server error.

Every route the app declares gets, with valid credentials so that its body and query are read:
JSON nested far past any sane depth, integers of thousands of digits, numbers JSON has no place
for, every wrong top-level type, text in other encodings, escaped lone surrogates, bodies with no
or the wrong Content-Type, and hostile path and query values (very long, NUL, surrogates, cursors
that hide the same nesting). Refusals must be 4xx in the one error shape (or the OAuth wire
format at the token endpoint), not 500.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.core.api import ENDPOINTS, FORM, JSON, Endpoint
from tests.api.factories import (
    Flow,
    agency_token,
    bearer,
    create_agency_client,
    create_citizen,
    create_relying_party,
    header,
)
from tests.api.live import live_server

__all__ = ["live_server"]

DEEP = 1_000
BODIES: dict[str, bytes] = {
    "array nested 1,000 deep": ("[" * DEEP + "]" * DEEP).encode(),
    "object nested 1,000 deep": ('{"a":' * DEEP + "1" + "}" * DEEP).encode(),
    "object nested 20,000 deep": ('{"a":' * 20_000 + "1" + "}" * 20_000).encode(),
    "object nested 40 deep": ('{"a":' * 40 + "1" + "}" * 40).encode(),
    "integer of 4,301 digits": ('{"a": ' + "9" * 4_301 + "}").encode(),
    "integer of 50,000 digits": ('{"a": -' + "9" * 50_000 + "}").encode(),
    "float overflowing to infinity": b'{"a": 1e999}',
    "NaN": b'{"a": NaN}',
    "Infinity": b'{"a": -Infinity}',
    "top-level array": b"[]",
    "top-level string": b'"chu\xe1\xbb\x97i"',
    "top-level number": b"42",
    "top-level null": b"null",
    "top-level true": b"true",
    "escaped lone surrogate": b'{"a": "\\ud800"}',
    "escaped lone surrogate as a key": b'{"\\udfff": 1}',
    "NUL in a string": b'{"a": "x\\u0000y"}',
    "UTF-8 with a byte-order mark": b'\xef\xbb\xbf{"a": 1}',
    "UTF-16 with a byte-order mark": '{"a": 1}'.encode("utf-16"),
    "Latin-1": '{"a": "Nguy\xean"}'.encode("latin-1"),
    "overlong UTF-8": b'{"a": "\xc0\xaf"}',
    "invalid UTF-8": b'{"a": "\xff\xfe"}',
    "truncated": b'{"a": [1, 2',
    "duplicate keys": b'{"a": 1, "a": {"b": 2}}',
    "form text": b"a=1&a=2&b=%ff%00",
    "NUL bytes": b"\x00" * 64,
}
CONTENT_TYPES = {
    "no Content-Type": None,
    "wildcard": "*/*",
    "a list": "text/plain, application/json",
    "another charset": "application/json; charset=latin-1",
    "text/plain": "text/plain",
    "form for JSON": FORM,
}
PATH_VALUES = {
    "very long": "A" * 5_000,
    "NUL": "%00",
    "encoded surrogate": "%ED%A0%80",
    "dot segments": "..%2F..%2Fetc",
    "unicode": quote("Hồ-sơ-💥"),
}


def _nested_cursor() -> str:
    raw = ('{"a":' * DEEP + "1" + "}" * DEEP).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _big_cursor() -> str:
    return base64.urlsafe_b64encode(('{"code": {"N": "' + "9" * 5_000 + '"}}').encode()).decode()


QUERY_STRINGS = {
    "cursor nested 1,000 deep": f"cursor={_nested_cursor()}",
    "cursor with a huge number": f"cursor={_big_cursor()}",
    "cursor of surrogates": "cursor=" + base64.urlsafe_b64encode(b'{"code": {"S": "\\ud800"}}').decode(),
    "limit in other digits": "limit=%C2%B2",
    "limit of 5,000 digits": "limit=" + "9" * 5_000,
    "NUL and surrogates everywhere": "status=%00&month=%ED%A0%80&from=%00&agency=%ED%A0%80&q=%00",
    "very long value": "q=" + "a" * 10_000,
    "repeated": "limit=1&limit=2",
}


def _routes() -> list[Endpoint]:
    import app  # noqa: F401 - registers every route

    return sorted(ENDPOINTS, key=lambda spec: (spec.path, spec.method))


class Credentials:
    """Valid credentials of the kind a route asks for ("user", "agency"), made when first asked for:
    a third of the routes take a person's, whose sign-in (OpenID Connect, start to end) costs most."""

    def __init__(self, http: Any) -> None:
        self.http = http
        self.made: dict[str, dict[str, str]] = {}

    def __getitem__(self, kind: str) -> dict[str, str]:
        if kind not in self.made:
            self.made[kind] = {"user": self._user, "agency": self._agency}[kind]()
        return self.made[kind]

    def _user(self) -> dict[str, str]:
        citizen = create_citizen()
        return bearer(Flow(self.http, create_relying_party()).tokens(citizen.identifier)["access_token"])

    def _agency(self) -> dict[str, str]:
        from chalicelib.agencies.service import AGENCY_SCOPES

        agency = create_agency_client("VPCP", scopes=sorted(AGENCY_SCOPES))
        return bearer(agency_token(self.http, agency))


@pytest.fixture
def credentials(http: Any) -> Credentials:
    return Credentials(http)


def _path(spec: Endpoint, value: str = "khong-co") -> str:
    return re.sub(r"{\w+}", value, spec.path)


def _auth(spec: Endpoint, credentials: Credentials) -> dict[str, str]:
    return credentials[spec.access.kind] if spec.access else {}


def assert_refused_cleanly(answer: Any, spec: Endpoint, what: str) -> None:
    where = f"{spec.method} {spec.path} with {what}"
    assert answer.status_code < 500, f"{where}: {answer.status_code} {answer.body[:300]!r}"
    content_type = header(answer, "content-type") or ""
    if answer.status_code >= 400 and content_type.startswith(JSON):
        body = answer.json_body
        if spec.oauth_errors:
            assert isinstance(body.get("error"), str) and body.get("error_description"), where
        elif not spec.path.startswith("/payments/callbacks/"):  # gateways get their own wire format
            assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"], where


def _send(http: Any, spec: Endpoint, path: str, body: bytes | None, headers: dict[str, str]) -> Any:
    return http.request(spec.method, path, body=body or b"", headers=headers)


BODY_ROUTES = [spec for spec in _routes() if spec.body is not None]


@pytest.mark.parametrize("spec", BODY_ROUTES, ids=lambda spec: f"{spec.method} {spec.path}")
def test_hostile_bodies_are_refused_without_a_server_error(http, credentials, spec):
    headers = {**_auth(spec, credentials), "Content-Type": spec.body_media}
    for name, body in BODIES.items():
        answer = _send(http, spec, _path(spec), body, headers)
        assert_refused_cleanly(answer, spec, name)
        assert answer.status_code != 200 or spec.path == "/sandbox/payments/{gateway}", name
    # and a body is read only as the exact type it declares
    body = b'{"a": 1}' if spec.body_media == JSON else b"a=1"
    for name, content_type in CONTENT_TYPES.items():
        if content_type == spec.body_media:
            continue
        headers = {**_auth(spec, credentials), **({"Content-Type": content_type} if content_type else {})}
        answer = _send(http, spec, _path(spec), body, headers)
        assert_refused_cleanly(answer, spec, name)
        assert answer.status_code == 415, f"{spec.method} {spec.path} with {name}: {answer.status_code}"


def _token_with(header_json: str) -> str:
    def part(raw: str) -> str:
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    return f"{part(header_json)}.{part(json.dumps({'sub': 'x'}))}.c2ln"


HOSTILE_TOKENS = {
    "header nested 1,000 deep": _token_with("[" * DEEP + "]" * DEEP),
    "header with a 5,000-digit number": _token_with('{"alg": "ES256", "kid": ' + "9" * 5_000 + "}"),
    "100 KB of token": "a" * 100_000,
}


@pytest.mark.parametrize("spec", _routes(), ids=lambda spec: f"{spec.method} {spec.path}")
def test_hostile_addresses_and_tokens_are_refused_without_a_server_error(http, credentials, spec):
    headers = {**_auth(spec, credentials), "Content-Type": spec.body_media}
    body = (b"{}" if spec.body_media == JSON else b"a=1") if spec.body else None
    for name, query in QUERY_STRINGS.items():
        assert_refused_cleanly(_send(http, spec, f"{_path(spec)}?{query}", body, headers), spec, name)
    if "{" in spec.path:
        for name, value in PATH_VALUES.items():
            assert_refused_cleanly(_send(http, spec, _path(spec, value), body, headers), spec, name)
    if spec.access is not None:
        for name, token in HOSTILE_TOKENS.items():
            answer = _send(http, spec, _path(spec), body, {**headers, **bearer(token)})
            assert_refused_cleanly(answer, spec, name)
            assert answer.status_code == 401, f"{spec.method} {spec.path} with {name}: {answer.status_code}"


def test_a_deep_client_assertion_or_logout_hint_is_refused_cleanly(http):
    deep = HOSTILE_TOKENS["header nested 1,000 deep"]
    answer = http.post(
        "/oidc/token",
        body=f"grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type"
        f"%3Ajwt-bearer&client_assertion={deep}",
        headers={"Content-Type": FORM},
    )
    assert answer.status_code == 401 and answer.json_body["error"] == "invalid_client"
    logout = http.get(f"/oidc/logout?id_token_hint={deep}")
    assert logout.status_code == 200


def test_a_deep_body_is_named_as_too_deep_in_the_one_error_shape(http):
    answer = http.post("/accounts/citizens", body=BODIES["object nested 1,000 deep"], headers={"Content-Type": JSON})
    assert answer.status_code == 400
    assert answer.json_body["error"]["code"] == "invalid_input"
    assert "quá sâu" in answer.json_body["error"]["message"]


def test_a_huge_number_is_named_as_too_large(http):
    answer = http.post("/accounts/citizens", body=BODIES["integer of 4,301 digits"], headers={"Content-Type": JSON})
    assert answer.status_code == 400
    assert "quá lớn" in answer.json_body["error"]["message"]


def test_a_body_without_content_type_is_not_taken_for_json(http):
    answer = http.post("/accounts/citizens", body=b'{"identity_number": "001099012345"}', headers={})
    assert answer.status_code == 415
    assert answer.json_body["error"]["code"] == "unsupported_media_type"


def test_json_with_an_explicit_utf8_charset_is_read(http):
    answer = http.post("/accounts/citizens", body=b"{}", headers={"Content-Type": "application/json; charset=UTF-8"})
    assert answer.status_code == 400
    assert answer.json_body["error"]["message"] == "Thiếu trường bắt buộc."


def test_values_are_checked_as_sent_not_after_trimming(http):
    """The OpenAPI document's limits are the limits: 12 digits and three spaces are 15 characters."""
    answer = http.post(
        "/accounts/password-reset", body=b'{"identifier": "001099012345   "}', headers={"Content-Type": JSON}
    )
    assert answer.status_code == 400
    assert answer.json_body["error"] == {"code": "invalid_input", "message": "Giá trị quá dài.", "field": "identifier"}


def test_a_request_line_over_64_kb_is_refused_in_the_one_error_shape(live_server):
    import requests

    answer = requests.get(live_server.at("/health?q=" + "a" * 70_000), timeout=10)
    assert answer.status_code == 414
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {"error": {"code": "uri_too_long", "message": "Địa chỉ yêu cầu quá dài."}}
