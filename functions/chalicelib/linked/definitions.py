"""Linked groups as the catalogue defines them (`data/groups/*.yaml`), read from its export
`du-lieu/lien-thong/<id>.json` the way procedures are, so the site and the API cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.core.errors import NotFound
from chalicelib.dossiers.procedures import read_export


@dataclass(frozen=True)
class StepDef:
    id: str
    agency: str
    agency_name: str
    role: str
    days: int
    procedure: str | None = None
    procedure_name: str | None = None
    after: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()  # (field of this step, "<step>.<output>")
    outputs: tuple[str, ...] = ()
    if_refused: str | None = None
    documents: frozenset[str] = frozenset()  # the group documents this step's procedure asks for

    def takes(self, attachment: dict[str, Any]) -> bool:
        """Only the agencies whose procedure asks for a document receive its file."""
        return attachment.get("document") in self.documents

    def serves(self, agency_id: str) -> bool:
        """The step's agency itself or one of its local offices (`CA-XA.HN.PHUC-XA` for `CA-XA`)."""
        return agency_id == self.agency or agency_id.startswith(f"{self.agency}.")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    required: bool


@dataclass(frozen=True)
class GroupDef:
    id: str
    kind: str  # "dossier" | "list"
    name: str
    delivery: str  # "together" | "as_ready"
    total_days: int
    audiences: frozenset[str]
    fields: tuple[tuple[str, str, bool], ...]  # (key, label, required)
    columns: tuple[Column, ...]
    steps: tuple[StepDef, ...]
    documents: tuple[tuple[str, str], ...] = ()  # (key, name): the members' documents, each asked once

    def step(self, step_id: str) -> StepDef:
        return next(step for step in self.steps if step.id == step_id)

    def dependents(self, step_id: str) -> set[str]:
        """Every step that waits, directly or not, for `step_id`."""
        found: set[str] = set()
        frontier = [step_id]
        while frontier:
            current = frontier.pop()
            for step in self.steps:
                if current in step.after and step.id not in found:
                    found.add(step.id)
                    frontier.append(step.id)
        return found


def get_group(group_id: str) -> GroupDef:
    found = _load(group_id)
    if found is None:
        raise NotFound("Không tìm thấy nhóm thủ tục liên thông.", field="group")
    return found


@lru_cache(maxsize=256)
def _load(group_id: str) -> GroupDef | None:
    raw = read_export("lien-thong", group_id)
    return None if raw is None else parse_group(raw)


def in_order(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Steps after those they wait for (the catalogue has checked there is no cycle), else as listed."""
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()
    while len(ordered) < len(steps):
        ready = [s for s in steps if s["id"] not in placed and set(s.get("after", [])) <= placed]
        if not ready:
            raise ValueError("the group's steps wait for each other in a cycle")
        ordered += ready
        placed |= {s["id"] for s in ready}
    return ordered


def _documents_by_step(raw: dict[str, Any]) -> dict[str, frozenset[str]]:
    everyone = [step["id"] for step in raw["steps"]]
    taken: dict[str, set[str]] = {step_id: set() for step_id in everyone}
    for document in raw.get("documents", []):
        for step_id in document.get("steps") or everyone:  # an export from before `steps`: every step
            taken.setdefault(step_id, set()).add(document["key"])
    return {step_id: frozenset(keys) for step_id, keys in taken.items()}


def parse_group(raw: dict[str, Any]) -> GroupDef:
    documents_of = _documents_by_step(raw)
    return GroupDef(
        id=raw["id"],
        kind=raw.get("kind", "dossier"),
        name=raw["name"],
        delivery=raw.get("delivery", "as_ready"),
        total_days=int(raw["total_days"]),
        audiences=frozenset(raw.get("audiences", ["citizen"])),
        fields=tuple((f["key"], f["label"], bool(f.get("required", True))) for f in raw.get("fields", [])),
        columns=tuple(
            Column(c["key"], c["label"], c.get("kind", "text"), bool(c.get("required", True)))
            for c in raw.get("columns", [])
        ),
        documents=tuple((d["key"], d["name"]) for d in raw.get("documents", []) if "key" in d),
        steps=tuple(
            StepDef(
                id=s["id"],
                agency=s["agency"],
                agency_name=s.get("agency_name") or s["agency"],
                role=s["role"],
                days=int(s["days"]),
                procedure=s.get("procedure"),
                procedure_name=s.get("procedure_name"),
                after=tuple(s.get("after", [])),
                fields=tuple(s.get("fields", [])),
                inputs=tuple(sorted(s.get("inputs", {}).items())),
                outputs=tuple(o["key"] for o in s.get("outputs", [])),
                if_refused=s.get("if_refused"),
                documents=documents_of[s["id"]],
            )
            for s in in_order(raw["steps"])
        ),
    )


clear_cache = _load.cache_clear
