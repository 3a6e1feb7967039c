"""Compression as the CDN does it, for the local server: made on request, kept until the file changes."""

import gzip
import os
from pathlib import Path

import brotli

from catalog_build.compress import CompressedFiles, is_copy

PAGE = "<p>Đăng ký khai sinh</p>\n" * 100


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_text_files_come_back_in_brotli_and_gzip_that_decompress_to_the_file(tmp_path):
    page = write(tmp_path, "thu-tuc/1-000001/index.html", PAGE)
    css = write(tmp_path, "assets/portal/portal.css", "a { color: #0b4f9c; }\n" * 100)
    files = CompressedFiles(tmp_path)
    for path in (page, css):
        assert brotli.decompress(files.get(path, "br") or b"") == path.read_bytes()
        assert gzip.decompress(files.get(path, "gzip") or b"") == path.read_bytes()


def test_small_binary_and_oversized_files_are_sent_as_they_are(tmp_path):
    files = CompressedFiles(tmp_path)
    small = write(tmp_path, "pagefind/pagefind-entry.json", '{"version": "1.5.2"}')  # under 1,000 bytes
    image = write(tmp_path, "assets/portal/icon-192.png", b"\x89PNG" + bytes(4000))
    sitemap = write(tmp_path, "sitemap.xml", "<urlset/>" + " " * 4000)  # MkDocs writes its own .gz
    huge = tmp_path / "du-lieu" / "danh-muc.json"
    huge.parent.mkdir()
    with huge.open("wb") as handle:
        handle.truncate(10_000_001)  # over the 10 MB the CDN compresses
    assert [files.get(path, "br") for path in (small, image, sitemap, huge)] == [None] * 4


def test_a_file_is_compressed_once_and_again_only_when_it_changes(tmp_path):
    page = write(tmp_path, "a/index.html", PAGE)
    files = CompressedFiles(tmp_path)
    first = files.get(page, "br")
    assert files.get(page, "br") is first  # from memory
    page.write_text(PAGE + "<p>mới</p>", encoding="utf-8")
    stat = page.stat()
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert brotli.decompress(files.get(page, "br") or b"").endswith("<p>mới</p>".encode())


def test_memory_is_bounded_by_dropping_the_least_recently_used(tmp_path):
    pages = [write(tmp_path, f"p{i}/index.html", PAGE + str(i) * 2000) for i in range(5)]
    files = CompressedFiles(tmp_path, max_bytes=200)
    for page in pages:
        files.get(page, "gzip")
    assert len(files._entries) < 5


def test_a_copy_is_told_apart_from_a_file_that_happens_to_end_in_gz():
    names = {"index.html", "index.html.br", "index.html.gz", "sitemap.xml", "sitemap.xml.gz", "data.tar.gz"}
    names |= {"du-lieu/danh-muc.json", "du-lieu/danh-muc.json.gz"}
    assert is_copy("index.html.br", names) and is_copy("index.html.gz", names)
    assert not is_copy("sitemap.xml.gz", names)
    assert not is_copy("data.tar.gz", names)
    assert not is_copy("index.html", names)
    assert not is_copy("du-lieu/danh-muc.json.gz", names)  # an export, published as a download
