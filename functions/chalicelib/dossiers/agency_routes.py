"""Agency endpoints for dossiers (client-credentials tokens, scoped to the caller's agency).

A dossier of another agency answers 404, exactly like a code that does not exist: an agency system
cannot tell which codes other agencies hold.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access

agency_dossiers_api = Blueprint(__name__)
service = LazyModule("chalicelib.dossiers.agency")
sync = LazyModule("chalicelib.dossiers.sync")
views = LazyModule("chalicelib.dossiers.views")
schemas = ModelRefs("chalicelib.dossiers.schemas")

READ = Access.agency("dossiers:read")
WRITE = Access.agency("dossiers:write")
TAG = "agency-dossiers"
SYNC_MAX_BODY = 512 * 1024  # 100 items with owners and notes
DOSSIER = Returns("Hồ sơ sau khi cập nhật", schemas.DossierView)


@endpoint(
    agency_dossiers_api,
    "/agency/dossiers",
    "GET",
    summary="The agency's dossiers, latest activity first (?status=, ?limit= up to 100, ?cursor=)",
    tag=TAG,
    access=READ,
    query=schemas.AgencyDossiersQuery,
    responses={200: Returns("Một trang hồ sơ của cơ quan", schemas.DossierList)},
)
def list_dossiers(call: Call) -> Response:
    return json_reply(service.list_dossiers(call.agency_id, call.query))


@endpoint(
    agency_dossiers_api,
    "/agency/dossiers/{code}",
    "GET",
    summary="One of the agency's dossiers with its timeline",
    tag=TAG,
    access=READ,
    responses={200: Returns("Hồ sơ", schemas.DossierView)},
)
def get_dossier(call: Call) -> Response:
    return json_reply(views.dossier_view(service.get_dossier(call.agency_id, call.params["code"])))


@endpoint(
    agency_dossiers_api,
    "/agency/dossiers/{code}",
    "DELETE",
    summary="Void one of the agency's sandbox (test) dossiers; real dossiers cannot be removed (409)",
    tag=TAG,
    access=WRITE,
    responses={200: Returns("Hồ sơ thử nghiệm đã huỷ", schemas.VoidedDossier)},
)
def void_dossier(call: Call) -> Response:
    code = call.params["code"]
    service.void_sandbox_dossier(call.agency_id, code)
    return json_reply(schemas.VoidedDossier.resolve()(code=code, voided=True))


@endpoint(
    agency_dossiers_api,
    "/agency/dossiers/{code}/status",
    "POST",
    summary="Move a dossier to another national status (accept 2, refuse 3 with a note, ...)",
    tag=TAG,
    access=WRITE,
    body=schemas.DossierStatusChange,
    responses={200: DOSSIER},
)
def change_status(call: Call) -> Response:
    dossier = service.change_status(call.agency_id, call.params["code"], call.body, call.agency_id)
    return json_reply(views.dossier_view(dossier))


@endpoint(
    agency_dossiers_api,
    "/agency/dossiers/{code}/supplement-requests",
    "POST",
    summary="Ask the applicant for more documents, with a new due date",
    tag=TAG,
    access=WRITE,
    body=schemas.SupplementRequest,
    responses={200: DOSSIER},
)
def request_supplement(call: Call) -> Response:
    dossier = service.request_supplement(call.agency_id, call.params["code"], call.body, call.agency_id)
    return json_reply(views.dossier_view(dossier))


@endpoint(
    agency_dossiers_api,
    "/agency/dossiers/{code}/results",
    "POST",
    summary="Attach result documents to a dossier",
    tag=TAG,
    access=WRITE,
    body=schemas.Results,
    responses={200: DOSSIER},
)
def attach_results(call: Call) -> Response:
    return json_reply(views.dossier_view(service.attach_results(call.agency_id, call.params["code"], call.body)))


@endpoint(
    agency_dossiers_api,
    "/agency/punctuality",
    "GET",
    summary="Dossiers the agency finished on time and late in a month (?month=YYYY-MM, default this month)",
    tag=TAG,
    access=READ,
    query=schemas.PunctualityQuery,
    responses={200: Returns("Số hồ sơ đúng hạn và trễ hạn", schemas.Punctuality)},
)
def punctuality(call: Call) -> Response:
    return json_reply(service.punctuality(call.agency_id, call.query.month))


@endpoint(
    agency_dossiers_api,
    "/agency/sync/dossiers",
    "POST",
    summary="Create or update up to 100 dossiers handled in the agency's own system (idempotent on update_id)",
    tag=TAG,
    access=WRITE,
    body=schemas.SyncBatch,
    max_body=SYNC_MAX_BODY,
    responses={200: Returns("Kết quả từng bản cập nhật", schemas.SyncReply)},
)
def sync_dossiers(call: Call) -> Response:
    return json_reply(sync.sync_batch(call.agency_id, call.body))
