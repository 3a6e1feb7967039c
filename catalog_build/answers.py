"""Bring citizens' answered questions into the catalogue: the API's published questions (hỏi đáp,
answered by the agency and checked by the coordinating office, published with consent) become FAQ
entries of their procedures at the next build.

    python -m catalog_build import-answers --source http://127.0.0.1:8001/questions/answers
    python -m catalog_build import-answers --source http://127.0.0.1:8001/support/faq-candidates \
        --file ho-tro-truc-tuyen.yaml      # answers the support centre's operators marked reusable

The export is read from a URL or a file, each entry is validated as the FAQ model requires, entries
for procedures the catalogue does not have are reported and skipped, and the YAML file is written
only when its content changes (so an unchanged import leaves the incremental build alone).
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from catalog_build.models import FaqEntry

ANSWERS_FILE = "tra-loi-tu-cong-dan.yaml"


def read_export(source: str) -> list[dict[str, Any]]:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:
            payload = json.load(response)
    else:
        payload = json.loads(Path(source).read_text(encoding="utf-8"))
    entries = payload.get("entries") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{source}: expected an object with an 'entries' list")
    return entries


def import_answers(
    entries: list[dict[str, Any]], data_dir: Path, file_name: str = ANSWERS_FILE
) -> tuple[int, list[str]]:
    """Write the valid entries for known procedures into `data/faq/<file_name>`; returns how many were
    written and the problems. Each source has its own file (`--file`), so one import never drops another's."""
    known = {path.stem for path in (data_dir / "procedures").glob("*.yaml")}
    kept: list[dict[str, str]] = []
    problems: list[str] = []
    for index, raw in enumerate(entries):
        try:
            entry = FaqEntry.model_validate(raw)
        except ValidationError as error:
            problems.append(f"entries.{index}: {error.errors()[0]['msg']}")
            continue
        if entry.procedure not in known:
            problems.append(f"entries.{index}: procedure {entry.procedure!r} is not in the catalogue; skipped")
            continue
        kept.append(entry.model_dump(mode="json", exclude_none=True))
    target = data_dir / "faq" / file_name
    text = yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, width=1000) if kept else "[]\n"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return len(kept), problems
