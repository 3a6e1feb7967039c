"""Linked processing (liên thông): group dossiers, uploaded lists and their rows, and their tallies.

Access patterns:
- a group by its code (`LT-yyMMdd-NNNN`): the table's key; its steps' dossier codes are in the item,
  each step's dossier lives in `dossiers` (with `group_code`, `group_step`);
- a list by its code (`DS-yyMMdd-NNNN`): the table's key; a group's lists, newest first, for the
  agencies of its chain: `by-group` (group id, submitted_at); its rows by (list code, identity number),
  so a worker's own row is one `GetItem` and a list's rows are one partition read page by page;
- statistics by month: `linked-tallies` (month, scope), scope `all` or an agency id.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class LinkedGroup(Model):
    Meta = table_meta("linked-groups")

    code = UnicodeAttribute(hash_key=True)
    group_id = UnicodeAttribute()  # the definition in the catalogue (`data/groups/<id>.yaml`)
    name = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    owner_type = NumberAttribute(default=1)
    owner_name = UnicodeAttribute()
    owner_identifier = UnicodeAttribute()
    contact_email = UnicodeAttribute(null=True)
    contact_phone = UnicodeAttribute(null=True)
    form = JSONAttribute(default=dict)
    attachments = JSONAttribute(default=list)  # files uploaded once, shared by every step's dossier
    steps = JSONAttribute(default=dict)  # step id -> {"code", "agency_id"}: codes handed out at submission
    submitted_at = NumberAttribute()
    due_date = UnicodeAttribute(null=True)  # the group's total time limit, ISO date
    withdrawn_at = NumberAttribute(null=True)
    withdrawal_reason = UnicodeAttribute(null=True)
    updated_at = NumberAttribute()
    version = VersionAttribute()


class ListsByGroup(GlobalSecondaryIndex["LinkedList"]):
    class Meta:
        index_name = "by-group"
        projection = AllProjection()

    group_id = UnicodeAttribute(hash_key=True)
    submitted_at = NumberAttribute(range_key=True)


class LinkedList(Model):
    """An uploaded list (danh sách) moving through a list group's chain of agencies row by row."""

    Meta = table_meta("linked-lists")

    code = UnicodeAttribute(hash_key=True)
    group_id = UnicodeAttribute()
    name = UnicodeAttribute()
    submitter_id = UnicodeAttribute()  # the employer's account, or `agency:<id>`
    submitter_name = UnicodeAttribute()
    rows = NumberAttribute()
    submitted_at = NumberAttribute()
    updated_at = NumberAttribute()

    by_group = ListsByGroup()


class ListRow(Model):
    Meta = table_meta("linked-list-rows")

    list_code = UnicodeAttribute(hash_key=True)
    identity_number = UnicodeAttribute(range_key=True)
    row = NumberAttribute()  # the row's line in the uploaded file
    values = JSONAttribute(default=dict)
    stage = NumberAttribute(default=0)  # index of the step that must decide next; len(steps) = approved
    refused_at_stage = NumberAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    decisions = ListAttribute(default=list)  # type: ignore[var-annotated]  # [{"step", "agency_id", "decision", "at", "reason"?}]
    updated_at = NumberAttribute()


class LinkedTally(Model):
    """(`yyyy-mm`, scope) -> group dossiers submitted, linked steps finished on time and late (atomic ADD)."""

    Meta = table_meta("linked-tallies")

    month = UnicodeAttribute(hash_key=True)
    scope = UnicodeAttribute(range_key=True)  # "all" or an agency id
    groups = NumberAttribute(default=0)
    on_time = NumberAttribute(default=0)
    late = NumberAttribute(default=0)
