"""Agencies and sectors of imported records: matched to ours by national code where the source has
one, otherwise by normalised name, and created when new, with a code derived from the name, so the
same name always gets the same code and nothing is duplicated. Created ones live in their own files
(`imported.yaml`), so hand-written lists are never rewritten."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from catalog_build import text
from catalog_build.errors import Problem, problems_from
from catalog_build.importer.drafts import Ref
from catalog_build.models import Agency, Sector

IMPORTED_FILE = "imported.yaml"
_AGENCY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """'Uỷ ban nhân dân cấp Tỉnh.' and 'Ủy ban nhân dân cấp tỉnh' are the same agency."""
    folded = text.fold(name).lower().replace("-", " ")
    return " ".join(_NON_WORD.sub(" ", folded).split())


def _short_hash(value: str) -> str:
    return hashlib.sha1(value.encode()).hexdigest()[:4].upper()


@dataclass
class _Entries:
    """One kind of entity (agencies or sectors): what exists, and what this import created."""

    by_code: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_national: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)
    created: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, entry: dict[str, Any], *, created: bool = False) -> None:
        code = entry["code"]
        self.by_code[code] = entry
        if entry.get("national_code"):
            self.by_national.setdefault(entry["national_code"], code)
        self.by_name.setdefault(name_key(entry["name"]), code)
        if created:
            self.created[code] = entry

    def find(self, ref: Ref) -> str | None:
        if ref.national_code and ref.national_code in self.by_national:
            return self.by_national[ref.national_code]
        return self.by_name.get(name_key(ref.name))


class Registry:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.agencies = _Entries()
        self.sectors = _Entries()
        for folder, entries in (("agencies", self.agencies), ("sectors", self.sectors)):
            for path in sorted((data_dir / folder).glob("*.yaml")):
                for entry in yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or []:
                    if isinstance(entry, dict) and "code" in entry and "name" in entry:
                        entries.add(entry, created=path.name == IMPORTED_FILE)

    @property
    def agency_names(self) -> frozenset[str]:
        return frozenset(self.agencies.by_name)

    def agency(self, ref: Ref, levels: list[str]) -> str:
        found = self.agencies.find(ref)
        if found:
            return found
        code = self._free_code(_agency_code(ref), ref.name, self.agencies)
        entry: dict[str, Any] = {"code": code, "name": ref.name, "level": _agency_level(ref.name, levels)}
        if ref.national_code:
            entry["national_code"] = ref.national_code
        self.agencies.add(entry, created=True)
        return code

    def sector(self, ref: Ref) -> str:
        found = self.sectors.find(ref)
        if found:
            return found
        slug = "-".join(name_key(ref.name).split())[:60].strip("-") or "linh-vuc"
        code = self._free_code(slug, ref.name, self.sectors, lower=True)
        entry: dict[str, Any] = {"code": code, "name": ref.name}
        if ref.national_code:
            entry["national_code"] = ref.national_code
        self.sectors.add(entry, created=True)
        return code

    @staticmethod
    def _free_code(wanted: str, name: str, entries: _Entries, *, lower: bool = False) -> str:
        if wanted not in entries.by_code:
            return wanted
        suffix = _short_hash(name_key(name))
        return f"{wanted[:26]}-{suffix.lower() if lower else suffix}"

    def keep_only(self, agencies: set[str], sectors: set[str]) -> None:
        """Forget created entries that no procedure refers to any more (a name the source corrected)."""
        for entries, used in ((self.agencies, agencies), (self.sectors, sectors)):
            entries.created = {code: entry for code, entry in entries.created.items() if code in used}

    def problems(self) -> list[Problem]:
        """Created entries that our models refuse (a name too long, say), named by file and code."""
        found = []
        for folder, entries, model in (("agencies", self.agencies, Agency), ("sectors", self.sectors, Sector)):
            for code, entry in entries.created.items():
                try:
                    model.model_validate(entry)
                except ValidationError as error:
                    found += problems_from(error, f"data/{folder}/{IMPORTED_FILE}", prefix=code)
        return found

    def files(self) -> dict[str, str]:
        """The `imported.yaml` of agencies and of sectors, sorted by code (stable, diffable)."""
        out = {}
        for folder, entries, title in (
            ("agencies", self.agencies, "Cơ quan"),
            ("sectors", self.sectors, "Lĩnh vực"),
        ):
            if not entries.created:
                continue
            rows = [entries.created[code] for code in sorted(entries.created)]
            body = "".join(_flow(row) for row in rows)
            out[f"{folder}/{IMPORTED_FILE}"] = (
                f"# {title} created by `python -m catalog_build import` (matched by national code or name).\n"
                "# Edit freely: a later import matches these by code or name and never renames them.\n" + body
            )
        return out


def _flow(row: dict[str, Any]) -> str:
    return yaml.dump(
        [row], Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000
    )


def _agency_code(ref: Ref) -> str:
    """A short code from the name's initials ("Sở Xây dựng" -> "SXD"); a national code that already
    has our shape ("UBNDCT", "G17") is not used, because codes like "G17" say nothing to a reader."""
    words = name_key(ref.name).upper().split()
    initials = "".join(word[0] if not word.isdigit() else word for word in words)
    code = initials[:24] or "CQ"
    return code if _AGENCY_CODE.match(code) else f"CQ-{code}"[:32]


_LEVEL_RULES = (
    (re.compile(r"\bcap xa\b|\bphuong\b|\bxa, |uy ban nhan dan xa\b|\bcap co so\b"), "commune"),
    (re.compile(r"\bcap tinh\b|\btinh\b|^so |thanh pho|\bdia phuong\b"), "province"),
    (re.compile(r"^chi cuc|khu vuc|\bco so\b|\bcap huyen\b"), "vertical"),
    (
        re.compile(r"^(bo|cuc|tong cuc|vu|thu tuong|chinh phu|van phong chinh phu)\b|nha nuoc|quoc gia|toi cao"),
        "ministry",
    ),
)


def _agency_level(name: str, levels: list[str]) -> str:
    key = name_key(name)
    for pattern, level in _LEVEL_RULES:
        if pattern.search(key):
            return level
    return levels[0] if len(levels) == 1 else "other"
