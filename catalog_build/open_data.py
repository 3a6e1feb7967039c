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
2.2).

These four, the CSV and the call centre's quick lookup are assembled from one part per group
(`parted.py`): a group whose codes and source files (and the code that makes the text) are those
of the last build keeps its parts, copied from the previous files without being read; a changed
group's records are joined again, those whose source is unchanged taken from the previous JSON
Lines file, so a one-procedure update serialises one record, compresses about 800 KB and copies
the rest, and whether a file changed is known from the parts without comparing 40 MB. What each
group was made from, and where its parts lie, is kept in the work folder (`PartsIndex`).
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import os
import pickle
import shutil
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pydantic
import pydantic_core

from catalog_build import exports
from catalog_build.parted import Layout, PartedFile
from catalog_build.records import unkept
from catalog_build.writer import WriteReport, needs_writing, replace_file

if TYPE_CHECKING:
    from catalog_build.loader import Catalogue
    from catalog_build.models import Procedure

FOLDER = "du-lieu/"
CATALOGUE_JSON = "du-lieu/danh-muc.json"
CATALOGUE_JSONL = "du-lieu/danh-muc.jsonl"
CATALOGUE_CSV = "du-lieu/danh-muc.csv"
QUICK_LOOKUP = "du-lieu/tra-cuu-nhanh.json"
PARTED = (CATALOGUE_JSON, CATALOGUE_JSON + ".gz", CATALOGUE_JSONL, CATALOGUE_JSONL + ".gz", CATALOGUE_CSV, QUICK_LOOKUP)


def group_of(code: str) -> str:
    """The gzip member a record belongs to: its code without the last two digits."""
    return code[:-2]


@dataclass
class GroupMemo:
    """What a group's records were made from in the last build, and what they hold for the feed."""

    digest: bytes  # of the code salt and the group's (code, source hash) pairs
    codes: str  # joined by NUL, as are their source hashes: two strings to save and load, not 200
    hashes: str
    recent: tuple[tuple[str, str], ...]  # its FEED_SIZE most recently updated (date, code), newest first


@dataclass
class PartsIndex:
    """The last build's groups and the layout of each whole-catalogue file (parted.py)."""

    salt: str = ""  # the code that makes the texts (`SERIALISER` included)
    groups: dict[str, GroupMemo] = field(default_factory=dict)
    files: dict[str, Layout] = field(default_factory=dict)
    schema: bytes = b""  # the record's JSON Schema, which only the code changes

    @classmethod
    def load(cls, path: Path, salt: str) -> PartsIndex:
        """The saved index if it was made by the same code, else an empty one."""
        try:
            version, index = pickle.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError, AttributeError, pickle.UnpicklingError):
            return cls(salt)
        return index if version == INDEX_VERSION and isinstance(index, cls) and index.salt == salt else cls(salt)

    def save(self, path: Path) -> None:
        replace_file(path, pickle.dumps((INDEX_VERSION, self), protocol=pickle.HIGHEST_PROTOCOL))


INDEX_VERSION = 1
# A new pydantic may serialise a record, or write its schema, differently from the same code.
SERIALISER = f"pydantic {pydantic.VERSION} (core {pydantic_core.__version__})"


@dataclass
class CatalogueReport:
    """What making the whole-catalogue files cost: groups whose records were joined again, the
    records serialised for that, and the gzip members compressed."""

    groups_made: int = 0
    records_made: int = 0
    compressed: int = 0


def write_catalogue(
    catalogue: Catalogue,
    site_url: str,
    root: Path,
    previous: PartsIndex,
    report: WriteReport,
    cost: CatalogueReport | None = None,
) -> tuple[PartsIndex, list[Procedure]]:
    """Write the whole-catalogue files made of groups of records (`PARTED`) that changed, from
    their previous versions (`previous`, empty for a first or full build); the index for the next
    build, and the FEED_SIZE most recently updated procedures."""
    cost = cost if cost is not None else CatalogueReport()
    procedures = catalogue.procedures
    groups: dict[str, list[str]] = {}
    runs: list[list[str]] = []  # the codes in order, cut where their group changes
    last: str | None = None
    for code in procedures:
        group = group_of(code)
        if group != last:
            runs.append([])
            last = group
        groups.setdefault(group, []).append(code)
        runs[-1].append(code)
    sectors = "\0".join(f"{code}\0{sector.name}" for code, sector in sorted(catalogue.sectors.items()))
    csv_salt = _digest(f"{site_url}\0{sectors}".encode())
    head = f'{{"count": {len(procedures)},\n"procedures": [\n'.encode()
    tail = b"\n]}\n" if procedures else b"]}\n"
    frames: dict[str, tuple[bytes, bytes, bytes]] = {
        CATALOGUE_JSON: (head, b",\n", tail),
        CATALOGUE_JSONL: (b"", b"", b""),
        CATALOGUE_CSV: (exports.CSV_HEAD.encode(), b"", b""),
        QUICK_LOOKUP: (
            exports.QUICK_LOOKUP_HEAD.encode(),
            exports.QUICK_LOOKUP_SEPARATOR.encode(),
            exports.quick_lookup_tail(catalogue).encode(),
        ),
    }
    frames[CATALOGUE_JSON + ".gz"] = (_gzip(head), _gzip(b",\n"), _gzip(tail))
    frames[CATALOGUE_JSONL + ".gz"] = (b"", b"", b"")
    files = {rel: PartedFile(root, rel, previous.files.get(rel), frame) for rel, frame in frames.items()}
    index = PartsIndex(previous.salt)
    pool = ThreadPoolExecutor(max_workers=2)  # zlib lets go of the GIL
    try:
        digests = {}
        for group, codes in groups.items():
            parts = _GroupParts(group, codes, catalogue, previous, files, cost)
            parts.data_part(CATALOGUE_JSON, b",\n", pool)
            parts.data_part(CATALOGUE_JSONL, b"\n", pool)
            index.groups[group], digests[group] = parts.memo(), parts.digest
        # These two are in code order, which is group order unless codes of different lengths
        # interleave groups: their parts are runs of codes of one group.
        numbers: dict[str, int] = {}
        for codes in runs:
            group = group_of(codes[0])
            number = numbers[group] = numbers.get(group, -1) + 1
            run = f"{group}#{number}" if number else group
            same = len(codes) == len(groups[group])
            digest = digests[group] if same else _digest_of(previous.salt, codes, catalogue.source_hashes)
            _text_part(
                files[CATALOGUE_CSV],
                run,
                _digest(digest + csv_salt),
                lambda codes=codes: exports.csv_rows((procedures[c] for c in codes), catalogue.sectors, site_url),  # type: ignore[misc]
            )
            _text_part(
                files[QUICK_LOOKUP],
                run,
                digest,
                lambda codes=codes: exports.quick_lookup_entries(procedures[c] for c in codes),  # type: ignore[misc]
            )
        index.files = {rel: parted.finish(report) for rel, parted in files.items()}
    finally:
        pool.shutdown(cancel_futures=True)
        for parted in files.values():
            parted.close()
    recent = heapq.nlargest(exports.FEED_SIZE, (entry for memo in index.groups.values() for entry in memo.recent))
    return index, [procedures[code] for _, code in recent]


