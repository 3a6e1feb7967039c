"""Complaints, feedback and questions (phản ánh, kiến nghị, hỏi đáp) and their intake rate counters.

Access patterns: one by code (the key); an office's queue of what it must act on (`by-holder`); a
signed-in person's own (`by-submitter`); what is published (`published`, sparse: only published
items carry `published_agency`), by agency and newest first; open items by deadline for the
overdue job (`open-by-deadline`, sparse and sharded like the dossiers').
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class ComplaintsByHolder(GlobalSecondaryIndex["Complaint"]):
    class Meta:
        index_name = "by-holder"
        projection = AllProjection()

    holder = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class ComplaintChangesByAgency(GlobalSecondaryIndex["Complaint"]):
    """The answering agency's complaints by last change, oldest first: the change feed."""

    class Meta:
        index_name = "changes-by-agency"
        projection = AllProjection()

    agency_id = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class ComplaintsBySubmitter(GlobalSecondaryIndex["Complaint"]):
    class Meta:
        index_name = "by-submitter"
        projection = AllProjection()

    account_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class Published(GlobalSecondaryIndex["Complaint"]):
    class Meta:
        index_name = "published"
        projection = AllProjection()

    published_agency = UnicodeAttribute(hash_key=True)
    published_at = NumberAttribute(range_key=True)


class PublishedQuestions(GlobalSecondaryIndex["Complaint"]):
    """One partition (`faq`): published questions are a few thousand a year, read at catalogue builds."""

    class Meta:
        index_name = "faq"
        projection = AllProjection()

    faq_bucket = UnicodeAttribute(hash_key=True)
    published_at = NumberAttribute(range_key=True)


class OpenByDeadline(GlobalSecondaryIndex["Complaint"]):
    class Meta:
        index_name = "open-by-deadline"
        projection = KeysOnlyProjection()

    open_shard = UnicodeAttribute(hash_key=True)
    deadline = NumberAttribute(range_key=True)


class Complaint(Model):
    Meta = table_meta("complaints", stream=True)

    code = UnicodeAttribute(hash_key=True)  # PA-{yyMMdd}-{NNNN}, HD-... for questions
    kind = UnicodeAttribute()  # "complaint" | "question"
    agency_id = UnicodeAttribute()  # the agency responsible for answering (changes on transfer)
    holder = UnicodeAttribute()  # who must act now: the coordinating office or the answering agency
    topic = UnicodeAttribute()
    title = UnicodeAttribute()
    content = UnicodeAttribute()
    procedure_code = UnicodeAttribute(null=True)  # questions about a procedure
    account_id = UnicodeAttribute(null=True)  # signed-in submitter; anonymous ones leave contacts instead
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    consent_to_publish = BooleanAttribute(default=False)
    status = UnicodeAttribute()
    answer = JSONAttribute(null=True)
    attachments = JSONAttribute(default=list)  # [{file_name, content_type, size, key}]; files in S3
    history = JSONAttribute(default=list)
    deadline = NumberAttribute(null=True)  # the current state's deadline (epoch)
    overdue = BooleanAttribute(default=False)
    open_shard = UnicodeAttribute(null=True)
    answered_on_time = BooleanAttribute(null=True)
    published_agency = UnicodeAttribute(null=True)
    published_at = NumberAttribute(null=True)
    faq_bucket = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    version = VersionAttribute()

    by_holder = ComplaintsByHolder()
    changes_by_agency = ComplaintChangesByAgency()
    by_submitter = ComplaintsBySubmitter()
    published = Published()
    published_questions = PublishedQuestions()
    open_by_deadline = OpenByDeadline()
