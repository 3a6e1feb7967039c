"""Counting stream records: each record once, whatever Lambda retries or replays."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.calendar import vietnam_now
from chalicelib.stats.changes import Deltas, Image
from chalicelib.store.base import condition_failed, connection
from chalicelib.store.grants import expiry
from chalicelib.store.stats import SHARDS, Counter, StreamMark

MARK_SECONDS = 3 * 24 * 60 * 60  # longer than a stream keeps records (24 hours)


def records_of(event: Any) -> list[dict[str, Any]]:
    """The raw records of a Chalice `DynamoDBEvent` or of a plain `{"Records": [...]}` dict."""
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    return list(raw.get("Records", []))


def count(records: Iterable[dict[str, Any]], deltas_of: Callable[[Image | None, Image | None], Deltas]) -> int:
    """Add each record's deltas to the counters; returns how many records counted (replays do not)."""
    counted = 0
    for record in records:
        data = record.get("dynamodb", {})
        deltas = deltas_of(image_of(data.get("OldImage")), image_of(data.get("NewImage")))
        if deltas and _count_once(
            str(record["eventID"]), deltas, float(data.get("ApproximateCreationDateTime") or clock.now())
        ):
            counted += 1
    return counted


def _count_once(event_id: str, deltas: Deltas, at: float) -> bool:
    month = vietnam_now(at).strftime("%Y-%m")
    shard = zlib.crc32(event_id.encode()) % SHARDS
    try:
        with TransactWrite(connection=connection()) as transaction:
            mark = StreamMark(event_id, expires_at=expiry(MARK_SECONDS))
            transaction.save(mark, condition=StreamMark.event_id.does_not_exist())
            for scope, metrics in deltas.items():
                actions = [getattr(Counter, metric).add(amount) for metric, amount in metrics.items()]
                transaction.update(Counter(f"{scope}#{month}", shard), actions=actions)
    except TransactWriteError as error:
        if condition_failed(error):
            return False  # counted before: a retried or replayed record
        raise
    return True


def image_of(raw: dict[str, Any] | None) -> Image | None:
    if raw is None:
        return None
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {key: _plain(deserializer.deserialize(value)) for key, value in raw.items()}


def _plain(value: Any) -> Any:
    """DynamoDB numbers arrive as Decimal; JSON attributes as strings."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str) and value[:1] in "{[":
        import json

        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
