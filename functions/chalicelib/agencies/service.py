"""The agency integration registry, read by agency systems about themselves."""

from __future__ import annotations

from chalicelib.store.clients import Client

AGENCY_SCOPES = frozenset(
    {"agency:read", "dossiers:read", "dossiers:write", "complaints:answer", "payments:read", "webhooks:manage"}
)


def clients_of(agency_id: str) -> list[Client]:
    return sorted(Client.by_agency.query(agency_id), key=lambda client: client.client_id)
