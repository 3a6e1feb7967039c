"""Webhooks: agencies register endpoints, events from the tables' streams are delivered signed to a real
HTTP receiver, retried with backoff when it fails, times out or answers slowly, dead-lettered after the
last attempt and replayable; every refusal answers in the one error shape."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chalicelib.store.webhooks import WebhookDelivery
from chalicelib.webhooks import delivery
from chalicelib.webhooks.events import (
    COMPLAINT_ASSIGNED,
    COMPLAINT_TRANSFERRED,
    DOSSIER_SUBMITTED,
    PAYMENT_REFUND_DUE,
    PAYMENT_SUCCEEDED,
    RATING_RECEIVED,
    SUPPLEMENT_SUBMITTED,
    WITHDRAWAL_REQUESTED,
    complaint_events,
    dossier_events,
    payment_events,
)
from chalicelib.webhooks.signing import verify
from tests.api.factories import agency_token, bearer, create_agency_client, json_body

JSON = {"Content-Type": "application/json"}
ALL_SCOPES = "agency:read dossiers:read dossiers:write webhooks:manage"


class Backlogged(ThreadingHTTPServer):
    request_queue_size = 128  # the default of 5 drops concurrent connections (retried by TCP a second later)


class Receiver:
    """A real HTTP endpoint on 127.0.0.1 that answers as told: `plan` holds, per request in order,
    "ok", an HTTP status ("500"), "slow" (answers after 0.3 s) or "hang" (longer than the timeout)."""

    def __init__(self) -> None:
        self.plan: list[str] = []
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    step = receiver.plan.pop(0) if receiver.plan else "ok"
                    receiver.received.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                if step == "hang":
                    time.sleep(1.5)
                elif step == "slow":
                    time.sleep(0.3)
                status = int(step) if step.isdigit() else 204
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the portal gave up waiting

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = Backlogged(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/dvc"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(request["body"]) for request in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.server.shutdown()


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 0.5)


@pytest.fixture
def ca_tinh(http: Any) -> dict[str, str]:
    return bearer(agency_token(http, agency("CA-TINH"), scope=ALL_SCOPES))


def agency(agency_id: str, client_id: str | None = None) -> Any:
    return create_agency_client(agency_id, client_id=client_id, scopes=ALL_SCOPES.split())


def register(http: Any, headers: dict[str, str], url: str, events: list[str] | None = None) -> Any:
    body = {"url": url, "events": events or [WITHDRAWAL_REQUESTED, SUPPLEMENT_SUBMITTED, DOSSIER_SUBMITTED]}
    return http.post("/agency/webhooks", body=json_body(body), headers={**JSON, **headers})


def subscribed(http: Any, headers: dict[str, str], url: str, events: list[str] | None = None) -> dict[str, Any]:
    answer = register(http, headers, url, events)
    assert answer.status_code == 201, answer.body
    return answer.json_body


def withdrawal_record(code: str, record_id: str = "rec-1") -> dict[str, Any]:
    """The dossiers stream's record of a citizen asking to withdraw (status 4 -> 7)."""
    old = {"code": {"S": code}, "agency_id": {"S": "CA-TINH"}, "status": {"N": "4"}}
    new = {**old, "status": {"N": "7"}, "timeline": {"L": [{"M": {"actor": {"S": "citizen"}}}]}}
    return {"eventID": record_id, "eventName": "MODIFY", "dynamodb": {"OldImage": old, "NewImage": new}}


def stream(*records: dict[str, Any]) -> int:
    from chalicelib.webhooks.stream import deliveries_from

    return deliveries_from("dossiers", {"Records": list(records)})


def deliveries() -> list[WebhookDelivery]:
    return list(WebhookDelivery.scan(consistent_read=True))


# Registration and its refusals


def test_registering_answers_the_secret_once_and_lists_the_endpoint_without_it(http, ca_tinh, receiver):
    created = subscribed(http, ca_tinh, receiver.url)
    assert created["secret"].startswith("whsec_") and created["id"].startswith("wh_")
    listed = http.get("/agency/webhooks", headers=ca_tinh).json_body["webhooks"]
    assert [hook["id"] for hook in listed] == [created["id"]]
    assert "secret" not in listed[0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.vn/hook", "events": [DOSSIER_SUBMITTED]}, "url"),
        ({"url": "https://user:pw@example.vn/hook", "events": [DOSSIER_SUBMITTED]}, "url"),
        ({"url": "https://example.vn/hook", "events": ["dossier.deleted"]}, "events.0"),
        ({"url": "https://example.vn/hook", "events": []}, "events"),
    ],
)
def test_a_bad_registration_is_refused_naming_the_field(http, ca_tinh, body, field):
    answer = http.post("/agency/webhooks", body=json_body(body), headers={**JSON, **ca_tinh})
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == field


