"""The static catalogue's page types meet WCAG 2.2 AA on a phone, and the keyboard alone gets around.

The API-backed pages have their checks beside their own tests (dossiers, tracking, complaints,
statistics, help, sign-in)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.accessibility import no_violations

PAGES = {
    "home": "",
    "procedure": "thu-tuc/3-000347/",
    "browse by field": "linh-vuc/",
    "one field": "linh-vuc/cap-quan-ly-can-cuoc/",
    "browse by agency": "co-quan/",
    "browse by audience": "doi-tuong/",
    "browse by level": "cap-thuc-hien/",
    "A to Z": "a-z/",
    "questions of a field": "hoi-dap/cap-quan-ly-can-cuoc/",
    "search with results": "tim-kiem/?q=cap+doi+giay+phep+lai+xe",
    "search without results": "tim-kiem/?q=zzzkhongcothutucnay",
    "offline page": "ngoai-tuyen/",
    "page not found": "404.html",  # what the CDN answers for a missing page
}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_catalogue_page_has_no_wcag_22_aa_violations(page: Page, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    if path.startswith("tim-kiem/"):
        expect(page.locator("[data-portal-search-status]")).not_to_be_empty()

    no_violations(page)


def _tab(page: Page) -> tuple[str, str, bool]:
    """Press Tab; (tag, accessible text, whether the focus ring is visible) of what took focus."""
    page.keyboard.press("Tab")
    return page.evaluate(
        """() => {
          const el = document.activeElement, style = getComputedStyle(el);
          const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
          const text = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim();
          return [el.tagName.toLowerCase(), text, ring];
        }"""
    )


def test_the_first_tab_offers_a_skip_link_that_lands_on_the_content(page: Page, site_url: str) -> None:
    page.goto(site_url + PAGES["procedure"])

    tag, text, ring = _tab(page)

    assert (tag, text) == ("a", "Chuyển đến nội dung chính")
    assert ring, "the skip link shows no focus ring"
    target = page.evaluate("document.activeElement.hash")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == target
    expect(page.locator(target)).to_be_in_viewport()


def test_the_keyboard_reaches_search_and_the_procedure_with_a_visible_focus_ring(page: Page, site_url: str) -> None:
    page.goto(site_url)
    for _ in range(30):
        tag, text, ring = _tab(page)
        assert ring, f"no visible focus on <{tag}> {text!r}"
        if tag == "input" and page.evaluate("document.activeElement.type") == "search":
            break
    else:
        raise AssertionError("Tab never reached the search box")

    page.keyboard.type("cap doi giay phep lai xe")
    page.keyboard.press("Enter")
    first = page.locator("[data-portal-search-results] li a").first
    expect(first).to_be_visible()
    for _ in range(60):  # the sidebar's sections (guides for citizens and for developers) come first
        tag, text, ring = _tab(page)
        assert ring, f"no visible focus on <{tag}> {text!r}"
        if page.evaluate("document.activeElement === document.querySelector('[data-portal-search-results] li a')"):
            break
    else:
        raise AssertionError("Tab never reached the first result")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/thu-tuc/"))


def test_the_logo_is_announced_once_by_its_link_not_as_an_english_image(page: Page, site_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})  # the header hides its logo on a phone
    page.goto(site_url + PAGES["procedure"])
    logo = page.locator(".md-header .md-logo")

    expect(logo).to_have_accessible_name("Cổng Dịch vụ công")
    expect(logo.locator("img")).to_have_attribute("alt", "")
