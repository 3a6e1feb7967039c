"""Group dossiers (liên thông): one submission, steps released to their agencies as predecessors
finish (from the dossiers stream), results mapped forward, refusal, supplement and withdrawal rules,
per-step deadlines, tracking, statistics, refusals of other people and agencies, and concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import clock as clock_module
from chalicelib.core.calendar import vietnam_now
from chalicelib.dossiers.overdue import flag_overdue
from chalicelib.linked.release import advance
from chalicelib.store.dossiers import Dossier
from chalicelib.store.linked import LinkedGroup
from tests.api.factories import PDF, agency_token, bearer, create_agency_client, create_citizen, upload, user_token
from tests.api.linked_support import BIRTH_FORM, BIRTH_OUTPUTS, finish, post, publish_group


@pytest.fixture(autouse=True)
def groups() -> None:
    publish_group("khai-sinh")
    publish_group("khai-tu")


@pytest.fixture
def citizen(http: Any) -> dict[str, str]:
    return user_token(http, create_citizen())


@pytest.fixture
def agencies(http: Any) -> dict[str, dict[str, str]]:
    return {code: bearer(agency_token(http, create_agency_client(code))) for code in ("UBND-XA", "CA-XA", "BHXH-CS")}


def submit(http: Any, citizen: dict[str, str], **overrides: Any) -> Any:
    return post(http, "/linked-dossiers", {"group": "khai-sinh", "form": BIRTH_FORM, **overrides}, citizen)


def view(http: Any, citizen: dict[str, str], code: str) -> dict[str, Any]:
    answer = http.get(f"/linked-dossiers/{code}", headers=citizen)
    assert answer.status_code == 200, answer.body
    return answer.json_body


def steps_of(group: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["step"]: step for step in group["steps"]}


def exists(code: str) -> bool:
    return Dossier.count(code) == 1


@pytest.fixture
def birth(http: Any, citizen: dict[str, str], agencies: Any, streams: Any) -> dict[str, Any]:
    answer = submit(http, citizen)
    assert answer.status_code == 201, answer.body
    streams.poll()
    return answer.json_body


def test_one_submission_gives_a_group_code_a_code_per_step_and_starts_only_the_first_step(birth):
    assert birth["code"].startswith("LT-")
    steps = steps_of(birth)
    assert [s["agency_id"] for s in steps.values()] == ["UBND-XA", "CA-XA", "BHXH-CS"]
    assert steps["khai-sinh"]["state"] == "in_progress" and steps["khai-sinh"]["status"] == 1
    assert steps["thuong-tru"]["state"] == steps["bhyt"]["state"] == "waiting"
    first = Dossier.get(steps["khai-sinh"]["code"])
    assert first.group_code == birth["code"] and first.agency_id == "UBND-XA"
    assert first.form["ho_ten_tre"] == "Nguyễn Minh An" and "chu_ho" not in first.form  # only its own fields
    assert not exists(steps["thuong-tru"]["code"]) and not exists(steps["bhyt"]["code"])
    assert steps["khai-sinh"]["due_date"] is not None


def test_the_first_agency_sees_the_step_through_the_ordinary_agency_api(http, birth, agencies):
    code = steps_of(birth)["khai-sinh"]["code"]
    answer = http.get(f"/agency/dossiers/{code}", headers=agencies["UBND-XA"])
    assert answer.status_code == 200 and answer.json_body["group_code"] == birth["code"]
    assert http.get(f"/agency/dossiers/{code}", headers=agencies["CA-XA"]).status_code == 404  # not CA-XA's


def test_finishing_a_step_releases_the_next_ones_carrying_its_results(http, citizen, birth, agencies, streams):
    steps = steps_of(birth)
    finish(http, agencies["UBND-XA"], steps["khai-sinh"]["code"], BIRTH_OUTPUTS)
    streams.poll()
    residence = Dossier.get(steps["thuong-tru"]["code"])
    card = Dossier.get(steps["bhyt"]["code"])
    assert residence.agency_id == "CA-XA" and card.agency_id == "BHXH-CS"
    assert residence.form["so_dang_ky_khai_sinh"] == "123/2026"
    assert residence.form["so_dinh_danh_tre"] == card.form["so_dinh_danh_tre"] == "001226000001"
    finish(http, agencies["CA-XA"], residence.code)
    finish(http, agencies["BHXH-CS"], card.code)
    streams.poll()
    group = view(http, citizen, birth["code"])
    assert group["status"] == "finished"
    assert all(len(step["results"]) == 1 for step in group["steps"])  # the citizen sees three results


def test_a_step_finished_without_the_values_it_owes_holds_the_next_steps(http, birth, agencies, streams, citizen):
    steps = steps_of(birth)
    finish(http, agencies["UBND-XA"], steps["khai-sinh"]["code"])  # no so_dinh_danh attached
    streams.poll()
    assert steps_of(view(http, citizen, birth["code"]))["khai-sinh"]["state"] == "awaiting_data"
    assert not exists(steps["thuong-tru"]["code"])
    document = {"name": "Số định danh", "fields": BIRTH_OUTPUTS}
    answer = post(
        http, f"/agency/dossiers/{steps['khai-sinh']['code']}/results", {"documents": [document]}, agencies["UBND-XA"]
    )
    assert answer.status_code == 200
    streams.poll()
    assert exists(steps["thuong-tru"]["code"]) and exists(steps["bhyt"]["code"])


def test_a_refused_step_keeps_what_was_issued_and_says_what_to_do(http, citizen, birth, agencies, streams):
    steps = steps_of(birth)
    finish(http, agencies["UBND-XA"], steps["khai-sinh"]["code"], BIRTH_OUTPUTS)
    streams.poll()
    refused = post(
        http,
        f"/agency/dossiers/{steps['bhyt']['code']}/status",
        {"status": 3, "note": "Sai nơi cư trú"},
        agencies["BHXH-CS"],
    )
    assert refused.status_code == 200
    finish(http, agencies["CA-XA"], steps["thuong-tru"]["code"])
    streams.poll()
    group = view(http, citizen, birth["code"])
    now = steps_of(group)
    assert group["status"] == "closed"
    assert (
        now["bhyt"]["state"] == "refused"
        and "Giấy khai sinh và việc đăng ký thường trú vẫn có giá trị" in now["bhyt"]["if_refused"]
    )
    assert group["to_do"] == [now["bhyt"]["if_refused"]]
    assert now["khai-sinh"]["results"] and now["thuong-tru"]["results"]  # the birth certificate stands


def test_a_refused_first_step_cancels_every_step_after_it(http, citizen, birth, agencies, streams):
    code = steps_of(birth)["khai-sinh"]["code"]
    assert (
        post(
            http, f"/agency/dossiers/{code}/status", {"status": 3, "note": "Thiếu giấy chứng sinh"}, agencies["UBND-XA"]
        ).status_code
        == 200
    )
    streams.poll()
    group = view(http, citizen, birth["code"])
    assert [s["state"] for s in group["steps"]] == ["refused", "cancelled", "cancelled"]
    assert group["status"] == "closed" and "nộp lại hồ sơ liên thông" in group["to_do"][0]


def test_a_supplement_request_pauses_only_the_steps_that_depend_on_it(http, citizen, birth, agencies, streams):
    steps = steps_of(birth)
    code = steps["khai-sinh"]["code"]
    post(http, f"/agency/dossiers/{code}/status", {"status": 2}, agencies["UBND-XA"])
    due = (vietnam_now(clock_module.now()).date() + timedelta(days=5)).isoformat()
    request = {"reason": "Bổ sung giấy chứng sinh", "new_due_date": due}
    assert post(http, f"/agency/dossiers/{code}/supplement-requests", request, agencies["UBND-XA"]).status_code == 200
    paused = steps_of(view(http, citizen, birth["code"]))
    assert paused["thuong-tru"]["state"] == paused["bhyt"]["state"] == "paused"
    assert "bổ sung giấy tờ" in paused["bhyt"]["reason"]


def test_a_supplement_in_one_parallel_step_lets_the_other_finish(http, citizen, birth, agencies, streams):
    steps = steps_of(birth)
    finish(http, agencies["UBND-XA"], steps["khai-sinh"]["code"], BIRTH_OUTPUTS)
    streams.poll()
    residence = steps["thuong-tru"]["code"]
    post(http, f"/agency/dossiers/{residence}/status", {"status": 2}, agencies["CA-XA"])
    due = (vietnam_now(clock_module.now()).date() + timedelta(days=5)).isoformat()
    post(
        http,
        f"/agency/dossiers/{residence}/supplement-requests",
        {"reason": "Thiếu ý kiến chủ hộ", "new_due_date": due},
        agencies["CA-XA"],
    )
    finish(http, agencies["BHXH-CS"], steps["bhyt"]["code"])
    streams.poll()
    now = steps_of(view(http, citizen, birth["code"]))
    assert now["bhyt"]["state"] == "done" and now["thuong-tru"]["status"] == 5


def test_a_withdrawal_stops_steps_not_started_and_asks_the_agency_holding_one(http, citizen, birth, agencies, streams):
    steps = steps_of(birth)
    answer = post(http, f"/linked-dossiers/{birth['code']}/withdrawal", {"reason": "Nộp nhầm"}, citizen)
    assert answer.status_code == 200, answer.body
    assert Dossier.get(steps["khai-sinh"]["code"]).status == 7
    # The agency refuses the withdrawal and finishes: nothing after it starts any more.
    post(http, f"/agency/dossiers/{steps['khai-sinh']['code']}/status", {"status": 4}, agencies["UBND-XA"])
    finish_rest = post(
        http,
        f"/agency/dossiers/{steps['khai-sinh']['code']}/results",
        {"documents": [{"name": "GKS", "fields": BIRTH_OUTPUTS}]},
        agencies["UBND-XA"],
    )
    assert finish_rest.status_code == 200
    post(http, f"/agency/dossiers/{steps['khai-sinh']['code']}/status", {"status": 9}, agencies["UBND-XA"])
    streams.poll()
    assert advance(birth["code"]) == []
    assert not exists(steps["thuong-tru"]["code"]) and not exists(steps["bhyt"]["code"])
    now = steps_of(view(http, citizen, birth["code"]))
    assert now["bhyt"]["state"] == "cancelled" and "rút hồ sơ" in now["bhyt"]["reason"]
    assert post(http, f"/linked-dossiers/{birth['code']}/withdrawal", {"reason": "lần nữa"}, citizen).status_code == 409


def test_another_person_cannot_read_or_withdraw_the_group(http, birth):
    stranger = user_token(http, create_citizen("001099054321", email="khac@example.vn"))
    assert http.get(f"/linked-dossiers/{birth['code']}", headers=stranger).status_code == 404
    answer = post(http, f"/linked-dossiers/{birth['code']}/withdrawal", {"reason": "không phải của tôi"}, stranger)
    assert answer.status_code == 404 and answer.json_body["error"]["code"] == "not_found"


def test_another_agency_cannot_act_on_a_step(http, birth, agencies):
    code = steps_of(birth)["khai-sinh"]["code"]
    answer = post(http, f"/agency/dossiers/{code}/status", {"status": 2}, agencies["CA-XA"])
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"form": {**BIRTH_FORM, "ho_ten_tre": ""}}, "form.ho_ten_tre"),
        ({"form": {**BIRTH_FORM, "la": "x"}}, "form.la"),
        ({"agencies": {"bhyt": "CA-XA"}}, "agencies.bhyt"),
        ({"agencies": {"khong-co": "CA-XA"}}, "agencies.khong-co"),
    ],
)
def test_bad_submissions_name_the_field_and_write_nothing(http, citizen, change, field):
    answer = submit(http, citizen, **change)
    assert answer.status_code == 400 and answer.json_body["error"]["field"] == field
    assert LinkedGroup.count() == 0 and Dossier.count() == 0


def test_an_unknown_group_is_not_found(http, citizen):
    assert post(http, "/linked-dossiers", {"group": "khong-co", "form": {}}, citizen).status_code == 404


def test_a_local_office_may_be_chosen_for_a_step(http, citizen, streams):
    answer = submit(http, citizen, agencies={"khai-sinh": "UBND-XA.HN.PHUC-XA"})
    assert answer.status_code == 201
    assert steps_of(answer.json_body)["khai-sinh"]["code"].startswith("UBND-XA.HN.PHUC-XA-")


def test_the_public_lookup_shows_steps_and_locks_after_five_misses(http, birth):
    answer = post(http, "/linked-dossiers/lookup", {"code": birth["code"], "identifier": "001099012345"}, {})
    assert answer.status_code == 200
    assert [s["agency_id"] for s in answer.json_body["steps"]] == ["UBND-XA", "CA-XA", "BHXH-CS"]
    assert "results" not in answer.json_body["steps"][0]
    step = post(
        http, "/dossiers/lookup", {"code": answer.json_body["steps"][0]["code"], "identifier": "001099012345"}, {}
    )
    assert step.json_body["group_code"] == birth["code"]
    for _ in range(5):
        assert (
            post(http, "/linked-dossiers/lookup", {"code": birth["code"], "identifier": "001099099999"}, {}).status_code
            == 404
        )
    locked = post(http, "/linked-dossiers/lookup", {"code": birth["code"], "identifier": "001099012345"}, {})
    assert locked.status_code == 429


def test_results_delivered_together_are_held_until_every_step_is_done(http, citizen, agencies, streams):
    form = {
        "ho_ten_nguoi_mat": "Trần Văn Cụ",
        "so_dinh_danh_nguoi_mat": "001040000001",
        "ngay_mat": "2026-11-30",
        "noi_mat": "Tại nhà",
        "nguyen_nhan": "Tuổi già",
        "quan_he": "Con",
    }
    group = post(http, "/linked-dossiers", {"group": "khai-tu", "form": form}, citizen).json_body
    steps = steps_of(group)
    finish(http, agencies["UBND-XA"], steps["khai-tu"]["code"], {"so_trich_luc": "45/2026"})
    streams.poll()
    held = view(http, citizen, group["code"])
    assert held["results_held"] and all(not s["results"] for s in held["steps"])
    step_page = http.get(f"/dossiers/{steps['khai-tu']['code']}", headers=citizen).json_body
    assert step_page["status"] == 10 and step_page["results"] == []  # not through the step's own page either
    finish(http, agencies["CA-XA"], steps["xoa-thuong-tru"]["code"])
    finish(http, agencies["BHXH-CS"], steps["mai-tang"]["code"])
    streams.poll()
    done = view(http, citizen, group["code"])
    assert done["status"] == "finished" and not done["results_held"] and all(s["results"] for s in done["steps"])
    assert http.get(f"/dossiers/{steps['khai-tu']['code']}", headers=citizen).json_body["results"]


def test_each_step_has_its_own_deadline_and_the_overdue_job_flags_the_late_agency(http, birth, clock):
    code = steps_of(birth)["khai-sinh"]["code"]
    due = Dossier.get(code).due_date
    clock.advance(20 * 86400)
    assert flag_overdue() >= 1
    tracking = post(http, "/linked-dossiers/lookup", {"code": birth["code"], "identifier": "001099012345"}, {})
    step = steps_of(tracking.json_body)["khai-sinh"]
    assert step["overdue"] and step["agency_id"] == "UBND-XA" and step["due_date"] == due


def test_statistics_count_groups_and_linked_steps_per_agency(http, birth, agencies, streams):
    finish(http, agencies["UBND-XA"], steps_of(birth)["khai-sinh"]["code"], BIRTH_OUTPUTS)
    streams.poll()
    figures = http.get("/statistics/linked").json_body
    assert figures["groups"] == 1
    assert figures["agencies"] == [{"agency_id": "UBND-XA", "on_time": 1, "late": 0}]


def test_parallel_agencies_replays_and_late_events_never_lose_or_double_a_step(
    http, birth, agencies, streams, atomic_requests
):
    from devstack.streams import _records

    steps = steps_of(birth)
    before = streams.seen["dossiers"]
    finish(http, agencies["UBND-XA"], steps["khai-sinh"]["code"], BIRTH_OUTPUTS)
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(advance(birth["code"]))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(step for released in results for step in released) == ["bhyt", "thuong-tru"]  # each once
    # Both agencies finish their parallel steps at the same moment.
    racers = [
        threading.Thread(target=finish, args=(http, agencies["CA-XA"], steps["thuong-tru"]["code"])),
        threading.Thread(target=finish, args=(http, agencies["BHXH-CS"], steps["bhyt"]["code"])),
    ]
    for thread in racers:
        thread.start()
    for thread in racers:
        thread.join()
    streams.poll()
    stale = _records(before, streams.seen["dossiers"])
    from chalicelib.jobs import advance_linked_groups

    assert advance_linked_groups({"Records": stale}) == 0  # replayed and out-of-order records
    assert advance_linked_groups({"Records": list(reversed(stale))}) == 0
    codes = [s["code"] for s in steps.values()]
    assert [Dossier.get(code).status for code in codes] == [10, 10, 10]
    assert Dossier.count() == 3


def test_steps_listed_before_their_predecessors_are_read_in_dependency_order():
    from chalicelib.linked.definitions import parse_group

    raw = publish_group("khai-sinh")
    raw["steps"].reverse()
    assert [step.id for step in parse_group(raw).steps] == ["khai-sinh", "bhyt", "thuong-tru"]


def test_a_released_step_is_announced_to_its_agency_with_its_group():
    from chalicelib.webhooks.events import DOSSIER_SUBMITTED, dossier_events

    image = {"code": "CA-XA-261203-0001", "agency_id": "CA-XA", "status": 1, "source": "portal"}
    image |= {"group_code": "LT-261203-0001", "group_step": "thuong-tru"}
    [event] = dossier_events("record-1", None, image, 0.0)
    assert event.type == DOSSIER_SUBMITTED and event.agency_id == "CA-XA"
    assert event.data["group_code"] == "LT-261203-0001" and event.data["group_step"] == "thuong-tru"


def ticket_for(http: Any, citizen: dict[str, str], document: str = "gt5", name: str = "Giấy chứng sinh.pdf") -> Any:
    body = {"group": "khai-sinh", "document": document, "file_name": name}
    return post(
        http, "/linked-dossiers/attachments", {**body, "content_type": "application/pdf", "size": len(PDF)}, citizen
    )


def test_a_document_uploaded_once_reaches_only_the_steps_whose_procedure_asks_for_it(http, citizen, agencies, streams):
    files = []
    for document, name in (("gt5", "Giấy chứng sinh.pdf"), ("gt6", "Xác nhận nơi đỗ phương tiện.pdf")):
        ticket = ticket_for(http, citizen, document, name)
        assert ticket.status_code == 201, ticket.body
        upload(ticket.json_body)
        files.append(ticket.json_body["attachment"])
    steps = steps_of(submit(http, citizen, attachments=files).json_body)
    assert [a["file_name"] for a in Dossier.get(steps["khai-sinh"]["code"]).attachments] == ["Giấy chứng sinh.pdf"]
    finish(http, agencies["UBND-XA"], steps["khai-sinh"]["code"], BIRTH_OUTPUTS)
    streams.poll()
    residence = http.get(f"/agency/dossiers/{steps['thuong-tru']['code']}", headers=agencies["CA-XA"]).json_body
    card = http.get(f"/agency/dossiers/{steps['bhyt']['code']}", headers=agencies["BHXH-CS"]).json_body
    assert [a["file_name"] for a in residence["attachments"]] == ["Xác nhận nơi đỗ phương tiện.pdf"]
    assert card["attachments"] == []  # the card needs the child's number, which the first step passed on


def test_files_not_uploaded_or_not_the_groups_are_refused(http, citizen):
    assert ticket_for(http, citizen, "gt99").json_body["error"]["field"] == "document"
    attachment = ticket_for(http, citizen).json_body["attachment"]  # never uploaded
    answer = submit(http, citizen, attachments=[attachment])
    assert answer.status_code == 400 and answer.json_body["error"]["field"] == "attachments"
    assert LinkedGroup.count() == 0


def test_a_step_code_an_agency_used_first_is_never_overwritten(http, birth, agencies, streams):
    from tests.api.factories import create_dossier

    steps = steps_of(birth)
    create_dossier(code=steps["bhyt"]["code"], agency_id="BHXH-CS", status=2)  # the agency's own system took it
    finish(http, agencies["UBND-XA"], steps["khai-sinh"]["code"], BIRTH_OUTPUTS)
    streams.poll()
    assert Dossier.get(steps["bhyt"]["code"]).group_code is None  # theirs, untouched
    assert exists(steps["thuong-tru"]["code"])


def test_a_group_whose_definition_left_the_catalogue_is_skipped_not_retried_forever(birth):
    from chalicelib.core.config import get_settings
    from chalicelib.linked.definitions import clear_cache

    (get_settings().procedures_dir.parent / "lien-thong" / "khai-sinh.json").unlink()
    clear_cache()
    assert advance(birth["code"]) == []


def test_a_withdrawal_racing_a_release_leaves_no_step_running_unasked(
    http, citizen, birth, agencies, streams, atomic_requests
):
    steps = steps_of(birth)
    finish(http, agencies["UBND-XA"], steps["khai-sinh"]["code"], BIRTH_OUTPUTS)  # later steps now ready
    outcomes: list[Any] = []
    racers = [
        threading.Thread(target=lambda: outcomes.append(advance(birth["code"]))),
        threading.Thread(
            target=lambda: outcomes.append(
                post(http, f"/linked-dossiers/{birth['code']}/withdrawal", {"reason": "Đổi ý"}, citizen).status_code
            )
        ),
    ]
    for thread in racers:
        thread.start()
    for thread in racers:
        thread.join()
    assert 200 in outcomes
    for step in ("thuong-tru", "bhyt"):
        code = steps[step]["code"]
        # Released before the withdrawal: asked to withdraw (7); otherwise never released.
        assert not exists(code) or Dossier.get(code).status == 7
    assert advance(birth["code"]) == []
