"""Linked groups (liên thông): several procedures of several agencies that a citizen files once.

`data/groups/<id>.yaml` describes one group: its member steps, the order between them as a small
dependency graph (steps with no path between them run in parallel), the agency and role of each
step, which result of a step feeds which field of a later one, time limits and the fee rule. A
`list` group is a chain over a list of people (the pandemic support services): each step confirms
or refuses every row of an uploaded list. Problems are reported as `file: field: reason`, like
procedures'.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError, model_validator

from catalog_build.errors import Problem, problems_from
from catalog_build.models import Agency, AgencyCode, Audience, Procedure, ProcedureCode, ShortText, Strict, Text

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
StepId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
GroupId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,63}$")]


class GroupKind(StrEnum):
    dossier = "dossier"  # one dossier split into a dossier per step
    list = "list"  # a list of people, each row confirmed step by step


class Delivery(StrEnum):
    together = "together"  # the citizen sees the results once every step has finished
    as_ready = "as_ready"  # each result as soon as its step has one


class FeeRule(StrEnum):
    free = "free"  # no fee for the group
    sum_of_steps = "sum_of_steps"  # each step's own fee, paid to its agency
    fixed = "fixed"


class ColumnKind(StrEnum):
    identity = "identity"  # 12-digit citizen identity number (the row's key)
    text = "text"
    date = "date"  # YYYY-MM-DD or DD/MM/YYYY
    integer = "integer"
    money = "money"  # whole dong


class FormField(Strict):
    key: Key
    label: ShortText
    required: bool = True


class Output(Strict):
    key: Key
    label: ShortText


class Column(Strict):
    key: Key
    label: ShortText
    kind: ColumnKind = ColumnKind.text
    required: bool = True


class Fee(Strict):
    rule: FeeRule
    amount: int | None = Field(default=None, ge=0)
    note: Text | None = None

    @model_validator(mode="after")
    def amount_for_fixed(self) -> Fee:
        if (self.rule == FeeRule.fixed) != (self.amount is not None):
            raise ValueError("amount is given exactly when the rule is 'fixed'")
        return self


class Step(Strict):
    id: StepId
    procedure: ProcedureCode | None = None  # optional for list steps (confirmations, not procedures)
    agency: AgencyCode
    role: ShortText
    after: tuple[StepId, ...] = ()
    days: int = Field(ge=1, le=60, description="working days the step's agency has")
    fields: tuple[Key, ...] = ()  # which of the group's form fields this step's dossier receives
    inputs: dict[Key, str] = Field(default_factory=dict)  # field of this step <- "<earlier step>.<output key>"
    outputs: tuple[Output, ...] = ()  # values this step's result must carry for later steps
    if_refused: Text | None = None  # what the citizen still receives and must do if this step refuses


class Group(Strict):
    id: GroupId
    kind: GroupKind = GroupKind.dossier
    name: Text
    procedure: ProcedureCode | None = None  # the group's own page in the national catalogue, if any
    summary: Text
    audiences: tuple[Audience, ...] = (Audience.citizen,)
    delivery: Delivery = Delivery.as_ready
    total_days: int = Field(ge=1, le=120)
    fee: Fee
    fields: tuple[FormField, ...] = ()
    columns: tuple[Column, ...] = ()
    steps: tuple[Step, ...] = Field(min_length=1, max_length=12)

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)


def load_groups(
    data_dir: Path, procedures: dict[str, Procedure], agencies: dict[str, Agency], problems: list[Problem]
) -> dict[str, Group]:
    from catalog_build.loader import _read_yaml, _rel

    groups: dict[str, Group] = {}
    for path in sorted((data_dir / "groups").glob("*.yaml")):
        rel = _rel(path, data_dir)
        raw = _read_yaml(path, data_dir, problems)
        if not isinstance(raw, dict):
            if raw is not None:
                problems.append(Problem(rel, "(file)", "expected a YAML mapping with the group's fields"))
            continue
        try:
            group = Group.model_validate(raw)
        except ValidationError as error:
            problems += problems_from(error, rel)
            continue
        found = check_group(group, procedures, agencies)
        if path.stem != group.id:
            found.append(Problem("", "id", f"file name must be the id: rename to {group.id}.yaml"))
        if group.id in groups:
            found.append(Problem("", "id", f"duplicate group id {group.id!r}"))
        problems += [Problem(rel, problem.field, problem.reason) for problem in found]
        if not found:
            groups[group.id] = group
    return groups


def check_group(group: Group, procedures: dict[str, Procedure], agencies: dict[str, Agency]) -> list[Problem]:
    """Cross-references and graph rules; problems carry the field only (the caller adds the file)."""
    problems: list[Problem] = []
    if group.procedure is not None and group.procedure not in procedures:
        problems.append(Problem("", "procedure", f"unknown procedure {group.procedure!r}"))
    ids = [step.id for step in group.steps]
    problems += [Problem("", f"steps.{i}.id", f"duplicate step id {s!r}") for i, s in enumerate(ids) if s in ids[:i]]
    keys = [field.key for field in group.fields]
    problems += [Problem("", f"fields.{i}.key", f"duplicate field {k!r}") for i, k in enumerate(keys) if k in keys[:i]]
    for index, step in enumerate(group.steps):
        problems += _step_problems(group, index, step, procedures, agencies, set(keys))
    cycle = find_cycle({step.id: step.after for step in group.steps})
    if cycle:
        problems.append(Problem("", "steps", "the order has a cycle: " + " -> ".join(cycle)))
    if group.kind == GroupKind.list:
        problems += _list_problems(group)
    elif not group.fields:
        problems.append(Problem("", "fields", "a dossier group needs the form's fields"))
    return problems


def _step_problems(
    group: Group, index: int, step: Step, procedures: dict[str, Procedure], agencies: dict[str, Agency], keys: set[str]
) -> list[Problem]:
    where = f"steps.{index}"
    problems = []
    if group.kind == GroupKind.dossier and step.procedure is None:
        problems.append(Problem("", f"{where}.procedure", "every step of a dossier group is a procedure"))
    if step.procedure is not None and step.procedure not in procedures:
        problems.append(Problem("", f"{where}.procedure", f"unknown procedure {step.procedure!r}"))
    if step.agency not in agencies:
        problems.append(Problem("", f"{where}.agency", f"unknown agency {step.agency!r}"))
    ids = {other.id for other in group.steps}
    for i, before in enumerate(step.after):
        if before == step.id:
            problems.append(Problem("", f"{where}.after.{i}", "a step cannot wait for itself"))
        elif before not in ids:
            problems.append(Problem("", f"{where}.after.{i}", f"unknown step {before!r}"))
    for i, key in enumerate(step.fields):
        if key not in keys:
            problems.append(Problem("", f"{where}.fields.{i}", f"unknown field {key!r} (not in the group's fields)"))
    earlier = ancestors(group, step.id)
    for target, source in step.inputs.items():
        problems += _mapping_problems(group, f"{where}.inputs.{target}", source, earlier)
    return problems


def _mapping_problems(group: Group, where: str, source: str, earlier: set[str]) -> list[Problem]:
    """A dangling mapping: an unknown step or output, or a step that does not come before."""
    step_id, _, output = source.partition(".")
    steps = {step.id: step for step in group.steps}
    if step_id not in steps or not output:
        return [Problem("", where, f"{source!r} names no step (write '<step>.<output>')")]
    if output not in {item.key for item in steps[step_id].outputs}:
        return [Problem("", where, f"step {step_id!r} has no output {output!r}")]
    if step_id not in earlier:
        return [Problem("", where, f"step {step_id!r} does not come before this one (add it to 'after')")]
    return []


def _list_problems(group: Group) -> list[Problem]:
    problems = []
    if not any(column.kind == ColumnKind.identity for column in group.columns):
        problems.append(Problem("", "columns", "a list group needs an 'identity' column (the row's key)"))
    for index, step in enumerate(group.steps):
        if len(step.after) != (0 if index == 0 else 1) or (index and step.after[0] != group.steps[index - 1].id):
            problems.append(Problem("", f"steps.{index}.after", "a list's steps form one chain, each after the last"))
    return problems


def find_cycle(after: dict[str, tuple[str, ...]]) -> list[str]:
    """One cycle of the graph (as a closed path of step ids), or [] if it has none."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for before in after.get(node, ()):
            if before not in after:
                continue
            if state.get(before) == 1:
                return [*path[path.index(before) :], before]
            if before not in state and (found := visit(before)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in after:
        if node not in state and (found := visit(node)):
            return found
    return []


def ancestors(group: Group, step_id: str) -> set[str]:
    after = {step.id: step.after for step in group.steps}
    seen: set[str] = set()
    frontier = list(after.get(step_id, ()))
    while frontier:
        node = frontier.pop()
        if node not in seen and node in after:
            seen.add(node)
            frontier += after[node]
    return seen


def layers(group: Group) -> list[list[Step]]:
    """The steps in stages: each stage's steps wait only for earlier stages (they may run in parallel)."""
    depth: dict[str, int] = {}

    def level(step: Step) -> int:
        if step.id not in depth:
            depth[step.id] = 1 + max((level(group.step(b)) for b in step.after), default=-1)
        return depth[step.id]

    stages: dict[int, list[Step]] = {}
    for step in group.steps:
        stages.setdefault(level(step), []).append(step)
    return [stages[key] for key in sorted(stages)]


def documents(group: Group, procedures: dict[str, Procedure]) -> list[dict[str, Any]]:
    """Each document of the members' first case, asked once: the same code or the same name counts once.
    `steps` lists every step whose procedure asks for it: only those steps' agencies receive the file."""
    by_mark: dict[str, dict[str, Any]] = {}
    found: list[dict[str, Any]] = []
    for step in group.steps:
        procedure = procedures.get(step.procedure or "")
        if procedure is None or not procedure.cases:
            continue
        for document in procedure.cases[0].documents:
            marks = {document.name.casefold().strip(" .")} | ({document.code} if document.code else set())
            asked = next((by_mark[mark] for mark in marks if mark in by_mark), None)
            if asked is None:
                key = f"gt{len(found) + 1}"
                asked = {"key": key, "name": document.name, "required": document.required, "step": step.id, "steps": []}
                found.append(asked)
            if step.id not in asked["steps"]:
                asked["steps"].append(step.id)
            by_mark.update(dict.fromkeys(marks, asked))
    return found


def group_record(group: Group, procedures: dict[str, Procedure], agencies: dict[str, Agency]) -> dict[str, Any]:
    """What the backend and the site read (`du-lieu/lien-thong/<id>.json`)."""
    record = group.model_dump(mode="json", exclude_none=True)
    for step in record["steps"]:
        procedure = procedures.get(step.get("procedure", ""))
        step["procedure_name"] = procedure.name if procedure else None
        agency = agencies.get(step["agency"])
        step["agency_name"] = agency.name if agency else step["agency"]
    record["documents"] = documents(group, procedures)
    return record


def group_json(group: Group, procedures: dict[str, Procedure], agencies: dict[str, Agency]) -> str:
    return json.dumps(group_record(group, procedures, agencies), ensure_ascii=False, indent=1, sort_keys=True)


def memberships(groups: dict[str, Group]) -> dict[str, list[Group]]:
    """Procedure code -> the groups it belongs to (as a step, or as the group's own procedure)."""
    found: dict[str, list[Group]] = {}
    for group in groups.values():
        codes = {step.procedure for step in group.steps if step.procedure} | {group.procedure} - {None}
        for code in sorted(c for c in codes if c):
            found.setdefault(code, []).append(group)
    return found


def group_fingerprint(groups: dict[str, Group]) -> str:
    return json.dumps([group.model_dump(mode="json") for group in groups.values()], sort_keys=True)
