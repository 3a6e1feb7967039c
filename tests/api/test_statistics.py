"""Statistics: DynamoDB stream records (moto's, from real changes) feed sharded counters exactly once;
indicators are computed from known data; the API serves them month by month."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest

from chalicelib.core.config import get_settings
from chalicelib.dossiers.lifecycle import change, move
from chalicelib.dossiers.statuses import Status
from chalicelib.stats import handlers
from chalicelib.stats.indicators import indicators, monthly
from chalicelib.stats.streams import count
from chalicelib.store.dossiers import Dossier
from chalicelib.store.stats import METRICS, SHARDS, Counter
from tests.api.factories import create_citizen, publish_procedure, submit_dossier, user_token


class Recorder:
    """Stream records built from real items before and after each change, as DynamoDB would send them
    (moto's DynamoDB Streams API does not answer today's botocore, so the records are assembled here)."""

    def __init__(self) -> None:
        self.records: list[dict] = []

    def insert(self, item) -> None:
        self._add("INSERT", None, item.serialize())

    def modify(self, before: dict, item) -> None:
        self._add("MODIFY", before, item.serialize())

    def _add(self, name: str, old: dict | None, new: dict) -> None:
        data = {"NewImage": new, "ApproximateCreationDateTime": datetime.now(UTC).timestamp()}
        if old is not None:
            data["OldImage"] = old
        self.records.append({"eventID": uuid.uuid4().hex, "eventName": name, "dynamodb": data})


def totals(scope: str, month: str) -> dict[str, int]:
    return monthly(scope, [month])[0]["counts"]


def this_month() -> str:
    from chalicelib.core.calendar import vietnam_now

    return vietnam_now(datetime.now(UTC).timestamp()).strftime("%Y-%m")


def test_real_changes_count_once_even_when_the_stream_is_replayed(http):
    publish_procedure()
    citizen = create_citizen()
    accounts, dossiers = Recorder(), Recorder()
    accounts.insert(citizen)
    code = submit_dossier(http, user_token(http, citizen))["code"]
    dossiers.insert(Dossier.get(code))
    for status in (Status.RECEIVED, Status.PROCESSED):
        before = Dossier.get(code).serialize()
        dossiers.modify(
            before, change(code, lambda dossier, status=status: move(dossier, status, actor="agency:CA-TINH"))
        )

    for _replay in range(2):  # Lambda may deliver a batch again
        handlers.count_accounts({"Records": accounts.records})
        handlers.count_dossiers({"Records": dossiers.records})
    national, agency = totals("all", this_month()), totals("CA-TINH", this_month())
    assert national["accounts_registered"] == 1
    assert national["dossiers_online"] == agency["dossiers_online"] == 1
    assert national["dossiers_finished"] == national["dossiers_on_time"] == 1
    assert agency["accounts_registered"] == 0, "accounts belong to no agency"


def test_indicators_on_known_counts():
    counts = dict.fromkeys(METRICS, 0) | {
        "dossiers_online": 30,
        "dossiers_synced": 70,
        "dossiers_finished": 80,
        "dossiers_on_time": 72,
        "dossiers_payment_requested": 20,
        "payments_for_dossiers": 15,
        "ratings_total": 40,
        "ratings_satisfied": 38,
        "complaints_received": 10,
        "complaints_answered_on_time": 9,
    }
    assert indicators(counts) == {
        "on_time_rate": 0.9,
        "online_submission_rate": 0.3,
        "online_payment_rate": 0.75,
        "satisfaction_rate": 0.95,
        "complaint_on_time_rate": 0.9,
    }
    assert indicators(dict.fromkeys(METRICS, 0))["on_time_rate"] is None, "nothing to measure is not 0%"


def record(event_id: str, new: dict, old: dict | None = None, at: float = 1_763_856_000.0) -> dict:
    data = {"NewImage": new, "ApproximateCreationDateTime": at}
    if old is not None:
        data["OldImage"] = old
    return {"eventID": event_id, "eventName": "MODIFY" if old else "INSERT", "dynamodb": data}


def test_concurrent_records_are_all_counted_across_the_shards(atomic_requests):
    payments = [
        record(
            f"event-{n}",
            {"status": {"S": "succeeded"}, "amount": {"N": "50000"}, "agency_id": {"S": "CSGT"}},
            {"status": {"S": "pending"}},
        )
        for n in range(40)
    ]
    threads = [threading.Thread(target=handlers.count_payments, args=({"Records": payments[n::4]},)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    month = "2025-11"
    assert totals("CSGT", month)["payments_count"] == 40
    assert totals("all", month)["payments_amount"] == 40 * 50_000
    used = {row.shard for row in Counter.query(f"all#{month}")}
    assert len(used) > 1 and used <= set(range(SHARDS)), "writes spread over shards"


def test_a_rating_and_an_answered_complaint_count_once_however_often_they_change():
    rated = {"agency_id": {"S": "CA-TINH"}, "status": {"N": "10"}, "rating": {"S": '{"level": "satisfied"}'}}
    edited = {**rated, "rating": {"S": '{"level": "very_satisfied"}'}}
    assert (
        count(
            [record("r1", rated, {"agency_id": {"S": "CA-TINH"}, "status": {"N": "10"}}), record("r2", edited, rated)],
            handlers.changes.dossier_deltas,
        )
        == 1
    )
    answered = {
        "agency_id": {"S": "SO-TP"},
        "status": {"S": "answered"},
        "answered_on_time": {"BOOL": True},
        "answer": {"S": '{"text": "..."}'},
    }
    assigned = {"agency_id": {"S": "SO-TP"}, "status": {"S": "assigned"}}
    resent = {**assigned, "answer": {"S": '{"text": "..."}'}}
    handlers.count_complaints({"Records": [record("c1", answered, assigned), record("c2", answered, resent)]})
    counts = totals("SO-TP", "2025-11")
    assert counts["complaints_answered"] == counts["complaints_answered_on_time"] == 1
    assert totals("CA-TINH", "2025-11")["ratings_satisfied"] == 1


def test_the_api_serves_a_series_of_months(http):
    handlers.count_payments(
        {
            "Records": [
                record(
                    "p1",
                    {"status": {"S": "succeeded"}, "amount": {"N": "120000"}, "agency_id": {"S": "CSGT"}},
                    {"status": {"S": "pending"}},
                )
            ]
        }
    )
    answer = http.get("/statistics/agencies/CSGT?from=2025-10&to=2025-12")
    assert answer.status_code == 200
    months = answer.json_body["months"]
    assert [m["month"] for m in months] == ["2025-10", "2025-11", "2025-12"]
    assert months[1]["counts"]["payments_amount"] == 120_000
    assert answer.headers.get("Access-Control-Allow-Origin") == get_settings().site_origin


@pytest.mark.parametrize("query", ["from=2025-13", "to=25-01", "from=2026-02&to=2026-01"])
def test_bad_months_are_refused(http, query):
    answer = http.get(f"/statistics/overview?{query}")
    assert answer.status_code == 400 and answer.json_body["error"]["field"] in ("from", "to")
