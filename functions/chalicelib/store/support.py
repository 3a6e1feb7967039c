"""The support centre: staff members, the audit trail, the data-access log, help conversations,
logged calls and answers offered to the FAQ.

Access patterns:
- a staff member by account id (role, second factor): `staff`;
- the audit trail in order: `audit`, one chain (`chain`, `seq`); staff actions are few (tens of
  thousands a year), so one partition is far below its limits and keeps the hash chain linear;
- a citizen's data-access log, newest first: `data-accesses` (`owner` = identity number or tax
  code, `entry` = time-ordered key);
- the console's queue: `open-queue` indexes on conversations and calls, sparse (only what waits),
  oldest first;
- the monthly figures: `by-month` indexes (month, created_at) with the few fields they need.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.store.base import table_meta

ROLES = ("operator", "supervisor")
QUEUE = "open"  # the one value of `queue` on items that wait for an operator


class StaffMember(Model):
    """An account granted a support role by an administrator, with its TOTP second factor."""

    Meta = table_meta("staff")

    account_id = UnicodeAttribute(hash_key=True)
    role = UnicodeAttribute()  # "operator" | "supervisor"
    full_name = UnicodeAttribute()
    granted_by = UnicodeAttribute()
    granted_at = NumberAttribute()
    active = BooleanAttribute(default=True)
    totp_secret = UnicodeAttribute(null=True)  # base32, once enrolment is confirmed
    pending_secret = UnicodeAttribute(null=True)  # shown at enrolment, until the first code confirms it
    last_step = NumberAttribute(default=0)  # the last TOTP time step accepted: a code is good once
    recovery_codes = UnicodeSetAttribute(null=True)  # digests of the unused recovery codes
    enrolled_at = NumberAttribute(null=True)
    version = VersionAttribute()


class AuditEntry(Model):
    """One staff action. `hash` = SHA-256 over the previous entry's hash and this entry's fields."""

    Meta = table_meta("audit")

    chain = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    at = NumberAttribute()
    actor_id = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    action = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    details = JSONAttribute(default=dict)
    prev_hash = UnicodeAttribute()
    hash = UnicodeAttribute()


class DataAccess(Model):
    """Someone other than the owner read the owner's dossier (who, when, why)."""

    Meta = table_meta("data-accesses")

    owner = UnicodeAttribute(hash_key=True)  # the dossier's owner identifier (identity number or tax code)
    entry = UnicodeAttribute(range_key=True)  # staff: "<epoch>#<id>"; agency systems: "<day>#<agency>#<code>"
    owner_id = UnicodeAttribute(null=True)  # the portal account, when the dossier was submitted here
    dossier_code = UnicodeAttribute()
    actor_kind = UnicodeAttribute()  # "agency" | "operator" | "supervisor"
    actor = UnicodeAttribute()  # agency id, or the staff member's name
    reason = UnicodeAttribute()
    at = NumberAttribute()


class QueuedConversations(GlobalSecondaryIndex["Conversation"]):
    class Meta:
        index_name = "open-queue"
        projection = AllProjection()

    queue = UnicodeAttribute(hash_key=True)
    waiting_since = NumberAttribute(range_key=True)


class ConversationsByMonth(GlobalSecondaryIndex["Conversation"]):
    class Meta:
        index_name = "by-month"
        projection = IncludeProjection(["first_answer_at", "rating"])

    month = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class ConversationsByAccount(GlobalSecondaryIndex["Conversation"]):
    class Meta:
        index_name = "by-account"
        projection = AllProjection()

    account_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class Conversation(Model):
    """A citizen's request for help online and the messages that answer it."""

    Meta = table_meta("support-conversations")

    code = UnicodeAttribute(hash_key=True)  # HT-yyMMdd-NNNN
    topic = UnicodeAttribute()
    procedure_code = UnicodeAttribute(null=True)
    dossier_code = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    key_digest = UnicodeAttribute()  # the citizen's access key, as a digest
    messages = ListAttribute(default=list)  # [{"at", "by": "citizen"|"operator", "text", "author"?}]
    status = UnicodeAttribute()  # "waiting" (for an operator) | "answered" | "closed"
    source = UnicodeAttribute(default="online")  # "online" | "call"
    rating = UnicodeAttribute(null=True)
    rating_comment = UnicodeAttribute(null=True)
    queue = UnicodeAttribute(null=True)
    waiting_since = NumberAttribute(null=True)
    first_answer_at = NumberAttribute(null=True)
    month = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    version = VersionAttribute()

    open_queue = QueuedConversations()
    by_month = ConversationsByMonth()
    by_account = ConversationsByAccount()


class QueuedCalls(GlobalSecondaryIndex["SupportCall"]):
    class Meta:
        index_name = "open-queue"
        projection = AllProjection()

    queue = UnicodeAttribute(hash_key=True)
    waiting_since = NumberAttribute(range_key=True)


class CallsByMonth(GlobalSecondaryIndex["SupportCall"]):
    class Meta:
        index_name = "by-month"
        projection = IncludeProjection(["outcome"])

    month = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class SupportCall(Model):
    """A call the call centre answered: who called, about what, what was done."""

    Meta = table_meta("support-calls")

    code = UnicodeAttribute(hash_key=True)  # CG-yyMMdd-NNNN
    operator_id = UnicodeAttribute()
    operator_name = UnicodeAttribute()
    caller_name = UnicodeAttribute(null=True)
    caller_phone = UnicodeAttribute(null=True)
    caller_email = UnicodeAttribute(null=True)
    topic = UnicodeAttribute()
    procedure_code = UnicodeAttribute(null=True)
    dossier_code = UnicodeAttribute(null=True)
    complaint_code = UnicodeAttribute(null=True)
    conversation_code = UnicodeAttribute(null=True)
    notes = UnicodeAttribute()
    outcome = UnicodeAttribute()  # "answered" | "callback" | "handed_over" | "complaint" | "conversation"
    callback_at = NumberAttribute(null=True)
    handover_note = UnicodeAttribute(null=True)
    history = ListAttribute(default=list)  # [{"at", "by", "action", "note"?}]
    queue = UnicodeAttribute(null=True)  # "open" for callbacks; "supervisor" for cases handed over
    waiting_since = NumberAttribute(null=True)
    month = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    version = VersionAttribute()

    open_queue = QueuedCalls()
    by_month = CallsByMonth()


class FaqCandidate(Model):
    """An answer an operator marked reusable, worded for everyone, waiting for a maintainer."""

    Meta = table_meta("faq-candidates")

    # One partition, read whole by the catalogue's import (a Query: the app's role has no Scan); a few
    # hundred reusable answers a year are far below a partition's limits.
    state = UnicodeAttribute(hash_key=True)  # "proposed"
    candidate_id = UnicodeAttribute(range_key=True)  # "<epoch>#<id>": oldest first
    procedure_code = UnicodeAttribute()
    question = UnicodeAttribute()
    answer = UnicodeAttribute()
    conversation_code = UnicodeAttribute()
    proposed_by = UnicodeAttribute()
    created_at = NumberAttribute()
