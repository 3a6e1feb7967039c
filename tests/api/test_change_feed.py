"""Change feeds for agency systems that were down: `?updated_since=` answers every change once, oldest
first, and a cursor resumes exactly after the last record, with no gap and no repeat."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.core.feed import SETTLE_SECONDS
from tests.api.factories import agency_token, bearer, create_agency_client, create_dossier, json_body

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def ca_tinh(http: Any) -> dict[str, str]:
    return bearer(agency_token(http, create_agency_client("CA-TINH")))


def iso(epoch: float) -> str:
    return quote(datetime.fromtimestamp(epoch, tz=UTC).isoformat())


def feed(http: Any, headers: dict[str, str], query: str) -> dict[str, Any]:
    answer = http.get(f"/agency/dossiers?{query}", headers=headers)
    assert answer.status_code == 200, answer.body
    return answer.json_body


def drain(http: Any, headers: dict[str, str], since: float, cursor: str | None = None) -> tuple[list[str], str | None]:
    codes: list[str] = []
    while True:
        query = f"updated_since={iso(since)}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = feed(http, headers, query)
        codes += [dossier["code"] for dossier in page["dossiers"]]
        if not page["dossiers"]:
            return codes, page.get("next_cursor", cursor)
        cursor = page["next_cursor"]


def test_the_feed_gives_every_change_once_oldest_first_across_pages(http, ca_tinh, clock):
    start = clock.now()
    made = []
    for _ in range(5):
        clock.advance(1)
        made.append(create_dossier().code)
    create_dossier(agency_id="UBND-XA-B")  # another agency's: never in this feed
    clock.advance(SETTLE_SECONDS + 1)
    codes, cursor = drain(http, ca_tinh, start)
    assert codes == made
    assert cursor is not None


def test_a_cursor_resumes_after_downtime_with_only_what_changed_since(http, ca_tinh, clock):
    start = clock.now()
    clock.advance(1)
    first, second = create_dossier().code, create_dossier().code
    clock.advance(SETTLE_SECONDS + 1)
    seen, cursor = drain(http, ca_tinh, start)
    assert seen == [first, second]
    clock.advance(60)  # the agency system is down; meanwhile one dossier moves and one arrives
    assert (
        http.post(
            f"/agency/dossiers/{first}/status",
            body='{"status": 2}',
            headers={"Content-Type": "application/json", **ca_tinh},
        ).status_code
        == 200
    )
    clock.advance(1)
    third = create_dossier().code
    clock.advance(SETTLE_SECONDS + 1)
    caught_up, _ = drain(http, ca_tinh, start, cursor)
    assert caught_up == [first, third]


def test_changes_younger_than_the_settling_time_wait_for_the_next_poll(http, ca_tinh, clock):
    start = clock.now()
    clock.advance(1)
    code = create_dossier().code
    page = feed(http, ca_tinh, f"updated_since={iso(start)}")
    assert page == {"dossiers": []}
    clock.advance(SETTLE_SECONDS + 1)
    assert [d["code"] for d in feed(http, ca_tinh, f"updated_since={iso(start)}")["dossiers"]] == [code]


def test_a_date_range_and_a_status_narrow_the_feed(http, ca_tinh, clock):
    start = clock.now()
    clock.advance(1)
    early = create_dossier(status=2).code
    clock.advance(100)
    middle = clock.now()
    create_dossier(status=4)
    clock.advance(100)
    create_dossier(status=2)
    clock.advance(SETTLE_SECONDS + 1)
    ranged = feed(http, ca_tinh, f"updated_since={iso(start)}&updated_until={iso(middle - 1)}")
    assert [d["code"] for d in ranged["dossiers"]] == [early]
    by_status = feed(http, ca_tinh, f"updated_since={iso(start)}&status=4")
    assert [d["status"] for d in by_status["dossiers"]] == [4]


def test_a_cursor_of_another_agency_or_a_forged_one_is_refused(http, ca_tinh, clock):
    start = clock.now()
    clock.advance(1)
    create_dossier(agency_id="UBND-XA-B")
    clock.advance(SETTLE_SECONDS + 1)
    other = bearer(agency_token(http, create_agency_client("UBND-XA-B")))
    theirs = feed(http, other, f"updated_since={iso(start)}")["next_cursor"]
    answer = http.get(f"/agency/dossiers?updated_since={iso(start)}&cursor={theirs}", headers=ca_tinh)
    assert answer.status_code == 400 and answer.json_body["error"]["field"] == "cursor"
    assert http.get("/agency/dossiers?updated_since=hôm-qua", headers=ca_tinh).status_code == 400
    lone = http.get(f"/agency/dossiers?updated_until={iso(start)}", headers=ca_tinh)
    assert lone.status_code == 400 and lone.json_body["error"]["field"] == "updated_until"


@pytest.mark.parametrize("route", ["/agency/dossiers", "/agency/payments", "/agency/complaints"])
@pytest.mark.parametrize("number", ["0.5", "1700000000", "-1", "1e9"])
def test_a_time_given_as_a_number_is_refused_not_read_as_unix_seconds(http, route, number):
    """The contract has one time format, ISO 8601; pydantic alone would take these as Unix seconds."""
    scope = "agency:read dossiers:read payments:read complaints:answer"
    headers = bearer(agency_token(http, create_agency_client("CA-TINH", scopes=scope.split()), scope=scope))
    answer = http.get(f"{route}?updated_since={quote(number)}", headers=headers)
    assert answer.status_code == 400, answer.body
    assert answer.json_body["error"]["field"] == "updated_since"
    assert "ISO 8601" in answer.json_body["error"]["message"]


# Payments and complaints have the same feed


def payment(agency_id: str = "CA-TINH", dossier_code: str | None = None) -> Any:
    from chalicelib.core import clock as clock_module
    from chalicelib.core.secrets import new_id
    from chalicelib.store.payments import PaymentIntent

    now = clock_module.now()
    intent = PaymentIntent(
        new_id(),
        kind="dossier_fee",
        subject=f"dossier#{dossier_code or new_id()}",
        owner_id="tai-khoan",
        payer_name="Nguyễn Thị Thử",
        description="Lệ phí",
        service="Lệ phí cấp giấy phép",
        agency_id=agency_id,
        agency_name="Công an tỉnh",
        beneficiary_account="KBNN",
        dossier_code=dossier_code,
        lines=[{"name": "Lệ phí", "kind": "charge", "amount": 50000}],
        amount=50000,
        gateway="vnpay",
        history=[{"status": "created", "at": now}],
        created_at=now,
        updated_at=now,
    )
    intent.save()
    return intent


def test_the_payments_feed_follows_status_changes_and_filters_by_dossier(http, clock):
    from chalicelib.payments.intents import set_status

    headers = bearer(agency_token(http, create_agency_client("CA-TINH", scopes=["payments:read"])))
    start = clock.now()
    clock.advance(1)
    first = payment(dossier_code="CA-TINH-260101-0001")
    clock.advance(1)
    second = payment()
    payment(agency_id="SO-TP")
    clock.advance(SETTLE_SECONDS + 1)
    page = http.get(f"/agency/payments?updated_since={iso(start)}", headers=headers).json_body
    assert [i["intent_id"] for i in page["intents"]] == [first.intent_id, second.intent_id]
    clock.advance(10)
    set_status(first, "pending", clock.now())
    first.save()
    clock.advance(SETTLE_SECONDS + 1)
    after = http.get(f"/agency/payments?updated_since={iso(start)}&cursor={page['next_cursor']}", headers=headers)
    assert [(i["intent_id"], i["status"]) for i in after.json_body["intents"]] == [(first.intent_id, "pending")]
    one = http.get("/agency/payments?dossier_code=CA-TINH-260101-0001", headers=headers).json_body["intents"]
    assert [i["intent_id"] for i in one] == [first.intent_id]


def test_the_complaints_feed_shows_what_is_assigned_to_the_agency(http, clock):
    offices = {
        agency: bearer(agency_token(http, create_agency_client(agency, scopes=["complaints:answer"])))
        for agency in ("VPCP", "CA-TINH", "SO-TP")
    }
    start = clock.now()
    clock.advance(1)
    body = {
        "kind": "complaint",
        "agency_id": "CA-TINH",
        "topic": "thai-do-can-bo",
        "title": "Cán bộ hẹn trả kết quả nhiều lần",
        "content": "Tôi nộp hồ sơ ngày 01/11, đến nay đã quá hẹn mà chưa có kết quả.",
        "name": "Trần Văn Phản",
        "email": "phan@example.vn",
    }
    code = http.post("/complaints", body=json_body(body), headers=JSON).json_body["code"]
    accept = http.post(
        f"/agency/complaints/{code}/decision", body=json_body({"action": "accept"}), headers={**JSON, **offices["VPCP"]}
    )
    assert accept.status_code == 200, accept.body
    clock.advance(SETTLE_SECONDS + 1)
    feed_page = http.get(f"/agency/complaints?updated_since={iso(start)}", headers=offices["CA-TINH"]).json_body
    assert [(item["code"], item["status"]) for item in feed_page["items"]] == [(code, "assigned")]
    assert http.get(f"/agency/complaints?updated_since={iso(start)}", headers=offices["SO-TP"]).json_body["items"] == []
    lone = http.get("/agency/complaints?cursor=abc", headers=offices["CA-TINH"])
    assert lone.status_code == 400
