"""A staff member reads a caller's dossier status: only with the caller's consent and a stated reason,
both recorded in the owner's access log and the audit trail before anything is shown."""

from __future__ import annotations

from chalicelib.dossiers.lifecycle import load
from chalicelib.store.dossiers import Dossier
from chalicelib.store.support import StaffMember
from chalicelib.support import accesses, audit, staff
from chalicelib.support.schemas import DossierRead


def read_for_caller(member: StaffMember, request: DossierRead) -> Dossier:
    dossier = load(request.dossier_code)  # an unknown code is a 404, and nothing is logged
    accesses.record_staff_read(dossier, member.role, member.full_name, request.reason)
    audit.record(staff.actor(member), "dossier_read", dossier.code, reason=request.reason, call_code=request.call_code)
    return dossier
