"""Support staff sign in with a password and a TOTP code; codes are good once, guesses are limited,
recovery codes work once, and the audit trail records every grant and cannot be altered unnoticed."""

from __future__ import annotations

import pytest

from chalicelib.core.clock import FixedClock
from chalicelib.store.support import AuditEntry
from chalicelib.support import audit, staff, totp
from tests.api.factories import PASSWORD, Flow, create_citizen, create_relying_party, user_token
from tests.api.support_factories import SECRET, create_staff, second_factor, staff_headers

# RFC 6238 appendix B, SHA-1 rows: the 20-byte ASCII key "12345678901234567890", 8 digits.
RFC_KEY = b"12345678901234567890"
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("epoch", "expected"), RFC_VECTORS)
def test_totp_matches_the_rfc_6238_test_vectors(epoch: int, expected: str) -> None:
    assert totp.hotp(RFC_KEY, totp.step_of(epoch), digits=8) == expected


def test_totp_accepts_one_step_of_drift_and_no_more() -> None:
    now = 1_800_000_000
    assert totp.matching_step(SECRET, totp.code_at(SECRET, now - 30), now) == totp.step_of(now) - 1
    assert totp.matching_step(SECRET, totp.code_at(SECRET, now - 90), now) is None


def _password_step(http, identifier: str) -> tuple[Flow, object]:
    flow = Flow(http, create_relying_party())
    assert flow.authorize().status_code == 200
    return flow, flow.submit(identifier, PASSWORD)


def test_a_staff_member_needs_a_totp_code_after_the_password(http, clock: FixedClock) -> None:
    member = create_staff()
    flow, page = _password_step(http, member.account.identifier)
    assert page.status_code == 200 and "Xác thực hai lớp" in page.body.decode()
    answer = second_factor(flow, page, totp.code_at(SECRET, clock.now()))
    assert answer.status_code == 302
    assert flow.exchange(flow.code_from(answer)).status_code == 200


def test_a_citizen_is_signed_in_by_the_password_alone(http) -> None:
    create_citizen()
    _flow, answer = _password_step(http, "001099012345")
    assert answer.status_code == 302


def test_a_totp_code_cannot_be_replayed_within_its_step(http, clock: FixedClock) -> None:
    member = create_staff()
    code = totp.code_at(SECRET, clock.now())
    staff_headers(http, member, code)
    flow, page = _password_step(http, member.account.identifier)
    replay = second_factor(flow, page, code)
    assert replay.status_code == 400
    assert "đã dùng" in replay.body.decode()


def test_five_wrong_codes_lock_the_second_factor_out(http, clock: FixedClock) -> None:
    member = create_staff()
    flow, page = _password_step(http, member.account.identifier)
    for _ in range(5):
        assert second_factor(flow, page, "000000").status_code == 400
    locked = second_factor(flow, page, totp.code_at(SECRET, clock.now()))
    assert locked.status_code == 429  # even the right code, until the lockout ends
    clock.advance(16 * 60)
    flow, page = _password_step(http, member.account.identifier)
    assert second_factor(flow, page, totp.code_at(SECRET, clock.now())).status_code == 302


def test_a_recovery_code_replaces_the_totp_code_once(http, clock: FixedClock) -> None:
    member = create_staff()
    recovery = member.recovery_codes[0]
    flow, page = _password_step(http, member.account.identifier)
    assert second_factor(flow, page, recovery).status_code == 302
    flow, page = _password_step(http, member.account.identifier)
    assert second_factor(flow, page, recovery).status_code == 400


def test_first_sign_in_enrols_an_authenticator_and_shows_recovery_codes(http, clock: FixedClock) -> None:
    member = create_staff(secret="")
    flow, page = _password_step(http, member.account.identifier)
    body = page.body.decode()
    assert "Khoá thiết lập" in body
    secret = staff.find(member.account.account_id).pending_secret
    assert secret in body
    answer = second_factor(flow, page, totp.code_at(secret, clock.now()))
    assert answer.status_code == 200 and "Lưu mã khôi phục" in answer.body.decode()
    assert staff.find(member.account.account_id).totp_secret == secret
    assert len(staff.find(member.account.account_id).recovery_codes) == staff.RECOVERY_CODES


def test_a_citizen_cannot_reach_the_console(http) -> None:
    headers = user_token(http, create_citizen())
    answer = http.get("/console/queue", headers=headers)
    assert answer.status_code == 403
    assert answer.json_body["error"]["code"] == "forbidden"


