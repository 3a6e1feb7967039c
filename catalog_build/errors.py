"""Validation problems reported as `file: field: reason`."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


class CatalogueInvalid(Exception):
    """Raised with every problem found, so a maintainer can fix them all in one pass."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the catalogue source data")


def problems_from(error: ValidationError, file: str, prefix: str = "") -> list[Problem]:
    found = []
    errors = error.errors()
    for item in errors:
        if item["type"] == "too_short" and _has_item_error(item["loc"], errors):
            continue  # pydantic also counts the failed item as missing; the item's own error says more
        loc = ".".join(str(part) for part in item["loc"])
        field = ".".join(p for p in (prefix, loc) if p) or "(record)"
        reason = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            reason = "unknown field (check the spelling)"
        elif item["type"] == "string_type" and isinstance(item["input"], float):
            reason += ' (quote codes in YAML: "1.000358", unquoted they read as numbers)'
        found.append(Problem(file, field, reason))
    return found


def _has_item_error(loc: tuple, errors: list) -> bool:
    return any(len(other["loc"]) > len(loc) and other["loc"][: len(loc)] == loc for other in errors)


class BuildFailed(Exception):
    """A stage after validation failed (MkDocs, Pagefind); the message says which and why."""
