"""Load the catalogue's YAML source files, validate them, and check cross-references.

Validated procedures are cached by (mtime, size) so that an incremental build parses
only the files that changed; the cache is dropped whenever the models change. The catalogue's
procedures are `records.ProcedureRecord`s: a cached one unpickles its full record only when
something beyond its summary is asked of it.
"""

from __future__ import annotations

import atexit
import hashlib
import multiprocessing
import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from catalog_build.errors import CatalogueInvalid, Problem, problems_from
from catalog_build.groups import Group, load_groups
from catalog_build.models import Agency, FaqEntry, Procedure, SearchTerms, Sector
from catalog_build.parallel import fork_map
from catalog_build.records import ProcedureRecord, blob_of, summary_of
from catalog_build.writer import replace_file, replace_file_by

Model = TypeVar("Model", bound=BaseModel)
_MODELS_VERSION = hashlib.sha256(
    b"".join(Path(__file__).with_name(name).read_bytes() for name in ("models.py", "records.py"))
).hexdigest()[:16]


@dataclass
class Catalogue:
    procedures: dict[str, Procedure]  # ProcedureRecords, which answer everything a Procedure does
    agencies: dict[str, Agency]
    sectors: dict[str, Sector]
    faq: list[FaqEntry]
    source_hashes: dict[str, str] = field(default_factory=dict)  # procedure code -> sha of its file
    featured: list[str] = field(default_factory=list)  # codes shown on the home page
    search_terms: SearchTerms = field(default_factory=SearchTerms)  # synonyms and rewrites for search
    groups: dict[str, Group] = field(default_factory=dict)  # linked groups (liên thông), by id


@dataclass
class _Cached:
    mtime_ns: int
    size: int
    sha: str
    summary: tuple[Any, ...]  # records.SUMMARY_FIELDS
    blob: bytes  # the pickled Procedure

    @classmethod
    def of(cls, mtime_ns: int, size: int, sha: str, procedure: Procedure) -> _Cached:
        return cls(mtime_ns, size, sha, summary_of(procedure), blob_of(procedure))

    def record(self) -> ProcedureRecord:
        return ProcedureRecord(self.summary, self.blob)


def load_catalogue(data_dir: Path, cache_file: Path | None = None, workers: int = 1) -> Catalogue:
    """Load and validate everything under `data_dir`; raise CatalogueInvalid listing every problem.
    Procedure files missing from the cache are parsed by `workers` processes."""
    global _PARSED
    _PARSED = _ParsedYaml(cache_file.with_name("sources.pickle") if cache_file else None)
    try:
        return _load_catalogue(data_dir, cache_file, workers)
    finally:
        _PARSED.save()
        _PARSED = None


def _load_catalogue(data_dir: Path, cache_file: Path | None, workers: int) -> Catalogue:
    problems: list[Problem] = []
    agencies = _load_list_dir(data_dir / "agencies", Agency, "code", problems, data_dir)
    sectors = _load_list_dir(data_dir / "sectors", Sector, "code", problems, data_dir)
    faq_by_file = _load_lists(data_dir / "faq", FaqEntry, problems, data_dir)
    faq = [entry for _, entries in faq_by_file for _, entry in entries]
    procedures, hashes, files = _load_procedures(data_dir, cache_file, problems, workers)
    problems += _cross_reference(procedures, files, agencies, sectors, faq_by_file)
    featured = _load_featured(data_dir, procedures, problems)
    search_terms = _load_search_terms(data_dir, problems)
    groups = load_groups(data_dir, procedures, agencies, problems)
    if problems:
        raise CatalogueInvalid(problems)
    ordered = dict(sorted(procedures.items()))
    return Catalogue(ordered, agencies, sectors, faq, hashes, featured, search_terms, groups)


SEARCH_TERMS = Path("search/synonyms.yaml")


def _load_search_terms(data_dir: Path, problems: list[Problem]) -> SearchTerms:
    """`search/synonyms.yaml` (optional): see the file's own comments."""
    path = data_dir / SEARCH_TERMS
    if not path.exists():
        return SearchTerms()
    raw = _read_yaml(path, data_dir, problems)
    try:
        return SearchTerms.model_validate(raw or {})
    except ValidationError as error:
        problems += problems_from(error, _rel(path, data_dir))
        return SearchTerms()


