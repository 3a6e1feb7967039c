"""The citizen's side of a dossier: my dossiers, detail and timeline, withdrawal, supplements, rating,
and the public lookup that needs the owner's number."""

from __future__ import annotations

import pytest

from chalicelib.dossiers.lifecycle import change, move
from chalicelib.dossiers.statuses import Status
from tests.api.factories import create_citizen, json_body, publish_procedure, submit_dossier, user_token

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def citizen(http):
    publish_procedure()
    account = create_citizen()
    return account, user_token(http, account)


def advance(code: str, *statuses: Status) -> None:
    """Move a dossier as its agency would (the agency API has its own tests)."""
    for status in statuses:
        change(code, lambda dossier, status=status: move(dossier, status, actor="agency:CA-TINH"))


def test_my_dossiers_lists_newest_first_with_a_cursor(http, citizen, clock):
    _account, headers = citizen
    codes = []
    for _ in range(3):
        codes.append(submit_dossier(http, headers)["code"])
        clock.advance(60)
    first = http.get("/dossiers?limit=2", headers=headers).json_body
    assert [item["code"] for item in first["dossiers"]] == codes[::-1][:2]
    rest = http.get(f"/dossiers?limit=2&cursor={first['next_cursor']}", headers=headers).json_body
    assert [item["code"] for item in rest["dossiers"]] == [codes[0]]


def test_a_forged_cursor_is_refused_not_followed(http, citizen):
    _account, headers = citizen
    answer = http.get("/dossiers?cursor=eyJvd25lcl9pZGVudGlmaWVyIjogeyJTIjogIjA3OSJ9fQ==", headers=headers)
    assert answer.status_code == 400 and answer.json_body["error"]["field"] == "cursor"


def test_the_detail_shows_the_whole_timeline(http, citizen):
    _account, headers = citizen
    code = submit_dossier(http, headers)["code"]
    advance(code, Status.RECEIVED, Status.PROCESSING)
    detail = http.get(f"/dossiers/{code}", headers=headers).json_body
    assert [event["status"] for event in detail["timeline"]] == [1, 2, 4]
    assert detail["status_label"] == "Đang xử lý"


def test_another_persons_dossier_is_not_found(http, citizen):
    _account, headers = citizen
    code = submit_dossier(http, headers)["code"]
    stranger = user_token(http, create_citizen("079200001234"))
    assert http.get(f"/dossiers/{code}", headers=stranger).status_code == 404
    withdrawal = http.post(
        f"/dossiers/{code}/withdrawal", body=json_body({"reason": "x"}), headers={**JSON, **stranger}
    )
    assert withdrawal.status_code == 404


def test_a_citizen_asks_to_withdraw_a_dossier(http, citizen):
    _account, headers = citizen
    code = submit_dossier(http, headers)["code"]
    answer = http.post(
        f"/dossiers/{code}/withdrawal", body=json_body({"reason": "Nộp nhầm thủ tục"}), headers={**JSON, **headers}
    )
    assert answer.status_code == 200
    assert answer.json_body["status"] == 7
    assert answer.json_body["timeline"][-1]["note"] == "Nộp nhầm thủ tục"


def test_a_finished_dossier_cannot_be_withdrawn(http, citizen):
    _account, headers = citizen
    code = submit_dossier(http, headers)["code"]
    advance(code, Status.RECEIVED, Status.PROCESSED, Status.RETURNED)
    answer = http.post(f"/dossiers/{code}/withdrawal", body=json_body({"reason": "muộn"}), headers={**JSON, **headers})
    assert answer.status_code == 400
    assert "Đã trả kết quả" in answer.json_body["error"]["message"]


def test_a_supplement_answer_puts_the_dossier_back_in_processing(http, citizen):
    _account, headers = citizen
    code = submit_dossier(http, headers)["code"]
    early = http.post(
        f"/dossiers/{code}/supplements", body=json_body({"note": "Đã bổ sung"}), headers={**JSON, **headers}
    )
    assert early.status_code == 400
    advance(code, Status.RECEIVED, Status.SUPPLEMENT_REQUESTED)
    answer = http.post(
        f"/dossiers/{code}/supplements", body=json_body({"note": "Đã bổ sung bản sao"}), headers={**JSON, **headers}
    )
    assert answer.status_code == 200 and answer.json_body["status"] == 4


