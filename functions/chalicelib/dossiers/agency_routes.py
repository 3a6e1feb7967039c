"""Agency endpoints for dossiers (client-credentials tokens, scoped to the caller's agency)."""

from __future__ import annotations

from chalice import Blueprint

agency_dossiers_api = Blueprint(__name__)