def _load_featured(data_dir: Path, procedures: dict[str, Procedure], problems: list[Problem]) -> list[str]:
    """`featured.yaml` (optional): procedure codes for the home page, in order."""
    path = data_dir / "featured.yaml"
    if not path.exists():
        return []
    rel = _rel(path, data_dir)
    raw = _read_yaml(path, data_dir, problems)
    if not isinstance(raw, list) or not all(isinstance(code, str) for code in raw):
        problems.append(Problem(rel, "(file)", 'expected a YAML list of quoted procedure codes, e.g. - "1.001193"'))
        return []
    unknown = [
        Problem(rel, str(i), f"unknown procedure {code!r}") for i, code in enumerate(raw) if code not in procedures
    ]
    problems += unknown
    return [] if unknown else list(raw)


def _rel(path: Path, data_dir: Path) -> str:
    try:
        return str(path.relative_to(data_dir.parent))
    except ValueError:
        return str(path)


class _ParsedYaml:
    """The catalogue's other YAML files (agencies, sectors, FAQ, groups, synonyms) as last parsed,
    by (modification time, size): parsing them is a tenth of a second a build at 10,000 procedures."""

    def __init__(self, cache_file: Path | None) -> None:
        self.cache_file = cache_file
        self.entries: dict[str, tuple[int, int, Any]] = {}
        self.changed = False
        if cache_file is not None and cache_file.exists():
            try:
                version, self.entries = pickle.loads(cache_file.read_bytes())
            except Exception:  # a corrupt or foreign cache is only a missed speed-up
                version = None
            if version != _MODELS_VERSION:
                self.entries = {}

    def read(self, path: Path) -> Any:
        stat = path.stat()
        key = str(path)
        hit = self.entries.get(key)
        if hit is not None and hit[:2] == (stat.st_mtime_ns, stat.st_size):
            return hit[2]
        parsed = yaml.load(path.read_bytes().decode("utf-8"), Loader=yaml.CSafeLoader)
        self.entries[key] = (stat.st_mtime_ns, stat.st_size, parsed)
        self.changed = True
        return parsed

    def save(self) -> None:
        if self.cache_file is not None and self.changed:
            data = pickle.dumps((_MODELS_VERSION, self.entries), protocol=pickle.HIGHEST_PROTOCOL)
            replace_file(self.cache_file, data)


_PARSED: _ParsedYaml | None = None  # while load_catalogue runs


