"""The help centre: reachable from every kind of page, and clean under axe (WCAG 2.2 AA)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGE_KINDS = ["", "thu-tuc/1-000656/", "linh-vuc/", "a-z/", "tim-kiem/", "hoi-dap/", "du-lieu/", "thong-ke/"]


@pytest.mark.parametrize("path", PAGE_KINDS, ids=lambda path: path or "home")
def test_the_help_centre_is_one_link_away_from_every_kind_of_page(page, site_url, path):
    page.route("**/statistics/**", lambda route: route.fulfill(status=503, body="{}"))
    page.goto(f"{site_url}{path}")
    page.get_by_role("navigation", name="Liên kết trợ giúp").get_by_role("link", name="Trợ giúp").click()
    page.wait_for_url(f"{site_url}tro-giup/")
    assert page.get_by_role("heading", level=1).inner_text() == "Trợ giúp"


@pytest.mark.parametrize("path", ["tro-giup/", "tro-giup/lien-he/", "tro-giup/tro-nang/", "tro-giup/nop-ho-so/"])
def test_help_pages_have_no_wcag_22_aa_violations(page, site_url, path):
    page.goto(f"{site_url}{path}")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert [(v["id"], v["help"]) for v in results.response["violations"]] == []
