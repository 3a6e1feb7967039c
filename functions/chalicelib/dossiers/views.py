"""Dossiers and drafts as the API shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from chalicelib.dossiers.schemas import (
    Attachment,
    DossierSummary,
    DossierView,
    Event,
    RatingView,
    Tracking,
)
from chalicelib.dossiers.statuses import label
from chalicelib.store.dossiers import Dossier

PUBLIC_ATTACHMENT_FIELDS = ("attachment_id", "document", "file_name", "content_type", "size")


def moment(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(float(epoch), tz=UTC)


def day(value: str | None) -> date | None:
    return None if not value else date.fromisoformat(value)


def attachments(stored: list[dict[str, Any]]) -> list[Attachment]:
    return [Attachment(**{key: item[key] for key in PUBLIC_ATTACHMENT_FIELDS}) for item in stored]


def events(timeline: list[dict[str, Any]], *, with_notes: bool = True) -> list[Event]:
    return [
        Event(
            at=moment(entry["at"]),  # type: ignore[arg-type]
            status=int(entry["status"]),
            status_label=label(int(entry["status"])),
            actor=entry["actor"],
            note=entry.get("note") if with_notes else None,
        )
        for entry in timeline
    ]


def dossier_view(dossier: Dossier) -> DossierView:
    rating = dossier.rating
    return DossierView(
        code=dossier.code,
        procedure_code=dossier.procedure_code,
        procedure_name=dossier.procedure_name,
        agency_id=dossier.agency_id,
        channel=dossier.channel,
        source=dossier.source,
        owner_name=dossier.owner_name,
        status=int(dossier.status),
        status_label=label(int(dossier.status)),
        submitted_at=moment(dossier.submitted_at),  # type: ignore[arg-type]
        received_at=moment(dossier.received_at),
        due_date=day(dossier.due_date),
        finished_at=moment(dossier.finished_at),
        overdue=bool(dossier.overdue),
        form=dict(dossier.form or {}),
        attachments=attachments(dossier.attachments or []),
        supplements=list(dossier.supplements or []),
        results=list(dossier.results or []),
        timeline=events(dossier.timeline or []),
        rating=RatingView(level=rating["level"], comment=rating.get("comment"), rated_at=moment(rating["at"]))
        if rating
        else None,
    )


def summary(dossier: Dossier) -> DossierSummary:
    return DossierSummary(
        code=dossier.code,
        procedure_name=dossier.procedure_name,
        agency_id=dossier.agency_id,
        status=int(dossier.status),
        status_label=label(int(dossier.status)),
        submitted_at=moment(dossier.submitted_at),  # type: ignore[arg-type]
        due_date=day(dossier.due_date),
        overdue=bool(dossier.overdue),
    )


def tracking(dossier: Dossier) -> Tracking:
    """What anyone holding the code and the owner's number may see: no personal data, no notes."""
    return Tracking(
        code=dossier.code,
        procedure_name=dossier.procedure_name,
        agency_id=dossier.agency_id,
        status=int(dossier.status),
        status_label=label(int(dossier.status)),
        due_date=day(dossier.due_date),
        timeline=events(dossier.timeline or [], with_notes=False),
    )
