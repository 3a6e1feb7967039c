"""DynamoDB stream handlers (one Lambda each on AWS; `devstack` polls moto's streams and calls them)."""

from __future__ import annotations

from typing import Any

from chalicelib.stats import changes
from chalicelib.stats.streams import count, records_of


def count_accounts(event: Any, context: Any = None) -> int:
    return count(records_of(event), changes.account_deltas)


def count_dossiers(event: Any, context: Any = None) -> int:
    return count(records_of(event), changes.dossier_deltas)


def count_payments(event: Any, context: Any = None) -> int:
    return count(records_of(event), changes.payment_deltas)


def count_complaints(event: Any, context: Any = None) -> int:
    return count(records_of(event), changes.complaint_deltas)


HANDLERS = {
    "accounts": count_accounts,
    "dossiers": count_dossiers,
    "payment-intents": count_payments,
    "complaints": count_complaints,
}
