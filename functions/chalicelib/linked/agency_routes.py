"""Agency endpoints for list chains: read a list whose chain has a step of the caller's agency, decide
its rows (one by one or in bulk), export the approved rows for payment. Group dossiers' steps need no
routes of their own: they are ordinary dossiers of their agencies (`/agency/dossiers/...`)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access

agency_linked_api = Blueprint(__name__)
lists = LazyModule("chalicelib.linked.lists")
list_views = LazyModule("chalicelib.linked.list_views")
schemas = ModelRefs("chalicelib.linked.schemas")

READ = Access.agency("dossiers:read")
WRITE = Access.agency("dossiers:write")
TAG = "agency-linked"


@endpoint(
    agency_linked_api,
    "/agency/linked-lists",
    "GET",
    summary="A chain's lists, newest first (?group=, for an agency with a step in it; ?limit=, ?cursor=)",
    tag=TAG,
    access=READ,
    query=schemas.AgencyListsQuery,
    responses={200: Returns("Một trang danh sách", schemas.ListsPage)},
)
def list_group_lists(call: Call) -> Response:
    from chalicelib.core.clock import moment
    from chalicelib.linked.schemas import ListsPage, ListSummary

    query = call.query
    found, cursor = lists.lists_of_group(call.agency_id, query.group, query.limit, query.cursor)
    summaries = [
        ListSummary(
            code=item.code,
            name=item.name,
            submitter_name=item.submitter_name,
            rows=int(item.rows),
            submitted_at=moment(item.submitted_at),  # type: ignore[arg-type]
        )
        for item in found
    ]
    return json_reply(ListsPage(lists=summaries, next_cursor=cursor))


@endpoint(
    agency_linked_api,
    "/agency/linked-lists/{code}",
    "GET",
    summary="A list whose chain has a step of the agency: rows waiting and refused at each step",
    tag=TAG,
    access=READ,
    responses={200: Returns("Danh sách", schemas.ListView)},
)
def get_agency_list(call: Call) -> Response:
    found, _definition = lists.agency_list(call.agency_id, call.params["code"])
    return json_reply(list_views.list_view(found))


@endpoint(
    agency_linked_api,
    "/agency/linked-lists/{code}/rows",
    "GET",
    summary="A list's rows, a page at a time (?step= only those waiting at that step of the agency)",
    tag=TAG,
    access=READ,
    query=schemas.ListRowsQuery,
    responses={200: Returns("Một trang các dòng", schemas.ListRows)},
)
def list_agency_rows(call: Call) -> Response:
    query = call.query
    found, definition = lists.agency_list(call.agency_id, call.params["code"])
    rows, cursor = lists.rows_page(call.agency_id, found.code, query.step, query.limit, query.cursor)
    views = [list_views.row_view(row, definition).model_dump(mode="json") for row in rows]
    return json_reply({"rows": views, **({"next_cursor": cursor} if cursor else {})})


@endpoint(
    agency_linked_api,
    "/agency/linked-lists/{code}/decisions",
    "POST",
    summary="Confirm or refuse rows waiting at the agency's step, one by one and/or all the rest at once",
    tag=TAG,
    access=WRITE,
    body=schemas.ListDecisions,
    max_body=256 * 1024,
    responses={200: Returns("Số dòng đã quyết định", schemas.DecisionsReply)},
)
def decide_list_rows(call: Call) -> Response:
    return json_reply(lists.decide(call.agency_id, call.params["code"], call.body))


@endpoint(
    agency_linked_api,
    "/agency/linked-lists/{code}/export",
    "GET",
    summary="The approved rows as CSV for payment (the agency of the chain's last step)",
    tag=TAG,
    access=READ,
    responses={200: Returns("Danh sách chi trả", schemas.ListExport)},
)
def export_approved_list(call: Call) -> Response:
    from chalicelib.linked.schemas import ListExport

    code = call.params["code"]
    text, rows, total = lists.export_approved(call.agency_id, code)
    return json_reply(ListExport(code=code, rows=rows, total_amount=total, csv=text))


@endpoint(
    agency_linked_api,
    "/agency/linked-lists",
    "POST",
    summary="Upload a list for a chain that has a step of the agency (e.g. a labour office filing for workers)",
    tag=TAG,
    access=WRITE,
    body=schemas.ListUpload,
    max_body=8 * 1024 * 1024,
    responses={201: Returns("Danh sách đã nộp, có mã", schemas.ListView)},
)
def upload_agency_list(call: Call) -> Response:
    found = lists.upload_as_agency(call.agency_id, call.body)
    return json_reply(list_views.list_view(found), 201)