class _GroupParts:
    """One group's parts of the whole-catalogue files: reused, or made from its records (those
    whose source is unchanged taken from the previous JSON Lines file)."""

    def __init__(
        self,
        group: str,
        codes: list[str],
        catalogue: Catalogue,
        previous: PartsIndex,
        files: dict[str, PartedFile],
        cost: CatalogueReport,
    ) -> None:
        self.group, self.codes, self.catalogue, self.files, self.cost = group, codes, catalogue, files, cost
        self.digest = _digest_of(previous.salt, codes, catalogue.source_hashes)
        self.old = previous.groups.get(group)
        self.same = self.old is not None and self.old.digest == self.digest
        self._lines: list[bytes] | None = None

    @property
    def hashes(self) -> list[str]:
        return [self.catalogue.source_hashes[code] for code in self.codes]

    def memo(self) -> GroupMemo:
        if self.same:
            assert self.old is not None
            return self.old  # unchanged: its records are not looked at
        procedures = self.catalogue.procedures
        recent = heapq.nlargest(exports.FEED_SIZE, ((procedures[c].updated.isoformat(), c) for c in self.codes))
        return GroupMemo(self.digest, "\0".join(self.codes), "\0".join(self.hashes), tuple(recent))

    def data_part(self, rel: str, separator: bytes, pool: ThreadPoolExecutor) -> None:
        """The group's records joined by `separator` (and a newline after the last, in JSON Lines),
        and its gzip member."""
        end = b"\n" if rel == CATALOGUE_JSONL else b""
        content, data = _text_part(self.files[rel], self.group, self.digest, lambda: separator.join(self.lines()) + end)
        packed = self.files[rel + ".gz"]
        if packed.key(self.group) == content:
            packed.reuse(self.group)
            return
        if data is None:
            data = separator.join(self.lines()) + end
        self.cost.compressed += 1
        packed.put(self.group, content, pool.submit(_gzip, data))

    def lines(self) -> list[bytes]:
        """The group's records, one JSON text each."""
        if self._lines is not None:
            return self._lines
        self.cost.groups_made += 1
        kept = self._old_lines()
        procedures = self.catalogue.procedures
        lines = []
        for code, source_hash in zip(self.codes, self.hashes, strict=True):
            line = kept.get(code, (None, b""))
            if line[0] == source_hash:
                lines.append(line[1])
            else:
                lines.append(exports.procedure_json(unkept(procedures[code])).encode())
                self.cost.records_made += 1
        self._lines = lines
        return lines

    def _old_lines(self) -> dict[str, tuple[str, bytes]]:
        """The group's records in the previous JSON Lines file, by code, with their source hashes."""
        jsonl = self.files[CATALOGUE_JSONL]
        old_key = jsonl.key(self.group)
        if self.old is None or not isinstance(old_key, tuple) or old_key[0] != self.old.digest:
            return {}
        codes, hashes = self.old.codes.split("\0"), self.old.hashes.split("\0")
        lines = jsonl.read(self.group).split(b"\n")
        if len(lines) != len(codes) + 1 or lines.pop():
            return {}
        return dict(zip(codes, zip(hashes, lines, strict=True), strict=True))


def _text_part(
    parted: PartedFile, part: str, key: bytes, make: Callable[[], str | bytes]
) -> tuple[bytes, bytes | None]:
    """A part of `parted`: reused while `key` is unchanged, else made and compared with the
    previous one. Its content's digest, and its bytes when they were made."""
    old = parted.key(part)
    if isinstance(old, tuple) and old[0] == key:
        parted.reuse(part)
        return old[1], None
    made = make()
    data = made.encode() if isinstance(made, str) else made
    content = _digest(data)
    if isinstance(old, tuple) and old[1] == content:
        parted.reuse(part, (key, content))
    else:
        parted.put(part, (key, content), data)
    return content, data


def _digest_of(salt: str, codes: list[str], hashes: dict[str, str]) -> bytes:
    """What a group's records are made from: the code's salt and each record's source file."""
    return _digest("\0".join([salt, *codes, *map(hashes.__getitem__, codes)]).encode())


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, 6, mtime=0)


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
