"""The edge of the API: one error shape, size caps, strict bodies, framework errors, and logs that
carry no personal data."""

from __future__ import annotations

import io
import json
import logging
import re
from urllib.parse import urlencode

import pytest

from chalicelib.core.logs import JsonFormatter, get_logger
from chalicelib.notifications.outbox import dispatch_pending
from chalicelib.notifications.providers import LogProvider
from chalicelib.store.accounts import Account
from tests.api.factories import (
    FORM,
    PASSWORD,
    Flow,
    bearer,
    create_relying_party,
    header,
    token_request,
)

JSON = {"Content-Type": "application/json"}
CITIZEN = {
    "identity_number": "001099012345",
    "full_name": "Nguyễn Thị Thử",
    "email": "thu@example.vn",
    "phone": "0912345678",
    "password": PASSWORD,
}


def register(http, body: str | bytes, headers: dict | None = None):
    return http.post("/accounts/citizens", body=body, headers=headers or JSON)


def assert_error_shape(answer, status: int, code: str) -> dict:
    assert answer.status_code == status
    assert header(answer, "content-type").startswith("application/json")
    body = answer.json_body
    assert set(body) == {"error"}
    assert set(body["error"]) <= {"code", "message", "field"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


# One error shape


def test_validation_error_has_the_one_shape_with_field_and_vietnamese_message(http):
    error = assert_error_shape(register(http, json.dumps({**CITIZEN, "nickname": "Thử"})), 400, "invalid_input")
    assert error == {"code": "invalid_input", "message": "Trường này không được chấp nhận.", "field": "nickname"}


def test_missing_required_field_is_named(http):
    body = {key: value for key, value in CITIZEN.items() if key != "identity_number"}
    error = assert_error_shape(register(http, json.dumps(body)), 400, "invalid_input")
    assert error["field"] == "identity_number"
    assert error["message"] == "Thiếu trường bắt buộc."


def test_field_longer_than_its_cap_is_refused(http):
    error = assert_error_shape(register(http, json.dumps({**CITIZEN, "full_name": "N" * 201})), 400, "invalid_input")
    assert error == {"code": "invalid_input", "message": "Giá trị quá dài.", "field": "full_name"}


def test_a_malformed_email_address_is_refused_in_vietnamese_not_in_the_validators_english(http):
    error = assert_error_shape(register(http, json.dumps({**CITIZEN, "email": "thu.example.vn"})), 400, "invalid_input")
    assert error == {"code": "invalid_input", "message": "Địa chỉ thư điện tử không hợp lệ.", "field": "email"}


def test_wrong_type_is_refused(http):
    error = assert_error_shape(register(http, json.dumps({**CITIZEN, "full_name": 12})), 400, "invalid_input")
    assert error["field"] == "full_name"


def test_body_over_the_size_cap_is_refused_before_parsing(http):
    body = json.dumps({**CITIZEN, "full_name": "N" * 70_000})
    assert_error_shape(register(http, body), 413, "payload_too_large")
    assert register(http, json.dumps(CITIZEN)).status_code == 201, "nothing was created by the refused request"


def test_token_endpoint_caps_its_body_too_and_answers_in_oauth_format(http):
    rp = create_relying_party()
    answer = token_request(http, {"grant_type": "client_credentials", "scope": "x" * 70_000}, rp.basic())
    assert answer.status_code == 413
    assert answer.json_body["error"] == "invalid_request"


def test_invalid_json_is_refused_with_its_position(http):
    error = assert_error_shape(register(http, '{"identity_number": "001099012345",'), 400, "invalid_input")
    assert "JSON" in error["message"] and "dòng 1" in error["message"]


@pytest.mark.parametrize("body", ["[]", '"chuỗi"', "42", "null"])
def test_json_that_is_not_an_object_is_refused(http, body):
    error = assert_error_shape(register(http, body), 400, "invalid_input")
    assert "field" not in error


def test_empty_body_is_refused(http):
    error = assert_error_shape(register(http, ""), 400, "invalid_input")
    assert error["message"] == "Thiếu nội dung yêu cầu."


def test_body_that_is_not_utf8_is_refused(http):
    error = assert_error_shape(register(http, '{"full_name": "Nguy\xean"}'.encode("latin-1")), 400, "invalid_input")
    assert "UTF-8" in error["message"]


def test_unknown_token_form_field_is_refused_in_oauth_format(http):
    rp = create_relying_party()
    answer = token_request(http, {"grant_type": "client_credentials", "username": "x"}, rp.basic())
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_request"
    assert answer.json_body["error_description"]


def test_repeated_form_field_is_refused(http):
    rp = create_relying_party()
    body = "grant_type=refresh_token&refresh_token=a&refresh_token=b"
    answer = http.post("/oidc/token", body=body, headers={**FORM, **rp.basic()})
    assert answer.status_code == 400
    assert answer.json_body["error"] == "invalid_request"


def test_repeated_query_parameter_is_refused_without_a_redirect(http):
    flow = Flow(http, create_relying_party())
    query = urlencode([*flow.authorize_params().items(), ("redirect_uri", "https://ke-gian.example/cb")])
    answer = http.get(f"/oidc/authorize?{query}")
    assert answer.status_code == 400
    assert header(answer, "location") is None


# Framework errors, through the middleware


def test_wrong_method_gets_the_one_error_shape(http):
    error = assert_error_shape(http.request("DELETE", "/accounts/citizens"), 405, "method_not_allowed")
    assert "Phương thức" in error["message"]


def test_unsupported_content_type_gets_the_one_error_shape(http):
    answer = register(http, "identity_number=001099012345", {"Content-Type": "text/plain"})
    error = assert_error_shape(answer, 415, "unsupported_media_type")
    assert "Content-Type" in error["message"]


def test_form_body_on_a_json_route_is_refused(http):
    answer = register(http, urlencode(CITIZEN), FORM)
    assert_error_shape(answer, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("method", "content_type"), [("DELETE", "application/json"), ("POST", "text/plain")], ids=["405", "415"]
)
def test_framework_errors_carry_the_security_headers(http, method, content_type):
    answer = http.request(method, "/accounts/citizens", body="x", headers={"Content-Type": content_type})
    assert answer.status_code in (405, 415)
    assert header(answer, "x-content-type-options") == "nosniff"
    assert header(answer, "cache-control") == "no-store"


def test_unexpected_failure_answers_without_a_stack_trace(http):
    Account.delete_table()
    error = assert_error_shape(register(http, json.dumps(CITIZEN)), 500, "internal_error")
    text = json.dumps(error)
    assert "Traceback" not in text and "Exception" not in text and "dynamodb" not in text.lower()


def test_json_answers_carry_the_security_headers(http):
    answer = register(http, json.dumps({**CITIZEN, "nickname": "x"}))
    assert header(answer, "x-content-type-options") == "nosniff"
    assert header(answer, "cache-control") == "no-store"
    assert header(answer, "referrer-policy") == "no-referrer"


# Logs


@pytest.fixture
def portal_log():
    """Everything the "portal" logger writes during the test, as JSON lines."""
    logger = get_logger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_logs_are_json_lines_without_personal_data_or_secrets(http, portal_log, tmp_path):
    rp = create_relying_party()
    assert register(http, json.dumps(CITIZEN)).status_code == 201

    failed = Flow(http, rp)
    failed.authorize()
    assert failed.submit(CITIZEN["identity_number"], "Sai-mật-khẩu-1").status_code == 401

    flow = Flow(http, rp)
    code = flow.sign_in(CITIZEN["identity_number"])
    tokens = flow.exchange(code).json_body
    refreshed = token_request(
        http, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, rp.basic()
    ).json_body
    assert http.get("/oidc/userinfo", headers=bearer(tokens["access_token"])).status_code == 200

    http.post("/accounts/password-reset", body=json.dumps({"identifier": CITIZEN["identity_number"]}), headers=JSON)
    outbox = tmp_path / "outbox.log"
    dispatch_pending(LogProvider(outbox))
    reset_code = outbox.read_text(encoding="utf-8").split("của bạn là ")[1][:6]

    lines = portal_log.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]
    events = {entry["event"] for entry in entries}
    assert {"account_registered", "sign_in_failed", "signed_in", "request", "password_reset_requested"} <= events
    assert any(entry.get("route") == "/oidc/token" and entry.get("status") == 200 for entry in entries)

    logged = portal_log.getvalue()
    secrets = {
        "password": PASSWORD,
        "wrong password": "Sai-mật-khẩu-1",
        "identity number": CITIZEN["identity_number"],
        "email": CITIZEN["email"],
        "phone": CITIZEN["phone"],
        "name": CITIZEN["full_name"],
        "client secret": rp.secret,
        "authorization code": code,
        "code verifier": flow.verifier,
        "access token": tokens["access_token"],
        "id token": tokens["id_token"],
        "refresh token": tokens["refresh_token"],
        "rotated refresh token": refreshed["refresh_token"],
        "reset code": reset_code,
    }
    leaked = [
        name
        for name, value in secrets.items()
        if value and re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", logged)
    ]
    assert leaked == []
    assert "001099012345" not in json.dumps(entries, ensure_ascii=True)
