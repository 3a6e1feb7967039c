"""Agency endpoints for complaints and questions: the queue, decide, transfer, answer, check."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access
from chalicelib.core.errors import InvalidInput

agency_complaints_api = Blueprint(__name__)
handling = LazyModule("chalicelib.complaints.handling")
views = LazyModule("chalicelib.complaints.views")
schemas = ModelRefs("chalicelib.complaints.schemas")
ANSWERING = Access.agency("complaints:answer")
_ITEM = Returns("Phản ánh, kiến nghị hoặc câu hỏi", schemas.ComplaintView)


def _agency(call: Call) -> str:
    return str(call.user.agency_id)


def _reply(item: Any) -> Response:
    """Agencies see attachments with short-lived download links."""
    return json_reply(views.complaint_view(item, for_agency=True))


@endpoint(
    agency_complaints_api,
    "/agency/complaints",
    "GET",
    summary="What the agency must act on; with ?updated_since= the change feed of what is assigned to it",
    tag="agency-complaints",
    access=ANSWERING,
    query=schemas.QueueQuery,
    responses={200: Returns("Hàng đợi", schemas.ComplaintList)},
)
def complaint_queue(call: Call) -> Response:
    query, next_cursor = call.query, None
    if query.updated_since is not None:
        items, next_cursor = handling.changes(_agency(call), query)
    elif query.updated_until is not None or query.cursor is not None:
        raise InvalidInput("updated_until và cursor chỉ dùng cùng updated_since.", field="updated_since")
    else:
        items = handling.queue(_agency(call), query.status)
    views_ = [views.complaint_view(item, for_agency=True).model_dump(mode="json") for item in items]
    return json_reply({"items": views_} | ({"next_cursor": next_cursor} if next_cursor else {}))


@endpoint(
    agency_complaints_api,
    "/agency/complaints/{code}",
    "GET",
    summary="One complaint or question",
    tag="agency-complaints",
    access=ANSWERING,
    responses={200: _ITEM},
)
def agency_complaint(call: Call) -> Response:
    return _reply(handling.visible(_agency(call), call.params["code"]))


@endpoint(
    agency_complaints_api,
    "/agency/complaints/{code}/decision",
    "POST",
    summary="Accept (and assign) or refuse what came in (coordinating office)",
    tag="agency-complaints",
    access=ANSWERING,
    body=schemas.Decision,
    responses={200: _ITEM},
)
def decide_complaint(call: Call) -> Response:
    return _reply(handling.decide(_agency(call), call.params["code"], call.body))


@endpoint(
    agency_complaints_api,
    "/agency/complaints/{code}/transfer",
    "POST",
    summary="Transfer to the competent agency",
    tag="agency-complaints",
    access=ANSWERING,
    body=schemas.Transfer,
    responses={200: _ITEM},
)
def transfer_complaint(call: Call) -> Response:
    return _reply(handling.transfer(_agency(call), call.params["code"], call.body))


@endpoint(
    agency_complaints_api,
    "/agency/complaints/{code}/answer",
    "POST",
    summary="Answer",
    tag="agency-complaints",
    access=ANSWERING,
    body=schemas.AnswerBody,
    responses={200: _ITEM},
)
def answer_complaint(call: Call) -> Response:
    return _reply(handling.answer(_agency(call), call.params["code"], call.body.text))


@endpoint(
    agency_complaints_api,
    "/agency/complaints/{code}/check",
    "POST",
    summary="Approve (publish with consent) or send back an answer (coordinating office)",
    tag="agency-complaints",
    access=ANSWERING,
    body=schemas.Check,
    responses={200: _ITEM},
)
def check_answer(call: Call) -> Response:
    return _reply(handling.check(_agency(call), call.params["code"], call.body))
