"""Agency batch sync: create-or-update, idempotent on update_id, stale and backwards updates refused,
a result per item, and no lost or reordered update when several threads push at once."""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import clock as clock_module
from chalicelib.dossiers import sync
from chalicelib.dossiers.schemas import SyncBatch
from chalicelib.dossiers.statuses import reachable
from chalicelib.store.dossiers import Dossier, SyncReceipt
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
    publish_procedure,
)

JSON = {"Content-Type": "application/json"}
AGENCY = "UBND-XA-A"
OWNER = {"name": "Trần Văn Đồng", "identifier": "001099054321", "type": 1, "email": "dong@example.vn"}


@pytest.fixture(autouse=True)
def catalogue() -> None:
    """1.999001 is executed by the commune offices these tests sync for; 1.999002 by the province's police only."""
    agencies = {"executing": [AGENCY, "UBND-XA-B", "UBND-XA"], "competent": ["BCA"]}
    publish_procedure("1.999001", agencies=agencies)
    publish_procedure("1.999002", name="Thủ tục của công an tỉnh", agencies={"executing": ["CA-TINH"]})


@pytest.fixture
def headers(http: Any) -> dict[str, str]:
    return bearer(agency_token(http, create_agency_client(AGENCY)))


def moment(minutes_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def item(update_id: str, code: str, status: int, minutes_ago: float = 60, **fields: Any) -> dict[str, Any]:
    values = {
        "update_id": update_id,
        "code": code,
        "updated_at": moment(minutes_ago),
        "status": status,
        "procedure_code": "1.999001",
        "owner": OWNER,
        **fields,
    }
    return {key: value for key, value in values.items() if value is not None}


def push(http: Any, headers: dict[str, str], *items: dict[str, Any]) -> Any:
    return http.post("/agency/sync/dossiers", body=json_body({"items": list(items)}), headers={**JSON, **headers})


def outcomes(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.body
    return [result["outcome"] for result in answer.json_body["results"]]


def stored(code: str) -> Dossier:
    return Dossier.get(code, consistent_read=True)


def receipts() -> dict[str, dict[str, Any]]:
    return {receipt.key: receipt.result for receipt in SyncReceipt.scan()}


CODE = f"{AGENCY}-260301-0001"


def test_an_unknown_code_is_created_as_an_agency_dossier(http, headers):
    due = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    answer = push(http, headers, item("u1", CODE, 2, received_at=moment(90), due_date=due))
    assert outcomes(answer) == ["created"]
    assert answer.json_body["results"][0]["status"] == 2
    dossier = stored(CODE)
    assert (dossier.source, dossier.agency_id, dossier.status, dossier.owner_identifier) == (
        "agency",
        AGENCY,
        2,
        OWNER["identifier"],
    )
    assert dossier.due_date == due and dossier.received_at is not None
    assert dossier.procedure_name == "Cấp đổi giấy phép thử nghiệm"  # the catalogue's name, not the sender's
    assert [event["status"] for event in dossier.timeline] == [2]
    assert dossier.channel == "direct"


def test_a_create_without_owner_or_procedure_is_rejected_naming_the_field(http, headers):
    answer = push(
        http, headers, item("u1", CODE, 1, owner=None), item("u2", f"{AGENCY}-260301-0002", 1, procedure_code=None)
    )
    assert outcomes(answer) == ["rejected", "rejected"]
    results = answer.json_body["results"]
    assert [r["message"] for r in results] == ["Hồ sơ mới cần thông tin chủ hồ sơ và mã thủ tục."] * 2
    assert [r["field"] for r in results] == ["owner", "procedure_code"]
    assert list(Dossier.scan()) == []
    assert outcomes(push(http, headers, item("u3", CODE, 1))) == ["created"]  # corrected, under a new update id


def test_a_newer_update_moves_the_dossier_and_records_the_agencys_time(http, headers):
    push(http, headers, item("u1", CODE, 2, minutes_ago=60))
    answer = push(http, headers, item("u2", CODE, 4, minutes_ago=30, note="Chuyển phòng chuyên môn"))
    assert outcomes(answer) == ["updated"]
    dossier = stored(CODE)
    assert dossier.status == 4
    assert [event["status"] for event in dossier.timeline] == [2, 4]
    assert dossier.timeline[-1]["note"] == "Chuyển phòng chuyên môn"
    assert dossier.timeline[-1]["at"] == pytest.approx(datetime.fromisoformat(moment(30)).timestamp(), abs=5)


def test_an_update_can_jump_to_any_status_reachable_by_allowed_moves(http, headers):
    push(http, headers, item("u1", CODE, 1, minutes_ago=60))
    assert outcomes(push(http, headers, item("u2", CODE, 10, minutes_ago=30))) == ["updated"]
    assert stored(CODE).finished_at is not None


def test_an_older_update_arriving_late_is_ignored_as_stale(http, headers):
    push(http, headers, item("u2", CODE, 4, minutes_ago=30))
    answer = push(http, headers, item("u1", CODE, 2, minutes_ago=60))
    assert outcomes(answer) == ["ignored_stale"]
    assert answer.json_body["results"][0]["status"] == 4
    assert stored(CODE).status == 4 and len(stored(CODE).timeline) == 1


def test_an_update_with_a_newer_time_but_an_earlier_status_is_rejected_and_never_moves_backwards(http, headers):
    push(http, headers, item("u1", CODE, 9, minutes_ago=60))
    answer = push(http, headers, item("u2", CODE, 4, minutes_ago=30))
    assert outcomes(answer) == ["rejected"]
    result = answer.json_body["results"][0]
    assert result["status"] == 9
    assert result["message"] == "Không thể chuyển hồ sơ từ trạng thái 9 (Đã xử lý xong) về 4 (Đang xử lý)."
    assert stored(CODE).status == 9


def test_a_replayed_batch_answers_duplicate_and_changes_nothing(http, headers):
    batch = [item("u1", CODE, 2, minutes_ago=60), item("u2", CODE, 4, minutes_ago=30), item("u0", CODE, 1, 90)]
    assert outcomes(push(http, headers, *batch)) == ["created", "updated", "ignored_stale"]
    before = stored(CODE)
    messages = OutboxMessage.count()
    replay = push(http, headers, *batch)
    assert outcomes(replay) == ["duplicate", "duplicate", "duplicate"]
    assert [result["status"] for result in replay.json_body["results"]] == [2, 4, 4]
    after = stored(CODE)
    assert (after.version, after.status, after.timeline) == (before.version, before.status, before.timeline)
    assert OutboxMessage.count() == messages
    assert set(receipts()) == {f"{AGENCY}#u1", f"{AGENCY}#u2", f"{AGENCY}#u0"}


def test_an_update_id_reused_with_different_content_is_a_conflict_and_changes_nothing(http, headers):
    first = item("u1", CODE, 2, minutes_ago=60)
    push(http, headers, first)
    answer = push(http, headers, item("u1", CODE, 4, minutes_ago=10))
    assert outcomes(answer) == ["conflict"]
    assert answer.json_body["results"][0]["field"] == "update_id"
    assert stored(CODE).status == 2
    reordered = dict(reversed(list(first.items())))  # the same content in another key order is a replay
    assert outcomes(push(http, headers, reordered)) == ["duplicate"]


def test_a_replayed_rejection_is_rejected_again_not_a_duplicate(http, headers):
    bad = item("u1", CODE, 2, procedure_code="9.999999")
    first = push(http, headers, bad).json_body["results"][0]
    again = push(http, headers, bad).json_body["results"][0]
    assert first["outcome"] == again["outcome"] == "rejected"
    assert again == first
    assert outcomes(push(http, headers, item("u1", CODE, 2))) == ["conflict"]  # corrected content needs a new id
    assert list(Dossier.scan()) == []


def test_a_backwards_move_replayed_is_rejected_again(http, headers):
    push(http, headers, item("u1", CODE, 9, minutes_ago=60))
    backwards = item("u2", CODE, 4, minutes_ago=30)
    assert outcomes(push(http, headers, backwards)) == ["rejected"]
    assert outcomes(push(http, headers, backwards)) == ["rejected"]


# Strict sync: what a new dossier must be


def rejection(answer: Any) -> tuple[str, str]:
    result = answer.json_body["results"][0]
    assert result["outcome"] == "rejected", result
    return result["field"], result["message"]


def test_a_procedure_missing_from_the_national_catalogue_is_refused(http, headers):
    field, message = rejection(push(http, headers, item("u1", CODE, 2, procedure_code="9.999999")))
    assert field == "procedure_code"
    assert message == "Thủ tục 9.999999 không có trong Cơ sở dữ liệu thủ tục hành chính quốc gia."
    assert list(Dossier.scan()) == []


def test_a_procedure_the_agency_does_not_execute_is_refused(http, headers):
    field, message = rejection(push(http, headers, item("u1", CODE, 2, procedure_code="1.999002")))
    assert field == "procedure_code"
    assert "không phải cơ quan thực hiện thủ tục 1.999002" in message


@pytest.mark.parametrize(
    ("owner", "reason"),
    [
        ({**OWNER, "identifier": "ABCDEFGHIJ"}, "12 chữ số"),
        ({**OWNER, "identifier": "123456789"}, "12 chữ số"),  # an old 9-digit card: no lookup can find it
        ({**OWNER, "identifier": "999099054321"}, "mã tỉnh"),
        ({**OWNER, "type": 2, "identifier": "0100109107"}, "chữ số kiểm tra"),
        ({**OWNER, "type": 2, "identifier": "001099054321"}, "Mã số thuế"),
    ],
)
def test_an_owner_identifier_that_fails_its_rules_is_refused(http, headers, owner, reason):
    field, message = rejection(push(http, headers, item("u1", CODE, 2, owner=owner)))
    assert field == "owner.identifier" and reason in message


def test_a_business_owner_is_accepted_by_its_tax_code(http, headers):
    business = {"name": "Công ty Cổ phần Dữ liệu Mẫu", "identifier": "0100109106-001", "type": 2}
    assert outcomes(push(http, headers, item("u1", CODE, 2, owner=business))) == ["created"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"received_at": "1999-12-31T08:00:00+07:00"}, "received_at"),
        ({"received_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()}, "received_at"),
        ({"due_date": "2019-05-01"}, "due_date"),  # years before the dossier was received
        ({"received_at": "2026-01-05T08:00:00+07:00", "due_date": "2026-01-04"}, "due_date"),
        ({"due_date": "2036-01-01"}, "due_date"),  # a mistyped year
    ],
)
def test_impossible_dates_are_refused(http, headers, fields, field):
    assert rejection(push(http, headers, item("u1", CODE, 2, **fields)))[0] == field


def test_a_historical_dossier_can_be_loaded_with_its_own_past_dates(http, headers):
    history = item("h1", CODE, 10, received_at="2024-03-04T09:00:00+07:00", due_date="2024-03-20", notify=False)
    assert outcomes(push(http, headers, history)) == ["created"]
    assert stored(CODE).due_date == "2024-03-20"


def test_an_update_cannot_change_the_procedure(http, headers):
    push(http, headers, item("u1", CODE, 2, minutes_ago=60))
    field, _ = rejection(push(http, headers, item("u2", CODE, 4, minutes_ago=30, procedure_code="1.999002")))
    assert field == "procedure_code"


def test_a_historical_load_with_notify_false_sends_the_citizen_nothing(http, headers, streams):
    streams.baseline()
    push(http, headers, item("h1", CODE, 2, minutes_ago=60, notify=False))
    push(http, headers, item("h2", CODE, 4, minutes_ago=50, notify=False))
    streams.poll()
    assert [m for m in OutboxMessage.scan() if m.template == "dossier_status"] == []
    push(http, headers, item("h3", CODE, 9, minutes_ago=40))  # live again: the citizen hears of it
    streams.poll()
    assert [m.params["status"] for m in OutboxMessage.scan() if m.template == "dossier_status"] == ["Đã xử lý xong"]


# Sandbox dossiers


def test_a_sandbox_dossier_can_be_voided_by_its_agency_and_is_never_announced(http, headers, streams):
    streams.baseline()
    assert outcomes(push(http, headers, item("s1", CODE, 2, sandbox=True))) == ["created"]
    streams.poll()
    assert [m for m in OutboxMessage.scan() if m.template == "dossier_status"] == []
    answer = http.delete(f"/agency/dossiers/{CODE}", headers=headers)
    assert answer.status_code == 200, answer.body
    assert answer.json_body == {"code": CODE, "voided": True}
    assert list(Dossier.scan()) == []
    assert http.get(f"/agency/dossiers/{CODE}", headers=headers).status_code == 404


def test_a_real_dossier_cannot_be_voided(http, headers):
    push(http, headers, item("r1", CODE, 2))
    answer = http.delete(f"/agency/dossiers/{CODE}", headers=headers)
    assert answer.status_code == 409
    assert answer.json_body["error"]["field"] == "code"
    assert stored(CODE).status == 2


def test_another_agencys_sandbox_dossier_cannot_be_voided(http, headers):
    push(http, headers, item("s1", CODE, 2, sandbox=True))
    other = bearer(agency_token(http, create_agency_client("UBND-XA-B")))
    assert http.delete(f"/agency/dossiers/{CODE}", headers=other).status_code == 404
    read_only = bearer(agency_token(http, create_agency_client(AGENCY), scope="dossiers:read"))
    assert http.delete(f"/agency/dossiers/{CODE}", headers=read_only).status_code == 403
    assert stored(CODE).sandbox is True


def test_the_same_update_id_from_two_agencies_is_two_updates(http, headers):
    other = bearer(agency_token(http, create_agency_client("UBND-XA-B")))
    assert outcomes(push(http, headers, item("u1", CODE, 2))) == ["created"]
    assert outcomes(push(http, other, item("u1", "UBND-XA-B-260301-0001", 2))) == ["created"]


@pytest.mark.parametrize("code", ["UBND-XA-B-260301-0001", "UBND-XA-A-B-260301-0001", "UBND-XA-260301-0001"])
def test_a_code_of_another_agency_is_rejected_and_nothing_is_written(http, headers, code):
    create_dossier(code="UBND-XA-B-260301-0001", agency_id="UBND-XA-B", status=2)
    answer = push(http, headers, item("u1", code, 4))
    assert outcomes(answer) == ["rejected"]
    assert answer.json_body["results"][0]["message"] == "Mã hồ sơ không thuộc cơ quan của bạn."
    assert stored("UBND-XA-B-260301-0001").status == 2
    assert [result["outcome"] for result in receipts().values()] == ["rejected"]


def test_an_agency_id_that_prefixes_another_cannot_claim_its_codes(http):
    short = bearer(agency_token(http, create_agency_client("UBND-XA")))
    answer = push(http, short, item("u1", "UBND-XA-A-260301-0001", 2))
    assert outcomes(answer) == ["rejected"]


def test_sync_updates_a_dossier_submitted_on_the_portal(http, headers):
    dossier = create_dossier(agency_id=AGENCY, status=1)
    answer = push(http, headers, item("u1", dossier.code, 2, owner=None, procedure_code=None))
    assert outcomes(answer) == ["updated"]
    assert stored(dossier.code).source == "portal"
    assert [event["status"] for event in stored(dossier.code).timeline] == [1, 2]


def test_an_update_from_the_future_is_rejected(http, headers):
    answer = push(http, headers, item("u1", CODE, 2, minutes_ago=-60))
    assert outcomes(answer) == ["rejected"]
    assert answer.json_body["results"][0]["message"] == "Thời điểm cập nhật không được ở tương lai."


def test_a_bad_item_does_not_fail_the_rest_of_the_batch(http, headers):
    answer = push(
        http,
        headers,
        item("u1", CODE, 9),
        item("u2", "UBND-XA-B-260301-0001", 2),
        item("u3", CODE, 2, minutes_ago=1),
        item("u4", f"{AGENCY}-260301-0002", 4),
    )
    assert outcomes(answer) == ["created", "rejected", "rejected", "created"]


def test_a_status_change_through_sync_queues_a_notification(http, headers, streams):
    push(http, headers, item("u1", CODE, 2, minutes_ago=60))
    streams.poll()
    push(http, headers, item("u2", CODE, 2, minutes_ago=50, due_date="2026-12-31"))  # same status: no message
    streams.poll()
    push(http, headers, item("u3", CODE, 4, minutes_ago=40))
    streams.poll()
    messages = [m for m in OutboxMessage.scan() if m.template == "dossier_status"]
    assert sorted(m.params["status"] for m in messages) == sorted(["Được tiếp nhận", "Đang xử lý"])
    assert {m.recipient for m in messages} == {OWNER["email"]}
    assert stored(CODE).due_date == "2026-12-31"


def test_a_batch_of_101_items_is_refused_whole(http, headers):
    items = [item(f"u{n}", f"{AGENCY}-260301-{n:04d}", 2) for n in range(101)]
    answer = push(http, headers, *items)
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == "items"
    assert list(Dossier.scan()) == []


def test_a_batch_of_100_items_is_accepted(http, headers):
    items = [item(f"u{n}", f"{AGENCY}-260301-{n:04d}", 2, note="Ghi chú " * 20) for n in range(100)]
    assert outcomes(push(http, headers, *items)) == ["created"] * 100


def test_sync_needs_the_write_scope_and_an_agency_token(http):
    read_only = bearer(agency_token(http, create_agency_client(AGENCY), scope="dossiers:read"))
    assert push(http, read_only, item("u1", CODE, 2)).status_code == 403
    citizen = create_citizen()
    user = bearer(Flow(http, create_relying_party()).tokens(citizen.identifier)["access_token"])
    assert push(http, user, item("u1", CODE, 2)).status_code == 403
    assert list(Dossier.scan()) == []


def test_unknown_fields_in_an_item_are_refused(http, headers):
    answer = push(http, headers, {**item("u1", CODE, 2), "secret_flag": True})
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == "items.0.secret_flag"


# Concurrency

PATHS = [
    [1, 2, 4, 5, 4, 9, 10],
    [1, 2, 6, 4, 7, 8],
    [2, 4, 5, 4, 6, 9, 10],
    [1, 2, 4, 7, 4, 9],
]


def push_from_threads(work: list[dict[str, Any]], threads_count: int, batch_size: int) -> list[dict[str, Any]]:
    """Split the updates among threads, each pushing small batches through the service; every result."""
    chunks = [work[index::threads_count] for index in range(threads_count)]
    answers: list[dict[str, Any]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def worker(chunk: list[dict[str, Any]]) -> None:
        try:
            for start in range(0, len(chunk), batch_size):
                batch = SyncBatch.model_validate({"items": chunk[start : start + batch_size]})
                reply = sync.sync_batch(AGENCY, batch)
                with lock:
                    answers.extend(result.model_dump() for result in reply.results)
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return answers


def test_threads_pushing_interleaved_updates_lose_none_and_never_move_a_dossier_backwards(atomic_requests):
    base = clock_module.now() - 3600
    updates = []
    for number, path in enumerate(PATHS, start=1):
        code = f"{AGENCY}-260301-{number:04d}"
        for step, status in enumerate(path):
            updated_at = datetime.fromtimestamp(base + 10 * step + number, tz=UTC)
            updates.append(item(f"{code}/{step}", code, status, updated_at=updated_at.isoformat()))
    rng = random.Random(4)
    work = updates + rng.sample(updates, 10)  # some updates are delivered twice
    rng.shuffle(work)
    answers = push_from_threads(work, threads_count=6, batch_size=3)

    assert len(answers) == len(work)
    assert [a for a in answers if a["outcome"] == "rejected"] == []
    for number, path in enumerate(PATHS, start=1):
        code = f"{AGENCY}-260301-{number:04d}"
        dossier = stored(code)
        assert dossier.status == path[-1], code
        assert dossier.source_updated_at == pytest.approx(base + 10 * (len(path) - 1) + number)
        statuses = [event["status"] for event in dossier.timeline]
        times = [event["at"] for event in dossier.timeline]
        assert times == sorted(times), code
        assert all(b in reachable(a) for a, b in itertools.pairwise(statuses)), (code, statuses)
    applied = Counter(answer["update_id"] for answer in answers if answer["outcome"] in ("created", "updated"))
    assert max(applied.values()) == 1  # no update applied twice, replays included
    stored_receipts = list(SyncReceipt.scan())
    assert sorted(receipt.key for receipt in stored_receipts) == sorted(f"{AGENCY}#{u['update_id']}" for u in updates)


def test_a_newer_update_corrects_the_owners_contacts_but_never_their_number(http, headers):
    code = f"{AGENCY}-261101-0007"
    assert outcomes(push(http, headers, item("c1", code, 2, minutes_ago=30))) == ["created"]
    corrected = {**OWNER, "name": "Trần Văn Đông", "phone": "0987654321"}
    assert outcomes(push(http, headers, item("c2", code, 4, minutes_ago=20, owner=corrected))) == ["updated"]
    dossier = stored(code)
    assert (dossier.owner_name, dossier.contact_phone, dossier.contact_email) == (
        "Trần Văn Đông",
        "0987654321",
        OWNER["email"],
    )
    other_person = {**OWNER, "identifier": "079200001234"}
    answer = push(http, headers, item("c3", code, 9, minutes_ago=10, owner=other_person))
    assert outcomes(answer) == ["rejected"]
    assert stored(code).owner_identifier == OWNER["identifier"] and stored(code).status == 4
