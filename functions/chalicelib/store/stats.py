"""Counters for public statistics, and the stream records already counted.

A counter row is one (scope, month, shard): scope `all` or an agency id, month `yyyy-mm` in
Vietnam time, shard 0-7 chosen from the stream record's id, so a busy month's writes spread over
eight items; readers add the shards up. Each stream record is counted in one transaction with a
`StreamMark` that must not exist yet, so a replayed record (Lambda retries, a re-driven batch)
never counts twice.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta

SHARDS = 8
METRICS = (
    "accounts_registered",
    "dossiers_online",
    "dossiers_synced",
    "dossiers_finished",
    "dossiers_on_time",
    "dossiers_without_due_date",
    "dossiers_payment_requested",
    "payments_count",
    "payments_amount",
    "payments_for_dossiers",
    "complaints_received",
    "complaints_answered",
    "complaints_answered_on_time",
    "ratings_total",
    "ratings_satisfied",
)


class Counter(Model):
    Meta = table_meta("stats")

    scope_month = UnicodeAttribute(hash_key=True)  # "all#2026-11" or "CA-TINH#2026-11"
    shard = NumberAttribute(range_key=True)
    accounts_registered = NumberAttribute(default=0)
    dossiers_online = NumberAttribute(default=0)
    dossiers_synced = NumberAttribute(default=0)
    dossiers_finished = NumberAttribute(default=0)
    dossiers_on_time = NumberAttribute(default=0)
    dossiers_without_due_date = NumberAttribute(default=0)  # finished, never had a due date
    dossiers_payment_requested = NumberAttribute(default=0)
    payments_count = NumberAttribute(default=0)
    payments_amount = NumberAttribute(default=0)
    payments_for_dossiers = NumberAttribute(default=0)
    complaints_received = NumberAttribute(default=0)
    complaints_answered = NumberAttribute(default=0)
    complaints_answered_on_time = NumberAttribute(default=0)
    ratings_total = NumberAttribute(default=0)
    ratings_satisfied = NumberAttribute(default=0)


class StreamMark(Model):
    """A stream record's id, kept past the stream's 24-hour retention."""

    Meta = table_meta("stats-marks")

    event_id = UnicodeAttribute(hash_key=True)
    expires_at = TTLAttribute()
