"""The statistics page on a phone: charts with the same figures in tables, an agency filter, a clear
message when the API cannot be reached, and no WCAG 2.2 AA violations."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Route, expect

pytestmark = pytest.mark.browser
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def series(scope: str) -> dict:
    months = []
    for number, month in enumerate(["2026-09", "2026-10", "2026-11"], start=1):
        counts = {
            "dossiers_online": 100 * number,
            "dossiers_synced": 300,
            "dossiers_finished": 200,
            "payments_count": 10 * number,
            "payments_amount": 1_250_000 * number,
            "complaints_received": 4,
            "accounts_registered": 50,
        }
        months.append(
            {
                "month": month,
                "counts": counts,
                "indicators": {
                    "on_time_rate": 0.9 + number / 100,
                    "online_submission_rate": 0.25 * number,
                    "online_payment_rate": None,
                    "satisfaction_rate": 0.95,
                    "complaint_on_time_rate": 0.5,
                },
            }
        )
    return {"scope": scope, "months": months}


SUPPORT = {
    "answer_target_minutes": 240,
    "months": [
        {"month": "2026-10", "calls": 1200, "conversations": 0, "answered": 0, "rated": 0},
        {
            "month": "2026-11",
            "calls": 1500,
            "conversations": 320,
            "answered": 300,
            "answered_within_target_rate": 0.875,
            "median_first_answer_minutes": 42.5,
            "satisfaction_rate": 0.9,
            "rated": 120,
        },
    ],
}


LINKED = {
    "month": "2026-11",
    "groups": 1234,
    "agencies": [{"agency_id": "BHXH-CS", "on_time": 90, "late": 10}, {"agency_id": "CA-XA", "on_time": 0, "late": 0}],
}

OWN_TABLES = {"/statistics/support": SUPPORT, "/statistics/linked": LINKED}  # sections with one request each


def serve_api(page, seen: list[str], status: int = 200) -> None:
    def answer(route: Route) -> None:
        own = next((body for path, body in OWN_TABLES.items() if route.request.url.endswith(path)), None)
        if own is not None:
            route.fulfill(
                status=status,
                content_type="application/json",
                headers={"Access-Control-Allow-Origin": "*"},
                body=json.dumps(own),
            )
            return
        seen.append(route.request.url)
        scope = route.request.url.rsplit("/", 1)[-1] if "/agencies/" in route.request.url else "all"
        route.fulfill(
            status=status,
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": "*"},
            body=json.dumps(series(scope)),
        )

    page.route("**/statistics/**", answer)


def test_each_indicator_has_a_chart_and_a_table_with_the_same_figures(page, site_url):
    seen: list[str] = []
    serve_api(page, seen)
    page.goto(f"{site_url}thong-ke/")
    on_time = page.get_by_role("table", name="Tỉ lệ hồ sơ giải quyết đúng hạn theo tháng")
    assert on_time.get_by_role("row").count() == 4  # header + three months
    assert "93,0%" in on_time.inner_text()
    assert page.locator("svg.portal-stats__chart[aria-hidden=true]").count() == 5
    assert (
        "Chưa có số liệu"
        in page.get_by_role("table", name="Tỉ lệ thanh toán trực tuyến nghĩa vụ tài chính theo tháng").inner_text()
    )
    assert (
        "3.750.000"
        in page.get_by_role("table", name="Số lượng hồ sơ, thanh toán, phản ánh và tài khoản theo tháng").inner_text()
    )
    assert seen and seen[0].endswith("/statistics/overview")


def test_an_agency_can_be_chosen_with_the_form(page, site_url):
    seen: list[str] = []
    serve_api(page, seen)
    page.goto(f"{site_url}thong-ke/")
    page.get_by_label("Mã cơ quan (để trống để xem toàn quốc)").fill("ca-tinh")
    page.get_by_role("button", name="Xem").click()
    page.get_by_text("Cơ quan CA-TINH").wait_for()
    assert seen[-1].endswith("/statistics/agencies/CA-TINH")


def test_an_unreachable_api_is_explained(page, site_url):
    serve_api(page, [], status=503)
    page.goto(f"{site_url}thong-ke/")
    alerts = page.get_by_role("alert")
    expect(alerts).to_have_count(3)  # in page order: the indicators, the support centre, linked processing
    texts = alerts.all_inner_texts()
    assert "Không tải được số liệu thống kê" in texts[0]
    assert "Không tải được số liệu hỗ trợ" in texts[1]
    assert "Không tải được số liệu liên thông" in texts[2]


def test_the_support_centres_figures_are_a_table_with_no_data_shown_as_such(page, site_url):
    serve_api(page, [])
    page.goto(f"{site_url}thong-ke/")
    support = page.get_by_role("table", name="Tổng đài và hỏi đáp trực tuyến theo tháng")
    rows = support.get_by_role("row")
    assert rows.count() == 3
    assert "Chưa có số liệu" in rows.nth(1).inner_text()
    last = rows.nth(2).inner_text()
    assert "1.500" in last and "87,5%" in last and "42,5 phút" in last and "90,0%" in last


def test_linked_group_dossiers_and_each_agencys_steps_on_time_are_shown(page, site_url):
    serve_api(page, [])
    page.goto(f"{site_url}thong-ke/")
    expect(page.get_by_text("Tháng 11/2026: 1.234 hồ sơ liên thông được nộp.")).to_be_visible()
    steps = page.get_by_role("table", name="Bước liên thông hoàn thành theo cơ quan, tháng 11/2026")
    assert "90,0%" in steps.get_by_role("row").nth(1).inner_text()
    assert "Chưa có số liệu" in steps.get_by_role("row").nth(2).inner_text()


def test_the_statistics_page_has_no_wcag_22_aa_violations(page, site_url):
    serve_api(page, [])
    page.goto(f"{site_url}thong-ke/")
    page.get_by_role("table").first.wait_for()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert [(v["id"], v["help"]) for v in results.response["violations"]] == []
