"""Response models of the agency endpoints."""

from __future__ import annotations

from pydantic import Field

from chalicelib.core.validation import Reply


class AgencyClient(Reply):
    client_id: str
    name: str
    auth_method: str
    scopes: list[str]


class AgencyIntegration(Reply):
    agency_id: str
    clients: list[AgencyClient] = Field(description="Các hệ thống của cơ quan được cấp quyền gọi API")
