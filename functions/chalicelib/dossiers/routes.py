"""Citizen and business endpoints for dossiers: drafts, attachments, submission, tracking, rating."""

from __future__ import annotations

from chalice import Blueprint

dossiers_api = Blueprint(__name__)
