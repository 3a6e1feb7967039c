"""Dossiers and drafts as the API shows them."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from chalicelib.core.clock import moment
from chalicelib.dossiers.procedures import Procedure
from chalicelib.dossiers.schemas import (
    Attachment,
    DossierSummary,
    DossierView,
    DraftView,
    Event,
    RatingView,
    Requirement,
    ResultView,
    SupplementView,
    Tracking,
)
from chalicelib.dossiers.statuses import label
from chalicelib.store.dossiers import Dossier, Draft

PUBLIC_ATTACHMENT_FIELDS = ("attachment_id", "document", "file_name", "content_type", "size")


def day(value: str | None) -> date | None:
    return None if not value else date.fromisoformat(value)


def attachments(stored: list[dict[str, Any]]) -> list[Attachment]:
    return [Attachment(**{key: item[key] for key in PUBLIC_ATTACHMENT_FIELDS}) for item in stored]


def supplement(entry: dict[str, Any]) -> SupplementView:
    return SupplementView.model_validate({**entry, "requested_at": moment(entry["requested_at"])})


def result(entry: dict[str, Any]) -> ResultView:
    return ResultView.model_validate({**entry, "attached_at": moment(entry["attached_at"])})


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


def draft_view(draft: Draft, procedure: Procedure | None) -> DraftView:
    """A draft with each required component and how many files are attached to it."""
    attached = Counter(item["document"] for item in draft.attachments)
    requirements = [
        Requirement(key=r.key, name=r.name, required=r.required, attached=attached[r.key])
        for r in (procedure.requirements(draft.case_index) if procedure else ())
    ]
    return DraftView(
        draft_id=draft.draft_id,
        procedure_code=draft.procedure_code,
        agency_id=draft.agency_id,
        case_index=draft.case_index,
        form=dict(draft.form),
        attachments=attachments(draft.attachments),
        requirements=requirements,
        updated_at=moment(draft.updated_at),  # type: ignore[arg-type]
    )


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
        supplements=[supplement(entry) for entry in dossier.supplements or []],
        results=[result(entry) for entry in dossier.results or []],
        timeline=events(dossier.timeline or []),
        rating=RatingView(level=rating["level"], comment=rating.get("comment"), rated_at=moment(rating["at"]))
        if rating
        else None,
        group_code=dossier.group_code,
        group_step=dossier.group_step,
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
        sandbox=bool(dossier.sandbox),
        updated_at=moment(dossier.updated_at),  # type: ignore[arg-type]
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
        group_code=dossier.group_code,
    )
