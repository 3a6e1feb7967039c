"""Releasing a group's steps to their agencies: a step becomes a dossier of its agency as soon as
every step it waits for has finished with the values it needs, carrying those values in its form.

`advance` is driven by the dossiers table's stream (any change to a step dossier) and may run any
number of times, in any order, concurrently: it reads the current state (never the event), and a
step's dossier is created under its code handed out at submission, only if that code does not exist
yet and the group has not been withdrawn (one transaction). So a replayed, late or duplicated event,
or two agencies finishing parallel steps at the same moment, neither loses nor doubles a step.
"""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.calendar import due_date, vietnam_now
from chalicelib.core.errors import NotFound
from chalicelib.core.logs import log_event
from chalicelib.dossiers.lifecycle import event, refresh_open_index
from chalicelib.dossiers.statuses import Status
from chalicelib.linked.definitions import GroupDef, StepDef, get_group
from chalicelib.linked.steps import inputs_for, ready, states, step_dossiers
from chalicelib.linked.tallies import count_finished_steps
from chalicelib.store.base import condition_failed, connection
from chalicelib.store.dossiers import Dossier
from chalicelib.store.linked import LinkedGroup


def step_dossier(group: LinkedGroup, step: StepDef, now: float, inputs: dict[str, str]) -> Dossier:
    """The dossier of one step: the group's fields this step takes, plus values from earlier steps."""
    due = due_date(vietnam_now(now), step.days, "working_days")
    form = {key: group.form[key] for key in step.fields if key in group.form}
    entry = group.steps[step.id]
    dossier = Dossier(
        entry["code"],
        agency_id=entry["agency_id"],
        procedure_code=step.procedure or group.group_id,
        procedure_name=step.procedure_name or step.role,
        channel="online",
        source="portal",
        owner_id=group.owner_id,
        owner_type=group.owner_type,
        owner_name=group.owner_name,
        owner_identifier=group.owner_identifier,
        contact_email=group.contact_email,
        contact_phone=group.contact_phone,
        summary=f"Bước “{step.role}” của hồ sơ liên thông {group.code}",
        form={**form, **inputs},
        attachments=[attachment for attachment in group.attachments or [] if step.takes(attachment)],
        status=int(Status.REGISTERED),
        submitted_at=now,
        due_date=due.isoformat() if due else None,
        timeline=[event(Status.REGISTERED, "citizen", f"Hồ sơ liên thông {group.code}", at=now)],
        group_code=group.code,
        group_step=step.id,
        updated_at=now,
    )
    refresh_open_index(dossier)
    return dossier


def load_group(code: str) -> LinkedGroup | None:
    try:
        return LinkedGroup.get(code, consistent_read=True)
    except DoesNotExist:
        return None


def advance(code: str) -> list[str]:
    """Release every step that is ready now; returns the ids this call released."""
    group = load_group(code)
    if group is None or group.withdrawn_at is not None:
        return []
    try:
        definition = get_group(group.group_id)
    except NotFound:  # the catalogue dropped the group: retrying the stream batch would not help
        log_event("linked_definition_missing", logging.ERROR, group=code, definition=group.group_id)
        return []
    current = states(definition, group, step_dossiers(group))
    by_id = {entry.step.id: entry for entry in current}
    released = []
    for entry in ready(definition, current):
        if release(group, entry.step, inputs_for(entry.step, by_id)):
            released.append(entry.step.id)
    if released:
        log_event("linked_steps_released", group=code, steps=released)
    return released


def release(group: LinkedGroup, step: StepDef, inputs: dict[str, str]) -> bool:
    """Create the step's dossier once: False if it exists already or the group was withdrawn meanwhile."""
    dossier = step_dossier(group, step, clock.now(), inputs)
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(dossier, condition=Dossier.code.does_not_exist())
            transaction.condition_check(LinkedGroup, group.code, condition=LinkedGroup.withdrawn_at.does_not_exist())
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
        if group.withdrawn_at is None and not _released_here(dossier.code, group.code):
            # An agency's own system used this number first: the step cannot start under it.
            log_event("linked_step_code_taken", logging.ERROR, group=group.code, step=step.id, code=dossier.code)
        return False
    return True


def _released_here(code: str, group_code: str) -> bool:
    try:
        return Dossier.get(code, consistent_read=True).group_code == group_code
    except DoesNotExist:
        return True  # the group was withdrawn meanwhile (the other condition)


def first_steps(definition: GroupDef) -> list[StepDef]:
    return [step for step in definition.steps if not step.after]


def groups_changed(records: list[dict[str, Any]]) -> set[str]:
    """The groups whose step dossiers a stream batch touched (status or results changed, or created)."""
    from chalicelib.stats.streams import image_of

    touched: set[str] = set()
    for record in records:
        data = record.get("dynamodb", {})
        old, new = image_of(data.get("OldImage")), image_of(data.get("NewImage"))
        if not new or not new.get("group_code"):
            continue
        if old is None or old.get("status") != new.get("status") or old.get("results") != new.get("results"):
            touched.add(str(new["group_code"]))
    return touched


def advance_from_stream(stream_event: Any, context: Any = None) -> int:
    from chalicelib.stats.streams import records_of

    records = list(records_of(stream_event))
    count_finished_steps(records)
    return sum(len(advance(code)) for code in sorted(groups_changed(records)))
