"""The installable offline app: the web app manifest, its icons, and the service worker each build writes."""

import json
import re
import struct
from pathlib import Path

import pytest

from catalog_build import pwa, search_index
from catalog_build.build import build
from catalog_build.errors import BuildFailed
from tests.factories import REPO, procedure_record, snapshot, write_yaml

DOCS = REPO / "site" / "docs"


def precached(site: Path) -> dict[str, str | None]:
    """The precache list as the built sw.js holds it: {address: revision}."""
    worker = (site / "sw.js").read_text(encoding="utf-8")
    start = worker.index('[{"url":')
    entries, _ = json.JSONDecoder().raw_decode(worker, start)
    return {entry["url"]: entry["revision"] for entry in entries}


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_the_manifest_names_the_app_in_vietnamese_and_its_icons_exist_at_their_sizes():
    manifest = json.loads((DOCS / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == "Cổng Dịch vụ công" and manifest["short_name"] == "Dịch vụ công"
    assert manifest["lang"] == "vi" and manifest["display"] == "standalone"
    assert manifest["start_url"] == "./" and manifest["scope"] == "./"  # relative: works under any path
    palette = (DOCS / "assets" / "portal" / "portal.css").read_text(encoding="utf-8")
    assert f"--md-primary-fg-color: {manifest['theme_color']};" in palette
    assert manifest["background_color"] == "#ffffff"
    pngs = {}
    for icon in manifest["icons"]:
        path = DOCS / icon["src"]
        assert path.is_file(), icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(path)
            assert icon["sizes"] == f"{width}x{height}", icon["src"]
            pngs.setdefault(icon["purpose"], set()).add(width)
    assert {192, 512} <= pngs["any"] and pngs["maskable"] == {512}
    assert png_size(DOCS / "assets" / "portal" / "apple-touch-icon.png") == (180, 180)


def test_every_page_links_the_manifest_theme_colour_touch_icon_and_the_worker_registration():
    template = (REPO / "site" / "overrides" / "main.html").read_text(encoding="utf-8")
    for tag in (
        '<link rel="manifest" href="{{ \'manifest.webmanifest\' | url }}">',
        '<meta name="theme-color" content="#0b4f9c">',
        '<link rel="apple-touch-icon" href="{{ \'assets/portal/apple-touch-icon.png\' | url }}">',
        "<script src=\"{{ 'assets/portal/pwa.js' | url }}\" defer></script>",
    ):
        assert tag in template


def test_a_build_writes_a_worker_that_precaches_the_shell_pages_and_search_index(workspace):
    options, _docs, site = workspace
    report = build(options)
    entries = precached(site)
    for url in (
        "index.html",
        "tim-kiem/index.html",
        "ngoai-tuyen/index.html",
        "manifest.webmanifest",
        "assets/portal/portal.css",
        "assets/portal/search.js",
        "assets/portal/pwa.js",
        "assets/portal/icon-192.png",
        "pagefind/pagefind.js",
        "pagefind/pagefind-worker.js",
        "pagefind/pagefind-entry.json",
    ):
        assert re.fullmatch(r"[0-9a-f]{32}", entries.pop(url) or ""), url
    hashed = [url for url, revision in entries.items() if revision is None]
    assert any(re.fullmatch(r"assets/javascripts/bundle\.[0-9a-f]{8}\.min\.js", url) for url in hashed)
    assert any(url.startswith("pagefind/index/") for url in hashed)  # a small index goes offline whole
    assert all((site / url).is_file() for url in precached(site))
    assert not any(url.startswith(("thu-tuc/", "pagefind/fragment/")) for url in entries)
    assert report.precache[0] == len(precached(site))
    assert "service worker" in report.seconds


def test_a_changed_file_gets_a_new_revision_and_the_others_keep_theirs(workspace):
    options, docs, site = workspace
    build(options)
    before = precached(site)
    with (docs / "assets" / "portal" / "portal.css").open("a", encoding="utf-8") as css:
        css.write("\n.portal-test { color: #111; }\n")
    write_yaml(options.data_dir / "procedures" / "1.999002.yaml", procedure_record("1.999002", name="Tên đã đổi"))
    assert build(options).site_mode == "incremental"
    after = precached(site)
    changed = {url for url in before.keys() & after.keys() if before[url] != after[url]}
    assert {"assets/portal/portal.css", "pagefind/pagefind-entry.json", "index.html"} >= changed
    assert "assets/portal/portal.css" in changed and "pagefind/pagefind-entry.json" in changed
    assert before["assets/portal/search.js"] == after["assets/portal/search.js"]
    assert f"dvc-pages-{pwa.shell_version(site)}" in (site / "sw.js").read_text()


def test_the_page_cache_is_named_after_the_shell_so_a_shell_change_starts_a_new_one(workspace):
    options, docs, site = workspace
    build(options)
    first = pwa.shell_version(site)
    write_yaml(options.data_dir / "procedures" / "1.999002.yaml", procedure_record("1.999002", name="Tên đã đổi"))
    build(options)
    assert pwa.shell_version(site) == first  # catalogue updates keep the pages visitors saved
    (docs / "assets" / "portal" / "search.js").write_text("// changed\n", encoding="utf-8")
    build(options)
    assert pwa.shell_version(site) != first
    assert f"dvc-pages-{pwa.shell_version(site)}" in (site / "sw.js").read_text()


def test_a_failure_after_the_worker_was_written_leaves_the_previous_site_and_worker_intact(workspace, monkeypatch):
    options, _docs, site = workspace
    build(options)
    before = snapshot(site)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(search_index, "publish_index", disk_full)
    write_yaml(options.data_dir / "procedures" / "1.999001.yaml", procedure_record("1.999001", name="Tên mới"))
    with pytest.raises(OSError):
        build(options)  # incremental: sw.js was rewritten (the index changed), then publishing the index failed
    assert snapshot(site) == before
    monkeypatch.undo()
    assert build(options).site_mode == "full"
    assert "Tên mới" in (site / "thu-tuc" / "1-999001" / "index.html").read_text(encoding="utf-8")


def test_without_node_a_full_build_fails_clearly_and_changes_nothing(workspace, monkeypatch, tmp_path):
    options, _docs, site = workspace
    build(options)
    before = snapshot(site)
    monkeypatch.setattr(pwa, "RUNTIME_CACHE", tmp_path / "no-cache")  # so Node is needed
    monkeypatch.setattr(pwa, "NODE_COMMAND", "node-is-not-installed")
    options.full = True
    with pytest.raises(BuildFailed, match=r"`node-is-not-installed` not found; install Node\.js"):
        build(options)
    assert snapshot(site) == before
    assert not site.with_name("site.new").exists()


def test_without_workbox_the_build_says_to_run_npm_ci(workspace, monkeypatch, tmp_path):
    options, _docs, _site = workspace
    monkeypatch.setattr(pwa, "NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(BuildFailed, match=r"Workbox is not installed .*run `npm ci`"):
        build(options)
