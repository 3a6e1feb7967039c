"""Procedure records as YAML, the same bytes for the same record (so a repeated import changes no
byte), and writing a batch of files so that a failure leaves none of them half-written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from catalog_build.models import Procedure


class _Dumper(yaml.CSafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


_DATES = frozenset({"updated", "decision_date", "issued", "effective"})


def record_of(procedure: Procedure) -> dict[str, Any]:
    """The record as our YAML holds it: defaults and empty values left out, dates as YAML dates."""
    return _dates(procedure.model_dump(mode="json", exclude_none=True, exclude_defaults=True))


def _dates(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _dates(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(item) for item in value]
    if key in _DATES and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def dump(procedure: Procedure) -> str:
    record = record_of(procedure)
    ordered = {name: record[name] for name in Procedure.model_fields if name in record}
    return yaml.dump(ordered, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def write_all(root: Path, files: dict[str, str], remove: list[str]) -> None:
    """Write every file beside its target first, then rename them into place; on any error the
    temporary files are removed and the targets are as they were."""
    staged: list[tuple[Path, Path]] = []
    try:
        for rel, content in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.importing")
            temporary.write_text(content, encoding="utf-8")
            staged.append((temporary, target))
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        temporary.replace(target)
    for rel in remove:
        (root / rel).unlink(missing_ok=True)