def test_outside_the_local_stack_only_public_https_endpoints_are_accepted(http, ca_tinh, monkeypatch):
    from chalicelib.core.config import get_settings

    monkeypatch.delenv("PORTAL_WEBHOOK_ALLOW_HTTP")
    get_settings.cache_clear()
    try:
        for url in ("http://example.vn/hook", "https://10.0.0.5/hook", "https://127.0.0.1/hook", "https://[::1]/h"):
            assert register(http, ca_tinh, url).json_body["error"]["field"] == "url", url
        assert register(http, ca_tinh, "https://motcua.hanoi.gov.vn/hook").status_code == 201
    finally:
        monkeypatch.setenv("PORTAL_WEBHOOK_ALLOW_HTTP", "1")
        get_settings.cache_clear()


def test_webhooks_need_the_manage_scope_and_stay_within_the_agency(http, ca_tinh, receiver):
    created = subscribed(http, ca_tinh, receiver.url)
    without = bearer(agency_token(http, create_agency_client("CA-TINH", client_id="ca-tinh-2"), scope="dossiers:read"))
    assert register(http, without, receiver.url).status_code == 403
    other = bearer(agency_token(http, agency("UBND-XA-B"), scope=ALL_SCOPES))
    for method, path in (
        ("delete", f"/agency/webhooks/{created['id']}"),
        ("post", f"/agency/webhooks/{created['id']}/rotate-secret"),
        ("post", f"/agency/webhooks/{created['id']}/ping"),
    ):
        answer = getattr(http, method)(path, headers=other)
        assert answer.status_code == 404 and answer.json_body["error"]["code"] == "not_found", path
    assert http.get("/agency/webhooks", headers=other).json_body == {"webhooks": []}


# Delivery


def test_an_event_from_the_stream_reaches_the_receiver_signed_and_verifiable(http, ca_tinh, receiver):
    secret = subscribed(http, ca_tinh, receiver.url)["secret"]
    assert stream(withdrawal_record("CA-TINH-260101-0001")) == 1
    assert delivery.sweep() == 1
    [request] = receiver.received
    event = json.loads(request["body"])
    assert event["type"] == WITHDRAWAL_REQUESTED and event["data"]["code"] == "CA-TINH-260101-0001"
    assert request["headers"]["webhook-id"] == event["id"]
    assert event["occurred_at"].endswith("+07:00")
    assert verify(secret, request["headers"], request["body"], time.time())
    assert not verify(secret, request["headers"], request["body"] + b" ", time.time())
    assert [d.status for d in deliveries()] == ["delivered"]


def test_a_replayed_stream_record_is_delivered_once(http, ca_tinh, receiver):
    subscribed(http, ca_tinh, receiver.url)
    record = withdrawal_record("CA-TINH-260101-0001")
    assert stream(record, record) == 1
    assert stream(record) == 0  # Lambda retried the batch
    delivery.sweep()
    assert len(receiver.received) == 1


def test_only_subscribed_event_types_are_delivered(http, ca_tinh, receiver):
    subscribed(http, ca_tinh, receiver.url, events=[DOSSIER_SUBMITTED])
    assert stream(withdrawal_record("CA-TINH-260101-0001")) == 0


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(http, ca_tinh, receiver, clock):
    subscribed(http, ca_tinh, receiver.url)
    receiver.plan = ["500", "hang", "302"]
    stream(withdrawal_record("CA-TINH-260101-0001"))
    waits = []
    for _ in range(3):
        delivery.sweep()
        [pending] = deliveries()
        waits.append(pending.next_attempt_at - clock.now())
        assert delivery.sweep() == 0  # not due yet
        clock.advance(pending.next_attempt_at - clock.now() + 1)
    assert delivery.sweep() == 1
    [done] = deliveries()
    assert (done.status, done.attempts, len(receiver.received)) == ("delivered", 4, 4)
    assert [round(wait / base, 1) for wait, base in zip(waits, delivery.BACKOFF_SECONDS, strict=False)] == [
        pytest.approx(1.0, abs=0.11)
    ] * 3
    assert len({event["id"] for event in receiver.events()}) == 1  # the same event id every attempt


