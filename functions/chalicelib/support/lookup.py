"""Search-while-talking: the catalogue's procedures and FAQ, found by words typed with or without
diacritics, from the build's quick-lookup export (`du-lieu/tra-cuu-nhanh.json`: the built site folder
locally, the site bucket on AWS), kept in memory for five minutes per Lambda instance."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from chalicelib.complaints.publication import fold
from chalicelib.core.config import get_settings
from chalicelib.core.errors import ServiceUnavailable
from chalicelib.support.schemas import LookupFaq, LookupProcedure, LookupResults

EXPORT = "tra-cuu-nhanh.json"
KEEP_SECONDS = 300
MAX_RESULTS = 10


@dataclass(frozen=True)
class Index:
    procedures: list[tuple[str, str, dict[str, Any]]]  # (folded name, folded keywords and code, record)
    faq: list[tuple[str, dict[str, Any]]]  # (folded question and answer, entry)
    loaded_at: float


_index: Index | None = None


def search(query: str) -> LookupResults:
    words = fold(query).split()
    index = _current()
    ranked = []
    for name, rest, record in index.procedures:
        if all(word in name or word in rest for word in words):
            ranked.append((sum(word in name for word in words), record))
    ranked.sort(key=lambda found: -found[0])
    procedures = [LookupProcedure(**_procedure_fields(record)) for _, record in ranked[:MAX_RESULTS]]
    faq = [
        LookupFaq(procedure_code=entry.get("procedure"), question=entry["question"], answer=entry["answer"])
        for text, entry in index.faq
        if all(word in text for word in words)
    ][:MAX_RESULTS]
    return LookupResults(procedures=procedures, faq=faq)


def _procedure_fields(record: dict[str, Any]) -> dict[str, Any]:
    return {"code": record["code"], "name": record["name"], "sector": record.get("sector")}


def _current() -> Index:
    global _index
    if _index is None or time.monotonic() - _index.loaded_at > KEEP_SECONDS:
        _index = _build(_read())
    return _index


def forget() -> None:
    """Drop the cached index (tests that publish a new export)."""
    global _index
    _index = None


def _build(raw: dict[str, Any]) -> Index:
    procedures = [
        (fold(record["name"]), fold(" ".join([record["code"], *record.get("keywords", [])])), record)
        for record in raw.get("procedures", [])
    ]
    faq = [(fold(f"{entry['question']} {entry['answer']}"), entry) for entry in raw.get("faq", [])]
    return Index(procedures, faq, time.monotonic())


def _read() -> dict[str, Any]:
    settings = get_settings()
    try:
        if settings.procedures_bucket:
            from botocore.exceptions import ClientError

            from chalicelib.store.files import s3

            try:
                body = s3().get_object(Bucket=settings.procedures_bucket, Key=f"du-lieu/{EXPORT}")["Body"].read()
            except ClientError as error:
                raise OSError(str(error)) from error
            return dict(json.loads(body))
        return dict(json.loads((settings.procedures_dir.parent / EXPORT).read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise ServiceUnavailable("Chưa có dữ liệu danh mục để tra cứu; hãy thử lại sau ít phút.") from error
