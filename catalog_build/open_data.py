"""The open-data files (`du-lieu/`): written once into the work folder, linked into the site.

They never pass through MkDocs (which would copy 10,000 per-procedure records on every full build).
Each file is written only when its bytes change, by a new file renamed into place, so an unchanged
record keeps its modification time (what a CDN sync compares) and a site that links to the old
version keeps it until the build is published. The site gets hard links (a copy where the file
system refuses them): publishing 10,000 records costs 10,000 links, not 400 MB of writes.

The whole catalogue comes as `danh-muc.json` (about 40 MB at 10,000 procedures, too large for the
CDN to compress: it compresses up to 10 MB), `danh-muc.json.gz`, `danh-muc.jsonl` (one record per
line, for streaming) and `danh-muc.jsonl.gz`. The gzip files are concatenations of gzip members,
one per group of up to 100 consecutive codes (`1.0003xx`), which is a valid gzip file (RFC 1952,
2.2); a member is compressed again only when a record of its group changed, so a one-procedure
update recompresses about 400 KB, not 40 MB.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import shutil
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from catalog_build.writer import WriteReport, needs_writing

FOLDER = "du-lieu/"
CATALOGUE_JSON = "du-lieu/danh-muc.json"
CATALOGUE_JSONL = "du-lieu/danh-muc.jsonl"


def group_of(code: str) -> str:
    """The gzip member a record belongs to: its code without the last two digits."""
    return code[:-2]


class GzipMembers:
    """Compressed groups of records from the last build, reused while a group's text is unchanged."""

    def __init__(self, cache_file: Path) -> None:
        self.cache_file = cache_file
        try:
            self.previous: dict[str, tuple[bytes, bytes]] = pickle.loads(cache_file.read_bytes())
        except (FileNotFoundError, EOFError, pickle.UnpicklingError):
            self.previous = {}
        self.current: dict[str, tuple[bytes, bytes]] = {}
        self.compressed = 0  # members compressed in this build
        self._pool = ThreadPoolExecutor(max_workers=2)

    def member(self, key: str, text: str) -> Future[bytes]:
        """The member for `text`: compressed in a thread (zlib lets go of the GIL) unless unchanged."""
        data = text.encode("utf-8")
        digest = hashlib.blake2b(data, digest_size=16).digest()
        cached = self.previous.get(key)
        if cached is not None and cached[0] == digest:
            done: Future[bytes] = Future()
            done.set_result(cached[1])
            self.current[key] = cached
            return done
        self.compressed += 1
        future = self._pool.submit(gzip.compress, data, 6, mtime=0)
        future.add_done_callback(lambda f: self.current.__setitem__(key, (digest, f.result())))
        return future

    def save(self) -> None:
        self._pool.shutdown()
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_file.with_name(self.cache_file.name + ".tmp")
        tmp.write_bytes(pickle.dumps(self.current, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(self.cache_file)


class RecordTexts:
    """Each procedure's JSON text from the last build, reused while its source file is unchanged
    (`salt`: the code that makes the text); 10,000 records cost half a second to serialise."""

    def __init__(self, cache_file: Path, salt: str) -> None:
        self.cache_file, self.salt = cache_file, salt
        try:
            saved_salt, texts = pickle.loads(cache_file.read_bytes())
        except (FileNotFoundError, EOFError, ValueError, pickle.UnpicklingError):
            saved_salt, texts = None, {}
        self.previous: dict[str, tuple[str, str]] = texts if saved_salt == salt else {}
        self.current: dict[str, tuple[str, str]] = {}

    def text(self, code: str, source_hash: str, make: Callable[[], str]) -> str:
        cached = self.previous.get(code)
        entry = cached if cached is not None and cached[0] == source_hash else (source_hash, make())
        self.current[code] = entry
        return entry[1]

    def save(self) -> None:
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_file.with_name(self.cache_file.name + ".tmp")
        tmp.write_bytes(pickle.dumps((self.salt, self.current), protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(self.cache_file)


def catalogue_files(bodies: dict[str, str], members: GzipMembers) -> dict[str, bytes]:
    """The whole catalogue as JSON and JSON Lines, each plain and gzipped; `bodies` are the
    per-procedure JSON texts in code order, joined without re-encoding."""
    groups: dict[str, list[str]] = {}
    for code, body in bodies.items():
        groups.setdefault(group_of(code), []).append(body)
    head = f'{{"count": {len(bodies)},\n"procedures": [\n'
    json_parts, jsonl_parts = [head], []
    json_gz = [members.member("json-head", head)]
    jsonl_gz = []
    for index, (key, records) in enumerate(groups.items()):
        as_json = ",\n".join(records)
        as_jsonl = "\n".join(records) + "\n"
        if index:
            json_parts.append(",\n")
            json_gz.append(members.member("json-comma", ",\n"))
        json_parts.append(as_json)
        jsonl_parts.append(as_jsonl)
        json_gz.append(members.member(f"json:{key}", as_json))
        jsonl_gz.append(members.member(f"jsonl:{key}", as_jsonl))
    tail = ("\n" if bodies else "") + "]}\n"
    json_parts.append(tail)
    json_gz.append(members.member("json-tail", tail))
    return {
        CATALOGUE_JSON: "".join(json_parts).encode("utf-8"),
        CATALOGUE_JSON + ".gz": b"".join(f.result() for f in json_gz),
        CATALOGUE_JSONL: "".join(jsonl_parts).encode("utf-8"),
        CATALOGUE_JSONL + ".gz": b"".join(f.result() for f in jsonl_gz),
    }


def write_changed(root: Path, files: dict[str, bytes], report: WriteReport) -> None:
    """Write the files whose bytes differ, each as a new file renamed into place (never in place:
    the site may hold a hard link to the old version)."""
    made: set[Path] = set()
    for rel, data in files.items():
        path = root / rel
        if needs_writing(path, data, made, report):
            tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
            tmp.write_bytes(data)
            tmp.replace(path)
            report.written.append(rel)


def link_into(
    source: Path,
    site: Path,
    rels: Iterable[str],
    before_changes: Callable[[list[str]], None] | None = None,
) -> None:
    """Publish `rels` (present in `source`: linked; gone from it: removed) into the site.
    `before_changes` hears which site files are about to be replaced or removed, first."""
    rels = sorted(set(rels))
    if before_changes is not None:
        before_changes(rels)
    made: set[Path] = set()
    for rel in rels:
        target = site / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.unlink(missing_ok=True)
        if not (source / rel).exists():
            continue
        try:
            os.link(source / rel, target)
        except OSError:  # another file system, or one without hard links
            shutil.copy2(source / rel, target)
