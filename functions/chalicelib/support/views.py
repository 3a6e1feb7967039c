"""Stored support records as the API shows them."""

from __future__ import annotations

from datetime import datetime

from chalicelib.core.clock import moment
from chalicelib.store.support import AuditEntry, DataAccess, StaffMember
from chalicelib.support.schemas import AuditEntryView, DataAccessView, StaffView


def moment_of(epoch: float | None) -> datetime:
    value = moment(epoch)
    assert value is not None
    return value


def staff_view(member: StaffMember) -> StaffView:
    return StaffView(account_id=member.account_id, name=member.full_name, role=member.role)  # type: ignore[arg-type]


def audit_entry_view(entry: AuditEntry) -> AuditEntryView:
    return AuditEntryView(
        seq=int(entry.seq),
        at=moment_of(entry.at),
        actor_id=entry.actor_id,
        actor_role=entry.actor_role,
        action=entry.action,
        subject=entry.subject,
        details=dict(entry.details),
        hash=entry.hash,
    )


def data_access_view(entry: DataAccess) -> DataAccessView:
    return DataAccessView(
        at=moment_of(entry.at),
        dossier_code=entry.dossier_code,
        actor_kind=entry.actor_kind,  # type: ignore[arg-type]
        actor=entry.actor,
        reason=entry.reason,
    )
