"""What the public may read: answers that were checked and whose submitter consented, nothing else.

Published questions about procedures are also exported in the catalogue's FAQ format, so the next
catalogue build shows them on the procedure's page (`catalog_build import-answers`).
"""

from __future__ import annotations

import unicodedata

from chalicelib.store.complaints import Complaint

MAX_SCANNED = 500


def published(agency_id: str, topic: str | None = None, query: str | None = None, limit: int = 50) -> list[Complaint]:
    """An agency's published answers, newest first, filtered by topic and by words (accents optional)."""
    words = fold(query).split() if query else []
    found = []
    for item in Complaint.published.query(agency_id, scan_index_forward=False, limit=MAX_SCANNED):
        if topic and item.topic != topic:
            continue
        text = fold(f"{item.title} {item.content} {(item.answer or {}).get('text', '')}")
        if all(word in text for word in words):
            found.append(item)
        if len(found) >= limit:
            break
    return found


def faq_entries(limit: int = 1000) -> list[dict[str, str]]:
    """Published questions about procedures in the catalogue's FAQ format, oldest first."""
    return [
        {"procedure": str(item.procedure_code), "question": item.title, "answer": item.answer["text"]}
        for item in Complaint.published_questions.query("faq", limit=limit)
        if item.answer
    ]


def fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
