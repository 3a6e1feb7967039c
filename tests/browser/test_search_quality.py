"""Search on the shipped catalogue answers the queries citizens type (search_queries.yaml).

Every query must show its procedure among the first three results. The held-out queries were
written after the synonym list was tuned and are not tuned for: their hit rate is printed (`-s`),
not asserted, as a check that the list generalises.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import yaml
from playwright.sync_api import Page

QUERIES = yaml.safe_load(Path(__file__).with_name("search_queries.yaml").read_text(encoding="utf-8"))
HELD_OUT = [
    {"query": "giai the cong ty", "expect": ["2.002023"]},
    {"query": "xin giay phep xay dung nha", "expect": ["1.013225"]},
    {"query": "bang lai quoc te", "expect": ["3.000353"]},
    {"query": "dang ky xe oto moi mua", "expect": ["1.012575", "1.013066", "1.013067"]},
    {"query": "doi the bao hiem y te", "expect": ["1.002438", "1.001321"]},
    {"query": "dang ky lai khai sinh", "expect": ["1.004884"]},
    {"query": "cap ban sao trich luc ket hon", "expect": ["2.000635"]},
    {"query": "ho chieu cho tre em", "expect": ["1.001456", "1.001471"]},
    {"query": "huong luong huu", "expect": ["2.000809", "1.001742"]},
    {"query": "the tam tru cho nguoi nuoc ngoai", "expect": ["1.003358", "1.003460"]},
]


def _expected(entry: dict[str, Any]) -> list[str]:
    expect = entry["expect"]
    return expect if isinstance(expect, list) else [expect]


def top_codes(page: Page, site_url: str, query: str, count: int = 3) -> list[str]:
    """The codes of the first results the search page shows for `query`, as a citizen sees them."""
    page.goto(f"{site_url}tim-kiem/?q={urllib.parse.quote_plus(query)}")
    page.wait_for_function(
        "document.querySelector('[data-portal-search-results] li')"
        " || /Không tìm thấy/.test(document.querySelector('[data-portal-search-status]').textContent)"
    )
    infos = page.locator("[data-portal-search-results] .portal-result__info").all_inner_texts()
    return [info.split(" · ", 1)[0] for info in infos[:count]]


def _hit_rate(page: Page, site_url: str, entries: list[dict[str, Any]]) -> tuple[int, list[str]]:
    hits, misses = 0, []
    for entry in entries:
        codes = top_codes(page, site_url, entry["query"])
        if set(codes) & set(_expected(entry)):
            hits += 1
        else:
            misses.append(f"{entry['query']!r}: expected one of {_expected(entry)} in the top 3, got {codes}")
    return hits, misses


def test_the_query_set_has_at_least_thirty_queries_each_naming_a_shipped_procedure():
    shipped = {path.stem for path in (Path(__file__).parents[2] / "data" / "procedures").glob("*.yaml")}
    assert len(QUERIES) >= 30
    for entry in QUERIES + HELD_OUT:
        assert set(_expected(entry)) <= shipped, entry


def test_every_query_finds_its_procedure_in_the_top_three(page, site_url):
    hits, misses = _hit_rate(page, site_url, QUERIES)
    print(f"\nsearch quality: {hits}/{len(QUERIES)} queries with the procedure in the top 3")
    assert misses == []


def test_held_out_queries_report_their_hit_rate(page, site_url):
    hits, misses = _hit_rate(page, site_url, HELD_OUT)
    print(f"\nheld-out queries: {hits}/{len(HELD_OUT)} in the top 3; misses: {misses}")
    assert hits >= len(HELD_OUT) // 2, misses  # a floor, not the figure: a collapse of search fails


def test_results_name_the_level_and_the_agency(page, site_url):
    page.goto(f"{site_url}tim-kiem/?q=cap+ho+chieu+pho+thong")
    page.wait_for_selector("[data-portal-search-results] li")
    first = page.locator("[data-portal-search-results] li").first
    assert "Cấp Tỉnh" in first.inner_text() or "Cấp Bộ" in first.inner_text()
    assert first.locator(".portal-result__agency").inner_text().strip()
