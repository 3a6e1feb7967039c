"""The site as an offline app on a phone: what was seen stays readable and searchable without a
connection, an update takes over whole, and a first visit stays light."""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from catalog_build import pwa
from catalog_build.build import BuildOptions, build
from catalog_build.compress import CompressedFiles
from tests.browser.conftest import _QuietHandler, _QuietServer
from tests.browser.test_search import search_from_header
from tests.factories import procedure_record, scratch_build, write_yaml

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "locale": "vi-VN"}
FIRST_VISIT_BUDGET = 100_000  # bytes on the wire, compressed, headers included (DESIGN.md: 100 KB)


def wait_for_worker(page: Page) -> None:
    """Until the worker has precached everything and controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def cache_names(page: Page) -> list[str]:
    return page.evaluate("caches.keys()")


def eventually(page: Page, script: str, arg: object = None, timeout: float = 15.0) -> None:
    """Poll an async check in the page (Playwright's wait_for_function does not await promises)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        page.wait_for_timeout(100)


def test_visited_pages_and_searches_stay_usable_offline_and_other_pages_say_why_not(page, site_url, built_site):
    page.goto(site_url)
    wait_for_worker(page)
    search_from_header(page, site_url, "dang ky khai sinh")
    expect(page.locator("[data-portal-search-results] li").first).to_be_visible()
    shown = page.locator("[data-portal-search-results] li").count()
    eventually(page, "(n) => caches.open('dvc-search').then((c) => c.keys()).then((keys) => keys.length >= n)", shown)
    page.locator("[data-portal-search-results] li a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")
    visited = page.url
    eventually(page, "caches.match(location.href).then(Boolean)")  # stored once the page has been answered

    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")

    page.goto(f"{site_url}tim-kiem/?q=dang+ky+khai+sinh")  # as the header's search box sends it
    expect(page.locator("[data-portal-search-results] li a").first).to_have_text("Thủ tục đăng ký khai sinh")
    expect(page.locator("[data-portal-search-status]")).to_contain_text("Tìm thấy")
    expect(page.locator("[data-portal-search-status]")).not_to_contain_text("ngoại tuyến")

    # The shipped index (about 500 KB) is too big to precache: the words searched before are kept,
    # and "dang ky" finds hundreds of procedures whose details were never loaded.
    page.goto(f"{site_url}tim-kiem/?q=dang+ky")
    expect(page.locator("[data-portal-search-status]")).to_contain_text("Bạn đang ngoại tuyến")
    expect(page.locator("[data-portal-search-status]")).to_contain_text("chưa được lưu trên máy")

    unvisited = next(
        f"{site_url}thu-tuc/{folder.name}/"
        for folder in sorted((built_site / "thu-tuc").iterdir())
        if f"/{folder.name}/" not in visited
    )
    page.goto(unvisited)
    expect(page.get_by_role("heading", level=1)).to_have_text("Không có kết nối mạng")
    assert page.url == unvisited  # at the address asked for, so reloading later opens that page
    header = page.locator(".md-header").evaluate("header => getComputedStyle(header).backgroundColor")
    assert header == "rgb(11, 79, 156)"  # the theme's styles found from this address too
    expect(page.locator("[data-portal-offline-pages] a")).to_contain_text(["Thủ tục đăng ký khai sinh"])
    expect(page.get_by_role("button", name="Tải lại trang")).to_be_visible()


def test_requests_to_other_origins_are_left_alone(page, site_url, built_site):
    other = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(built_site)))
    threading.Thread(target=other.serve_forever, daemon=True).start()
    api = f"http://127.0.0.1:{other.server_address[1]}/"  # another origin, as the API is
    try:
        page.goto(site_url)
        wait_for_worker(page)
        page.evaluate("(url) => fetch(url, {mode: 'no-cors'}).then(() => true)", f"{api}du-lieu/co-quan.json")
        kept = page.evaluate(
            """async () => {
                const urls = [];
                for (const name of await caches.keys())
                    for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
                return urls;
            }"""
        )
    finally:
        other.shutdown()
        other.server_close()
    assert kept and all(url.startswith(site_url) for url in kept)


