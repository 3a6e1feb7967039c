"""What an agency system reads of the payments made to it: a newest-first listing, or with
`updated_since` the change feed (oldest change first, stable cursors; see `core.feed`)."""

from __future__ import annotations

from chalicelib.core.feed import feed_page, refuse_bounds_without_since
from chalicelib.core.paging import decode_cursor, encode_cursor
from chalicelib.payments.schemas import AgencyPaymentsQuery
from chalicelib.store.payments import PaymentIntent

PAGE_KEY = {"agency_id": "S", "intent_id": "S", "created_at": "N"}  # the `by-agency` index's start key
FEED_KEY = {"agency_id": "S", "intent_id": "S", "updated_at": "N"}  # the `changes-by-agency` index's


def list_payments(agency_id: str, query: AgencyPaymentsQuery) -> tuple[list[PaymentIntent], str | None]:
    condition = None
    if query.status is not None:
        condition = PaymentIntent.status == query.status
    if query.dossier_code is not None:
        by_dossier = PaymentIntent.dossier_code == query.dossier_code
        condition = by_dossier if condition is None else condition & by_dossier
    if query.updated_since is not None:
        changes = PaymentIntent.changes_by_agency
        return feed_page(changes, PaymentIntent.updated_at, agency_id, FEED_KEY, query, condition)
    refuse_bounds_without_since(query)
    found = PaymentIntent.by_agency.query(
        agency_id,
        scan_index_forward=False,
        filter_condition=condition,
        limit=query.limit,
        page_size=query.limit,
        last_evaluated_key=decode_cursor(query.cursor, PAGE_KEY, {"agency_id": agency_id}),
    )
    intents = list(found)
    return intents, encode_cursor(found.last_evaluated_key)
