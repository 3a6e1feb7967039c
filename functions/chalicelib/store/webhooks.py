"""Agencies' webhook endpoints and the deliveries of events to them.

A delivery waits in the sparse `due` index (`due_shard`, `next_attempt_at`) until it is delivered or
dead-lettered; a dead one sits in the sparse `dead` index under its agency until replayed. A claim
moves `next_attempt_at` forward by a lease under a condition on its old value, so two sweepers never
send the same attempt.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import table_meta

DUE_SHARDS = 4


class SigningSecret(MapAttribute[str, object]):
    secret = UnicodeAttribute()  # "whsec_" + base64 of 32 random bytes
    created_at = NumberAttribute()
    expires_at = NumberAttribute(null=True)  # set when rotated out: still signs until then


class WebhookEndpoint(Model):
    Meta = table_meta("webhooks")

    agency_id = UnicodeAttribute(hash_key=True)
    endpoint_id = UnicodeAttribute(range_key=True)  # "wh_..."
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    description = UnicodeAttribute(null=True)
    secrets = ListAttribute(of=SigningSecret)  # newest first
    created_at = NumberAttribute()


class DueDeliveries(GlobalSecondaryIndex["WebhookDelivery"]):
    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    next_attempt_at = NumberAttribute(range_key=True)


class DeadDeliveries(GlobalSecondaryIndex["WebhookDelivery"]):
    class Meta:
        index_name = "dead"
        projection = AllProjection()

    dead_agency = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class WebhookDelivery(Model):
    Meta = table_meta("webhook-deliveries")

    delivery_id = UnicodeAttribute(hash_key=True)  # "{event id}.{endpoint id}": one per event and endpoint
    agency_id = UnicodeAttribute()
    endpoint_id = UnicodeAttribute()
    event = JSONAttribute()  # the body sent, as a dict (serialised the same way every attempt)
    status = UnicodeAttribute(default="pending")  # "pending" | "delivered" | "dead"
    attempts = NumberAttribute(default=0)
    next_attempt_at = NumberAttribute(null=True)
    due_shard = UnicodeAttribute(null=True)
    dead_agency = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    delivered_at = NumberAttribute(null=True)
    created_at = NumberAttribute()

    due = DueDeliveries()
    dead = DeadDeliveries()