def test_after_every_attempt_fails_the_delivery_is_dead_lettered_and_can_be_replayed(http, ca_tinh, receiver, clock):
    subscribed(http, ca_tinh, receiver.url)
    receiver.plan = ["503"] * delivery.MAX_ATTEMPTS
    start = clock.now()
    stream(withdrawal_record("CA-TINH-260101-0001"))
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.sweep()
        [current] = deliveries()
        if current.next_attempt_at:
            clock.advance(current.next_attempt_at - clock.now() + 1)
    [dead] = deliveries()
    assert dead.status == "dead" and dead.attempts == delivery.MAX_ATTEMPTS
    assert clock.now() - start > 24 * 3600  # retried for more than a day
    ca_tinh = bearer(agency_token(http, agency("CA-TINH", client_id="ca-tinh-later"), scope=ALL_SCOPES))
    answer = http.get("/agency/webhooks/dead-letters", headers=ca_tinh)
    assert answer.status_code == 200, answer.body
    letters = answer.json_body["deliveries"]
    assert [letter["delivery_id"] for letter in letters] == [dead.delivery_id]
    assert letters[0]["last_error"] == "Điểm nhận trả lời HTTP 503."
    other = bearer(agency_token(http, agency("UBND-XA-B"), scope=ALL_SCOPES))
    assert http.post(f"/agency/webhooks/dead-letters/{dead.delivery_id}/replay", headers=other).status_code == 404
    replayed = http.post(f"/agency/webhooks/dead-letters/{dead.delivery_id}/replay", headers=ca_tinh)
    assert replayed.status_code == 202, replayed.body
    delivery.sweep()
    assert deliveries()[0].status == "delivered"
    assert http.get("/agency/webhooks/dead-letters", headers=ca_tinh).json_body == {"deliveries": []}
    again = http.post(f"/agency/webhooks/dead-letters/{dead.delivery_id}/replay", headers=ca_tinh)
    assert again.status_code == 409


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """A timeout far above the receiver's 0.3 s "slow" answer: a loaded CI machine can add a few
    hundred milliseconds, and these tests are about slow answers succeeding, not about timeouts."""
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 5.0)


@pytest.mark.usefixtures("patient")
def test_slow_and_out_of_order_answers_still_deliver_every_event_once(http, ca_tinh, receiver, atomic_requests):
    subscribed(http, ca_tinh, receiver.url)
    receiver.plan = ["slow", "ok", "slow", "ok"]
    for number in range(1, 5):
        stream(withdrawal_record(f"CA-TINH-260101-000{number}", record_id=f"rec-{number}"))
    with ThreadPoolExecutor(4) as pool:
        delivery.sweep(pool)
    assert sorted(event["data"]["code"] for event in receiver.events()) == [
        f"CA-TINH-260101-000{number}" for number in range(1, 5)
    ]
    assert {d.status for d in deliveries()} == {"delivered"}


@pytest.mark.usefixtures("patient")
def test_two_workers_attempting_the_same_delivery_send_it_once(http, ca_tinh, receiver, atomic_requests):
    subscribed(http, ca_tinh, receiver.url)
    receiver.plan = ["slow"]
    stream(withdrawal_record("CA-TINH-260101-0001"))
    [pending] = deliveries()
    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(delivery.attempt, [pending.delivery_id] * 2))
    assert outcomes == ["delivered", "skipped"]
    assert len(receiver.received) == 1


def test_a_removed_endpoint_gets_nothing_more(http, ca_tinh, receiver):
    created = subscribed(http, ca_tinh, receiver.url)
    stream(withdrawal_record("CA-TINH-260101-0001"))
    assert http.delete(f"/agency/webhooks/{created['id']}", headers=ca_tinh).status_code == 200
    delivery.sweep()
    assert receiver.received == [] and [d.status for d in deliveries()] == ["cancelled"]


