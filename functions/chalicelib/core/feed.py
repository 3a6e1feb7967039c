"""Change feeds: an agency's records as they changed since a moment, oldest change first, a page at a
time, so a system that was down can catch up without gaps or repeats.

A feed reads an index keyed (agency, updated_at). Each page ends with a cursor that resumes exactly
after its last record (DynamoDB's exclusive start key), and an empty page hands back the cursor it was
given: the caller polls with it until something new arrives. A record that changes again moves to the
end of the feed and is seen again there, with its newer state (the pair (key, updated_at) never repeats).

The feed stops `SETTLE_SECONDS` short of now: a global secondary index is updated asynchronously, and a
write from another Lambda whose clock ran a little behind could otherwise land behind a cursor already
handed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from pynamodb.attributes import Attribute
from pynamodb.indexes import GlobalSecondaryIndex

from chalicelib.core import clock
from chalicelib.core.calendar import epoch
from chalicelib.core.errors import InvalidInput
from chalicelib.core.paging import decode_cursor, encode_cursor

SETTLE_SECONDS = 2.0
RANGE = "updated_at"


def read_feed(
    index: GlobalSecondaryIndex[Any],
    updated_at: Attribute[float],
    agency_id: str,
    key_types: Mapping[str, str],
    *,
    since: float,
    until: float | None,
    cursor: str | None,
    limit: int,
    filter_condition: Any = None,
) -> tuple[list[Any], str | None]:
    """Records with `since <= updated_at <= until`, after the cursor's record; and the cursor to go on with.

    `updated_at` is the model's attribute the index ranges on; `key_types` names the index key and the
    table key with their DynamoDB types, the partition (the agency) first.
    """
    partition = next(iter(key_types))
    start = decode_cursor(cursor, key_types, {partition: agency_id})
    if start is not None:
        since = max(since, float(start[RANGE]["N"]))
    upper = clock.now() - SETTLE_SECONDS
    if until is not None:
        upper = min(upper, until)
    if upper < since:
        return [], cursor
    found = index.query(
        agency_id,
        updated_at.between(since, upper),
        scan_index_forward=True,
        filter_condition=filter_condition,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    items = list(found)
    if not items:
        return [], cursor
    last = items[-1]
    key = {name: {kind: _wire(getattr(last, name))} for name, kind in key_types.items()}
    return items, encode_cursor(key)


class FeedQuery(Protocol):
    """What a listing's query model carries for its feed."""

    updated_since: datetime | None
    updated_until: datetime | None
    cursor: str | None
    limit: int


def feed_page(
    index: GlobalSecondaryIndex[Any],
    updated_at: Attribute[float],
    agency_id: str,
    key_types: Mapping[str, str],
    query: FeedQuery,
    filter_condition: Any = None,
) -> tuple[list[Any], str | None]:
    """`read_feed` with the bounds and the page of a listing's query (`updated_since` must be set)."""
    assert query.updated_since is not None
    return read_feed(
        index,
        updated_at,
        agency_id,
        key_types,
        since=epoch(query.updated_since),
        until=epoch(query.updated_until) if query.updated_until else None,
        cursor=query.cursor,
        limit=query.limit,
        filter_condition=filter_condition,
    )


def refuse_bounds_without_since(query: FeedQuery) -> None:
    if query.updated_since is None and query.updated_until is not None:
        raise InvalidInput("updated_until chỉ dùng cùng updated_since.", field="updated_until")


def _wire(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
