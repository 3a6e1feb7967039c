"""Agency dossier API: scoped to the caller's agency, national status moves, supplements, results,
punctuality, overdue flagging and the notifications each status change queues."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.core import clock as clock_module
from chalicelib.core.calendar import vietnam_now
from chalicelib.dossiers.overdue import flag_overdue
from chalicelib.dossiers.statuses import MOVES, Status
from chalicelib.store.dossiers import Dossier
from chalicelib.store.outbox import OutboxMessage
from tests.api.factories import (
    Flow,
    agency_token,
    bearer,
    create_agency_client,
    create_citizen,
    create_dossier,
    create_relying_party,
    json_body,
)
from tests.api.times import vietnam_time

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def ca_tinh(http: Any) -> dict[str, str]:
    return bearer(agency_token(http, create_agency_client("CA-TINH")))


@pytest.fixture
def other_agency(http: Any) -> dict[str, str]:
    return bearer(agency_token(http, create_agency_client("UBND-XA-B")))


def today() -> date:
    return vietnam_now(clock_module.now()).date()


def post(http: Any, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return http.post(path, body=json_body(body), headers={**JSON, **headers})


def move(http: Any, headers: dict[str, str], code: str, status: int, note: str | None = None) -> Any:
    body: dict[str, Any] = {"status": status}
    if note is not None:
        body["note"] = note
    return post(http, f"/agency/dossiers/{code}/status", body, headers)


def stored(code: str) -> Dossier:
    return Dossier.get(code, consistent_read=True)


# Listing and reading, scoped to the agency


def test_agency_lists_its_own_dossiers_latest_activity_first(http, ca_tinh, clock):
    first = create_dossier()
    clock.advance(60)
    second = create_dossier()
    create_dossier(agency_id="UBND-XA-B")
    answer = http.get("/agency/dossiers", headers=ca_tinh)
    assert answer.status_code == 200, answer.body
    assert [item["code"] for item in answer.json_body["dossiers"]] == [second.code, first.code]
    assert "next_cursor" not in answer.json_body


def test_agency_list_filters_by_status(http, ca_tinh):
    create_dossier(status=1)
    received = create_dossier(status=2)
    answer = http.get("/agency/dossiers?status=2", headers=ca_tinh)
    assert answer.status_code == 200
    assert [item["code"] for item in answer.json_body["dossiers"]] == [received.code]


def test_agency_list_pages_with_an_opaque_cursor_until_every_dossier_is_seen(http, ca_tinh, clock):
    codes = []
    for _ in range(5):
        codes.append(create_dossier().code)
        clock.advance(1)
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = http.get(f"/agency/dossiers{query}", headers=ca_tinh).json_body
        assert len(page["dossiers"]) <= 2
        seen += [item["code"] for item in page["dossiers"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert seen == list(reversed(codes))


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=101", "limit"), ("limit=0", "limit"), ("status=11", "status"), ("cursor=bm9wZQ", "cursor"), ("x=1", "x")],
)
def test_agency_list_refuses_bad_parameters_naming_them(http, ca_tinh, query, field):
    answer = http.get(f"/agency/dossiers?{query}", headers=ca_tinh)
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == field


def test_a_cursor_handed_to_one_agency_is_refused_for_another(http, ca_tinh, other_agency):
    for _ in range(3):
        create_dossier()
    cursor = http.get("/agency/dossiers?limit=1", headers=ca_tinh).json_body["next_cursor"]
    answer = http.get(f"/agency/dossiers?cursor={cursor}", headers=other_agency)
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == "cursor"


def test_agency_reads_its_dossier_with_the_timeline(http, ca_tinh):
    dossier = create_dossier()
    answer = http.get(f"/agency/dossiers/{dossier.code}", headers=ca_tinh)
    assert answer.status_code == 200
    assert answer.json_body["code"] == dossier.code
    assert [event["status"] for event in answer.json_body["timeline"]] == [1]


def test_another_agency_sees_an_empty_list_and_not_found_for_the_dossier(http, other_agency):
    dossier = create_dossier(agency_id="CA-TINH")
    assert http.get("/agency/dossiers", headers=other_agency).json_body["dossiers"] == []
    answer = http.get(f"/agency/dossiers/{dossier.code}", headers=other_agency)
    unknown = http.get("/agency/dossiers/CA-TINH-260101-9999", headers=other_agency)
    assert answer.status_code == unknown.status_code == 404
    assert answer.json_body == unknown.json_body  # indistinguishable from a code that does not exist


def test_another_agency_cannot_change_the_dossier_and_it_stays_as_it_was(http, other_agency):
    dossier = create_dossier(agency_id="CA-TINH")
    answers = [
        move(http, other_agency, dossier.code, 2),
        post(http, f"/agency/dossiers/{dossier.code}/results", {"documents": [{"name": "Giấy phép"}]}, other_agency),
        post(
            http,
            f"/agency/dossiers/{dossier.code}/supplement-requests",
            {"reason": "Thiếu giấy tờ", "new_due_date": (today() + timedelta(days=9)).isoformat()},
            other_agency,
        ),
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    after = stored(dossier.code)
    assert (after.status, after.version, after.results, after.supplements) == (1, dossier.version, [], [])


def test_a_citizens_token_is_refused_on_agency_routes(http):
    citizen = create_citizen()
    tokens = Flow(http, create_relying_party()).tokens(citizen.identifier)
    dossier = create_dossier()
    assert http.get("/agency/dossiers", headers=bearer(tokens["access_token"])).status_code == 403
    assert move(http, bearer(tokens["access_token"]), dossier.code, 2).status_code == 403


def test_a_token_without_the_read_scope_cannot_list(http):
    token = agency_token(http, create_agency_client("CA-TINH"), scope="agency:read")
    answer = http.get("/agency/dossiers", headers=bearer(token))
    assert answer.status_code == 403
    assert "dossiers:read" in answer.json_body["error"]["message"]


def test_a_token_without_the_write_scope_cannot_change_a_dossier(http):
    token = agency_token(http, create_agency_client("CA-TINH"), scope="dossiers:read")
    dossier = create_dossier()
    answer = move(http, bearer(token), dossier.code, 2)
    assert answer.status_code == 403
    assert stored(dossier.code).status == 1


def test_requests_without_a_token_are_unauthenticated(http):
    assert http.get("/agency/dossiers").status_code == 401


# Status moves

LEGAL = sorted((int(current), int(target)) for current, targets in MOVES.items() for target in targets)


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_every_allowed_move_is_accepted_and_recorded(http, ca_tinh, current, target):
    dossier = create_dossier(status=current)
    answer = move(http, ca_tinh, dossier.code, target, note="Ghi chú của cán bộ")
    assert answer.status_code == 200, answer.body
    assert answer.json_body["status"] == target
    assert [event["status"] for event in answer.json_body["timeline"]] == [current, target]
    assert answer.json_body["timeline"][-1]["actor"] == "CA-TINH"


@pytest.mark.parametrize(("current", "target"), [(1, 4), (1, 9), (3, 2), (8, 4), (9, 4), (10, 9), (5, 9), (4, 4)])
def test_an_impossible_move_is_refused_naming_both_statuses(http, ca_tinh, current, target):
    dossier = create_dossier(status=current)
    answer = move(http, ca_tinh, dossier.code, target)
    assert answer.status_code == 400
    message = answer.json_body["error"]["message"]
    assert f"trạng thái {current} (" in message and f"sang {target} (" in message
    assert answer.json_body["error"]["field"] == "status"
    assert stored(dossier.code).status == current


def test_accepting_a_dossier_records_when_it_was_received(http, ca_tinh):
    dossier = create_dossier()
    answer = move(http, ca_tinh, dossier.code, 2)
    assert answer.json_body["status_label"] == "Được tiếp nhận"
    assert stored(dossier.code).received_at is not None


def test_refusing_a_dossier_requires_a_note(http, ca_tinh):
    dossier = create_dossier()
    refused = move(http, ca_tinh, dossier.code, 3)
    assert refused.status_code == 400
    assert refused.json_body["error"]["field"] == "note"
    assert stored(dossier.code).status == 1
    answer = move(http, ca_tinh, dossier.code, 3, note="Hồ sơ không thuộc thẩm quyền")
    assert answer.status_code == 200
    assert answer.json_body["timeline"][-1]["note"] == "Hồ sơ không thuộc thẩm quyền"


def test_a_status_outside_the_national_codes_is_refused_at_the_edge(http, ca_tinh):
    dossier = create_dossier()
    answer = post(http, f"/agency/dossiers/{dossier.code}/status", {"status": 11}, ca_tinh)
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == "status"


def test_changing_an_unknown_dossier_is_not_found(http, ca_tinh):
    assert move(http, ca_tinh, "CA-TINH-260101-9999", 2).status_code == 404


# Supplement requests and results


def test_a_supplement_request_moves_the_due_date_and_records_both_dates(http, ca_tinh):
    old_due = (today() + timedelta(days=3)).isoformat()
    new_due = (today() + timedelta(days=15)).isoformat()
    dossier = create_dossier(status=4, due_date=old_due)
    request = {"reason": "Thiếu bản sao giấy khai sinh", "documents": ["TK01"], "new_due_date": new_due}
    answer = post(http, f"/agency/dossiers/{dossier.code}/supplement-requests", request, ca_tinh)
    assert answer.status_code == 200, answer.body
    body = answer.json_body
    assert body["status"] == 5
    assert body["due_date"] == new_due
    [supplement] = body["supplements"]
    assert supplement["old_due_date"] == old_due and supplement["new_due_date"] == new_due
    assert supplement["reason"] == request["reason"] and supplement["documents"] == ["TK01"]
    assert vietnam_time(supplement["requested_at"])


def test_a_supplement_request_with_a_due_date_in_the_past_is_refused(http, ca_tinh):
    dossier = create_dossier(status=4, due_date=(today() + timedelta(days=3)).isoformat())
    request = {"reason": "Thiếu giấy tờ", "new_due_date": (today() - timedelta(days=1)).isoformat()}
    answer = post(http, f"/agency/dossiers/{dossier.code}/supplement-requests", request, ca_tinh)
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == "new_due_date"
    assert stored(dossier.code).status == 4


def test_a_supplement_request_for_a_dossier_not_yet_received_is_an_impossible_move(http, ca_tinh):
    dossier = create_dossier(status=1)
    request = {"reason": "Thiếu giấy tờ", "new_due_date": (today() + timedelta(days=5)).isoformat()}
    answer = post(http, f"/agency/dossiers/{dossier.code}/supplement-requests", request, ca_tinh)
    assert answer.status_code == 400
    assert stored(dossier.code).supplements == []


def test_result_documents_are_appended_with_a_timestamp(http, ca_tinh):
    dossier = create_dossier(status=4)
    first = {"documents": [{"name": "Giấy phép", "number": "123/GP"}]}
    second = {"documents": [{"name": "Quyết định", "url": "https://ca-tinh.gov.vn/kq/1.pdf"}]}
    post(http, f"/agency/dossiers/{dossier.code}/results", first, ca_tinh)
    answer = post(http, f"/agency/dossiers/{dossier.code}/results", second, ca_tinh)
    assert answer.status_code == 200, answer.body
    results = answer.json_body["results"]
    assert [result["name"] for result in results] == ["Giấy phép", "Quyết định"]
    assert results[0]["number"] == "123/GP" and all(vietnam_time(result["attached_at"]) for result in results)


def test_results_cannot_be_attached_to_a_refused_dossier(http, ca_tinh):
    dossier = create_dossier(status=3)
    answer = post(http, f"/agency/dossiers/{dossier.code}/results", {"documents": [{"name": "Giấy phép"}]}, ca_tinh)
    assert answer.status_code == 409


def test_results_need_at_least_one_document(http, ca_tinh):
    dossier = create_dossier(status=4)
    answer = post(http, f"/agency/dossiers/{dossier.code}/results", {"documents": []}, ca_tinh)
    assert answer.status_code == 400


# Punctuality and overdue


def test_punctuality_counts_dossiers_finished_on_time_and_late(http, clock):
    agency = create_agency_client("CA-TINH")
    on_time = create_dossier(status=4, due_date=(today() + timedelta(days=2)).isoformat())
    late = create_dossier(status=4, due_date=(today() + timedelta(days=1)).isoformat())
    headers = bearer(agency_token(http, agency))
    assert move(http, headers, on_time.code, 9).status_code == 200
    clock.advance(3 * 86400)
    headers = bearer(agency_token(http, agency))
    assert move(http, headers, late.code, 9).status_code == 200
    assert move(http, headers, late.code, 10).status_code == 200  # returning the result counts nothing more
    month = vietnam_now(clock.now()).strftime("%Y-%m")
    answer = http.get(f"/agency/punctuality?month={month}", headers=headers)
    assert answer.status_code == 200, answer.body
    first_month = vietnam_now(clock.now() - 3 * 86400).strftime("%Y-%m")
    counted = answer.json_body
    if first_month != month:  # the two finishes fell in different months
        counted["on_time"] += http.get(f"/agency/punctuality?month={first_month}", headers=headers).json_body["on_time"]
    assert (counted["agency_id"], counted["on_time"], counted["late"]) == ("CA-TINH", 1, 1)


def test_punctuality_counts_a_dossier_without_due_date_apart_not_as_on_time(http, clock):
    agency = create_agency_client("CA-TINH")
    undated = create_dossier(status=4, due_date=None)
    dated = create_dossier(status=4, due_date=(today() + timedelta(days=2)).isoformat())
    headers = bearer(agency_token(http, agency))
    assert move(http, headers, undated.code, 9).status_code == 200
    assert move(http, headers, dated.code, 9).status_code == 200
    month = vietnam_now(clock.now()).strftime("%Y-%m")
    counted = http.get(f"/agency/punctuality?month={month}", headers=headers).json_body
    assert (counted["on_time"], counted["late"], counted["without_due_date"]) == (1, 0, 1)


def test_punctuality_of_a_month_without_finished_dossiers_is_zero_and_bad_months_are_refused(http, ca_tinh):
    answer = http.get("/agency/punctuality?month=2020-01", headers=ca_tinh)
    assert answer.json_body == {
        "agency_id": "CA-TINH",
        "month": "2020-01",
        "on_time": 0,
        "late": 0,
        "without_due_date": 0,
    }
    assert http.get("/agency/punctuality?month=2020-13", headers=ca_tinh).status_code == 400


def test_overdue_job_flags_open_dossiers_past_their_due_date_once(http, clock):
    due = (today() + timedelta(days=1)).isoformat()
    late = create_dossier(status=4, due_date=due)
    closed = create_dossier(status=3, due_date=due)
    finished = create_dossier(status=9, due_date=due)
    on_time = create_dossier(status=4, due_date=(today() + timedelta(days=30)).isoformat())
    assert flag_overdue() == 0
    clock.advance(3 * 86400)
    assert flag_overdue() == 1
    assert flag_overdue() == 0
    assert stored(late.code).overdue is True
    assert [stored(d.code).overdue for d in (closed, finished, on_time)] == [False, False, False]
    headers = bearer(agency_token(http, create_agency_client("CA-TINH")))
    assert http.get(f"/agency/dossiers/{late.code}", headers=headers).json_body["overdue"] is True


def test_a_supplement_request_gives_an_overdue_dossier_a_new_deadline(http, clock):
    dossier = create_dossier(status=4, due_date=(today() + timedelta(days=1)).isoformat())
    clock.advance(3 * 86400)
    assert flag_overdue() == 1
    headers = bearer(agency_token(http, create_agency_client("CA-TINH")))
    request = {"reason": "Thiếu giấy tờ", "new_due_date": (today() + timedelta(days=10)).isoformat()}
    answer = post(http, f"/agency/dossiers/{dossier.code}/supplement-requests", request, headers)
    assert answer.json_body["overdue"] is False
    assert stored(dossier.code).open_shard is not None


# Notifications


def test_each_status_change_queues_a_notification_to_the_applicant_from_the_stream(http, ca_tinh, streams):
    dossier = create_dossier(contact_email="chu-ho-so@example.vn")
    streams.baseline()  # as if the dossier had been there before the stream was read
    for status in (2, 4, 9, 10):
        assert move(http, ca_tinh, dossier.code, status).status_code == 200
        streams.poll()
    streams.poll()  # nothing new: nothing queued twice
    messages = sorted(OutboxMessage.scan(), key=lambda message: message.created_at)
    dossier_messages = [message for message in messages if message.template == "dossier_status"]
    assert len(dossier_messages) == 4
    assert {message.recipient for message in dossier_messages} == {"chu-ho-so@example.vn"}
    assert {message.params["code"] for message in dossier_messages} == {dossier.code}
    assert {message.params["status"] for message in dossier_messages} == {
        "Được tiếp nhận",
        "Đang xử lý",
        "Đã xử lý xong",
        "Đã trả kết quả",
    }


def test_a_status_notice_goes_out_with_its_subject_filled_in(http, ca_tinh, streams):
    from chalicelib.notifications.outbox import dispatch_pending
    from chalicelib.notifications.providers import Provider

    class Inbox(Provider):
        def __init__(self) -> None:
            self.sent: list[tuple[str, str]] = []

        def send(self, channel: str, recipient: str, subject: str, text: str) -> None:
            self.sent.append((subject, text))

    dossier = create_dossier(contact_email="chu-ho-so@example.vn")
    streams.baseline()
    assert move(http, ca_tinh, dossier.code, 2).status_code == 200
    streams.poll()
    inbox = Inbox()
    assert dispatch_pending(inbox) >= 1
    assert (f"Hồ sơ {dossier.code}: Được tiếp nhận") in [subject for subject, _ in inbox.sent]
    for subject, text in inbox.sent:
        assert "{" not in subject and "{" not in text, (subject, text)


def test_a_refused_move_queues_no_notification(http, ca_tinh, streams):
    dossier = create_dossier()
    streams.baseline()
    move(http, ca_tinh, dossier.code, 9)
    streams.poll()
    assert [m for m in OutboxMessage.scan() if m.template == "dossier_status"] == []


def test_a_notice_is_queued_once_however_often_its_stream_record_is_delivered(http, ca_tinh):
    from chalicelib.dossiers.notices import notify_changes

    dossier = create_dossier(contact_email="chu-ho-so@example.vn")
    old = {"code": {"S": dossier.code}, "status": {"N": "1"}}
    new = {**old, "status": {"N": "2"}, "contact_email": {"S": "chu-ho-so@example.vn"}}
    record = {"eventID": "e-1", "eventName": "MODIFY", "dynamodb": {"OldImage": old, "NewImage": new}}
    assert notify_changes({"Records": [record, record]}) == 1
    assert notify_changes({"Records": [record]}) == 0  # Lambda retried the batch
    assert len([m for m in OutboxMessage.scan() if m.template == "dossier_status"]) == 1


def test_a_dossier_whose_timeline_is_still_json_text_moves_and_is_rewritten_as_a_list(http, ca_tinh):
    import json

    import boto3

    dossier = create_dossier()
    client = boto3.client("dynamodb", region_name="ap-southeast-1")
    table = Dossier.Meta.table_name
    item = client.get_item(TableName=table, Key={"code": {"S": dossier.code}})["Item"]
    legacy = [{"at": 1.0, "status": 1, "actor": "citizen"}]
    client.put_item(TableName=table, Item={**item, "timeline": {"S": json.dumps(legacy)}})
    answer = move(http, ca_tinh, dossier.code, 2)
    assert answer.status_code == 200, answer.body
    assert [entry["status"] for entry in answer.json_body["timeline"]] == [1, 2]
    assert "L" in client.get_item(TableName=table, Key={"code": {"S": dossier.code}})["Item"]["timeline"]


def test_status_values_are_the_national_codes():
    assert [int(status) for status in Status] == list(range(1, 11))