def test_a_rotated_secret_signs_beside_the_new_one_for_a_day(http, ca_tinh, receiver, clock):
    created = subscribed(http, ca_tinh, receiver.url)
    rotated = http.post(f"/agency/webhooks/{created['id']}/rotate-secret", headers=ca_tinh)
    assert rotated.status_code == 200
    new_secret = rotated.json_body["secret"]
    assert new_secret != created["secret"] and rotated.json_body["previous_secret_valid_until"]
    ping = http.post(f"/agency/webhooks/{created['id']}/ping", headers=ca_tinh)
    assert ping.status_code == 202 and ping.json_body["event"]["type"] == "ping"
    delivery.sweep()
    first = receiver.received[-1]
    now = clock.now()
    assert verify(created["secret"], first["headers"], first["body"], now)
    assert verify(new_secret, first["headers"], first["body"], now)
    clock.advance(24 * 3600 + 1)
    http.post(
        f"/agency/webhooks/{created['id']}/ping",
        headers=bearer(agency_token(http, agency("CA-TINH", client_id="ca-tinh-3"), scope=ALL_SCOPES)),
    )
    delivery.sweep()
    later = receiver.received[-1]
    assert verify(new_secret, later["headers"], later["body"], clock.now())
    assert not verify(created["secret"], later["headers"], later["body"], clock.now())


def test_a_stale_or_forged_delivery_fails_verification(http, ca_tinh, receiver):
    secret = subscribed(http, ca_tinh, receiver.url)["secret"]
    stream(withdrawal_record("CA-TINH-260101-0001"))
    delivery.sweep()
    request = receiver.received[0]
    assert not verify(secret, request["headers"], request["body"], time.time() + 301)
    forged = {**request["headers"], "webhook-id": "evt_other"}
    assert not verify(secret, forged, request["body"], time.time())


def test_through_sqs_the_stream_queues_each_delivery_and_the_consumer_attempts_it(http, ca_tinh, receiver, monkeypatch):
    import boto3

    from chalicelib import jobs
    from chalicelib.core.config import get_settings

    queue_url = boto3.client("sqs", region_name="ap-southeast-1").create_queue(QueueName="webhooks")["QueueUrl"]
    monkeypatch.setenv("PORTAL_WEBHOOK_QUEUE_URL", queue_url)
    get_settings.cache_clear()
    try:
        subscribed(http, ca_tinh, receiver.url)
        stream(withdrawal_record("CA-TINH-260101-0001"))
        sqs = boto3.client("sqs", region_name="ap-southeast-1")
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
        assert len(messages) == 1 and receiver.received == []  # nothing sent inside the stream handler
        assert jobs.deliver_webhooks({"Records": [{"body": m["Body"]} for m in messages]}) == 1
        assert len(receiver.received) == 1
    finally:
        monkeypatch.delenv("PORTAL_WEBHOOK_QUEUE_URL")
        get_settings.cache_clear()


def test_a_citizens_online_submission_reaches_the_agency_through_the_stream(http, ca_tinh, receiver, streams):
    from tests.api.factories import create_citizen, publish_procedure, submit_dossier, user_token

    publish_procedure("1.999001")
    subscribed(http, ca_tinh, receiver.url, events=[DOSSIER_SUBMITTED])
    submitted = submit_dossier(http, user_token(http, create_citizen()))
    streams.poll()
    delivery.sweep()
    assert [(e["type"], e["data"]["code"]) for e in receiver.events()] == [(DOSSIER_SUBMITTED, submitted["code"])]


# Which changes are events


def image(**values: Any) -> dict[str, Any]:
    return values


