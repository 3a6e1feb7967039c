"""Pydantic models of the catalogue's source records.

Field names are English; the concepts follow the national procedure database
(see shared/reference/dvcqg-contracts.md). Every model rejects unknown fields so a
typo in a YAML key is reported instead of silently ignored.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
ProcedureCode = Annotated[str, StringConstraints(pattern=r"^\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z0-9]{2,8})?$")]
AgencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$")]
SectorCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]


def slug_of(code: str) -> str:
    """A procedure's URL segment: '1.001193' -> '1-001193'."""
    return code.replace(".", "-").lower()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProcedureType(StrEnum):
    assigned = "assigned"  # được giao quy định chi tiết
    specific = "specific"  # đặc thù
    standard = "standard"  # chuẩn hóa
    interconnected = "interconnected"  # liên thông
    internal = "internal"  # nội bộ


class Level(StrEnum):
    ministry = "ministry"
    province = "province"
    commune = "commune"
    vertical = "vertical"  # cơ quan ngành dọc
    other = "other"
    district = "district"  # historical only: abolished in mid-2025


class OnlineLevel(StrEnum):
    full = "full"  # toàn trình (old "level 4")
    partial = "partial"  # một phần (old "level 3")
    offline = "offline"


class Audience(StrEnum):
    citizen = "citizen"
    business = "business"
    organisation = "organisation"


class ChannelKind(StrEnum):
    direct = "direct"  # 1
    online = "online"  # 2
    postal = "postal"  # 3


class TimeUnit(StrEnum):
    working_days = "working_days"
    days = "days"
    hours = "hours"
    months = "months"


class FeeKind(StrEnum):
    fee = "fee"  # phí
    charge = "charge"  # lệ phí
    unspecified = "unspecified"  # phí, lệ phí: the source does not say which


class LegalOrigin(StrEnum):
    """Where the procedure's rules come from (the national database's `formalityType`)."""

    assigned = "assigned"  # được luật giao quy định chi tiết
    not_assigned = "not_assigned"  # không được luật giao cho địa phương quy định
    local = "local"  # do địa phương quy định
    central = "central"  # do trung ương quy định
    other = "other"  # loại khác


class Source(StrEnum):
    api = "api"  # the national database's procedure API (get-formality-by-citizen)
    pages = "pages"  # the national portal's procedure pages


class Status(StrEnum):
    active = "active"
    suspended = "suspended"
    repealed = "repealed"


class Fee(Strict):
    kind: FeeKind
    amount: int | None = Field(default=None, ge=0, le=10_000_000_000)
    unit: ShortText = "đồng/hồ sơ"
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "VND"
    description: Text | None = None

    @model_validator(mode="after")
    def amount_or_description(self) -> Fee:
        if self.amount is None and not self.description:
            raise ValueError("a fee needs an amount or a description of how it is computed")
        return self


class Channel(Strict):
    kind: ChannelKind
    time_value: float | None = Field(default=None, ge=0, le=3650)
    time_unit: TimeUnit = TimeUnit.working_days
    time_note: Text | None = None
    fees: tuple[Fee, ...] = ()
    description: Text | None = None

    @model_validator(mode="after")
    def time_given(self) -> Channel:
        if self.time_value is None and not self.time_note:
            raise ValueError("a channel needs time_value or time_note")
        return self


class Document(Strict):
    code: ShortText | None = None
    name: Text
    originals: int = Field(default=1, ge=0, le=100)
    copies: int = Field(default=0, ge=0, le=100)
    required: bool = True
    e_form: bool = False
    template: Text | None = None


class Case(Strict):
    """A case (trường hợp) with its own steps and dossier. Imported records often give the steps
    once and several document groups: then only the first case has steps."""

    name: Text | None = None
    steps: tuple[Text, ...] = ()
    documents: tuple[Document, ...] = ()


