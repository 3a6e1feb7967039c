import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_build.build import build
from catalog_build.cli import main
from catalog_build.errors import BuildFailed
from tests.factories import procedure_record, snapshot, write_yaml


def indexed_pages(site: Path) -> int:
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    return entry["languages"]["vi"]["page_count"]


def test_a_full_build_writes_pages_exports_and_search_index(workspace):
    options, _docs, site = workspace
    report = build(options)
    assert report.site_mode == "full" and report.rerendered == 3
    page = (site / "thu-tuc" / "1-999001" / "index.html").read_text()
    assert '<html lang="vi"' in page and "Thủ tục thử nghiệm số 1</h1>" in page
    assert '<script type="application/ld+json">' in page
    for export in (
        "danh-muc.json",
        "danh-muc.csv",
        "co-quan.json",
        "tra-cuu-nhanh.json",
        "schema.json",
        "thay-doi.xml",
        "thu-tuc/1-999002.json",
    ):
        assert (site / "du-lieu" / export).is_file(), export
    assert indexed_pages(site) == 3
    assert not (site / "search" / "search_index.json").exists()  # MkDocs' own search is off


def test_an_incremental_build_rerenders_only_the_changed_procedure(workspace):
    options, docs, site = workspace
    build(options)
    untouched = [
        docs / "thu-tuc" / "1-999002.md",
        site / "thu-tuc" / "1-999002" / "index.html",
        site / "du-lieu" / "thu-tuc" / "1-999003.json",
    ]
    before = {p: p.stat().st_mtime_ns for p in untouched}
    write_yaml(
        options.data_dir / "procedures" / "1.999001.yaml", procedure_record("1.999001", name="Tên mới sau khi sửa")
    )
    report = build(options)
    assert report.site_mode == "incremental"
    assert report.rerendered == 1
    assert "Tên mới sau khi sửa</h1>" in (site / "thu-tuc" / "1-999001" / "index.html").read_text()
    assert {p: p.stat().st_mtime_ns for p in untouched} == before
    assert indexed_pages(site) == 3
    stub = (options.work_dir / "search-src" / "thu-tuc" / "1-999001.html").read_text()
    assert "Ten moi sau khi sua" in stub  # the folded copy that "dang ky"-style queries match


def test_a_second_build_with_no_changes_writes_nothing(workspace):
    options, docs, _site = workspace
    build(options)
    before = snapshot(docs)
    report = build(options)
    assert report.rerendered == 0 and report.docs.written == []
    assert snapshot(docs) == before


def test_a_deleted_procedure_leaves_pages_exports_and_search(workspace):
    options, docs, site = workspace
    build(options)
    (options.data_dir / "procedures" / "1.999003.yaml").unlink()
    report = build(options)
    assert "thu-tuc/1-999003.md" in report.docs.removed
    assert not (docs / "thu-tuc" / "1-999003.md").exists()
    assert not (site / "thu-tuc" / "1-999003").exists()
    assert not (site / "du-lieu" / "thu-tuc" / "1-999003.json").exists()
    assert "1-999003" not in (site / "a-z" / "t" / "index.html").read_text()
    assert indexed_pages(site) == 2


def test_invalid_data_fails_with_every_error_and_changes_nothing(workspace, capsys):
    options, docs, site = workspace
    build(options)
    before = snapshot(docs, site)
    write_yaml(options.data_dir / "procedures" / "1.999001.yaml", procedure_record("1.999001", level="galaxy"))
    write_yaml(options.data_dir / "procedures" / "1.999002.yaml", procedure_record("1.999002", sector="khong-co"))
    argv = [
        "build",
        "--data",
        str(options.data_dir),
        "--config",
        str(options.config_file),
        "--work",
        str(options.work_dir),
    ]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "procedures/1.999001.yaml: level: " in err
    assert "procedures/1.999002.yaml: sector: unknown sector 'khong-co'" in err
    assert "Traceback" not in err
    assert snapshot(docs, site) == before


def test_a_failed_site_build_leaves_the_previous_site_intact(workspace):
    options, docs, site = workspace
    build(options)
    before = snapshot(site)
    (docs / "trang-loi.md").write_text("# Trang lỗi\n\n[liên kết hỏng](khong-ton-tai.md)\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match="strict mode"):
        build(options)
    assert snapshot(site) == before
    assert not (site / "trang-loi").exists()
    (docs / "trang-loi.md").unlink()
    assert build(options).site_mode == "full"  # after a failure the next build starts clean


def test_every_internal_link_in_the_built_site_resolves(workspace):
    options, _docs, site = workspace
    build(options)
    broken = []
    for page in site.rglob("*.html"):
        for href in re.findall(r'href="([^"#?]+)', page.read_text()):
            if href.startswith(("http:", "https:", "mailto:", "tel:", "//")):
                continue
            target = (site / href.lstrip("/")) if href.startswith("/") else (page.parent / href).resolve()
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{page.relative_to(site)} -> {href}")
    assert broken == []


def test_an_edit_that_changes_no_searchable_field_reuses_the_search_index(workspace):
    options, _, site = workspace
    build(options)
    entry = site / "pagefind" / "pagefind-entry.json"
    before = entry.stat().st_ino
    fee = [{"kind": "charge", "amount": 999000}]
    channels = [{"kind": "direct", "time_value": 5, "fees": fee}, {"kind": "online", "time_value": 3}]
    write_yaml(
        options.data_dir / "procedures" / "1.999002.yaml",
        procedure_record("1.999002", name="Thủ tục thử nghiệm số 2", channels=channels),
    )
    report = build(options)
    assert "999.000 đồng" in (site / "thu-tuc" / "1-999002" / "index.html").read_text()
    assert report.seconds["search (parallel)"] == 0.0
    assert entry.stat().st_ino == before and indexed_pages(site) == 3
    write_yaml(options.data_dir / "procedures" / "1.999002.yaml", procedure_record("1.999002", name="Đổi tên"))
    build(options)
    assert entry.stat().st_ino != before and indexed_pages(site) == 3


def test_a_changed_api_address_in_the_environment_rebuilds_every_page(workspace, monkeypatch):
    options, _docs, site = workspace
    monkeypatch.setenv("PORTAL_API_URL", "http://127.0.0.1:8001")
    build(options)
    monkeypatch.setenv("PORTAL_API_URL", "https://api.dichvucong.example")
    build(options)
    assert 'content="https://api.dichvucong.example"' in (site / "index.html").read_text(encoding="utf-8")


def test_the_command_line_finishes_its_writes_and_output_before_it_leaves(workspace):
    """`python -m catalog_build` exits without tearing down its heap (os._exit): its output, exit
    code and the record cache written by a forked process must still all be there."""
    options, _docs, site = workspace

    def run() -> subprocess.CompletedProcess[str]:
        command = ["--data", str(options.data_dir), "--config", str(options.config_file)]
        command += ["--work", str(options.work_dir), "--quiet"]
        buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
        return subprocess.run(
            [sys.executable, "-m", "catalog_build", "build", *command],
            capture_output=True,
            text=True,
            check=False,
            env=buffered,  # output to a pipe held in a buffer until flushed, as by default
        )

    built = run()
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("built 3 procedures")
    assert (site / "thu-tuc" / "1-999001" / "index.html").is_file()
    _version, cached = pickle.loads((options.work_dir / "records.pickle").read_bytes())  # written whole
    assert len(cached) == 3

    write_yaml(options.data_dir / "procedures" / "1.999002.yaml", {"code": "1.999002"})
    refused = run()
    assert refused.returncode == 1 and "1.999002" in refused.stderr and refused.stdout == ""