def test_each_change_an_agency_cares_about_is_an_event_and_nothing_else_is():
    dossier = image(code="CA-TINH-260101-0001", agency_id="CA-TINH", status=4, source="portal")

    def kinds(events: list[Any]) -> list[str]:
        return [event.type for event in events]

    assert kinds(dossier_events("r", None, dossier, 0)) == [DOSSIER_SUBMITTED]
    assert kinds(dossier_events("r", None, {**dossier, "source": "agency"}, 0)) == []  # the agency's own sync
    assert kinds(dossier_events("r", None, {**dossier, "sandbox": True}, 0)) == []
    supplied = {**dossier, "timeline": [{"actor": "citizen", "status": 4}]}
    assert kinds(dossier_events("r", {**dossier, "status": 5}, supplied, 0)) == [SUPPLEMENT_SUBMITTED]
    by_agency = {**dossier, "timeline": [{"actor": "CA-TINH", "status": 4}]}
    assert kinds(dossier_events("r", {**dossier, "status": 5}, by_agency, 0)) == []
    withdrawn = {**dossier, "status": 7, "timeline": [{"actor": "citizen", "status": 7, "note": "Nộp nhầm"}]}
    assert kinds(dossier_events("r", dossier, withdrawn, 0)) == [WITHDRAWAL_REQUESTED]
    assert kinds(dossier_events("r", dossier, {**dossier, "status": 9}, 0)) == []
    rated = {**dossier, "rating": {"level": "very_satisfied"}}
    assert kinds(dossier_events("r", dossier, rated, 0)) == [RATING_RECEIVED]
    assert kinds(dossier_events("r", rated, rated, 0)) == []

    intent = image(intent_id="i1", agency_id="CA-TINH", status="pending", amount=200000)
    assert kinds(payment_events("r", intent, {**intent, "status": "succeeded"}, 0)) == [PAYMENT_SUCCEEDED]
    assert kinds(payment_events("r", intent, {**intent, "status": "refund_due"}, 0)) == [PAYMENT_REFUND_DUE]
    assert kinds(payment_events("r", intent, {**intent, "status": "failed"}, 0)) == []

    complaint = image(code="PA-260101-0001", agency_id="VPCP", status="received")
    assigned = {**complaint, "status": "assigned", "agency_id": "CA-TINH"}
    assert kinds(complaint_events("r", complaint, assigned, 0)) == [COMPLAINT_ASSIGNED]
    assert kinds(complaint_events("r", None, assigned, 0)) == [COMPLAINT_ASSIGNED]  # first seen assigned
    assert kinds(complaint_events("r", None, complaint, 0)) == []
    assert complaint_events("r", complaint, assigned, 0)[0].agency_id == "CA-TINH"
    moved = {**assigned, "agency_id": "SO-TP"}
    [transfer] = complaint_events("r", assigned, moved, 0)
    assert (transfer.type, transfer.agency_id, transfer.data["from_agency_id"]) == (
        COMPLAINT_TRANSFERRED,
        "SO-TP",
        "CA-TINH",
    )
    assert complaint_events("r", assigned, {**assigned, "status": "answered"}, 0) == []


def test_event_ids_are_stable_for_a_record_and_differ_between_records():
    dossier = image(code="C", agency_id="CA-TINH", status=4)
    withdrawn = {**dossier, "status": 7, "timeline": [{"actor": "citizen", "status": 7}]}
    first = dossier_events("rec-1", dossier, withdrawn, 0)[0]
    again = dossier_events("rec-1", dossier, withdrawn, 0)[0]
    other = dossier_events("rec-2", dossier, withdrawn, 0)[0]
    assert first.event_id == again.event_id != other.event_id


def test_outside_the_local_stack_a_name_resolving_to_a_private_address_gets_nothing(
    http, ca_tinh, receiver, monkeypatch
):
    from chalicelib.core.config import get_settings

    subscribed(http, ca_tinh, receiver.url.replace("127.0.0.1", "localhost"))
    stream(withdrawal_record("CA-TINH-260101-0001"))
    monkeypatch.delenv("PORTAL_WEBHOOK_ALLOW_HTTP")
    get_settings.cache_clear()
    try:
        delivery.sweep()
    finally:
        monkeypatch.setenv("PORTAL_WEBHOOK_ALLOW_HTTP", "1")
        get_settings.cache_clear()
    assert receiver.received == []
    assert deliveries()[0].last_error == "Tên miền của điểm nhận trỏ tới địa chỉ mạng nội bộ."


def test_an_agencys_own_sync_to_withdrawal_is_no_event_and_ratings_say_times_in_iso():
    dossier = image(code="C", agency_id="CA-TINH", status=4, timeline=[{"actor": "CA-TINH", "status": 7}])
    assert dossier_events("r", {**dossier, "timeline": []}, {**dossier, "status": 7}, 0) == []
    rated = {**dossier, "rating": {"level": "satisfied", "at": 1796266800.5, "first_at": 1796266800}}
    [event] = dossier_events("r", dossier, rated, 0)
    assert event.data["rating"]["at"].endswith("+07:00") and event.data["rating"]["level"] == "satisfied"
