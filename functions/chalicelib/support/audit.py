"""The staff audit trail: append-only and tamper-evident.

Each entry carries the SHA-256 of the previous entry's hash and its own fields, so changing,
removing or reordering any stored entry breaks every hash after it (`verify`). The API has no route
that edits or deletes an entry; an entry is written only with a condition that its sequence number
is new, so two racing writers never overwrite each other (the loser retries on the next number).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.core import clock
from chalicelib.core.logs import log_event
from chalicelib.store.base import condition_failed
from chalicelib.store.support import AuditEntry

CHAIN = "staff"
GENESIS = "0" * 64
_RETRIES = 8


@dataclass(frozen=True)
class Actor:
    """Who acted: a staff member (account id, role, name) or an administrator's tool (`admin`)."""

    actor_id: str
    role: str
    name: str = ""


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": int(entry.seq),
        "at": round(float(entry.at), 6),
        "actor_id": entry.actor_id,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "subject": entry.subject,
        "details": entry.details,
    }


def record(actor: Actor, action: str, subject: str | None = None, **details: Any) -> AuditEntry:
    """Append one entry at the end of the chain."""
    for _race in range(_RETRIES):
        last = _last()
        entry = AuditEntry(
            CHAIN,
            (int(last.seq) + 1) if last else 1,
            at=round(clock.now(), 6),
            actor_id=actor.actor_id,
            actor_role=actor.role,
            action=action,
            subject=subject,
            details=details,
            prev_hash=last.hash if last else GENESIS,
            hash="",
        )
        entry.hash = entry_hash(entry.prev_hash, _fields(entry))
        try:
            entry.save(condition=AuditEntry.seq.does_not_exist())
        except PutError as error:
            if not condition_failed(error):
                raise
            continue
        log_event("staff_action", action=action, seq=int(entry.seq))
        return entry
    raise RuntimeError("audit trail: too many concurrent writers")


def _last() -> AuditEntry | None:
    return next(iter(AuditEntry.query(CHAIN, scan_index_forward=False, limit=1, consistent_read=True)), None)


def recent(limit: int = 50) -> list[AuditEntry]:
    return list(AuditEntry.query(CHAIN, scan_index_forward=False, limit=limit))


@dataclass(frozen=True)
class Verification:
    entries: int
    intact: bool
    broken_at: int | None = None


def verify() -> Verification:
    """Walk the whole chain: the first entry whose hash or link does not match is where it was altered."""
    previous = GENESIS
    expected_seq = 1
    count = 0
    for entry in AuditEntry.query(CHAIN, consistent_read=True):
        count += 1
        seq = int(entry.seq)
        if seq != expected_seq or entry.prev_hash != previous or entry.hash != entry_hash(previous, _fields(entry)):
            return Verification(count, False, seq if seq == expected_seq else expected_seq)
        previous = entry.hash
        expected_seq += 1
    return Verification(count, True)
