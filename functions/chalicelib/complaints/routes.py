"""Public and citizen endpoints: send a complaint or question, follow it, read published answers."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access, authenticate
from chalicelib.core.config import get_settings
from chalicelib.core.errors import NotFound

complaints_api = Blueprint(__name__)
accounts = LazyModule("chalicelib.sso.accounts")
intake = LazyModule("chalicelib.complaints.intake")
publication = LazyModule("chalicelib.complaints.publication")
views = LazyModule("chalicelib.complaints.views")
schemas = ModelRefs("chalicelib.complaints.schemas")
_ITEM = Returns("Phản ánh, kiến nghị hoặc câu hỏi", schemas.ComplaintView)


@endpoint(
    complaints_api,
    "/complaints",
    "POST",
    summary="Send a complaint, feedback or a question",
    tag="complaints",
    body=schemas.Intake,
    responses={201: _ITEM},
)
def submit_complaint(call: Call) -> Response:
    account = None
    if call.headers.get("authorization"):  # signed in: the account's name and contacts are used
        url = f"{get_settings().issuer}/complaints"
        account = accounts.get_account(
            authenticate(call.headers, Access.user("openid"), method="POST", url=url).subject
        )
    item, uploads = intake.submit(call.body, account, call.source_ip)
    view = views.complaint_view(item).model_dump(mode="json", exclude_none=True)
    return json_reply({**view, "uploads": uploads}, 201)


@endpoint(
    complaints_api,
    "/complaints/mine",
    "GET",
    summary="My complaints and questions",
    tag="complaints",
    access=Access.user("openid"),
    responses={200: Returns("Danh sách", schemas.ComplaintList)},
)
def my_complaints(call: Call) -> Response:
    account = accounts.get_account(call.user.subject)
    if account is None:
        raise NotFound("Tài khoản không còn tồn tại.")
    return json_reply({"items": [views.complaint_view(item).model_dump(mode="json") for item in intake.mine(account)]})


@endpoint(
    complaints_api,
    "/complaints/lookup",
    "POST",
    summary="Follow a complaint by code and contact",
    tag="complaints",
    body=schemas.ComplaintLookup,
    responses={200: _ITEM},
)
def lookup_complaint(call: Call) -> Response:
    return json_reply(views.complaint_view(intake.lookup(call.body.code, call.body.contact)))


@endpoint(
    complaints_api,
    "/complaints/published",
    "GET",
    summary="Published answers of an agency",
    tag="complaints",
    query=schemas.PublishedQuery,
    responses={200: Returns("Trả lời đã công khai", schemas.PublishedList)},
)
def published_answers(call: Call) -> Response:
    query = call.query
    items = publication.published(query.agency, query.topic, query.q or "")
    return json_reply(
        {"items": [views.published_view(item).model_dump(mode="json") for item in items]},
        headers={"Cache-Control": "public, max-age=60"},
    )


@endpoint(
    complaints_api,
    "/questions/answers",
    "GET",
    summary="Published questions in the catalogue's FAQ format",
    tag="complaints",
    responses={200: Returns("Hỏi đáp cho danh mục thủ tục", schemas.FaqExport)},
)
def answered_questions(call: Call) -> Response:
    return json_reply({"entries": publication.faq_entries()}, headers={"Cache-Control": "public, max-age=300"})