def test_the_console_needs_a_sign_in_with_the_second_factor(http, clock: FixedClock) -> None:
    member = create_staff()
    staff.revoke(member.account.identifier, "Quản trị thử")  # a citizen while signing in: password only
    headers = user_token(http, member.account)
    staff.grant(member.account.identifier, "operator", "Quản trị thử")
    assert http.get("/console/queue", headers=headers).status_code == 403
    assert http.get("/console/queue", headers=staff_headers(http, member)).status_code == 200


def test_a_revoked_role_stops_working_at_once(http, clock: FixedClock) -> None:
    member = create_staff()
    headers = staff_headers(http, member)
    staff.revoke(member.account.identifier, "Quản trị thử")
    assert http.get("/console/queue", headers=headers).status_code == 403


def test_grants_are_audited_and_the_chain_verifies() -> None:
    create_staff()
    actions = [entry.action for entry in audit.recent()]
    assert actions[:2] == ["second_factor_enrolled", "role_granted"]
    assert audit.verify().intact


def test_an_entry_altered_in_the_table_breaks_the_chain() -> None:
    create_staff()
    create_staff("001099077002", "supervisor")
    entry = AuditEntry.get(audit.CHAIN, 2)
    entry.update(actions=[AuditEntry.action.set("nothing_happened")])
    result = audit.verify()
    assert not result.intact and result.broken_at == 2


def test_an_entry_removed_from_the_table_breaks_the_chain() -> None:
    create_staff()
    create_staff("001099077002", "supervisor")
    AuditEntry.get(audit.CHAIN, 2).delete()
    assert audit.verify().broken_at == 2


def test_no_route_edits_or_deletes_the_audit_trail(http, clock: FixedClock) -> None:
    supervisor = create_staff("001099077002", "supervisor")
    headers = staff_headers(http, supervisor)
    assert http.get("/console/audit", headers=headers).status_code == 200
    for method in ("put", "delete", "patch", "post"):
        answer = getattr(http, method)("/console/audit", headers=headers)
        assert answer.status_code in (404, 405)
        assert "error" in answer.json_body
    assert http.delete("/console/audit/1", headers=headers).status_code == 404
    assert audit.verify().intact


def test_an_operator_cannot_read_the_audit_trail(http, clock: FixedClock) -> None:
    operator = create_staff()
    answer = http.get("/console/audit", headers=staff_headers(http, operator))
    assert answer.status_code == 403


def test_a_role_cannot_be_granted_to_an_unknown_number() -> None:
    with pytest.raises(Exception, match="Không có tài khoản"):
        staff.grant("001099099999", "operator", "Quản trị thử")


def _console_routes() -> list[tuple[str, str]]:
    import app  # noqa: F401  (registers every route)
    from chalicelib.core.api import ENDPOINTS

    return sorted({(e.method, e.path) for e in ENDPOINTS if e.path.startswith("/console")})


VALID = {  # a valid request for each console route, so that only the role can refuse it
    "/console/calls": {"caller_phone": "0912000999", "notes": "Đã hướng dẫn.", "outcome": "answered"},
    "/console/calls/{code}/complaint": {
        "agency_id": "CA-TINH",
        "title": "Chậm trả",
        "content": "Nội dung phản ánh đủ dài.",
    },
    "/console/calls/{code}/conversation": {"message": "Người gọi hỏi về lệ phí."},
    "/console/calls/{code}/handover": {"note": "Cần cấp trên."},
    "/console/calls/{code}/resolution": {"note": "Đã xong."},
    "/console/conversations/{code}/answers": {"text": "Trả lời."},
    "/console/dossier-reads": {
        "dossier_code": "CA-TINH-260101-0001",
        "reason": "Người gọi hỏi tình trạng",
        "consent": True,
    },
}


def _call(http, method: str, path: str, headers: dict[str, str]) -> object:
    import json

    address = path.replace("{code}", "CG-260101-0001") + ("?q=khai+sinh" if path == "/console/search" else "")
    if method == "GET":
        return http.get(address, headers=headers)
    body = json.dumps(VALID[path], ensure_ascii=False)
    return http.post(address, body=body, headers={"Content-Type": "application/json", **headers})


@pytest.mark.parametrize(("method", "path"), _console_routes())
def test_every_console_route_refuses_citizens_and_staff_without_the_second_factor(
    http, clock: FixedClock, method: str, path: str
) -> None:
    assert _call(http, method, path, {}).status_code == 401
    citizen = user_token(http, create_citizen())
    assert _call(http, method, path, citizen).status_code == 403
    member = create_staff()
    staff.revoke(member.account.identifier, "Quản trị thử")
    password_only = user_token(http, member.account)
    staff.grant(member.account.identifier, "operator", "Quản trị thử")
    refused = _call(http, method, path, password_only)
    assert refused.status_code == 403 and refused.json_body["error"]["code"] == "forbidden"
