"""Citizen and business endpoints for dossiers: drafts, attachments, submission, tracking, rating."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access
from chalicelib.core.errors import NotFound

if TYPE_CHECKING:
    from chalicelib.store.accounts import Account
    from chalicelib.store.dossiers import Draft

dossiers_api = Blueprint(__name__)
accounts = LazyModule("chalicelib.sso.accounts")
submission = LazyModule("chalicelib.dossiers.submission")
citizen = LazyModule("chalicelib.dossiers.citizen")
views = LazyModule("chalicelib.dossiers.views")
schemas = ModelRefs("chalicelib.dossiers.schemas")

SIGNED_IN = Access.user("openid")
_DRAFT = Returns("Hồ sơ nháp", schemas.DraftView)
_DOSSIER = Returns("Hồ sơ", schemas.DossierView)


def _account(call: Call) -> Account:
    account = accounts.get_account(call.user.subject)
    if account is None:
        raise NotFound("Tài khoản không còn tồn tại.")
    return account


def _draft_reply(draft: Draft, status: int = 200) -> Response:
    return json_reply(views.draft_view(draft, submission.get_procedure(draft.procedure_code)), status)


@endpoint(
    dossiers_api,
    "/dossiers/drafts",
    "POST",
    summary="Start a dossier draft",
    tag="dossiers",
    access=SIGNED_IN,
    body=schemas.DraftCreate,
    responses={201: _DRAFT},
)
def create_draft(call: Call) -> Response:
    return _draft_reply(submission.create_draft(_account(call), call.body), 201)


@endpoint(
    dossiers_api,
    "/dossiers/drafts",
    "GET",
    summary="My drafts",
    tag="dossiers",
    access=SIGNED_IN,
    responses={200: Returns("Hồ sơ nháp của tôi", schemas.DraftList)},
)
def list_drafts(call: Call) -> Response:
    drafts = submission.my_drafts(_account(call))
    return json_reply({"drafts": [_draft_reply(draft).body for draft in drafts]})


@endpoint(
    dossiers_api,
    "/dossiers/drafts/{draft_id}",
    "GET",
    summary="A draft",
    tag="dossiers",
    access=SIGNED_IN,
    responses={200: _DRAFT},
)
def get_draft(call: Call) -> Response:
    return _draft_reply(submission.get_draft(_account(call), call.params["draft_id"]))


@endpoint(
    dossiers_api,
    "/dossiers/drafts/{draft_id}",
    "PUT",
    summary="Update a draft's case or form",
    tag="dossiers",
    access=SIGNED_IN,
    body=schemas.DraftUpdate,
    responses={200: _DRAFT},
)
def update_draft(call: Call) -> Response:
    return _draft_reply(submission.update_draft(_account(call), call.params["draft_id"], call.body))


@endpoint(
    dossiers_api,
    "/dossiers/drafts/{draft_id}/attachments",
    "POST",
    summary="Register an attachment and get its presigned upload",
    tag="dossiers",
    access=SIGNED_IN,
    body=schemas.AttachmentRequest,
    responses={201: Returns("Vé tải tệp lên", schemas.AttachmentTicket)},
)
def add_attachment(call: Call) -> Response:
    from chalicelib.dossiers.schemas import AttachmentTicket

    ticket = submission.add_attachment(_account(call), call.params["draft_id"], call.body)
    reply = AttachmentTicket(
        attachment=views.attachments([ticket.attachment])[0],
        upload={"url": ticket.upload["url"], "fields": ticket.upload["fields"]},
    )
    return json_reply(reply, 201)


@endpoint(
    dossiers_api,
    "/dossiers/drafts/{draft_id}/attachments/{attachment_id}",
    "DELETE",
    summary="Remove an attachment from a draft",
    tag="dossiers",
    access=SIGNED_IN,
    responses={200: _DRAFT},
)
def remove_attachment(call: Call) -> Response:
    draft = submission.remove_attachment(_account(call), call.params["draft_id"], call.params["attachment_id"])
    return _draft_reply(draft)


@endpoint(
    dossiers_api,
    "/dossiers/drafts/{draft_id}/submission",
    "POST",
    summary="Submit a draft",
    tag="dossiers",
    access=SIGNED_IN,
    responses={201: Returns("Hồ sơ đã nộp, có mã", schemas.DossierView)},
)
def submit_draft(call: Call) -> Response:
    dossier = submission.submit(_account(call), call.params["draft_id"])
    return json_reply(views.dossier_view(dossier), 201)


@endpoint(
    dossiers_api,
    "/dossiers",
    "GET",
    summary="My dossiers",
    tag="dossiers",
    access=SIGNED_IN,
    query=schemas.MyDossiersQuery,
    responses={200: Returns("Hồ sơ của tôi", schemas.DossierList)},
)
def my_dossiers(call: Call) -> Response:
    dossiers, cursor = citizen.my_dossiers(_account(call), call.query.limit, call.query.cursor)
    return json_reply(
        {
            "dossiers": [views.summary(d).model_dump(mode="json") for d in dossiers],
            **({"next_cursor": cursor} if cursor else {}),
        }
    )


@endpoint(
    dossiers_api,
    "/dossiers/lookup",
    "POST",
    summary="Track a dossier by code and owner's number",
    tag="dossiers",
    body=schemas.DossierLookup,
    responses={200: Returns("Tình trạng hồ sơ", schemas.Tracking)},
)
def lookup_dossier(call: Call) -> Response:
    return json_reply(views.tracking(citizen.lookup(call.body.code, call.body.identifier)))


@endpoint(
    dossiers_api,
    "/dossiers/{code}",
    "GET",
    summary="A dossier with its timeline",
    tag="dossiers",
    access=SIGNED_IN,
    responses={200: _DOSSIER},
)
def dossier_detail(call: Call) -> Response:
    dossier = citizen.own_dossier(_account(call), call.params["code"])
    view = views.dossier_view(dossier)
    if dossier.group_code:  # a step of a linked group: its results may wait for the others
        from chalicelib.linked.views import hold_step_results

        view = hold_step_results(view, dossier)
    return json_reply(view)


@endpoint(
    dossiers_api,
    "/dossiers/{code}/withdrawal",
    "POST",
    summary="Ask to withdraw a dossier",
    tag="dossiers",
    access=SIGNED_IN,
    body=schemas.Withdrawal,
    responses={200: _DOSSIER},
)
def withdraw(call: Call) -> Response:
    dossier = citizen.withdraw(_account(call), call.params["code"], call.body.reason)
    return json_reply(views.dossier_view(dossier))


@endpoint(
    dossiers_api,
    "/dossiers/{code}/supplements",
    "POST",
    summary="Answer a supplement request",
    tag="dossiers",
    access=SIGNED_IN,
    body=schemas.SupplementSubmission,
    responses={200: _DOSSIER},
)
def supplement(call: Call) -> Response:
    dossier = citizen.provide_supplement(_account(call), call.params["code"], call.body.note)
    return json_reply(views.dossier_view(dossier))


@endpoint(
    dossiers_api,
    "/dossiers/{code}/rating",
    "PUT",
    summary="Rate a returned dossier",
    tag="dossiers",
    access=SIGNED_IN,
    body=schemas.Rating,
    responses={200: _DOSSIER},
)
def rate(call: Call) -> Response:
    dossier = citizen.rate(_account(call), call.params["code"], call.body)
    return json_reply(views.dossier_view(dossier))
