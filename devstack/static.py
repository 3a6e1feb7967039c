"""The built site over HTTP, for `make run` and the browser tests, compressed as a CDN would send it.

A text file is compressed (brotli, else gzip) when the request's `Accept-Encoding` allows it,
following CloudFront's rule (catalog_build/compress.py), and the result is kept in memory until the
file changes; other files go as they are. Content types are the ones the publisher gives each
object (infra/caching.py), so the local site behaves as the published one.
"""

from __future__ import annotations

import http.server
import io
import os
import urllib.parse
from pathlib import Path
from typing import BinaryIO

from catalog_build.compress import ENCODINGS, CompressedFiles
from infra import caching


def accepted_encodings(header: str) -> set[str]:
    """Codings named in `Accept-Encoding` with a quality above zero (`gzip;q=0` refuses gzip)."""
    accepted = set()
    for part in header.split(","):
        name, _, params = part.partition(";")
        quality = params.strip()
        try:
            refused = quality.startswith("q=") and float(quality[2:]) == 0
        except ValueError:
            refused = False
        if name.strip() and not refused:
            accepted.add(name.strip().lower())
    return accepted


_CACHES: dict[str, CompressedFiles] = {}


def compressed_body(site: Path, path: Path, accepted: set[str]) -> tuple[bytes, str] | None:
    """`path` compressed in the first accepted encoding, with that encoding, if it is sent compressed."""
    if not path.is_file():
        return None
    cache = _CACHES.setdefault(str(site), CompressedFiles(site))
    for encoding in ENCODINGS.values():
        if encoding in accepted:
            body = cache.get(path, encoding)
            return None if body is None else (body, encoding)
    return None


class SiteFiles(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` (give it with functools.partial); quiet, as a background server should be."""

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return caching.content_type(os.fspath(path))

    def send_head(self) -> BinaryIO | None:  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urllib.parse.urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # the redirect to the folder's address
            path = path / "index.html"
        accepted = accepted_encodings(self.headers.get("Accept-Encoding", ""))
        compressed = compressed_body(Path(self.directory), path, accepted)
        if compressed is None:
            return super().send_head()
        body, encoding = compressed
        self.send_response(http.HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.end_headers()
        return io.BytesIO(body)  # the caller sends and closes it

    def log_message(self, format: str, *args: object) -> None:
        pass
