"""From stream records to webhook deliveries: derive each record's events, create the deliveries for
the endpoints subscribed, start them (SQS on AWS; the local stack's sweep picks them up)."""

from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.stats.streams import image_of, records_of
from chalicelib.webhooks.delivery import create_deliveries, dispatch
from chalicelib.webhooks.events import EVENTS_OF, Event


def deliveries_from(table: str, stream_event: Any) -> int:
    derive = EVENTS_OF[table]
    events: list[Event] = []
    for record in records_of(stream_event):
        data = record.get("dynamodb", {})
        at = float(data.get("ApproximateCreationDateTime") or clock.now())
        events += derive(str(record["eventID"]), image_of(data.get("OldImage")), image_of(data.get("NewImage")), at)
    created = create_deliveries(events)
    dispatch(created)
    return len(created)