class AgencyRoles(Strict):
    """Agencies by role. The national pages leave the executing agency out of about one record in
    ten ("Không có thông tin"), so it may be empty; the page then says so."""

    executing: tuple[AgencyCode, ...] = ()
    competent: tuple[AgencyCode, ...] = ()
    authorised: tuple[AgencyCode, ...] = ()
    coordinating: tuple[AgencyCode, ...] = ()


class Result(Strict):
    code: ShortText | None = None
    name: Text


class LegalDocument(Strict):
    number: ShortText
    title: Text
    issuer: ShortText | None = None
    issued: dt.date | None = None
    effective: dt.date | None = None


class Note(Strict):
    """Source text the importer could not map to a field with confidence: kept, shown, reported."""

    field: ShortText
    text: Text


class Provenance(Strict):
    """Where an imported record came from, so a re-import can tell what changed upstream."""

    source: Source
    record_id: ShortText | None = None  # the national database's record id (a UUID)
    url: ShortText | None = None
    updated_at: dt.datetime | None = None  # the source's own last update time, when it gives one


class Procedure(Strict):
    code: ProcedureCode
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1_000)]
    description: Text | None = None
    type: ProcedureType = ProcedureType.standard
    legal_origin: LegalOrigin | None = None
    levels: tuple[Level, ...] = Field(min_length=1)
    online_level: OnlineLevel
    sector: SectorCode
    audiences: tuple[Audience, ...] = Field(min_length=1)
    audience_details: tuple[ShortText, ...] = ()  # the national database's own subject types
    status: Status = Status.active
    decision: ShortText | None = None
    decision_date: dt.date | None = None
    updated: dt.date
    keywords: tuple[ShortText, ...] = ()
    cases: tuple[Case, ...] = Field(min_length=1)
    channels: tuple[Channel, ...] = ()
    agencies: AgencyRoles
    results: tuple[Result, ...] = ()
    legal_basis: tuple[LegalDocument, ...] = ()
    requirements: tuple[Text, ...] = ()
    receiving_address: Text | None = None
    related: tuple[ProcedureCode, ...] = ()
    provenance: Provenance | None = None
    notes: tuple[Note, ...] = ()

    @model_validator(mode="after")
    def online_level_matches_channels(self) -> Procedure:
        """A channel kind may appear more than once (the national data gives a row per phase or per
        case, each with its own time), but the online level must agree with the channels."""
        kinds = [c.kind for c in self.channels]
        has_online = ChannelKind.online in kinds
        if self.online_level is OnlineLevel.offline and has_online:
            raise ValueError("online_level is offline but an online channel is listed")
        if self.online_level is not OnlineLevel.offline and not has_online:
            raise ValueError(f"online_level is {self.online_level.value} but no online channel is listed")
        return self

    @model_validator(mode="after")
    def steps_and_levels_given(self) -> Procedure:
        if not any(case.steps for case in self.cases):
            raise ValueError("at least one case needs steps")
        if len(set(self.levels)) != len(self.levels):
            raise ValueError("each level may appear only once")
        return self

    @property
    def level(self) -> Level:
        """The first (main) level, for short labels."""
        return self.levels[0]

    @property
    def slug(self) -> str:
        return slug_of(self.code)


class Agency(Strict):
    code: AgencyCode
    name: ShortText
    level: Level
    parent: AgencyCode | None = None
    address: ShortText | None = None
    phone: ShortText | None = None
    national_code: ShortText | None = None  # the national database's own code, e.g. "G17", "000.00.CS.012"


class Sector(Strict):
    code: SectorCode
    name: ShortText
    ministry: AgencyCode | None = None
    national_code: ShortText | None = None  # e.g. "G16-VH21"


class FaqEntry(Strict):
    procedure: ProcedureCode | None = None
    question: Text
    answer: Text


class SearchTerms(Strict):
    """`data/search/synonyms.yaml`: equivalent names, query rewrites and stop words for search."""

    equivalents: tuple[Annotated[tuple[ShortText, ...], Field(min_length=2)], ...] = ()
    rewrites: dict[ShortText, ShortText] = {}
    stopwords: tuple[ShortText, ...] = ()
