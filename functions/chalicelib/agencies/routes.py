"""Agency endpoints. Each checks that the path's agency is the token's agency."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access

agencies_api = Blueprint(__name__)
service = LazyModule("chalicelib.agencies.service")
schemas = ModelRefs("chalicelib.agencies.schemas")


@endpoint(
    agencies_api,
    "/agencies/{agency_id}/integration",
    "GET",
    summary="An agency's registered API clients",
    tag="agencies",
    access=Access.agency("agency:read"),
    responses={200: Returns("Thông tin tích hợp của cơ quan", schemas.AgencyIntegration)},
)
def integration(call: Call) -> Response:
    from chalicelib.agencies.schemas import AgencyClient, AgencyIntegration

    agency_id = call.params["agency_id"]
    call.user.require_agency(agency_id)
    clients = [
        AgencyClient(client_id=c.client_id, name=c.name, auth_method=c.auth_method, scopes=sorted(c.scopes or ()))
        for c in service.clients_of(agency_id)
    ]
    return json_reply(AgencyIntegration(agency_id=agency_id, clients=clients))
