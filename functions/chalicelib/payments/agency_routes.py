"""Agency endpoints for payments: the payments the caller's agency is the beneficiary of, and the
refund cases opened for money taken but not credited (see `payments.callbacks`)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core.api import Call, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access

agency_payments_api = Blueprint(__name__)
schemas = ModelRefs("chalicelib.payments.schemas")


@endpoint(
    agency_payments_api,
    "/agency/payments",
    "GET",
    summary="Payments to the agency, newest first; with ?updated_since= the change feed, oldest change first",
    tag="agency-payments",
    access=Access.agency("payments:read"),
    query=schemas.AgencyPaymentsQuery,
    responses={200: Returns("Các khoản thanh toán cho cơ quan", schemas.IntentList)},
)
def agency_payments(call: Call) -> Response:
    from chalicelib.payments.agency import list_payments
    from chalicelib.payments.routes import view

    found, next_cursor = list_payments(str(call.user.agency_id), call.query)
    page = {"intents": [view(intent) for intent in found]}
    return json_reply(page | ({"next_cursor": next_cursor} if next_cursor else {}))


@endpoint(
    agency_payments_api,
    "/agency/payments/refunds",
    "GET",
    summary="Refund cases: money taken for the agency that was not credited, newest first (?limit= up to 100)",
    tag="agency-payments",
    access=Access.agency("payments:read"),
    query=schemas.RefundsQuery,
    responses={200: Returns("Các trường hợp cần hoàn tiền", schemas.RefundCaseList)},
)
def agency_refunds(call: Call) -> Response:
    from chalicelib.core.clock import moment
    from chalicelib.payments.schemas import RefundCaseList, RefundCaseView
    from chalicelib.store.payments import RefundCase

    found = RefundCase.by_agency.query(str(call.user.agency_id), scan_index_forward=False, limit=call.query.limit)
    fields = ("gateway", "transaction_id", "intent_id", "reason", "status")
    refunds = [
        RefundCaseView(
            case_id=case.key,
            amount=int(case.amount),
            opened_at=moment(case.opened_at),  # type: ignore[arg-type]
            **{name: getattr(case, name) for name in fields},
        )
        for case in found
    ]
    return json_reply(RefundCaseList(refunds=refunds))
