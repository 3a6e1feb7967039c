"""The support centre's monthly figures: calls and conversations counted, the share answered within
four hours, the median time to a first answer, satisfaction among rated conversations."""

from __future__ import annotations

from chalicelib.core.clock import FixedClock
from chalicelib.support.conversations import month_of
from tests.api.support_factories import create_staff, post, staff_headers

ASK = {"message": "Tôi cần hỏi về thủ tục đăng ký.", "name": "Người Hỏi", "phone": "0912000111"}
CALL = {"caller_phone": "0912000999", "notes": "Đã hướng dẫn.", "outcome": "answered"}


def test_figures_count_calls_and_conversations_and_measure_first_answers(http, clock: FixedClock) -> None:
    operator = staff_headers(http, create_staff())
    month = month_of(clock.now())
    for _ in range(2):
        assert post(http, "/console/calls", CALL, operator).status_code == 201
    quick = post(http, "/support/conversations", ASK).json_body
    slow = post(http, "/support/conversations", {**ASK, "phone": "0912000112"}).json_body
    post(http, "/support/conversations", {**ASK, "phone": "0912000113"})  # never answered
    clock.advance(3600)
    operator = staff_headers(http, create_staff("001099077004"))
    post(http, f"/console/conversations/{quick['code']}/answers", {"text": "Trả lời nhanh."}, operator)
    clock.advance(4 * 3600)
    operator = staff_headers(http, create_staff("001099077005"))  # the earlier access token has expired
    post(http, f"/console/conversations/{slow['code']}/answers", {"text": "Trả lời chậm."}, operator)
    post(http, f"/support/conversations/{quick['code']}/closure", {"key": quick["key"], "rating": "satisfied"})
    post(http, f"/support/conversations/{slow['code']}/closure", {"key": slow["key"], "rating": "not_satisfied"})

    answer = http.get(f"/statistics/support?from={month}&to={month}")
    assert answer.status_code == 200
    assert answer.json_body["answer_target_minutes"] == 240
    [figures] = answer.json_body["months"]
    assert figures == {
        "month": month,
        "calls": 2,
        "conversations": 3,
        "answered": 2,
        "answered_within_target_rate": 0.5,
        "median_first_answer_minutes": 180.0,  # 60 and 300 minutes
        "satisfaction_rate": 0.5,
        "rated": 2,
    }


def test_a_month_with_nothing_to_measure_shows_no_data_not_zero(http) -> None:
    [figures] = http.get("/statistics/support?from=2020-01&to=2020-01").json_body["months"]
    for rate in ("answered_within_target_rate", "median_first_answer_minutes", "satisfaction_rate"):
        assert figures.get(rate) is None  # absent: no data, which the page shows as such
    assert figures["calls"] == 0 and figures["conversations"] == 0


def test_a_range_that_ends_before_it_starts_is_refused(http) -> None:
    answer = http.get("/statistics/support?from=2026-05&to=2026-01")
    assert answer.status_code == 400 and answer.json_body["error"]["field"] == "from"
