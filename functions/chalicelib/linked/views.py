"""Group dossiers as the API shows them: a timeline of steps, each with its agency, status and due date."""

from __future__ import annotations

from chalicelib.core.clock import moment
from chalicelib.dossiers.schemas import DossierView
from chalicelib.dossiers.statuses import label
from chalicelib.dossiers.views import day, result
from chalicelib.linked.definitions import get_group
from chalicelib.linked.release import load_group
from chalicelib.linked.schemas import LinkedGroupTracking, LinkedGroupView, LinkedStepTracking, LinkedStepView
from chalicelib.linked.steps import GROUP_LABELS, STATE_LABELS, StepState, group_status, states, step_dossiers
from chalicelib.store.dossiers import Dossier
from chalicelib.store.linked import LinkedGroup


def _step_fields(entry: StepState) -> dict[str, object]:
    dossier, step = entry.dossier, entry.step
    return {
        "step": step.id,
        "role": step.role,
        "procedure_code": step.procedure,
        "procedure_name": step.procedure_name,
        "agency_id": entry.agency_id,
        "agency_name": step.agency_name,
        "code": entry.code,
        "state": entry.state,
        "state_label": STATE_LABELS[entry.state],
        "status": int(dossier.status) if dossier else None,
        "status_label": label(int(dossier.status)) if dossier else None,
        "due_date": day(dossier.due_date) if dossier else None,
        "overdue": bool(dossier.overdue) if dossier else False,
        "reason": entry.reason,
    }


def _current(group: LinkedGroup) -> tuple[list[StepState], str]:
    current = states(get_group(group.group_id), group, step_dossiers(group))
    return current, group_status(current, group)


def group_view(group: LinkedGroup) -> LinkedGroupView:
    definition = get_group(group.group_id)
    current, status = _current(group)
    held = definition.delivery == "together" and status == "processing"
    steps = [
        LinkedStepView(
            **_step_fields(entry),  # type: ignore[arg-type]
            finished_at=moment(entry.dossier.finished_at) if entry.dossier else None,
            if_refused=entry.step.if_refused if entry.state == "refused" else None,
            results=[] if held or entry.dossier is None else [result(r) for r in entry.dossier.results or []],
        )
        for entry in current
    ]
    return LinkedGroupView(
        code=group.code,
        group=group.group_id,
        name=group.name,
        status=status,  # type: ignore[arg-type]
        status_label=GROUP_LABELS[status],
        submitted_at=moment(group.submitted_at),  # type: ignore[arg-type]
        due_date=day(group.due_date),
        steps=steps,
        delivery=definition.delivery,  # type: ignore[arg-type]
        withdrawn_at=moment(group.withdrawn_at),
        results_held=held,
        to_do=[entry.step.if_refused for entry in current if entry.state == "refused" and entry.step.if_refused],
    )


def group_tracking(group: LinkedGroup) -> LinkedGroupTracking:
    """What anyone with the code and the submitter's number sees: steps, agencies, statuses, due dates."""
    current, status = _current(group)
    return LinkedGroupTracking(
        code=group.code,
        group=group.group_id,
        name=group.name,
        status=status,  # type: ignore[arg-type]
        status_label=GROUP_LABELS[status],
        submitted_at=moment(group.submitted_at),  # type: ignore[arg-type]
        due_date=day(group.due_date),
        steps=[LinkedStepTracking(**_step_fields(entry)) for entry in current],  # type: ignore[arg-type]
    )


def hold_step_results(view: DossierView, dossier: Dossier) -> DossierView:
    """A step of a group delivering results together shows none to the citizen until every step is done."""
    group = load_group(dossier.group_code) if dossier.group_code else None
    if group is None or get_group(group.group_id).delivery != "together":
        return view
    _current_steps, status = _current(group)
    return view if status != "processing" else view.model_copy(update={"results": []})
