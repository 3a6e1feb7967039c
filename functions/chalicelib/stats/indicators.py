"""Monthly counters added up over their shards, and the service-quality indicators made from them
(in the spirit of Decision 766/QĐ-TTg): on-time results, online submission, online payment,
satisfaction, complaints answered on time. A rate with nothing to measure is `None`, not 0."""

from __future__ import annotations

from typing import Any

from chalicelib.store.stats import METRICS, Counter

MAX_MONTHS = 24


def months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    found = []
    while (year, month) <= end and len(found) < MAX_MONTHS:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def monthly(scope: str, months: list[str]) -> list[dict[str, Any]]:
    series = []
    for month in months:
        totals = dict.fromkeys(METRICS, 0)
        for row in Counter.query(f"{scope}#{month}"):
            for metric in METRICS:
                totals[metric] += int(getattr(row, metric) or 0)
        series.append({"month": month, "counts": totals, "indicators": indicators(totals)})
    return series


def indicators(counts: dict[str, int]) -> dict[str, float | None]:
    submitted = counts["dossiers_online"] + counts["dossiers_synced"]
    dated = counts["dossiers_finished"] - counts["dossiers_without_due_date"]
    return {
        # Only dossiers that had a due date can be on time or late.
        "on_time_rate": _rate(counts["dossiers_on_time"], dated),
        "online_submission_rate": _rate(counts["dossiers_online"], submitted),
        "online_payment_rate": _rate(counts["payments_for_dossiers"], counts["dossiers_payment_requested"]),
        "satisfaction_rate": _rate(counts["ratings_satisfied"], counts["ratings_total"]),
        "complaint_on_time_rate": _rate(counts["complaints_answered_on_time"], counts["complaints_received"]),
    }


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(min(part, whole) / whole, 4)
