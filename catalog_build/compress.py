"""Compressed copies (`.br`, `.gz`) beside the site's text files, for servers that send them as they are.

The local server (`make run`, devstack/static.py) answers with a copy when the browser accepts its
encoding. CloudFront compresses by itself, so the publisher leaves the copies out (infra/publish).
A file is compressed when it has no copy or its copy is older, so an incremental build pays only
for what it changed; copies whose file is gone (or too small now) are removed.

What is worth it follows CloudFront's own rule: text types of at least 1,000 bytes. Left out:
MkDocs' sitemap.xml (MkDocs writes sitemap.xml.gz itself), the per-procedure open-data records
(10,000 small files that programs fetch one at a time) and Material's built-in search scripts
(the search plugin is off; nothing loads them). The assets every page loads, which change
rarely, get the slowest, smallest compression; everything else (pages, data, Pagefind's loaders,
rewritten whenever the index changes) a quick one: brotli 5 takes 0.4 ms for a 35 KB page, 11
takes 28 ms and saves a tenth.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Container, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import brotli

ENCODINGS = {".br": "br", ".gz": "gzip"}  # suffix of the copy: Content-Encoding
SUFFIXES = frozenset({".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".csv", ".txt", ".webmanifest"})
MIN_BYTES = 1000
SKIP_FILES = frozenset({"sitemap.xml"})
SKIP_PREFIXES = ("du-lieu/thu-tuc/", "assets/javascripts/lunr/", "assets/javascripts/workers/")
SLOW_BEST = "assets/"  # the theme's and our assets: change rarely, loaded by every page


def compressible(rel: str) -> bool:
    """Whether the build keeps compressed copies of this file (whatever its size)."""
    return PurePosixPath(rel).suffix in SUFFIXES and rel not in SKIP_FILES and not rel.startswith(SKIP_PREFIXES)


def is_copy(rel: str, names: Container[str]) -> bool:
    """A copy made here, `names` being the site's files (sitemap.xml.gz, MkDocs' own, is not one)."""
    suffix = PurePosixPath(rel).suffix
    base = rel.removesuffix(suffix)
    return suffix in ENCODINGS and base in names and compressible(base)


@dataclass
class CompressReport:
    compressed: int = 0
    removed: int = 0


def compress_site(
    site: Path,
    before_changes: Callable[[list[str]], None] | None = None,
    exclude: tuple[str, ...] = (),
    only: Iterable[str] | None = None,
) -> CompressReport:
    """Bring copies up to date: of every file except under the `exclude` folders, or of the files
    `only` names (written or deleted since the copies were made: an incremental build knows them,
    and a walk of 10,000 pages costs seconds). `before_changes` hears which copies are about to be
    written or removed, before anything is (an incremental build moves them aside to roll back)."""
    todo, stale = _scan(site, exclude) if only is None else _look_at(site, only)
    if before_changes is not None:
        before_changes([rel + suffix for rel in todo for suffix in ENCODINGS] + stale)
    for rel in stale:
        (site / rel).unlink(missing_ok=True)
    # Writing two small files per page costs more than compressing it (about 1.5 ms against 0.6 ms
    # on this machine's disk), so a few threads overlap the writes.
    with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 1)) as pool:
        for _ in pool.map(lambda rel: _compress(site, rel), todo, chunksize=32):
            pass
    return CompressReport(compressed=len(todo), removed=len(stale))


def _scan(site: Path, exclude: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Files whose copies are missing or older than they are, and copies to remove."""
    todo: list[str] = []
    stale: list[str] = []
    for directory, folders, names in os.walk(site):
        rel_dir = os.path.relpath(directory, site)
        prefix = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        folders[:] = [f for f in folders if prefix + f + "/" not in exclude]
        present = set(names)
        for name in names:
            rel = prefix + name
            suffix = PurePosixPath(name).suffix
            if suffix in ENCODINGS:
                if name.removesuffix(suffix) not in present and compressible(rel.removesuffix(suffix)):
                    stale.append(rel)
            elif compressible(rel):
                _check(site, rel, [rel + s for s in ENCODINGS if name + s in present], todo, stale)
    return todo, stale


def _look_at(site: Path, rels: Iterable[str]) -> tuple[list[str], list[str]]:
    todo: list[str] = []
    stale: list[str] = []
    for rel in sorted(set(rels)):
        if PurePosixPath(rel).suffix in ENCODINGS or not compressible(rel):
            continue
        copies = [rel + s for s in ENCODINGS if (site / (rel + s)).is_file()]
        if (site / rel).is_file():
            _check(site, rel, copies, todo, stale)
        else:
            stale += copies
    return todo, stale


def _check(site: Path, rel: str, copies: list[str], todo: list[str], stale: list[str]) -> None:
    source = (site / rel).stat()
    if source.st_size < MIN_BYTES:
        stale += copies
    elif len(copies) < len(ENCODINGS) or any((site / c).stat().st_mtime_ns < source.st_mtime_ns for c in copies):
        todo.append(rel)


def _compress(site: Path, rel: str) -> None:
    path = site / rel
    data = path.read_bytes()
    best = rel.startswith(SLOW_BEST)
    path.with_name(path.name + ".br").write_bytes(brotli.compress(data, quality=11 if best else 5))
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, compresslevel=9 if best else 6, mtime=0))