def _read_yaml(path: Path, data_dir: Path, problems: list[Problem], raw: bytes | None = None) -> Any:
    try:
        if raw is None and _PARSED is not None:
            return _PARSED.read(path)
        text = (path.read_bytes() if raw is None else raw).decode("utf-8")
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except UnicodeDecodeError:
        problems.append(Problem(_rel(path, data_dir), "(file)", "not valid UTF-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        reason = getattr(error, "problem", None) or str(error)
        problems.append(Problem(_rel(path, data_dir), where, f"YAML syntax error: {reason}"))
    return None


def _load_lists(
    folder: Path, model: type[Model], problems: list[Problem], data_dir: Path
) -> list[tuple[str, list[tuple[int, Model]]]]:
    """Each YAML file in `folder` holds a list of records; return them per file with indexes."""
    loaded = []
    for path in sorted(folder.glob("*.yaml")):
        rel = _rel(path, data_dir)
        raw = _read_yaml(path, data_dir, problems)
        if raw is None:
            continue
        if not isinstance(raw, list):
            problems.append(Problem(rel, "(file)", "expected a YAML list of records"))
            continue
        entries = []
        for index, item in enumerate(raw):
            try:
                entries.append((index, model.model_validate(item)))
            except ValidationError as error:
                problems += problems_from(error, rel, prefix=str(index))
        loaded.append((rel, entries))
    return loaded


def _load_list_dir(
    folder: Path, model: type[Model], key: str, problems: list[Problem], data_dir: Path
) -> dict[str, Model]:
    by_key: dict[str, Model] = {}
    for rel, entries in _load_lists(folder, model, problems, data_dir):
        for index, record in entries:
            value = getattr(record, key)
            if value in by_key:
                problems.append(Problem(rel, f"{index}.{key}", f"duplicate {key} {value!r}"))
            by_key[value] = record
    return by_key


def _load_procedures(
    data_dir: Path, cache_file: Path | None, problems: list[Problem], workers: int = 1
) -> tuple[dict[str, Procedure], dict[str, str], dict[str, str]]:
    cache = _read_cache(cache_file)
    fresh: dict[str, _Cached] = {}
    procedures: dict[str, Procedure] = {}
    hashes: dict[str, str] = {}
    files: dict[str, str] = {}
    listed = []
    folder = data_dir / "procedures"
    # os.scandir: its entries carry their names, and a stat each; Path.glob and Path.stat cost
    # several times more at 10,000 files.
    entries = list(os.scandir(folder)) if folder.is_dir() else []
    found = sorted((e.name, e) for e in entries if e.name.endswith(".yaml") and not e.name.startswith("."))
    prefix = _rel(folder, data_dir) + "/"
    for name, entry in found:
        rel = prefix + name
        stat = entry.stat()
        hit = cache.get(rel)
        if hit is not None and (hit.mtime_ns, hit.size) != (stat.st_mtime_ns, stat.st_size):
            hit = None
        listed.append((name, rel, stat.st_mtime_ns, stat.st_size, hit))
    todo = [(folder / name, rel, mtime, size) for name, rel, mtime, size, hit in listed if hit is None]
    parsed, parse_problems = _parse_all(todo, data_dir, workers)
    for name, rel, _, _, hit in listed:
        problems += parse_problems.get(rel, [])
        hit = hit or parsed.get(rel)
        if hit is None:
            continue
        fresh[rel] = hit
        record = hit.record()
        code = record.code
        if code in procedures:
            problems.append(Problem(rel, "code", f"duplicate code {code!r}, also in {files[code]}"))
            continue
        if name[: -len(".yaml")] != code:
            problems.append(Problem(rel, "code", f"file name must be the code: rename to {code}.yaml"))
        procedures[code], hashes[code], files[code] = record, hit.sha, rel
    if fresh.keys() != cache.keys() or any(fresh[rel] is not cache[rel] for rel in fresh):
        _write_cache_soon(cache_file, fresh)
    return procedures, hashes, files


PARSE_CHUNK = 250  # files per task when parsing in worker processes


def _parse_all(
    todo: list[tuple[Path, str, int, int]], data_dir: Path, workers: int
) -> tuple[dict[str, _Cached], dict[str, list[Problem]]]:
    """Parse files missing from the cache: in forked workers when there are many (a cold build of
    10,000 procedures spends most of its validation in YAML and pydantic)."""

    def work(chunk: Sequence[tuple[Path, str, int, int]]) -> tuple[list[tuple[str, _Cached]], list[Problem]]:
        found: list[Problem] = []
        done = [(entry[1], _parse_procedure(*entry[:2], data_dir, *entry[2:], found)) for entry in chunk]
        return [(rel, hit) for rel, hit in done if hit is not None], found

    parsed: dict[str, _Cached] = {}
    problems: dict[str, list[Problem]] = {}
    for hits, found in fork_map(work, todo, workers=workers, chunk=PARSE_CHUNK):
        parsed.update(hits)
        for problem in found:
            problems.setdefault(problem.file, []).append(problem)
    return parsed, problems


def _parse_procedure(
    path: Path, rel: str, data_dir: Path, mtime_ns: int, size: int, problems: list[Problem]
) -> _Cached | None:
    raw_bytes = path.read_bytes()
    raw = _read_yaml(path, data_dir, problems, raw_bytes)
    if raw is None:
        if not raw_bytes.strip():
            problems.append(Problem(rel, "(file)", "file is empty"))
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(rel, "(file)", "expected a YAML mapping with the procedure's fields"))
        return None
    try:
        procedure = Procedure.model_validate(raw)
    except ValidationError as error:
        problems += problems_from(error, rel)
        return None
    return _Cached.of(mtime_ns, size, hashlib.sha256(raw_bytes).hexdigest(), procedure)


class RecordCache:
    """The parsed-record cache (`records.pickle`) for writers of procedure files (the importer):
    read records it holds without parsing them, and record what they wrote, so that neither the
    next import nor the next build parses those files again."""

    def __init__(self, cache_file: Path | None, data_dir: Path) -> None:
        self.cache_file, self.data_dir = cache_file, data_dir
        self.entries = _read_cache(cache_file)

    def get(self, path: Path) -> Procedure | None:
        hit = self.entries.get(_rel(path, self.data_dir))
        if hit is None:
            return None
        stat = path.stat()
        return hit.record().full if (hit.mtime_ns, hit.size) == (stat.st_mtime_ns, stat.st_size) else None

    def put(self, path: Path, procedure: Procedure) -> None:
        stat, data = path.stat(), path.read_bytes()
        self.entries[_rel(path, self.data_dir)] = _Cached.of(
            stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest(), procedure
        )

    def save(self) -> None:
        _write_cache(self.cache_file, self.entries)


_PENDING: list[multiprocessing.process.BaseProcess] = []


def _write_cache_soon(cache_file: Path | None, entries: dict[str, _Cached]) -> None:
    """Write the cache from a forked copy of this process, so the build goes on meanwhile (pickling
    10,000 records takes about half a second). The next read of the cache, or the end of this
    process, waits for it; a failed write is only a missed speed-up."""
    if cache_file is None:
        return
    writer = multiprocessing.get_context("fork").Process(target=_write_cache, args=(cache_file, entries))
    writer.start()
    _PENDING.append(writer)


@atexit.register
def wait_for_cache_writes() -> None:
    while _PENDING:
        _PENDING.pop().join()


def _read_cache(cache_file: Path | None) -> dict[str, _Cached]:
    wait_for_cache_writes()
    if cache_file is None or not cache_file.exists():
        return {}
    try:
        # Unpickled from the file as it is read: the 34 MB of a 10,000-procedure cache are not
        # held as bytes beside the records they become.
        with cache_file.open("rb") as stream:
            version, entries = pickle.load(stream)
    except Exception:  # a corrupt or foreign cache is only a missed speed-up
        return {}
    return entries if version == _MODELS_VERSION else {}


def _write_cache(cache_file: Path | None, entries: dict[str, _Cached]) -> None:
    if cache_file is None:
        return
    cached = (_MODELS_VERSION, entries)
    replace_file_by(cache_file, lambda out: pickle.dump(cached, out, protocol=pickle.HIGHEST_PROTOCOL))


def _cross_reference(
    procedures: dict[str, Procedure],
    files: dict[str, str],
    agencies: dict[str, Agency],
    sectors: dict[str, Sector],
    faq_by_file: Iterable[tuple[str, list[tuple[int, FaqEntry]]]],
) -> list[Problem]:
    problems = []
    for code, procedure in procedures.items():
        # The common case first, without building messages: every reference resolves.
        if (
            procedure.sector in sectors
            and all(a in agencies for codes in vars(procedure.agencies).values() for a in codes)
            and all(other in procedures and other != code for other in procedure.related)
        ):
            continue
        problems += _procedure_references(procedure, files[code], procedures, agencies, sectors)
    for rel, entries in faq_by_file:
        for index, entry in entries:
            if entry.procedure is not None and entry.procedure not in procedures:
                problems.append(Problem(rel, f"{index}.procedure", f"unknown procedure {entry.procedure!r}"))
    for code, agency in agencies.items():
        if agency.parent is not None and agency.parent not in agencies:
            problems.append(Problem("data/agencies", f"{code}.parent", f"unknown agency {agency.parent!r}"))
    for code, sector in sectors.items():
        if sector.ministry is not None and sector.ministry not in agencies:
            problems.append(Problem("data/sectors", f"{code}.ministry", f"unknown agency {sector.ministry!r}"))
    return problems


def _procedure_references(
    procedure: Procedure,
    rel: str,
    procedures: dict[str, Procedure],
    agencies: dict[str, Agency],
    sectors: dict[str, Sector],
) -> list[Problem]:
    problems = []
    if procedure.sector not in sectors:
        problems.append(Problem(rel, "sector", f"unknown sector {procedure.sector!r}"))
    for role, codes in procedure.agencies:
        problems += [
            Problem(rel, f"agencies.{role}.{index}", f"unknown agency {agency!r}")
            for index, agency in enumerate(codes)
            if agency not in agencies
        ]
    for index, other in enumerate(procedure.related):
        if other == procedure.code:
            problems.append(Problem(rel, f"related.{index}", "a procedure cannot be related to itself"))
        elif other not in procedures:
            problems.append(Problem(rel, f"related.{index}", f"unknown procedure {other!r}"))
    return problems
