"""A citizen on a phone finds procedures by typing without diacritics."""

import re

from playwright.sync_api import Page, expect


def search_from_header(page: Page, site_url: str, query: str) -> None:
    page.goto(site_url)
    box = page.get_by_role("searchbox", name="Tìm thủ tục hành chính")
    box.fill(query)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/tim-kiem/\?q="))
    expect(page.locator("[data-portal-search-status]")).to_contain_text("Tìm thấy")


def test_searching_without_diacritics_finds_the_driving_licence_procedure_and_opens_it(page, site_url):
    search_from_header(page, site_url, "giay phep lai xe")
    results = page.locator("[data-portal-search-results] li a")
    expect(results.first).to_be_visible()
    titles = results.all_inner_texts()
    licence = next(t for t in titles if "giấy phép lái xe" in t.lower())
    page.get_by_role("link", name=licence, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(licence)
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_d_with_stroke_is_found_when_typed_as_plain_d(page, site_url):
    search_from_header(page, site_url, "dang ky khai sinh")
    first = page.locator("[data-portal-search-results] li a").first
    expect(first).to_have_text("Thủ tục đăng ký khai sinh")


def test_typing_with_diacritics_finds_the_same_procedure(page, site_url):
    search_from_header(page, site_url, "đăng ký khai sinh")
    expect(page.locator("[data-portal-search-results] li a").first).to_have_text("Thủ tục đăng ký khai sinh")


def test_a_level_filter_narrows_the_results(page, site_url):
    page.goto(f"{site_url}tim-kiem/?q=dang+ky")
    expect(page.locator("[data-portal-search-status]")).to_contain_text("Tìm thấy")
    page.get_by_text("Lọc theo lĩnh vực, cấp thực hiện, đối tượng").click()
    page.get_by_label("Cấp thực hiện").select_option("Cấp Xã")
    expect(page).to_have_url(re.compile(r"cap=C%E1%BA%A5p\+X%C3%A3|cap=C%E1%BA%A5p%20X%C3%A3"))
    infos = page.locator(".portal-result__info")
    expect(infos.first).to_be_visible()
    assert all("Cấp Xã" in info for info in infos.all_inner_texts())


def test_a_query_with_no_match_says_so_in_vietnamese(page, site_url):
    page.goto(f"{site_url}tim-kiem/?q=xyzxyz")
    expect(page.locator("[data-portal-search-status]")).to_contain_text("Không tìm thấy thủ tục nào")


def test_browse_pages_reach_every_procedure_without_javascript(browser, site_url, built_site):
    """Every procedure is linked from the A–Z pages, following each letter and each page of it."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}a-z/")
    to_visit = page.locator(".portal-index a").evaluate_all("links => links.map(a => a.href)")
    seen_pages: set[str] = set()
    found: set[str] = set()
    while to_visit:
        url = to_visit.pop()
        if url in seen_pages:
            continue
        seen_pages.add(url)
        page.goto(url)
        found |= set(page.locator(".portal-list a").evaluate_all("links => links.map(a => a.pathname)"))
        to_visit += page.locator(".portal-pager a").evaluate_all("links => links.map(a => a.href)")
    context.close()
    procedures = {f"/thu-tuc/{folder.name}/" for folder in (built_site / "thu-tuc").iterdir()}
    assert procedures <= found


def test_filters_given_in_the_address_open_the_filter_box(page, site_url):
    page.goto(f"{site_url}tim-kiem/?q=&cap=C%E1%BA%A5p+X%C3%A3")
    expect(page.get_by_label("Cấp thực hiện")).to_be_visible()
    expect(page.locator("[data-portal-search-status]")).to_contain_text("Tìm thấy")
