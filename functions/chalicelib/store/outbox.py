"""Notifications waiting to be sent (e-mail, SMS), written by domain services, sent by a dispatcher.

`pending_bucket` is set only while a message waits, so the `pending` index is sparse; eight
buckets spread the writes so no single partition is hot.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import table_meta

PENDING_BUCKETS = 8


class PendingIndex(GlobalSecondaryIndex["OutboxMessage"]):
    class Meta:
        index_name = "pending"
        projection = AllProjection()

    pending_bucket = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class OutboxMessage(Model):
    Meta = table_meta("outbox")

    message_id = UnicodeAttribute(hash_key=True)
    channel = UnicodeAttribute()  # "email" | "sms"
    recipient = UnicodeAttribute()
    template = UnicodeAttribute()
    params = JSONAttribute(default=dict)
    status = UnicodeAttribute(default="pending")  # "pending" | "sent" | "failed"
    attempts = NumberAttribute(default=0)
    created_at = NumberAttribute()
    sent_at = NumberAttribute(null=True)
    pending_bucket = UnicodeAttribute(null=True)
    pending = PendingIndex()
