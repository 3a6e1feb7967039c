"""Open data: the whole catalogue as JSON and JSON Lines, plain and gzipped, linked into the site
without rewriting what did not change; and a one-procedure rebuild that touches only what it must."""

import gzip
import json
from pathlib import Path

from catalog_build import open_data
from catalog_build.build import build
from tests.factories import procedure_record, snapshot, write_yaml

DATA = Path("du-lieu")


def test_the_catalogue_comes_as_json_and_json_lines_plain_and_gzipped(workspace):
    options, _docs, site = workspace
    build(options)
    data = site / DATA
    catalogue = json.loads((data / "danh-muc.json").read_text(encoding="utf-8"))
    assert catalogue["count"] == 3
    lines = (data / "danh-muc.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == catalogue["procedures"]
    assert gzip.decompress((data / "danh-muc.json.gz").read_bytes()) == (data / "danh-muc.json").read_bytes()
    assert gzip.decompress((data / "danh-muc.jsonl.gz").read_bytes()) == (data / "danh-muc.jsonl").read_bytes()
    record = json.loads((data / "thu-tuc" / "1-999002.json").read_text(encoding="utf-8"))
    assert record in catalogue["procedures"]


def test_the_gzip_files_are_members_per_group_of_codes_compressed_again_only_when_changed(tmp_path):
    bodies = {f"1.{n:06d}": json.dumps({"code": f"1.{n:06d}", "name": "Đăng ký"}) for n in range(250)}
    first = open_data.GzipMembers(tmp_path / "members.pickle")
    files = open_data.catalogue_files(bodies, first)
    first.save()
    assert json.loads(gzip.decompress(files["du-lieu/danh-muc.json.gz"]))["count"] == 250
    bodies["1.000123"] = json.dumps({"code": "1.000123", "name": "Đăng ký lại"})
    again = open_data.GzipMembers(tmp_path / "members.pickle")
    files = open_data.catalogue_files(bodies, again)
    assert again.compressed == 2  # group 1.0001xx, in JSON and in JSON Lines
    records = [json.loads(line) for line in gzip.decompress(files["du-lieu/danh-muc.jsonl.gz"]).splitlines()]
    assert records[123]["name"] == "Đăng ký lại" and len(records) == 250


def test_exports_are_hard_links_to_the_work_folder_and_unchanged_ones_keep_their_file(workspace):
    options, _docs, site = workspace
    build(options)
    published = site / DATA / "thu-tuc" / "1-999002.json"
    kept = options.work_dir / "exports" / DATA / "thu-tuc" / "1-999002.json"
    assert published.stat().st_ino == kept.stat().st_ino
    before = published.stat().st_mtime_ns
    write_yaml(options.data_dir / "procedures" / "1.999001.yaml", procedure_record("1.999001", name="Tên mới"))
    assert build(options).site_mode == "incremental"
    assert published.stat().st_mtime_ns == before and published.stat().st_ino == kept.stat().st_ino
    assert "Tên mới" in (site / DATA / "thu-tuc" / "1-999001.json").read_text(encoding="utf-8")


# What a changed name may reach: the page, its record, the lists that name it, the whole-catalogue
# exports and feed, the search index and its synonyms, the service worker that lists the index, and
# what every MkDocs build writes again (sitemap, 404, robots.txt).
MAY_CHANGE = (
    "thu-tuc/1-999001/index.html",
    "du-lieu/thu-tuc/1-999001.json",
    "index.html",
    "linh-vuc/",
    "co-quan/",
    "cap-thuc-hien/",
    "doi-tuong/",
    "a-z/",
    "du-lieu/danh-muc.",
    "du-lieu/thay-doi.xml",
    "du-lieu/tra-cuu-nhanh.json",  # names and keywords, for the call centre's search
    "pagefind/",
    "tim-kiem/tu-dong-nghia.json",
    "sw.js",
    "sitemap.xml",
    "404.html",
    "robots.txt",
)


def test_a_one_procedure_rebuild_touches_only_its_page_lists_search_entry_and_feeds(workspace):
    options, _docs, site = workspace
    build(options)
    before = snapshot(site)
    write_yaml(options.data_dir / "procedures" / "1.999001.yaml", procedure_record("1.999001", name="Tên mới"))
    report = build(options)
    assert report.site_mode == "incremental" and report.rerendered == 1
    after = snapshot(site)
    touched = {str(Path(p).relative_to(site)) for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert touched, "the rebuild changed nothing"
    assert [rel for rel in touched if not rel.startswith(MAY_CHANGE)] == []
    assert "thu-tuc/1-999001/index.html" in touched and "du-lieu/thu-tuc/1-999001.json" in touched
    assert report.site.pages < 15  # the page and its lists, not the site
