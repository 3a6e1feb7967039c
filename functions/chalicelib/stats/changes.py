"""What each change to a record means for the counters, from the stream's old and new images.

Pure functions of the images: `{"scope": ..., "metric": amount}` deltas, no database access.
"""

from __future__ import annotations

from typing import Any

Image = dict[str, Any]
Deltas = dict[str, dict[str, int]]  # scope -> metric -> amount

SATISFIED = frozenset({"very_satisfied", "satisfied"})
PAYMENT_REQUESTED = 6


def account_deltas(old: Image | None, new: Image | None) -> Deltas:
    if old is None and new is not None:
        return _both(None, {"accounts_registered": 1})
    return {}


def dossier_deltas(old: Image | None, new: Image | None) -> Deltas:
    if new is None or new.get("sandbox"):  # an agency's test dossier counts nowhere
        return {}
    found: dict[str, int] = {}
    if old is None:
        found["dossiers_online" if new.get("source", "portal") == "portal" else "dossiers_synced"] = 1
    before = old or {}
    if new.get("finished_at") is not None and before.get("finished_at") is None:
        found["dossiers_finished"] = 1
        if not new.get("due_date"):
            found["dossiers_without_due_date"] = 1
        elif _finished_on_time(new):
            found["dossiers_on_time"] = 1
    if new.get("status") == PAYMENT_REQUESTED and before.get("status") != PAYMENT_REQUESTED:
        found["dossiers_payment_requested"] = 1
    if new.get("rating") and not before.get("rating"):
        found["ratings_total"] = 1
        if new["rating"].get("level") in SATISFIED:
            found["ratings_satisfied"] = 1
    return _both(new.get("agency_id"), found)


def payment_deltas(old: Image | None, new: Image | None) -> Deltas:
    if new is None or new.get("status") != "succeeded" or (old or {}).get("status") == "succeeded":
        return {}
    found = {"payments_count": 1, "payments_amount": int(new.get("credited_amount") or new.get("amount") or 0)}
    if new.get("dossier_code"):
        found["payments_for_dossiers"] = 1
    return _both(new.get("agency_id"), found)


def complaint_deltas(old: Image | None, new: Image | None) -> Deltas:
    if new is None:
        return {}
    found: dict[str, int] = {}
    if old is None:
        found["complaints_received"] = 1
    if new.get("status") == "answered" and (old or {}).get("status") != "answered" and not (old or {}).get("answer"):
        found["complaints_answered"] = 1
        if new.get("answered_on_time"):
            found["complaints_answered_on_time"] = 1
    return _both(new.get("agency_id"), found)


def _finished_on_time(image: Image) -> bool:
    from datetime import date

    from chalicelib.core.calendar import vietnam_now

    return vietnam_now(float(image["finished_at"])).date() <= date.fromisoformat(image["due_date"])


def _both(agency_id: str | None, found: dict[str, int]) -> Deltas:
    if not found:
        return {}
    deltas = {"all": dict(found)}
    if agency_id:
        deltas[agency_id] = dict(found)
    return deltas
