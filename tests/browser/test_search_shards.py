"""Search over an index in several shards: the search page merges them, finds procedures whichever
shard holds them, ranks them together, and keeps doing so offline."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from catalog_build import search_index
from catalog_build.build import BuildOptions, build
from catalog_build.models import slug_of
from catalog_build.site import derived_config
from tests.browser.conftest import _QuietHandler, _QuietServer
from tests.browser.test_offline import eventually, wait_for_worker
from tests.factories import REPO, make_data_dir, procedure_record

NAMES = {
    "1.999001": "Đăng ký khai sinh cho trẻ em",
    "1.999002": "Cấp hộ chiếu phổ thông",
    "1.999003": "Đổi giấy phép lái xe",
    "1.999004": "Đăng ký kết hôn",
    "1.999005": "Cấp lý lịch tư pháp",
    "1.999006": "Đăng ký thường trú",
    "1.999007": "Cấp giấy phép xây dựng nhà ở",
    "1.999008": "Hưởng bảo hiểm xã hội một lần",
    "1.999009": "Cấp thẻ căn cước",
}
SHARDS = 4


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Nine procedures in four shards (two procedures per shard aimed at), built and served."""
    root = tmp_path_factory.mktemp("shards")
    data = make_data_dir(root, [procedure_record(code, name=name) for code, name in NAMES.items()])
    shutil.copytree(REPO / "data" / "search", data / "search")  # the synonyms: "cccd", "bhxh"
    options = BuildOptions(
        data_dir=data, config_file=derived_config(REPO / "mkdocs.yml", root / "ws"), work_dir=root / "ws" / "work"
    )
    options.progress = False
    with pytest.MonkeyPatch.context() as env:
        env.setenv(search_index.SHARD_SIZE_VARIABLE, "2")
        build(options)
    site = root / "ws" / "site"
    assert search_index.read_manifest(site / "pagefind") == ["s1", "s2", "s3"]
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def shard(code: str) -> int:
    return search_index.shard_of(slug_of(code), SHARDS)


def first_result(page: Page, url: str, query: str) -> str:
    page.goto(f"{url}tim-kiem/?q={query.replace(' ', '+')}")
    first = page.locator("[data-portal-search-results] li a").first
    expect(first).to_be_visible()
    return first.inner_text()


def test_each_procedure_is_found_whichever_shard_holds_it(page, sharded_site):
    assert {shard(code) for code in NAMES} == set(range(SHARDS))  # the test covers every shard
    queries = {
        "1.999001": "khai sinh",
        "1.999002": "ho chieu",
        "1.999003": "doi bang lai xe",
        "1.999004": "ket hon",
        "1.999005": "ly lich tu phap",
        "1.999006": "thuong tru",
        "1.999007": "giay phep xay dung",
        "1.999008": "bhxh mot lan",
        "1.999009": "cccd",
    }
    for code, query in queries.items():
        assert first_result(page, sharded_site, query) == NAMES[code], (query, shard(code))


def test_results_from_every_shard_are_counted_and_ranked_together(page, sharded_site):
    page.goto(f"{sharded_site}tim-kiem/?q=thu+nghiem")  # a keyword of every procedure
    expect(page.locator("[data-portal-search-status]")).to_contain_text("Tìm thấy 9 thủ tục")
    expect(page.locator("[data-portal-search-results] li")).to_have_count(9)
    assert set(page.locator("[data-portal-search-results] li a").all_inner_texts()) == set(NAMES.values())
    # Every procedure has "cấp" (its agency is "Công an cấp tỉnh"); the four whose name has it, in
    # two shards, come first.
    page.goto(f"{sharded_site}tim-kiem/?q=cap")
    expect(page.locator("[data-portal-search-results] li")).to_have_count(9)
    names = page.locator("[data-portal-search-results] li a").all_inner_texts()
    assert {name for name in names[:4]} == {name for name in NAMES.values() if name.startswith("Cấp")}
    assert {shard(code) for code, name in NAMES.items() if name.startswith("Cấp")} == {1, 2}


def test_every_shard_is_searched_offline(page, sharded_site):
    page.goto(sharded_site)
    wait_for_worker(page)
    page.goto(f"{sharded_site}tim-kiem/?q=thu+nghiem")
    expect(page.locator("[data-portal-search-results] li")).to_have_count(9)
    eventually(page, "caches.open('dvc-search').then((c) => c.keys()).then((keys) => keys.length >= 9)")
    page.context.set_offline(True)
    page.goto(f"{sharded_site}tim-kiem/?q=ho+chieu")
    expect(page.locator("[data-portal-search-results] li a").first).to_have_text(NAMES["1.999002"])
    page.goto(f"{sharded_site}tim-kiem/?q=thu+nghiem")
    expect(page.locator("[data-portal-search-status]")).to_contain_text("Tìm thấy 9 thủ tục")
    expect(page.locator("[data-portal-search-results] li")).to_have_count(9)
    expect(page.locator("[data-portal-search-status]")).not_to_contain_text("ngoại tuyến")
