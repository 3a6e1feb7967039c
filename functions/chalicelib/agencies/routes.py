"""Agency endpoints. Each checks that the path's agency is the token's agency."""

from __future__ import annotations

from chalice import Blueprint, Response
from pydantic import Field

from chalicelib.agencies import service
from chalicelib.core.api import Call, Returns, endpoint, json_reply
from chalicelib.core.auth import Access
from chalicelib.core.validation import Reply

agencies_api = Blueprint(__name__)


class AgencyClient(Reply):
    client_id: str
    name: str
    auth_method: str
    scopes: list[str]


class AgencyIntegration(Reply):
    agency_id: str
    clients: list[AgencyClient] = Field(description="Các hệ thống của cơ quan được cấp quyền gọi API")


@endpoint(
    agencies_api,
    "/agencies/{agency_id}/integration",
    "GET",
    summary="An agency's registered API clients",
    tag="agencies",
    access=Access.agency("agency:read"),
    responses={200: Returns("Thông tin tích hợp của cơ quan", AgencyIntegration)},
)
def integration(
    call: Call,
) -> Response:
    agency_id = call.params["agency_id"]
    call.user.require_agency(agency_id)
    clients = [
        AgencyClient(client_id=c.client_id, name=c.name, auth_method=c.auth_method, scopes=sorted(c.scopes or ()))
        for c in service.clients_of(agency_id)
    ]
    return json_reply(AgencyIntegration(agency_id=agency_id, clients=clients))
