"""The local site server compresses text files as the CDN would, when the browser takes it."""

from __future__ import annotations

import functools
import gzip
import http.client
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest

from devstack.static import SiteFiles, accepted_encodings

PAGE = "<h1>Đăng ký khai sinh</h1>\n" * 200


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "thu-tuc" / "1-000001").mkdir(parents=True)
    (tmp_path / "thu-tuc" / "1-000001" / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "Cổng Dịch vụ công"}' + " " * 2000, encoding="utf-8")
    (tmp_path / "small.js").write_text("console.log(1)", encoding="utf-8")
    return tmp_path


@pytest.fixture
def server(site: Path) -> Iterator[int]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SiteFiles, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def get(port: int, path: str, accept: str | None) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": accept} if accept is not None else {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_a_browser_that_takes_brotli_gets_a_folders_page_in_brotli(server):
    response, body = get(server, "/thu-tuc/1-000001/", "gzip, deflate, br, zstd")
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "br" and response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(response.headers["Content-Length"]) == len(body) < len(PAGE.encode())
    assert brotli.decompress(body).decode() == PAGE


def test_gzip_when_brotli_is_not_taken_and_the_file_itself_when_nothing_is(server):
    response, body = get(server, "/thu-tuc/1-000001/index.html", "gzip")
    assert response.headers["Content-Encoding"] == "gzip" and gzip.decompress(body).decode() == PAGE
    response, body = get(server, "/thu-tuc/1-000001/index.html", "br;q=0, gzip;q=0")
    assert "Content-Encoding" not in response.headers and body.decode() == PAGE
    response, body = get(server, "/thu-tuc/1-000001/index.html", None)
    assert "Content-Encoding" not in response.headers and body.decode() == PAGE


def test_the_manifest_goes_with_its_type_and_small_files_as_they_are(server):
    response, _ = get(server, "/manifest.webmanifest", "br")
    assert response.headers["Content-Type"] == "application/manifest+json"
    assert response.headers["Content-Encoding"] == "br"
    response, body = get(server, "/small.js", "br")
    assert "Content-Encoding" not in response.headers and body == b"console.log(1)"


def test_a_changed_file_is_compressed_again_not_served_from_memory(server, site):
    get(server, "/thu-tuc/1-000001/", "br")
    page = site / "thu-tuc" / "1-000001" / "index.html"
    page.write_text(PAGE + "<p>Đã sửa</p>\n" * 100, encoding="utf-8")
    _, body = get(server, "/thu-tuc/1-000001/", "br")
    assert brotli.decompress(body).decode() == page.read_text(encoding="utf-8")


def test_open_data_larger_than_the_cdn_compresses_goes_as_it_is(server, site):
    big = site / "du-lieu" / "danh-muc.json"
    big.parent.mkdir()
    with big.open("wb") as handle:
        handle.truncate(10_000_001)
    response, _ = get(server, "/du-lieu/danh-muc.json", "br, gzip")
    assert "Content-Encoding" not in response.headers and response.headers["Content-Length"] == "10000001"


def test_a_folder_without_its_slash_still_redirects(server):
    response, _ = get(server, "/thu-tuc/1-000001", "br")
    assert response.status == 301 and response.headers["Location"] == "/thu-tuc/1-000001/"


def test_accept_encoding_is_read_with_its_qualities():
    assert accepted_encodings("gzip, deflate, br, zstd") == {"gzip", "deflate", "br", "zstd"}
    assert accepted_encodings("br;q=0, gzip;q=0.5") == {"gzip"}
    assert accepted_encodings("") == set()
