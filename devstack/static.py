"""The built site over HTTP, for `make run` and the browser tests, compressed as a CDN would send it.

A file is answered with its compressed copy (`page.html.br`, `page.html.gz`, written by the build:
catalog_build/compress.py) when the request's `Accept-Encoding` allows it and the copy is not
older than the file; otherwise as it is. Content types are the ones the publisher gives each
object (infra/caching.py), so the local site behaves as the published one.
"""

from __future__ import annotations

import http.server
import os
import urllib.parse
from pathlib import Path
from typing import BinaryIO

from catalog_build.compress import ENCODINGS
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


def compressed_copy(path: Path, accepted: set[str]) -> tuple[Path, str] | None:
    """The build's copy of `path` in an accepted encoding, with that encoding, if one is up to date."""
    if not path.is_file():
        return None
    modified = path.stat().st_mtime_ns
    for suffix, encoding in ENCODINGS.items():
        copy = path.with_name(path.name + suffix)
        if encoding in accepted and copy.is_file() and copy.stat().st_mtime_ns >= modified:
            return copy, encoding
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
        copy = compressed_copy(path, accepted_encodings(self.headers.get("Accept-Encoding", "")))
        if copy is None:
            return super().send_head()
        copy_path, encoding = copy
        handle = copy_path.open("rb")  # the caller sends and closes it
        self.send_response(http.HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(os.fstat(handle.fileno()).st_size))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.end_headers()
        return handle

    def log_message(self, format: str, *args: object) -> None:
        pass