def test_rating_waits_for_the_result_and_can_be_edited_for_a_day(http, citizen, clock):
    account, headers = citizen
    code = submit_dossier(http, headers)["code"]
    rating = {"level": "very_satisfied", "comment": "Nhanh, đúng hẹn"}
    too_early = http.put(f"/dossiers/{code}/rating", body=json_body(rating), headers={**JSON, **headers})
    assert too_early.status_code == 400
    advance(code, Status.RECEIVED, Status.PROCESSED, Status.RETURNED)
    rated = http.put(f"/dossiers/{code}/rating", body=json_body(rating), headers={**JSON, **headers})
    assert rated.status_code == 200 and rated.json_body["rating"]["level"] == "very_satisfied"
    clock.advance(23 * 3600)
    headers = user_token(http, account)  # access tokens live ten minutes
    edited = http.put(f"/dossiers/{code}/rating", body=json_body({"level": "satisfied"}), headers={**JSON, **headers})
    assert edited.json_body["rating"]["level"] == "satisfied"
    clock.advance(2 * 3600)
    headers = user_token(http, account)
    late = http.put(f"/dossiers/{code}/rating", body=json_body({"level": "not_satisfied"}), headers={**JSON, **headers})
    assert late.status_code == 409


def test_an_unknown_rating_level_is_refused(http, citizen):
    _account, headers = citizen
    code = submit_dossier(http, headers)["code"]
    answer = http.put(f"/dossiers/{code}/rating", body=json_body({"level": "tuyet-voi"}), headers={**JSON, **headers})
    assert answer.status_code == 400 and answer.json_body["error"]["field"] == "level"


def test_lookup_with_the_owners_number_shows_status_without_personal_data(http, citizen):
    account, headers = citizen
    code = submit_dossier(http, headers)["code"]
    answer = http.post(
        "/dossiers/lookup", body=json_body({"code": code, "identifier": account.identifier}), headers=JSON
    )
    assert answer.status_code == 200
    assert answer.json_body["status"] == 1
    assert account.full_name not in answer.body.decode() and account.identifier not in answer.body.decode()


def test_lookup_answers_the_same_for_a_wrong_number_and_an_unknown_code(http, citizen):
    _account, headers = citizen
    code = submit_dossier(http, headers)["code"]
    wrong = http.post("/dossiers/lookup", body=json_body({"code": code, "identifier": "079200009999"}), headers=JSON)
    unknown = http.post(
        "/dossiers/lookup", body=json_body({"code": "CA-TINH-261123-9999", "identifier": "079200009999"}), headers=JSON
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json_body == unknown.json_body


def test_lookup_locks_a_code_after_five_wrong_numbers(http, citizen):
    account, headers = citizen
    code = submit_dossier(http, headers)["code"]
    for number in range(5):
        http.post(
            "/dossiers/lookup", body=json_body({"code": code, "identifier": f"07920000{number:04d}"}), headers=JSON
        )
    locked = http.post(
        "/dossiers/lookup", body=json_body({"code": code, "identifier": account.identifier}), headers=JSON
    )
    assert locked.status_code == 429 and "Retry-After" in locked.headers


def _synchronised_for(account, clock) -> None:
    from chalicelib.store.dossiers import Dossier

    Dossier(
        "CA-TINH-261101-0042",
        agency_id="CA-TINH",
        procedure_code="1.999001",
        procedure_name="Thủ tục nộp trực tiếp",
        channel="direct",
        source="agency",
        owner_name=account.full_name,
        owner_identifier=account.identifier,
        status=2,
        submitted_at=clock.now(),
        updated_at=clock.now(),
    ).save()


def test_a_verified_person_sees_the_dossiers_agencies_synchronised_for_their_number(http, citizen, clock):
    from chalicelib.store.accounts import Account

    account, _headers = citizen
    account.update(actions=[Account.assurance_level.set(2)])
    _synchronised_for(account, clock)
    headers = user_token(http, account)
    listed = http.get("/dossiers", headers=headers).json_body["dossiers"]
    assert [item["code"] for item in listed] == ["CA-TINH-261101-0042"]
    assert http.get("/dossiers/CA-TINH-261101-0042", headers=headers).json_body["channel"] == "direct"


def test_a_self_declared_number_does_not_open_someone_elses_synchronised_dossiers(http, citizen, clock):
    account, headers = citizen  # self-registered: assurance level 1
    _synchronised_for(account, clock)
    assert http.get("/dossiers", headers=headers).json_body["dossiers"] == []
    assert http.get("/dossiers/CA-TINH-261101-0042", headers=headers).status_code == 404
    withdrawal = http.post(
        "/dossiers/CA-TINH-261101-0042/withdrawal", body=json_body({"reason": "x"}), headers={**JSON, **headers}
    )
    assert withdrawal.status_code == 404
