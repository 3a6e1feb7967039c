"""Compressed copies beside the site's text files: made once, refreshed when their file changes."""

import gzip
import os
from pathlib import Path

import brotli

from catalog_build.compress import compress_site, is_copy

PAGE = "<p>Đăng ký khai sinh</p>\n" * 100


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def age(path: Path, seconds: int) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 1_000_000_000))


def test_text_files_get_brotli_and_gzip_copies_that_decompress_to_the_file(tmp_path):
    page = write(tmp_path, "thu-tuc/1-000001/index.html", PAGE)
    css = write(tmp_path, "assets/portal/portal.css", "a { color: #0b4f9c; }\n" * 100)
    report = compress_site(tmp_path)
    assert report.compressed == 2
    for path in (page, css):
        assert brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == path.read_bytes()
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == path.read_bytes()


def test_small_binary_and_left_out_files_get_no_copies(tmp_path):
    write(tmp_path, "pagefind/pagefind-entry.json", '{"version": "1.5.2"}')  # under 1,000 bytes
    write(tmp_path, "assets/portal/icon-192.png", b"\x89PNG" + bytes(4000))
    write(tmp_path, "du-lieu/thu-tuc/1-000001.json", "{}" + " " * 4000)  # one record per procedure
    write(tmp_path, "assets/javascripts/lunr/min/lunr.vi.min.js", "x" * 4000)  # Material's search: off
    write(tmp_path, "sitemap.xml", "<urlset/>" + " " * 4000)
    sitemap_gz = write(tmp_path, "sitemap.xml.gz", gzip.compress(b"<urlset/>", mtime=0))  # MkDocs' own
    report = compress_site(tmp_path)
    assert report.compressed == 0 and report.removed == 0
    assert list(tmp_path.rglob("*.br")) == []
    assert sitemap_gz.read_bytes() == gzip.compress(b"<urlset/>", mtime=0)


def test_only_files_newer_than_their_copies_are_compressed_again(tmp_path):
    changed = write(tmp_path, "a/index.html", PAGE)
    kept = write(tmp_path, "b/index.html", PAGE)
    compress_site(tmp_path)
    kept_copy = kept.with_name("index.html.br").stat().st_mtime_ns
    for copy in changed.parent.glob("index.html.*"):
        age(copy, 60)
    changed.write_text(PAGE + "<p>mới</p>", encoding="utf-8")
    moved: list[str] = []
    report = compress_site(tmp_path, moved.extend)
    assert report.compressed == 1
    assert sorted(moved) == ["a/index.html.br", "a/index.html.gz"]  # told before they are written
    assert kept.with_name("index.html.br").stat().st_mtime_ns == kept_copy
    assert brotli.decompress(changed.with_name("index.html.br").read_bytes()).endswith("<p>mới</p>".encode())


def test_copies_of_removed_or_shrunk_files_are_removed(tmp_path):
    gone = write(tmp_path, "thu-tuc/1-000009/index.html", PAGE)
    shrunk = write(tmp_path, "du-lieu/danh-muc.csv", "ma,ten\n" * 500)
    compress_site(tmp_path)
    gone.unlink()
    shrunk.write_text("ma,ten\n", encoding="utf-8")
    report = compress_site(tmp_path)
    assert report.removed == 4
    assert list(tmp_path.rglob("*.br")) == [] and list(tmp_path.rglob("*.gz")) == []


def test_a_copy_is_told_apart_from_a_file_that_happens_to_end_in_gz():
    names = {"index.html", "index.html.br", "index.html.gz", "sitemap.xml", "sitemap.xml.gz", "data.tar.gz"}
    assert is_copy("index.html.br", names) and is_copy("index.html.gz", names)
    assert not is_copy("sitemap.xml.gz", names)
    assert not is_copy("data.tar.gz", names)
    assert not is_copy("index.html", names)


def test_told_which_files_changed_it_looks_at_those_alone(tmp_path):
    changed = write(tmp_path, "a/index.html", PAGE)
    other = write(tmp_path, "b/index.html", PAGE)
    removed = write(tmp_path, "c/index.html", PAGE)
    compress_site(tmp_path)
    for path in (changed, other):
        for copy in path.parent.glob("index.html.*"):
            age(copy, 60)  # both out of date, only one reported
    removed.unlink()
    report = compress_site(tmp_path, only=["a/index.html", "c/index.html", "a/index.html.br"])
    assert report.compressed == 1 and report.removed == 2
    assert changed.with_name("index.html.br").stat().st_mtime_ns >= changed.stat().st_mtime_ns
    assert other.with_name("index.html.br").stat().st_mtime_ns < other.stat().st_mtime_ns
    assert not list(removed.parent.glob("index.html.*"))
