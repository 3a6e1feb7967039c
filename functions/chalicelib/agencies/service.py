"""The agency integration registry, read by agency systems about themselves."""

from __future__ import annotations

from chalicelib.core import auth
from chalicelib.store.clients import Client

AGENCY_SCOPES = frozenset(auth.AGENCY_SCOPES)


def clients_of(agency_id: str) -> list[Client]:
    return sorted(Client.by_agency.query(agency_id), key=lambda client: client.client_id)
