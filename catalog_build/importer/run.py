"""`python -m catalog_build import`: national records -> our `data/` YAML.

read sources -> draft each record (api_format / pages_format) -> resolve sectors and agencies
(registry) -> merge with the record we have (official fields win, our extras stay) -> validate
everything -> write what changed, all or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from catalog_build.errors import CatalogueInvalid, Problem, problems_from
from catalog_build.importer import api_format, output, pages_format
from catalog_build.importer.drafts import VIETNAM, Draft
from catalog_build.importer.registry import Registry, name_key
from catalog_build.importer.report import ImportReport
from catalog_build.importer.sources import SourceRecord, read
from catalog_build.loader import RecordCache
from catalog_build.models import Procedure

FORMATS = ("auto", "api", "pages")
# Fields that are ours as much as the source's: kept and merged, never dropped by a re-import.
MERGED = ("keywords", "related")
# Fields a format does not carry: an existing record keeps its own value.
NOT_IN = {"pages": ("type", "decision_date", "description"), "api": ()}


class ImportInvalid(CatalogueInvalid):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.args = (f"{len(self.problems)} problem(s) in the imported records",)


@dataclass
class ImportOptions:
    sources: list[str]
    data_dir: Path = Path("data")
    format: str = "auto"
    dry_run: bool = False
    strict: bool = False
    prune: bool = False
    today: dt.date | None = None
    cache_file: Path | None = None  # the build's parsed-record cache (build/.catalog/records.pickle)
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None


def run_import(options: ImportOptions) -> ImportReport:
    report = ImportReport(dry_run=options.dry_run)
    reading = read(options.sources)
    report.skipped = reading.skipped
    problems = list(reading.problems)
    registry = Registry(options.data_dir)
    records = reading.records if options.progress is None else options.progress(reading.records)
    drafts = _drafts(records, options.format, registry, problems, report)
    cache = RecordCache(options.cache_file, options.data_dir)
    existing = _existing(options.data_dir, drafts, problems, cache)
    today = options.today or dt.datetime.now(VIETNAM).date()
    files: dict[str, str] = {}
    models: dict[str, Procedure] = {}
    used_agencies: set[str] = set()
    used_sectors: set[str] = set()
    known_codes = {path.stem for path in (options.data_dir / "procedures").glob("*.yaml")} | set(drafts)
    for code, draft in drafts.items():
        result = _merge(draft, registry, existing.get(code), known_codes, today, problems)
        if result is None:
            continue
        merged, text = result
        models[code] = merged
        used_agencies.update(code for _, codes in merged.agencies for code in codes)
        used_sectors.add(merged.sector)
        report.count(draft, merged, existing.get(code), text)
        if code not in existing or existing[code][1] != text:
            files[f"procedures/{code}.yaml"] = text
    removed = _pruned(options, drafts, problems) if options.prune else []
    report.removed = removed
    skip = set(drafts) | {Path(rel).stem for rel in removed}
    _references_elsewhere(options.data_dir, skip, used_agencies, used_sectors)
    registry.keep_only(used_agencies, used_sectors)
    problems += registry.problems()
    if options.strict:
        problems += report.strict_problems()
    if problems:
        raise ImportInvalid(problems)
    files.update(registry.files())
    if not options.dry_run:
        changed = {rel: text for rel, text in files.items() if _differs(options.data_dir / rel, text)}
        output.write_all(options.data_dir, changed, removed)
        for rel in changed:  # the next import and the next build need not parse these again
            if rel.startswith("procedures/"):
                cache.put(options.data_dir / rel, models[Path(rel).stem])
        cache.save()
    return report


def _references_elsewhere(data_dir: Path, skip: set[str], agencies: set[str], sectors: set[str]) -> None:
    """Agencies and sectors that records outside this import refer to (hand-written ones, other sources)."""
    for path in (data_dir / "procedures").glob("*.yaml"):
        if path.stem in skip:
            continue
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if not isinstance(raw, dict):
            continue
        sectors.add(str(raw.get("sector")))
        for codes in (raw.get("agencies") or {}).values():
            agencies.update(str(code) for code in codes or [])


def _differs(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") != text
    except FileNotFoundError:
        return True


def _format_of(raw: Any, wanted: str) -> str | None:
    if wanted != "auto":
        return wanted
    if isinstance(raw, dict) and "ma_thu_tuc" in raw:
        return "pages"
    if isinstance(raw, dict) and ("executionMethods" in raw or "codeNotation" in raw or "code" in raw):
        return "api"
    return None


def _drafts(
    records: Iterable[SourceRecord], wanted: str, registry: Registry, problems: list[Problem], report: ImportReport
) -> dict[str, Draft]:
    drafts: dict[str, Draft] = {}
    known = registry.agency_names
    for item in records:
        fmt = _format_of(item.raw, wanted)
        if not isinstance(item.raw, dict):
            problems.append(Problem(item.origin, "(record)", f"expected a JSON object, got {type(item.raw).__name__}"))
            continue
        if fmt is None:
            problems.append(Problem(item.origin, "code", "missing: neither a national API record nor a page record"))
            continue
        draft = _draft(item, fmt, known, problems)
        if draft is None:
            continue
        previous = drafts.get(draft.code)
        if previous is not None and previous.record["provenance"]["source"] != fmt:
            # The same procedure from the API and from the pages: the API record is the primary source.
            report.superseded.append(draft.code)
            if fmt == "api":
                drafts[draft.code] = draft
            continue
        if previous is not None:
            if previous.fingerprint != draft.fingerprint:
                problems.append(
                    Problem(
                        item.origin,
                        "code",
                        f"duplicate code {draft.code!r} with different content, also in {previous.origin}",
                    )
                )
            report.duplicates += 1
            continue
        drafts[draft.code] = draft
    return drafts


def _draft(item: SourceRecord, fmt: str, known: frozenset[str], problems: list[Problem]) -> Draft | None:
    model: type[BaseModel] = api_format.ApiRecord if fmt == "api" else pages_format.PagesRecord
    try:
        raw = model.model_validate(item.raw)
    except ValidationError as error:
        problems += problems_from(error, item.origin)
        return None
    draft = api_format.draft(raw, item.origin, known) if fmt == "api" else pages_format.draft(raw, item.origin, known)  # type: ignore[arg-type]
    if not _CODE.fullmatch(draft.code):
        problems.append(Problem(item.origin, "code", f"not a national procedure code (N.NNNNNN): {draft.code!r}"))
        return None
    draft.record["provenance"]["source"] = fmt
    draft.fingerprint = hashlib.sha256(json.dumps(item.raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return draft


def _existing(
    data_dir: Path, drafts: dict[str, Draft], problems: list[Problem], cache: RecordCache
) -> dict[str, tuple[Procedure, str]]:
    """The records we already have for the imported codes, with their file text."""
    found = {}
    for code in drafts:
        path = data_dir / "procedures" / f"{code}.yaml"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        if (cached := cache.get(path)) is not None:
            found[code] = (cached, text)
            continue
        try:
            found[code] = (Procedure.model_validate(yaml.load(text, Loader=yaml.CSafeLoader)), text)
        except (ValidationError, yaml.YAMLError, TypeError) as error:
            reason = "invalid YAML" if isinstance(error, yaml.YAMLError) else "invalid record"
            problems.append(Problem(str(path), "(file)", f"{reason}: fix it or delete it before importing over it"))
    return found


def _merge(
    draft: Draft,
    registry: Registry,
    existing: tuple[Procedure, str] | None,
    known_codes: set[str],
    today: dt.date,
    problems: list[Problem],
) -> tuple[Procedure, str] | None:
    """The draft with our codes for its sector and agencies, merged with the record we have, and
    its YAML."""
    record = _resolved(draft, registry, known_codes)
    previous = output.record_of(existing[0]) if existing else {}
    _keep_extras(draft, record, previous)
    if draft.notes:
        record["notes"] = [{"field": field, "text": text} for field, text in draft.notes]
    if existing:
        # The same fields as the record we have (its date too, where the source gives none): nothing
        # to write, and the file keeps its bytes, even a hand-written one formatted otherwise.
        candidate = _validated({"updated": previous["updated"], **record}, draft, [])
        if candidate is not None and output.record_of(candidate) == previous:
            return candidate, existing[1]
    record.setdefault("updated", today.isoformat())
    merged = _validated(record, draft, problems)
    return None if merged is None else (merged, output.dump(merged))


def _validated(record: dict[str, Any], draft: Draft, problems: list[Problem]) -> Procedure | None:
    try:
        return Procedure.model_validate(record)
    except ValidationError as error:
        problems += problems_from(error, draft.origin)
        return None


def _resolved(draft: Draft, registry: Registry, known_codes: set[str]) -> dict[str, Any]:
    record = dict(draft.record)
    levels = record["levels"]
    if draft.sector is not None:
        record["sector"] = registry.sector(draft.sector)
    record["agencies"] = {
        role: list(dict.fromkeys(registry.agency(ref, levels) for ref in refs)) for role, refs in draft.agencies.items()
    }
    for code in record.get("related", []):
        if code not in known_codes:
            draft.note("related", f"Thủ tục liên quan chưa có trong danh mục: {code}")
    record["related"] = [code for code in record.get("related", []) if code in known_codes]
    return record


def _keep_extras(draft: Draft, record: dict[str, Any], previous: dict[str, Any]) -> None:
    """Official fields win; our keywords and links stay, and fields the format does not carry keep
    our value. A hand-written record that was another procedure keeps nothing."""
    old = previous
    if old and "provenance" not in old and not _same_procedure(old["name"], record["name"]):
        draft.replaced = old["name"]
        old = {}
    for name in NOT_IN[record["provenance"]["source"]]:
        if name in old and name not in record:
            record[name] = old[name]
    for name in MERGED:
        combined = list(dict.fromkeys([*old.get(name, []), *record.get(name, [])]))
        if combined:
            record[name] = combined
    if "sector" not in record and "sector" in previous:
        record["sector"] = previous["sector"]


def _same_procedure(ours: str, theirs: str) -> bool:
    """Whether two names plausibly describe one procedure: they share at least a third of their words."""
    a, b = set(name_key(ours).split()), set(name_key(theirs).split())
    return len(a & b) >= max(1, min(len(a), len(b)) // 3)


def _pruned(options: ImportOptions, drafts: dict[str, Draft], problems: list[Problem]) -> list[str]:
    """Records imported earlier from the same kind of source that this import no longer has."""
    formats = {draft.record["provenance"]["source"] for draft in drafts.values()}
    removed = []
    for path in sorted((options.data_dir / "procedures").glob("*.yaml")):
        if path.stem in drafts:
            continue
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        source = (raw or {}).get("provenance", {}).get("source") if isinstance(raw, dict) else None
        if source in formats:
            removed.append(f"procedures/{path.name}")
    gone = {Path(rel).stem for rel in removed}
    for path in sorted((options.data_dir / "faq").glob("*.yaml")):
        for index, entry in enumerate(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or []):
            if isinstance(entry, dict) and entry.get("procedure") in gone:
                problems.append(
                    Problem(
                        str(path), f"{index}.procedure", f"refers to {entry['procedure']}, which --prune would remove"
                    )
                )
    return removed


_CODE = re.compile(r"\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z0-9]{2,8})?")
