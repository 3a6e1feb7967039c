"""Citizens see who looked: every staff or agency read of a dossier with their personal data is
logged (who, when, why) and listed on their account; staff cannot read without consent and a reason."""

from __future__ import annotations

from chalicelib.core.clock import FixedClock
from chalicelib.support import audit
from tests.api.factories import agency_token, bearer, create_agency_client, create_citizen, create_dossier, user_token
from tests.api.support_factories import create_staff, post, staff_headers

REASON = "Người gọi hỏi vì sao hồ sơ chưa có kết quả"


def _read(http, headers, code: str, **fields) -> object:
    return post(
        http, "/console/dossier-reads", {"dossier_code": code, "reason": REASON, "consent": True, **fields}, headers
    )


def _my_accesses(http, headers) -> list[dict]:
    answer = http.get("/accounts/me/data-accesses", headers=headers)
    assert answer.status_code == 200, answer.body
    return answer.json_body["accesses"]


def test_an_operator_reads_a_dossier_and_the_owner_sees_who_when_and_why(http, clock: FixedClock) -> None:
    citizen = create_citizen()
    dossier = create_dossier(owner_id=citizen.account_id, owner_identifier=citizen.identifier)
    operator = create_staff()
    answer = _read(http, staff_headers(http, operator), dossier.code)
    assert answer.status_code == 200
    assert answer.json_body["status_label"] and "owner_name" not in answer.json_body
    [entry] = _my_accesses(http, user_token(http, citizen))
    assert entry["dossier_code"] == dossier.code
    assert entry["actor_kind"] == "operator" and entry["actor"] == "Cán bộ operator"
    assert entry["reason"] == REASON
    assert entry["at"].endswith("+07:00")


def test_an_operator_cannot_read_a_dossier_without_a_reason(http, clock: FixedClock) -> None:
    dossier = create_dossier()
    headers = staff_headers(http, create_staff())
    no_reason = post(http, "/console/dossier-reads", {"dossier_code": dossier.code, "consent": True}, headers)
    assert no_reason.status_code == 400 and no_reason.json_body["error"]["field"] == "reason"
    too_short = _read(http, headers, dossier.code, reason="xem")
    assert too_short.status_code == 400 and too_short.json_body["error"]["field"] == "reason"


def test_an_operator_cannot_read_a_dossier_without_the_callers_consent(http, clock: FixedClock) -> None:
    dossier = create_dossier()
    headers = staff_headers(http, create_staff())
    refused = _read(http, headers, dossier.code, consent=False)
    assert refused.status_code == 400 and refused.json_body["error"]["field"] == "consent"
    assert all(entry.action != "dossier_read" for entry in audit.recent())


def test_a_citizen_cannot_read_dossiers_through_the_console(http) -> None:
    dossier = create_dossier()
    citizen = create_citizen("001099012399")
    assert _read(http, user_token(http, citizen), dossier.code).status_code == 403


def test_a_staff_read_is_in_the_audit_trail(http, clock: FixedClock) -> None:
    dossier = create_dossier()
    supervisor = create_staff("001099077002", "supervisor")
    assert _read(http, staff_headers(http, supervisor), dossier.code, call_code="CG-260101-0001").status_code == 200
    entry = audit.recent()[0]
    assert (entry.action, entry.subject, entry.actor_role) == ("dossier_read", dossier.code, "supervisor")
    assert entry.details["reason"] == REASON
    assert audit.verify().intact


def test_an_unknown_dossier_is_not_found_and_nothing_is_logged(http, clock: FixedClock) -> None:
    answer = _read(http, staff_headers(http, create_staff()), "CA-TINH-260101-9999")
    assert answer.status_code == 404
    assert all(entry.action != "dossier_read" for entry in audit.recent())


def test_agency_reads_of_a_dossier_are_logged_once_a_day(http, clock: FixedClock) -> None:
    citizen = create_citizen()
    dossier = create_dossier(owner_id=citizen.account_id, owner_identifier=citizen.identifier)
    agency = create_agency_client("CA-TINH")
    headers = bearer(agency_token(http, agency))
    for _ in range(3):
        assert http.get(f"/agency/dossiers/{dossier.code}", headers=headers).status_code == 200
    [entry] = _my_accesses(http, user_token(http, citizen))
    assert (entry["actor_kind"], entry["actor"]) == ("agency", "CA-TINH")
    clock.advance(86400)
    assert http.get(f"/agency/dossiers/{dossier.code}", headers=bearer(agency_token(http, agency))).status_code == 200
    assert len(_my_accesses(http, user_token(http, citizen))) == 2


def test_agency_listings_carry_no_personal_data_and_are_not_logged(http) -> None:
    citizen = create_citizen()
    create_dossier(owner_id=citizen.account_id, owner_identifier=citizen.identifier)
    headers = bearer(agency_token(http, create_agency_client("CA-TINH")))
    assert http.get("/agency/dossiers", headers=headers).status_code == 200
    assert _my_accesses(http, user_token(http, citizen)) == []


def test_reads_of_synchronised_dossiers_are_shown_only_to_a_verified_owner(http, clock: FixedClock) -> None:
    citizen = create_citizen()
    dossier = create_dossier(owner_identifier=citizen.identifier)  # synchronised: no portal account
    _read(http, staff_headers(http, create_staff()), dossier.code)
    assert _my_accesses(http, user_token(http, citizen)) == []
    from chalicelib.store.accounts import Account

    citizen.update(actions=[Account.assurance_level.set(2)])
    assert len(_my_accesses(http, user_token(http, citizen))) == 1


def test_another_persons_accesses_are_not_listed(http, clock: FixedClock) -> None:
    owner = create_citizen()
    dossier = create_dossier(owner_id=owner.account_id, owner_identifier=owner.identifier)
    _read(http, staff_headers(http, create_staff()), dossier.code)
    other = create_citizen("001099012399")
    assert _my_accesses(http, user_token(http, other)) == []
