"""Citizen endpoints for group dossiers (liên thông): submit once, follow every step, withdraw, look up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access
from chalicelib.core.errors import NotFound

if TYPE_CHECKING:
    from chalicelib.store.accounts import Account

linked_api = Blueprint(__name__)
accounts = LazyModule("chalicelib.sso.accounts")
submission = LazyModule("chalicelib.linked.submission")
views = LazyModule("chalicelib.linked.views")
tallies = LazyModule("chalicelib.linked.tallies")
lists = LazyModule("chalicelib.linked.lists")
list_views = LazyModule("chalicelib.linked.list_views")
schemas = ModelRefs("chalicelib.linked.schemas")

SIGNED_IN = Access.user("openid")
TAG = "linked"
LIST_MAX_BODY = 8 * 1024 * 1024  # thousands of rows, base64
GROUP = Returns("Hồ sơ liên thông và từng bước", schemas.LinkedGroupView)


def _account(call: Call) -> Account:
    account = accounts.get_account(call.user.subject)
    if account is None:
        raise NotFound("Tài khoản không còn tồn tại.")
    return account


@endpoint(
    linked_api,
    "/linked-dossiers",
    "POST",
    summary="Submit a linked group once: one group code, a dossier code per step",
    tag=TAG,
    access=SIGNED_IN,
    body=schemas.LinkedSubmission,
    responses={201: GROUP},
)
def submit_group(call: Call) -> Response:
    return json_reply(views.group_view(submission.submit(_account(call), call.body)), 201)


@endpoint(
    linked_api,
    "/linked-dossiers/attachments",
    "POST",
    summary="Get a presigned upload for one of a group's documents (each asked once), to name at submission",
    tag=TAG,
    access=SIGNED_IN,
    body=schemas.LinkedAttachmentRequest,
    responses={201: Returns("Vé tải tệp lên", ModelRefs("chalicelib.dossiers.schemas").AttachmentTicket)},
)
def group_attachment(call: Call) -> Response:
    from chalicelib.dossiers.schemas import AttachmentTicket
    from chalicelib.dossiers.views import attachments

    ticket = submission.attachment_ticket(_account(call), call.body)
    reply = AttachmentTicket(
        attachment=attachments([ticket.attachment])[0],
        upload={"url": ticket.upload["url"], "fields": ticket.upload["fields"]},
    )
    return json_reply(reply, 201)


@endpoint(
    linked_api,
    "/linked-dossiers/lookup",
    "POST",
    summary="Track a group dossier by code and the submitter's number (steps, agencies, statuses, due dates)",
    tag=TAG,
    body=schemas.LinkedLookup,
    responses={200: Returns("Tình trạng hồ sơ liên thông", schemas.LinkedGroupTracking)},
)
def lookup_group(call: Call) -> Response:
    return json_reply(views.group_tracking(submission.lookup(call.body.code, call.body.identifier)))


@endpoint(
    linked_api,
    "/linked-dossiers/{code}",
    "GET",
    summary="My group dossier as a timeline of steps",
    tag=TAG,
    access=SIGNED_IN,
    responses={200: GROUP},
)
def get_linked_group(call: Call) -> Response:
    return json_reply(views.group_view(submission.own_group(_account(call), call.params["code"])))


@endpoint(
    linked_api,
    "/linked-dossiers/{code}/withdrawal",
    "POST",
    summary="Withdraw a group dossier: steps not started stop, started ones get a withdrawal request",
    tag=TAG,
    access=SIGNED_IN,
    body=schemas.LinkedWithdrawal,
    responses={200: GROUP},
)
def withdraw_group(call: Call) -> Response:
    group = submission.withdraw(_account(call), call.params["code"], call.body.reason)
    return json_reply(views.group_view(group))


@endpoint(
    linked_api,
    "/statistics/linked",
    "GET",
    summary="Group dossiers submitted in a month and each agency's linked steps finished on time and late",
    tag="statistics",
    query=schemas.LinkedStatsQuery,
    responses={200: Returns("Thống kê liên thông", schemas.LinkedStats)},
)
def linked_statistics(call: Call) -> Response:
    return json_reply(tallies.month_report(call.query.month))


@endpoint(
    linked_api,
    "/linked-lists",
    "POST",
    summary="Upload a list (CSV or XLSX, base64) for a list chain; every row problem is named by row and column",
    tag=TAG,
    access=SIGNED_IN,
    body=schemas.ListUpload,
    max_body=LIST_MAX_BODY,
    responses={201: Returns("Danh sách đã nộp, có mã", schemas.ListView)},
)
def upload_list(call: Call) -> Response:
    account = _account(call)
    found = lists.upload(account.account_id, account.full_name, account.account_type, call.body)
    return json_reply(list_views.list_view(found), 201)


@endpoint(
    linked_api,
    "/linked-lists/lookup",
    "POST",
    summary="A worker's own row of a list, by list code and identity number (five misses lock it for that address)",
    tag=TAG,
    body=schemas.WorkerLookup,
    responses={200: Returns("Tình trạng dòng của người lao động", schemas.WorkerRowStatus)},
)
def lookup_row(call: Call) -> Response:
    found, row = lists.worker_row(call.body.list_code, call.body.identity_number, call.source_ip)
    return json_reply(list_views.worker_view(found, row))


@endpoint(
    linked_api,
    "/linked-lists/{code}",
    "GET",
    summary="A list I uploaded: rows waiting and refused at each step, rows approved",
    tag=TAG,
    access=SIGNED_IN,
    responses={200: Returns("Danh sách", schemas.ListView)},
)
def get_my_list(call: Call) -> Response:
    return json_reply(list_views.list_view(lists.own_list(_account(call).account_id, call.params["code"])))
