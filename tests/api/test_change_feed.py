"""Change feeds for agency systems that were down: `?updated_since=` answers every change once, oldest
first, and a cursor resumes exactly after the last record, with no gap and no repeat."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.core.feed import SETTLE_SECONDS
from tests.api.factories import agency_token, bearer, create_agency_client, create_dossier


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
