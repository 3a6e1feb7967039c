"""Accounts: registration and its refusals, lockout after repeated failures, password change and reset."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from pathlib import Path

import pytest

from chalicelib.core.errors import InvalidInput, TooManyRequests, Unauthenticated
from chalicelib.notifications.outbox import dispatch_pending
from chalicelib.notifications.providers import LogProvider
from chalicelib.sso import accounts, throttle
from chalicelib.store.grants import Grant
from tests.api.factories import (
    PASSWORD,
    Flow,
    bearer,
    create_citizen,
    create_relying_party,
    header,
)

NEW_PASSWORD = "Mật-khẩu-mới-2027"
CITIZEN = {
    "identity_number": "001099012345",
    "full_name": "Nguyễn Thị Thử",
    "email": "thu@example.vn",
    "phone": "0912345678",
    "password": PASSWORD,
}
BUSINESS = {
    "tax_code": "0100109106",
    "full_name": "Công ty TNHH Thử Nghiệm",
    "email": "kt@example.vn",
    "password": PASSWORD,
}


def post_json(http, path: str, body: dict, headers: dict | None = None):
    return http.post(path, body=json.dumps(body), headers={"Content-Type": "application/json", **(headers or {})})


def signs_in(http, identifier: str, password: str) -> int:
    """The status of a sign-in through the authorize form: 302 means signed in."""
    flow = Flow(http, create_relying_party())
    assert flow.authorize().status_code == 200
    return flow.submit(identifier, password).status_code


def reset_codes(outbox: Path) -> list[str]:
    dispatch_pending(LogProvider(outbox))
    text = outbox.read_text(encoding="utf-8") if outbox.exists() else ""
    return re.findall(r"Mã đặt lại mật khẩu của bạn là (\d{6})\.", text)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# Registration


def test_citizen_registers_and_the_answer_carries_no_password_hash(http):
    answer = post_json(http, "/accounts/citizens", CITIZEN)
    assert answer.status_code == 201
    assert set(answer.json_body) == {
        "account_id",
        "account_type",
        "identifier",
        "full_name",
        "email",
        "phone",
        "assurance_level",
    }
    assert answer.json_body["account_type"] == "citizen"
    assert answer.json_body["identifier"] == "001099012345"
    text = answer.body.decode()
    assert "argon2" not in text and PASSWORD not in text and "password" not in text


def test_business_registers_with_a_valid_tax_code(http):
    answer = post_json(http, "/accounts/businesses", BUSINESS)
    assert answer.status_code == 201
    assert answer.json_body["account_type"] == "business"
    assert signs_in(http, "0100109106", PASSWORD) == 302


def test_second_registration_with_the_same_identity_number_is_refused(http):
    assert post_json(http, "/accounts/citizens", CITIZEN).status_code == 201
    answer = post_json(http, "/accounts/citizens", {**CITIZEN, "email": "khac@example.vn", "password": NEW_PASSWORD})
    assert answer.status_code == 409
    assert answer.json_body["error"]["code"] == "conflict"
    assert answer.json_body["error"]["field"] == "identity_number"
    assert signs_in(http, "001099012345", NEW_PASSWORD) == 401, "the first account keeps its password"


def test_second_registration_with_the_same_tax_code_is_refused(http):
    assert post_json(http, "/accounts/businesses", BUSINESS).status_code == 201
    answer = post_json(http, "/accounts/businesses", BUSINESS)
    assert answer.status_code == 409
    assert answer.json_body["error"]["field"] == "tax_code"


@pytest.mark.parametrize(
    ("identity_number", "message"),
    [
        ("00109901234", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ("0010990123456", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ("00109901234a", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ("000099012345", "Ba chữ số đầu của số định danh cá nhân không phải mã tỉnh hợp lệ."),
        ("999099012345", "Ba chữ số đầu của số định danh cá nhân không phải mã tỉnh hợp lệ."),
    ],
)
def test_invalid_identity_number_is_refused_naming_the_field_in_vietnamese(http, identity_number, message):
    answer = post_json(http, "/accounts/citizens", {**CITIZEN, "identity_number": identity_number})
    assert answer.status_code == 400
    assert answer.json_body == {"error": {"code": "invalid_input", "message": message, "field": "identity_number"}}


@pytest.mark.parametrize("tax_code", ["0100109107", "0100109100", "010010910", "0100109106-01", "01001091O6"])
def test_invalid_tax_code_is_refused_naming_the_field_in_vietnamese(http, tax_code):
    answer = post_json(http, "/accounts/businesses", {**BUSINESS, "tax_code": tax_code})
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == "tax_code"
    assert answer.json_body["error"]["message"].startswith("Mã số thuế")


def test_tax_code_with_a_branch_suffix_is_accepted(http):
    answer = post_json(http, "/accounts/businesses", {**BUSINESS, "tax_code": "0100109106-001"})
    assert answer.status_code == 201


def test_registration_with_an_unknown_field_is_refused(http):
    answer = post_json(http, "/accounts/citizens", {**CITIZEN, "assurance_level": 4})
    assert answer.status_code == 400
    assert answer.json_body["error"] == {
        "code": "invalid_input",
        "message": "Trường này không được chấp nhận.",
        "field": "assurance_level",
    }


@pytest.mark.parametrize(
    "password",
    ["ngắn-1", "12345678", "matkhau123", "aaaaaaaaaaaa", "abcabcabc", "toi-la-001099012345", "x" * 129],
)
def test_weak_password_is_refused_and_nothing_is_created(http, password):
    answer = post_json(http, "/accounts/citizens", {**CITIZEN, "password": password})
    assert answer.status_code == 400
    assert answer.json_body["error"]["code"] == "invalid_input"
    assert answer.json_body["error"]["field"] == "password"
    assert post_json(http, "/accounts/citizens", CITIZEN).status_code == 201


def test_registration_without_any_contact_is_refused(http):
    answer = post_json(http, "/accounts/citizens", {**CITIZEN, "email": None, "phone": None})
    assert answer.status_code == 400
    assert "thư điện tử hoặc số điện thoại" in answer.json_body["error"]["message"]


@pytest.mark.parametrize(("field", "value"), [("email", "khong-phai-email"), ("phone", "12345")])
def test_malformed_contact_is_refused_naming_the_field(http, field, value):
    answer = post_json(http, "/accounts/citizens", {**CITIZEN, field: value})
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == field


# Lockout


def test_five_wrong_passwords_lock_the_login_even_for_the_right_password(http, clock):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    flow.authorize()
    assert [flow.submit(citizen.identifier, "Sai-mật-khẩu-1").status_code for _ in range(5)] == [401] * 5
    locked = flow.submit(citizen.identifier, PASSWORD)
    assert locked.status_code == 429
    assert 0 < int(header(locked, "retry-after")) <= 15 * 60 + 1
    assert "tạm khoá" in locked.body.decode()
    assert header(locked, "location") is None


def test_lockout_answers_the_same_for_an_identifier_without_an_account(http, clock):
    citizen = create_citizen()
    answers = {}
    for identifier in (citizen.identifier, "079199000001"):
        flow = Flow(http, create_relying_party())
        flow.authorize()
        failures = [flow.submit(identifier, "Sai-mật-khẩu-1").status_code for _ in range(5)]
        locked = flow.submit(identifier, PASSWORD)
        message = re.search(r"<p>([^<]*)</p>\s*</div>", locked.body.decode()).group(1)
        answers[identifier] = (failures, locked.status_code, header(locked, "retry-after"), message)
    assert answers[citizen.identifier] == answers["079199000001"]
    assert answers["079199000001"][1] == 429


def test_lockout_ends_after_fifteen_minutes(http, clock):
    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    flow.authorize()
    for _ in range(5):
        flow.submit(citizen.identifier, "Sai-mật-khẩu-1")
    clock.advance(15 * 60 - 5)
    assert signs_in(http, citizen.identifier, PASSWORD) == 429
    clock.advance(6)
    assert signs_in(http, citizen.identifier, PASSWORD) == 302


def test_lockout_of_one_login_does_not_lock_another(http, clock):
    citizen = create_citizen()
    other = create_citizen("002099012345", email="khac@example.vn")
    flow = Flow(http, create_relying_party())
    flow.authorize()
    for _ in range(5):
        flow.submit(citizen.identifier, "Sai-mật-khẩu-1")
    assert flow.submit(other.identifier, PASSWORD).status_code == 302


def test_successful_sign_in_clears_earlier_failures(http, clock):
    citizen = create_citizen()
    for _ in range(4):
        assert signs_in(http, citizen.identifier, "Sai-mật-khẩu-1") == 401
    assert signs_in(http, citizen.identifier, PASSWORD) == 302
    for _ in range(4):
        assert signs_in(http, citizen.identifier, "Sai-mật-khẩu-1") == 401
    assert signs_in(http, citizen.identifier, PASSWORD) == 302


# Profile and password change


def user_token(http, identifier: str, password: str = PASSWORD) -> str:
    return Flow(http, create_relying_party()).tokens(identifier, password)["access_token"]


def test_my_account_needs_a_token_and_shows_only_the_view(http):
    citizen = create_citizen()
    assert http.get("/accounts/me").status_code == 401
    answer = http.get("/accounts/me", headers=bearer(user_token(http, citizen.identifier)))
    assert answer.status_code == 200
    assert answer.json_body["account_id"] == citizen.account_id
    assert "password_hash" not in answer.json_body


def test_password_change_requires_the_current_password(http):
    citizen = create_citizen()
    token = user_token(http, citizen.identifier)
    change = {"current_password": "Không-phải-mật-khẩu", "new_password": NEW_PASSWORD}
    answer = post_json(http, "/accounts/me/password", change, bearer(token))
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == "current_password"
    assert header(answer, "www-authenticate") is None, "the access token is fine; only the password is wrong"
    assert http.get("/accounts/me", headers=bearer(token)).status_code == 200
    assert signs_in(http, citizen.identifier, NEW_PASSWORD) == 401
    assert signs_in(http, citizen.identifier, PASSWORD) == 302


def test_password_change_with_the_current_password_sets_the_new_one(http):
    citizen = create_citizen()
    token = user_token(http, citizen.identifier)
    answer = post_json(
        http, "/accounts/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, bearer(token)
    )
    assert answer.status_code == 200
    assert signs_in(http, citizen.identifier, PASSWORD) == 401
    assert signs_in(http, citizen.identifier, NEW_PASSWORD) == 302


def test_password_change_refuses_a_weak_or_unchanged_password(http):
    citizen = create_citizen()
    token = user_token(http, citizen.identifier)
    for new in ("12345678", PASSWORD):
        answer = post_json(
            http, "/accounts/me/password", {"current_password": PASSWORD, "new_password": new}, bearer(token)
        )
        assert answer.status_code == 400
        assert answer.json_body["error"]["field"] == "new_password"


def test_password_change_needs_a_signed_in_person(http):
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert post_json(http, "/accounts/me/password", change).status_code == 401


# Password reset


def test_reset_request_says_whether_the_number_has_an_account_as_registration_does(http, tmp_path):
    create_citizen()
    known = post_json(http, "/accounts/password-reset", {"identifier": "001099012345"})
    unknown = post_json(http, "/accounts/password-reset", {"identifier": "079199000001"})
    assert known.status_code == 202
    assert unknown.status_code == 404
    assert unknown.json_body["error"] == {
        "code": "not_found",
        "message": "Chưa có tài khoản nào đăng ký với số này.",
        "field": "identifier",
    }
    assert len(reset_codes(tmp_path / "outbox.log")) == 1
    registration = {"identity_number": "001099012345", "full_name": "Ai Đó", "email": "x@example.vn"}
    taken = post_json(http, "/accounts/citizens", {**registration, "password": "Mật-khẩu-khác-2026"})
    assert taken.status_code == 409 and taken.json_body["error"]["field"] == "identity_number"


def test_reset_for_an_account_without_a_contact_says_so(http, tmp_path):
    citizen = create_citizen()
    citizen.email = citizen.phone = None
    citizen.save()
    answer = post_json(http, "/accounts/password-reset", {"identifier": citizen.identifier})
    assert answer.status_code == 409 and answer.json_body["error"]["field"] == "identifier"
    assert reset_codes(tmp_path / "outbox.log") == []


def test_reset_code_arrives_in_the_outbox_and_sets_the_new_password(http, tmp_path):
    citizen = create_citizen()
    assert post_json(http, "/accounts/password-reset", {"identifier": citizen.identifier}).status_code == 202
    outbox = tmp_path / "outbox.log"
    [code] = reset_codes(outbox)
    assert '"to": "thu@example.vn"' in outbox.read_text(encoding="utf-8")

    confirm = {"identifier": citizen.identifier, "code": code, "new_password": NEW_PASSWORD}
    assert post_json(http, "/accounts/password-reset/confirm", confirm).status_code == 200
    assert signs_in(http, citizen.identifier, NEW_PASSWORD) == 302
    assert signs_in(http, citizen.identifier, PASSWORD) == 401


def test_reset_code_works_only_once(http, tmp_path):
    citizen = create_citizen()
    post_json(http, "/accounts/password-reset", {"identifier": citizen.identifier})
    [code] = reset_codes(tmp_path / "outbox.log")
    confirm = {"identifier": citizen.identifier, "code": code, "new_password": NEW_PASSWORD}
    assert post_json(http, "/accounts/password-reset/confirm", confirm).status_code == 200
    again = post_json(http, "/accounts/password-reset/confirm", {**confirm, "new_password": "Mật-khẩu-thứ-ba-9"})
    assert again.status_code == 400
    assert again.json_body["error"]["field"] == "code"


def test_five_wrong_reset_codes_invalidate_the_code(http, tmp_path):
    citizen = create_citizen()
    post_json(http, "/accounts/password-reset", {"identifier": citizen.identifier})
    [code] = reset_codes(tmp_path / "outbox.log")
    confirm = {"identifier": citizen.identifier, "code": other_code(code), "new_password": NEW_PASSWORD}
    for _ in range(5):
        wrong = post_json(http, "/accounts/password-reset/confirm", confirm)
        assert wrong.status_code == 400
        assert wrong.json_body["error"]["field"] == "code"
    right = post_json(http, "/accounts/password-reset/confirm", {**confirm, "code": code})
    assert right.status_code == 429, "the login name's reset budget is spent as well"
    assert signs_in(http, citizen.identifier, PASSWORD) == 302


def test_reset_code_expires_after_ten_minutes(http, tmp_path, clock):
    citizen = create_citizen()
    post_json(http, "/accounts/password-reset", {"identifier": citizen.identifier})
    [code] = reset_codes(tmp_path / "outbox.log")
    clock.advance(10 * 60 + 1)
    confirm = {"identifier": citizen.identifier, "code": code, "new_password": NEW_PASSWORD}
    assert post_json(http, "/accounts/password-reset/confirm", confirm).status_code == 400


def test_reset_code_for_one_account_does_not_reset_another(http, tmp_path):
    citizen = create_citizen()
    other = create_citizen("002099012345", email="khac@example.vn")
    post_json(http, "/accounts/password-reset", {"identifier": citizen.identifier})
    [code] = reset_codes(tmp_path / "outbox.log")
    confirm = {"identifier": other.identifier, "code": code, "new_password": NEW_PASSWORD}
    assert post_json(http, "/accounts/password-reset/confirm", confirm).status_code == 400
    assert signs_in(http, other.identifier, PASSWORD) == 302


def test_reset_lifts_a_lockout(http, tmp_path, clock):
    citizen = create_citizen()
    for _ in range(5):
        signs_in(http, citizen.identifier, "Sai-mật-khẩu-1")
    assert signs_in(http, citizen.identifier, PASSWORD) == 429
    post_json(http, "/accounts/password-reset", {"identifier": citizen.identifier})
    [code] = reset_codes(tmp_path / "outbox.log")
    confirm = {"identifier": citizen.identifier, "code": code, "new_password": NEW_PASSWORD}
    assert post_json(http, "/accounts/password-reset/confirm", confirm).status_code == 200
    assert signs_in(http, citizen.identifier, NEW_PASSWORD) == 302


def test_concurrent_reset_guesses_cannot_exceed_the_attempt_limit(http, tmp_path, atomic_requests):
    citizen = create_citizen()
    accounts.request_reset(citizen.identifier)
    [code] = reset_codes(tmp_path / "outbox.log")
    guesses = 20
    barrier = threading.Barrier(guesses)

    def guess(offset: int) -> None:
        barrier.wait()
        with contextlib.suppress(InvalidInput, TooManyRequests):
            accounts.confirm_reset(citizen.identifier, other_code(f"{int(code) + offset:06d}"), NEW_PASSWORD)

    threads = [threading.Thread(target=guess, args=(offset,)) for offset in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    attempts = Grant.find(Grant.key_of("reset", citizen.account_id))
    assert attempts is not None and attempts.count == accounts.RESET_MAX_ATTEMPTS


def test_wrong_current_passwords_count_towards_the_lockout(http, clock):
    citizen = create_citizen()
    token = user_token(http, citizen.identifier)
    change = {"current_password": "Không-phải-mật-khẩu", "new_password": NEW_PASSWORD}
    assert [post_json(http, "/accounts/me/password", change, bearer(token)).status_code for _ in range(5)] == [400] * 5
    locked = post_json(http, "/accounts/me/password", {**change, "current_password": PASSWORD}, bearer(token))
    assert locked.status_code == 429
    assert header(locked, "retry-after")


def test_concurrent_wrong_passwords_get_at_most_five_tries_before_the_lockout(http, atomic_requests):
    citizen = create_citizen()
    guesses = 20
    barrier = threading.Barrier(guesses)
    outcomes: list[str] = []

    def guess(offset: int) -> None:
        barrier.wait()
        try:
            accounts.sign_in(citizen.identifier, f"doan-sai-{offset}")
        except Unauthenticated:
            outcomes.append("wrong password")
        except TooManyRequests:
            outcomes.append("locked")

    threads = [threading.Thread(target=guess, args=(offset,)) for offset in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("wrong password") == throttle.MAX_FAILURES
    assert outcomes.count("locked") == guesses - throttle.MAX_FAILURES
    with pytest.raises(TooManyRequests):
        accounts.sign_in(citizen.identifier, PASSWORD)


def test_a_new_reset_code_does_not_refill_the_guessing_budget(http, tmp_path, clock):
    citizen = create_citizen()
    for _round in range(2):
        accounts.request_reset(citizen.identifier)
        clock.advance(61)  # a fresh code may be sent a minute later
    statuses = []
    for guess in range(7):
        confirm = {"identifier": citizen.identifier, "code": f"{guess:06d}", "new_password": NEW_PASSWORD}
        statuses.append(post_json(http, "/accounts/password-reset/confirm", confirm).status_code)
        if guess == 2:
            accounts.request_reset(citizen.identifier)  # the attacker asks for another code midway
            clock.advance(61)
    assert statuses[:5] == [400] * 5 and statuses[5:] == [429, 429]


def test_changing_the_password_ends_earlier_sessions_and_refresh_tokens(http):
    from tests.api.factories import Flow, create_relying_party, token_request

    citizen = create_citizen()
    flow = Flow(http, create_relying_party())
    tokens = flow.tokens(citizen.identifier)
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert post_json(http, "/accounts/me/password", change, headers).status_code == 200
    refreshed = token_request(
        http, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, flow.rp.basic()
    )
    assert refreshed.status_code == 400 and refreshed.json_body["error"] == "invalid_grant"
    silent = flow.authorize(prompt="none")
    assert "login_required" in silent.headers.get("location", silent.headers.get("Location", ""))
