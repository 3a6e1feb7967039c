"""Compression as the CDN does it, for the local server (`make run`, devstack/static.py).

The build writes no compressed copies of pages: CloudFront compresses by itself, per viewer, and
copies cost a 10,000-procedure build 8 to 14 s and 21,600 files that the publisher then left out.
The local server compresses a file when it is asked for and keeps the result in memory until the
file changes, following CloudFront's rule: text types from 1,000 bytes to 10 MB. Larger files
(the whole-catalogue JSON at 10,000 procedures is about 40 MB) go as they are; the build publishes
gzipped exports of those itself (`du-lieu/*.gz`, exports.py), as downloads, not as encodings.

Brotli 5 takes 0.4 ms for a 35 KB page, 11 takes 28 ms and saves a tenth: the theme's and our
assets, which change rarely and are loaded by every page, get 11, everything else 5.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Container
from pathlib import Path, PurePosixPath

import brotli

ENCODINGS = {".br": "br", ".gz": "gzip"}  # suffix of a copy: Content-Encoding, in order of preference
SUFFIXES = frozenset(
    {".html", ".css", ".js", ".mjs", ".json", ".jsonl", ".svg", ".xml", ".csv", ".txt", ".webmanifest"}
)
MIN_BYTES = 1000
MAX_BYTES = 10_000_000
SKIP_FILES = frozenset({"sitemap.xml"})
SLOW_BEST = "assets/"  # the theme's and our assets: change rarely, loaded by every page
OPEN_DATA = "du-lieu/"  # its `.gz` files are exports in their own right
CACHE_BYTES = 64_000_000


def compressible(rel: str) -> bool:
    """Whether a file of this name is sent compressed (whatever its size)."""
    return PurePosixPath(rel).suffix in SUFFIXES and rel not in SKIP_FILES


def is_copy(rel: str, names: Container[str]) -> bool:
    """A compressed copy left by an earlier build, `names` being the site's files. MkDocs'
    sitemap.xml.gz and the open-data exports' `.gz` files are not copies."""
    suffix = PurePosixPath(rel).suffix
    base = rel.removesuffix(suffix)
    return suffix in ENCODINGS and base in names and compressible(base) and not rel.startswith(OPEN_DATA)


def encode(data: bytes, encoding: str, *, best: bool = False) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=11 if best else 5)
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9 if best else 6, mtime=0)
    raise ValueError(f"unknown encoding {encoding!r}")


class CompressedFiles:
    """Compressed bodies of a site's files, made on first request and kept while the file is
    unchanged (same size and modification time), least recently used dropped first."""

    def __init__(self, site: Path, max_bytes: int = CACHE_BYTES) -> None:
        self.site, self.max_bytes = site, max_bytes
        self._entries: OrderedDict[tuple[str, str], tuple[int, int, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, path: Path, encoding: str) -> bytes | None:
        """`path` compressed with `encoding`, or None when the CDN would send it as it is."""
        try:
            rel = path.resolve().relative_to(self.site.resolve()).as_posix()
            stat = path.stat()
        except (ValueError, FileNotFoundError):
            return None
        if not compressible(rel) or not MIN_BYTES <= stat.st_size <= MAX_BYTES:
            return None
        key = (rel, encoding)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None and cached[:2] == (stat.st_size, stat.st_mtime_ns):
                self._entries.move_to_end(key)
                return cached[2]
        body = encode(path.read_bytes(), encoding, best=rel.startswith(SLOW_BEST))
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes += len(body) - (len(old[2]) if old else 0)
            self._entries[key] = (stat.st_size, stat.st_mtime_ns, body)
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                _, (_, _, dropped) = self._entries.popitem(last=False)
                self._bytes -= len(dropped)
        return body
