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
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"])
        field = ".".join(p for p in (prefix, loc) if p) or "(record)"
        reason = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            reason = "unknown field (check the spelling)"
        found.append(Problem(file, field, reason))
    return found


class BuildFailed(Exception):
    """A stage after validation failed (MkDocs, Pagefind); the message says which and why."""
