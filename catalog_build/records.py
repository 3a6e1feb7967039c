"""Validated procedures as the record cache keeps them: a summary at hand, the rest on demand.

A rebuild after one change still reads every record, because lists, fingerprints and the
whole-catalogue exports span the catalogue; but they read only a few fields of each. Unpickling
10,000 full records (cases, documents, channels, fees: half a million objects) took most of
such a rebuild's validation; unpickling their summaries and keeping each full record as bytes
takes a tenth of that. A `ProcedureRecord` answers the summary's fields itself and unpickles the
full record the first time anything else is asked of it (a page, its JSON, its search stub).
"""

from __future__ import annotations

import pickle
from typing import Any

from catalog_build.models import Level, Procedure, slug_of

# What passes over the whole catalogue in a rebuild reads: browse lists, fingerprints, cross-
# references, the CSV, quick-lookup and Atom exports, the search page's filters.
SUMMARY_FIELDS = (
    "code",
    "name",
    "sector",
    "levels",
    "online_level",
    "audiences",
    "agencies",
    "related",
    "updated",
    "keywords",
)


def summary_of(procedure: Procedure) -> tuple[Any, ...]:
    return tuple(getattr(procedure, name) for name in SUMMARY_FIELDS)


def blob_of(procedure: Procedure) -> bytes:
    return pickle.dumps(procedure, protocol=pickle.HIGHEST_PROTOCOL)


class ProcedureRecord:
    """A validated procedure: the summary's fields are attributes, anything else is read from the
    full record, unpickled once on first use."""

    __slots__ = (*SUMMARY_FIELDS, "_blob", "_full")

    def __init__(self, summary: tuple[Any, ...], blob: bytes) -> None:
        for name, value in zip(SUMMARY_FIELDS, summary, strict=True):
            setattr(self, name, value)
        self._blob = blob
        self._full: Procedure | None = None

    @property
    def full(self) -> Procedure:
        if self._full is None:
            self._full = pickle.loads(self._blob)
        return self._full

    def unkept(self) -> Procedure:
        """The full record, not kept by this one: for a pass over the whole catalogue, which would
        otherwise end up holding every full record at once (165 MB at 10,000 procedures)."""
        return self._full if self._full is not None else pickle.loads(self._blob)

    @property
    def slug(self) -> str:
        return slug_of(self.code)

    @property
    def level(self) -> Level:
        return self.levels[0]

    def __getattr__(self, name: str) -> Any:  # only for what the slots do not hold
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.full, name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProcedureRecord):
            return self.full == other.full
        return self.full == other

    __hash__ = None  # type: ignore[assignment]  # as pydantic models: mutable, compared by value

    def __repr__(self) -> str:
        return f"ProcedureRecord({self.code!r}, {self.name!r})"


def unkept(procedure: Procedure) -> Procedure:
    """A procedure's full record for one use (`ProcedureRecord.unkept`), whichever kind it is."""
    return procedure.unkept() if isinstance(procedure, ProcedureRecord) else procedure