def test_a_first_visit_to_the_largest_procedure_page_transfers_under_100_kb(browser: Browser, site_url, built_site):
    largest = max((built_site / "thu-tuc").glob("*/index.html"), key=lambda path: path.stat().st_size)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    requests: dict[str, dict] = {}
    cdp.on("Network.requestWillBeSent", lambda e: requests.setdefault(e["requestId"], {"url": e["request"]["url"]}))
    cdp.on(
        "Network.responseReceived",
        lambda e: requests[e["requestId"]].update(encoding=e["response"]["headers"].get("Content-Encoding")),
    )
    cdp.on("Network.loadingFinished", lambda e: requests[e["requestId"]].update(bytes=e["encodedDataLength"]))
    page.goto(f"{site_url}{largest.parent.relative_to(built_site).as_posix()}/", wait_until="load")
    wait_for_worker(page)  # registered after load: its precache travels in the worker, counted apart below
    context.close()
    loaded = [r for r in requests.values() if r["url"].startswith(site_url)]
    total = sum(r.get("bytes", 0) for r in loaded)
    cdn = CompressedFiles(built_site)
    precache = sum(
        len(cdn.get(built_site / entry.url, "br") or (built_site / entry.url).read_bytes())
        for entry in pwa.precache_entries(built_site, built_site / "pagefind")
    )
    lines = [f"{r.get('bytes', 0):>7} {r.get('encoding') or '-':>4} {r['url'][len(site_url) :]}" for r in loaded]
    print(
        f"\nfirst visit to {largest.parent.name} ({largest.stat().st_size:,} bytes of HTML): "
        f"{total:,} bytes on the wire in {len(loaded)} requests\n" + "\n".join(lines) + "\n"
        f"then, in the background, the worker's precache: about {precache:,} bytes (brotli, as sent)"
    )
    assert total <= FIRST_VISIT_BUDGET, "\n".join(lines)
    texts = [r for r in loaded if re.search(r"(/|\.html|\.css|\.js)$", r["url"]) and r.get("bytes", 0) > 1500]
    assert texts and all(r.get("encoding") == "br" for r in texts)


@pytest.fixture
def small_site(tmp_path: Path) -> Iterator[tuple[BuildOptions, Path, str]]:
    """Three procedures built in a scratch workspace and served: a site to publish a new version of."""
    options = scratch_build(tmp_path)
    build(options)
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(tmp_path / "ws" / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield options, tmp_path / "ws", f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_new_version_takes_over_whole_and_pages_kept_for_the_old_shell_are_dropped(page, small_site):
    options, workspace, url = small_site
    page.goto(url)
    wait_for_worker(page)
    page.goto(f"{url}thu-tuc/1-999001/")
    eventually(page, "caches.match(location.href).then(Boolean)")
    old_pages = [name for name in cache_names(page) if name.startswith("dvc-pages-")]

    with (workspace / "docs" / "assets" / "portal" / "portal.css").open("a", encoding="utf-8") as css:
        css.write("\n.portal-version-two { color: #111; }\n")  # a new shell
    write_yaml(options.data_dir / "procedures" / "1.999002.yaml", procedure_record("1.999002", name="Phiên bản hai"))
    build(options)
    entries = pwa.precache_entries(workspace / "site", options.work_dir / "pagefind")
    revision = next(entry.revision for entry in entries if entry.url == "assets/portal/portal.css")

    page.evaluate("navigator.serviceWorker.getRegistration().then((registration) => registration.update())")
    eventually(  # the new worker precached the new shell and took over
        page,
        """async (revision) => {
            const name = (await caches.keys()).find((name) => name.includes("-precache-"));
            const keys = await (await caches.open(name)).keys();
            return keys.some((request) => request.url.endsWith(`portal.css?__WB_REVISION__=${revision}`))
                && !keys.some((request) => request.url.includes("portal.css") && !request.url.endsWith(revision));
        }""",
        revision,
    )
    page.goto(f"{url}thu-tuc/1-999002/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Phiên bản hai")
    eventually(  # the page is kept under the new shell's name; the old shell's pages are gone
        page,
        """async (old) => {
            const pages = (await caches.keys()).filter((name) => name.startsWith("dvc-pages-"));
            return pages.length === 1 && pages[0] !== old;
        }""",
        old_pages[0],
    )

    page.context.set_offline(True)
    page.goto(f"{url}thu-tuc/1-999002/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Phiên bản hai")
    assert ".portal-version-two" in page.evaluate("fetch('../../assets/portal/portal.css').then((r) => r.text())")
    page.goto(f"{url}thu-tuc/1-999001/")  # seen only with the old shell: not shown with the new one
    expect(page.get_by_role("heading", level=1)).to_have_text("Không có kết nối mạng")
