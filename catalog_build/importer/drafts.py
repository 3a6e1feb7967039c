"""What a source record becomes before agencies and sectors are resolved: a draft procedure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from catalog_build.models import Audience

VIETNAM = dt.timezone(dt.timedelta(hours=7))

# Fields whose mapping rate the import reports: the share of records (with something in the
# source for that field) whose value was recovered structurally, not kept as a note.
RATED_FIELDS = (
    "name",
    "levels",
    "sector",
    "audiences",
    "online_level",
    "legal_origin",
    "decision",
    "agencies",
    "steps",
    "channels",
    "fees",
    "documents",
    "results",
    "legal_basis",
    "requirements",
    "provenance",
)


@dataclass(frozen=True)
class Ref:
    """An agency or sector as the source names it; the registry turns it into one of our codes."""

    name: str
    national_code: str | None = None


@dataclass
class Draft:
    code: str
    origin: str  # where the record came from, for messages: "file.json", "file.jsonl:12", a URL
    record: dict[str, Any]  # our model's fields, except sector and agencies
    sector: Ref | None = None
    agencies: dict[str, list[Ref]] = field(default_factory=dict)  # role -> agencies
    notes: list[tuple[str, str]] = field(default_factory=list)  # (field, source text)
    structural: dict[str, bool] = field(default_factory=dict)  # field -> recovered structurally
    unmapped: list[str] = field(default_factory=list)  # source fields with content we do not map
    fingerprint: str = ""  # digest of the source record: tells a repeated record from a conflicting one
    replaced: str | None = None  # the name of a hand-written record under this code that was another procedure

    def note(self, field_name: str, text: str) -> None:
        self.notes.append((field_name, text))

    def rate(self, field_name: str, structural: bool) -> None:
        self.structural[field_name] = structural and self.structural.get(field_name, True)


# The national database's subject types, mapped to our three audiences; the exact names are kept too.
_AUDIENCE_WORDS = (
    ("doanh nghiệp", Audience.business),
    ("hợp tác xã", Audience.business),
    ("htx", Audience.business),
    ("hộ kinh doanh", Audience.business),
    ("tổ chức", Audience.organisation),
    ("cơ quan", Audience.organisation),
    ("đơn vị", Audience.organisation),
    ("công dân", Audience.citizen),
    ("người", Audience.citizen),
    ("cá nhân", Audience.citizen),
    ("cán bộ", Audience.citizen),
    ("công chức", Audience.citizen),
    ("viên chức", Audience.citizen),
    ("đảng viên", Audience.citizen),
)


def audiences_of(names: list[str]) -> tuple[list[str], bool]:
    """Our audiences for the source's subject types, in a stable order, and whether each type was
    recognised. "Tổ chức (không bao gồm doanh nghiệp, HTX)" is an organisation, not a business."""
    found: set[Audience] = set()
    recognised = True
    for name in names:
        lowered = name.lower().split("(", 1)[0]
        match = next((audience for word, audience in _AUDIENCE_WORDS if word in lowered), None)
        if match is None:
            recognised = False
        else:
            found.add(match)
    ordered = [a.value for a in Audience if a in found]
    return ordered, recognised and bool(ordered)


def split_agency_names(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    """Agency names from a comma-separated text in which names may contain commas themselves:
    "Cục cảnh sát quản lý hành chính về trật tự, xã hội, Công an tỉnh" is two agencies. A piece
    that starts in lower case continues the previous name; so does one that completes a known name
    ("Bộ Văn hóa, Thể thao và Du lịch")."""
    pieces = [piece.strip() for piece in text.replace("\u00a0", " ").split(",")]
    names: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        joined = f"{names[-1]}, {piece}" if names else piece
        if names and (piece[0].islower() or _folded(joined) in known):
            names[-1] = joined
        else:
            names.append(piece)
    return [name.strip(" .;") for name in names if name.strip(" .;")]


def looks_like_agencies(text: str) -> bool:
    """Agency names, not a paragraph the crawler put in the agency cell: short, one line, starting
    with a capital."""
    return len(text) <= 400 and "\n" not in text.strip() and text.strip()[:1].isupper()


def _folded(name: str) -> str:
    from catalog_build.importer.registry import name_key

    return name_key(name)
