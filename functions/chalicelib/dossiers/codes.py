"""Dossier codes in the national format `{agency}-{yyMMdd}-{NNNN}`, from a per-agency daily counter.

The counter is one DynamoDB item per agency and day, incremented with an atomic ADD that returns
the new value, so concurrent submissions can never receive the same number.
"""

from __future__ import annotations

from chalicelib.core.calendar import vietnam_now
from chalicelib.store.dossiers import DossierCounter
from chalicelib.store.grants import expiry

COUNTER_DAYS = 3


def next_code(agency_id: str, now: float) -> str:
    day = vietnam_now(now).strftime("%y%m%d")
    counter = DossierCounter(f"{agency_id}#{day}")
    counter.update(actions=[DossierCounter.count.add(1), DossierCounter.expires_at.set(expiry(COUNTER_DAYS * 86400))])
    return f"{agency_id}-{day}-{int(counter.count):04d}"
