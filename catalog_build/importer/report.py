"""What an import did: added / changed (with a short field-level diff) / unchanged / removed, the
per-field mapping rate, and what was kept as notes or not mapped at all."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from catalog_build.errors import Problem
from catalog_build.importer import output
from catalog_build.importer.drafts import RATED_FIELDS, Draft
from catalog_build.models import Procedure

DIFF_VALUE_CHARS = 60
SHOWN_CHANGES = 20


def _short(value: Any) -> str:
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    if isinstance(value, dict):
        return "{…}"
    text = str(value)
    return repr(text if len(text) <= DIFF_VALUE_CHARS else text[: DIFF_VALUE_CHARS - 1] + "…")


def field_diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per top-level field that differs: "name: 'old' -> 'new'", "channels: changed (3 -> 4 item(s))"."""
    lines = []
    for name in Procedure.model_fields:
        before, after = old.get(name), new.get(name)
        if before == after or name == "updated":
            continue
        if before is None:
            lines.append(f"{name}: added {_short(after)}")
        elif after is None:
            lines.append(f"{name}: removed")
        elif isinstance(before, list | dict):
            lines.append(f"{name}: changed ({_short(before)} -> {_short(after)})")
        else:
            lines.append(f"{name}: {_short(before)} -> {_short(after)}")
    return lines


@dataclass
class ImportReport:
    dry_run: bool = False
    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    duplicates: int = 0
    superseded: list[str] = field(default_factory=list)  # codes given by both formats: the API record won
    skipped: list[str] = field(default_factory=list)
    rated: Counter[str] = field(default_factory=Counter)  # records with something in the source, per field
    structural: Counter[str] = field(default_factory=Counter)  # of those, recovered structurally
    notes: Counter[str] = field(default_factory=Counter)  # notes kept, per field
    unmapped: Counter[str] = field(default_factory=Counter)  # source fields with content we do not map
    drafts: list[Draft] = field(default_factory=list)

    def count(self, draft: Draft, merged: Procedure, existing: tuple[Procedure, str] | None, text: str) -> None:
        self.drafts.append(draft)
        for name, structural in draft.structural.items():
            self.rated[name] += 1
            self.structural[name] += structural
        self.notes.update(name for name, _ in draft.notes)
        self.unmapped.update(draft.unmapped)
        if existing is None:
            self.added.append(draft.code)
        elif existing[1] == text:
            self.unchanged += 1
        else:
            self.changed.append((draft.code, field_diff(output.record_of(existing[0]), output.record_of(merged))))

    def rates(self) -> dict[str, tuple[int, int]]:
        """Field -> (recovered structurally, records with content in the source)."""
        return {name: (self.structural[name], self.rated[name]) for name in RATED_FIELDS if self.rated[name]}

    def strict_problems(self) -> list[Problem]:
        problems = []
        for draft in self.drafts:
            for name in draft.unmapped:
                problems.append(Problem(draft.origin, name, "source field with content that the import does not map"))
            for name, text in draft.notes:
                problems.append(Problem(draft.origin, name, f"not recovered structurally, kept as a note: {text[:80]}"))
        return problems

    def summary(self, *, verbose: bool = False) -> str:
        lines = [
            f"{len(self.added)} added, {len(self.changed)} changed, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed"
            + (" (dry run: nothing written)" if self.dry_run else "")
            + (f"; {self.duplicates} repeated record(s) ignored" if self.duplicates else "")
            + (f"; {len(self.superseded)} page record(s) superseded by API records" if self.superseded else "")
            + (f"; {len(self.skipped)} file(s) skipped (not named by a procedure code)" if self.skipped else "")
        ]
        for draft in self.drafts:
            if draft.replaced:
                replaced = f"our record {draft.replaced!r} was another procedure; its extras were dropped"
                lines.append(f"  replaced {draft.code}: {replaced}")
        shown = self.changed if verbose else self.changed[:SHOWN_CHANGES]
        for code, diff in shown:
            lines.append(f"  changed {code}: " + "; ".join(diff or ["formatting"]))
        if len(shown) < len(self.changed):
            lines.append(f"  … and {len(self.changed) - len(shown)} more changed (--verbose lists them all)")
        lines.append("mapping rate (records whose field was recovered structurally / records with that field):")
        for name, (done, total) in self.rates().items():
            kept = f", {self.notes[name]} note(s) kept" if self.notes[name] else ""
            lines.append(f"  {name:<14} {done:>6} / {total:<6} {100 * done / total:6.1f} %{kept}")
        if self.unmapped:
            fields = ", ".join(f"{name} ({count})" for name, count in self.unmapped.most_common())
            lines.append(f"source fields not mapped: {fields}")
        return "\n".join(lines)
