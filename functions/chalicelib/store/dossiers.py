"""Dossiers (hồ sơ), drafts, the per-agency daily code counters, sync receipts and agency tallies.

Access patterns (see the README's "Dossiers at national scale"):
- a dossier by its national code: the table's key;
- an agency's dossiers by latest activity: `by-agency` (agency id, updated_at);
- a person's dossiers: `by-owner` (identity number or tax code, submitted_at), which also finds
  dossiers that agencies synchronised from their own systems for that person;
- open dossiers by due date, for the overdue job: `open-by-due`, sparse (only open dossiers with
  a due date carry `open_shard`), spread over shards so no partition is hot.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.store.base import table_meta

OPEN_SHARDS = 8


class ByAgency(GlobalSecondaryIndex["Dossier"]):
    class Meta:
        index_name = "by-agency"
        projection = AllProjection()

    agency_id = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class ByOwner(GlobalSecondaryIndex["Dossier"]):
    class Meta:
        index_name = "by-owner"
        projection = AllProjection()

    owner_identifier = UnicodeAttribute(hash_key=True)
    submitted_at = NumberAttribute(range_key=True)


class OpenByDue(GlobalSecondaryIndex["Dossier"]):
    class Meta:
        index_name = "open-by-due"
        projection = KeysOnlyProjection()

    open_shard = UnicodeAttribute(hash_key=True)
    due_date = UnicodeAttribute(range_key=True)


class TimelineAttribute(ListAttribute):  # type: ignore[type-arg]
    """The timeline as a native list of maps, so a status change appends one event in the same
    `UpdateItem` (`list_append`) instead of reading and rewriting the whole dossier. Dossiers saved
    before kept it as a JSON string; those are read as they are and rewritten as lists on their next save."""

    def get_value(self, value: dict[str, Any]) -> Any:
        if "S" in value:
            return {"legacy": value["S"]}
        return super().get_value(value)

    def deserialize(self, values: Any) -> Any:
        if isinstance(values, dict):
            return json.loads(values["legacy"])
        return super().deserialize(values)


class Dossier(Model):
    Meta = table_meta("dossiers", stream=True)

    code = UnicodeAttribute(hash_key=True)  # {agency}-{yyMMdd}-{NNNN}
    agency_id = UnicodeAttribute()
    procedure_code = UnicodeAttribute()
    procedure_name = UnicodeAttribute()
    sector = UnicodeAttribute(null=True)
    case_index = NumberAttribute(null=True)
    channel = UnicodeAttribute(default="online")  # "direct" | "online" | "postal"
    source = UnicodeAttribute(default="portal")  # "portal" | "agency" (synchronised from its own system)
    owner_id = UnicodeAttribute(null=True)  # the portal account, when submitted here
    owner_type = NumberAttribute(default=1)  # 1 citizen, 2 business, 3 state body, 4 other
    owner_name = UnicodeAttribute()
    owner_identifier = UnicodeAttribute()
    contact_email = UnicodeAttribute(null=True)
    contact_phone = UnicodeAttribute(null=True)
    summary = UnicodeAttribute(null=True)
    form = JSONAttribute(default=dict)
    attachments = JSONAttribute(default=list)
    status = NumberAttribute()
    submitted_at = NumberAttribute()
    received_at = NumberAttribute(null=True)
    due_date = UnicodeAttribute(null=True)  # ISO date, Vietnam time
    returned_at = NumberAttribute(null=True)
    finished_at = NumberAttribute(null=True)
    supplements = JSONAttribute(default=list)
    results = JSONAttribute(default=list)
    timeline = TimelineAttribute(default=list)  # [{"at", "status", "actor", "note"?}], oldest first
    rating = JSONAttribute(null=True)
    overdue = BooleanAttribute(default=False)
    open_shard = UnicodeAttribute(null=True)
    source_updated_at = NumberAttribute(default=0)  # the agency system's clock, for ordering sync updates
    lookup_digest = UnicodeAttribute(null=True)
    sandbox = BooleanAttribute(default=False)  # an agency's test dossier: voidable, never counted or announced
    group_code = UnicodeAttribute(null=True)  # a step of a linked group (store.linked.LinkedGroup)
    group_step = UnicodeAttribute(null=True)
    updated_at = NumberAttribute()
    version = VersionAttribute()

    by_agency = ByAgency()
    by_owner = ByOwner()
    open_by_due = OpenByDue()


class DraftsByOwner(GlobalSecondaryIndex["Draft"]):
    class Meta:
        index_name = "by-owner"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class Draft(Model):
    """A dossier being prepared: resumable, attachments uploaded one by one, gone 30 days after last use."""

    Meta = table_meta("drafts")

    draft_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    procedure_code = UnicodeAttribute()
    agency_id = UnicodeAttribute()
    case_index = NumberAttribute(default=0)
    form = JSONAttribute(default=dict)
    attachments = JSONAttribute(default=list)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    expires_at = TTLAttribute()
    version = VersionAttribute()

    by_owner = DraftsByOwner()


class DossierCounter(Model):
    """`{agency}#{yyMMdd}` -> the last number handed out that day (atomic ADD, never reused)."""

    Meta = table_meta("dossier-counters")

    key = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(default=0)
    expires_at = TTLAttribute(null=True)


class SyncReceipt(Model):
    """`{agency}#{update_id}` -> the result given, so a replayed update changes nothing and answers the same."""

    Meta = table_meta("dossier-updates")

    key = UnicodeAttribute(hash_key=True)
    result = JSONAttribute()
    fingerprint = UnicodeAttribute(null=True)  # digest of the item's content: same id, other content = conflict
    created_at = NumberAttribute()
    expires_at = TTLAttribute()


class AgencyTally(Model):
    """`{agency}#{yyyy-mm}` -> dossiers finished on time, late, and without a due date that month (atomic ADD)."""

    Meta = table_meta("agency-tallies")

    key = UnicodeAttribute(hash_key=True)
    on_time = NumberAttribute(default=0)
    late = NumberAttribute(default=0)
    without_due_date = NumberAttribute(default=0)
