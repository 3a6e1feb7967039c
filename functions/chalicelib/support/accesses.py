"""The data-access log: who other than the owner read a dossier with the owner's personal data, when
and why, shown to the owner on their account page (in the spirit of Estonia's data tracker).

- Staff (the call centre) read a dossier only with a stated reason and the caller's consent; each
  read is its own entry.
- Agency systems read their own dossiers to handle them (`GET /agency/dossiers/{code}`); their reads
  are kept one entry per agency, dossier and day (the last time that day), so a one-stop system that
  polls a dossier every minute does not bury the staff reads the owner cares about. Listings and the
  change feed carry no personal data (code, procedure, status, dates) and are not logged.
"""

from __future__ import annotations

from chalicelib.core import clock
from chalicelib.core.calendar import vietnam_now
from chalicelib.core.secrets import new_id
from chalicelib.dossiers.citizen import VERIFIED_LEVEL
from chalicelib.store.accounts import Account
from chalicelib.store.dossiers import Dossier
from chalicelib.store.support import DataAccess

AGENCY_REASON = "Cơ quan giải quyết hồ sơ"
MAX_LISTED = 100


def record_staff_read(dossier: Dossier, role: str, name: str, reason: str) -> DataAccess:
    now = clock.now()
    entry = DataAccess(
        dossier.owner_identifier,
        f"{now:017.6f}#{new_id()}",
        owner_id=dossier.owner_id,
        dossier_code=dossier.code,
        actor_kind=role,
        actor=name,
        reason=reason,
        at=now,
    )
    entry.save()
    return entry


def record_agency_read(dossier: Dossier, agency_id: str) -> None:
    if dossier.sandbox:
        return  # an agency's own test dossier: nobody's personal data
    now = clock.now()
    day = vietnam_now(now).strftime("%Y-%m-%d")
    DataAccess(
        dossier.owner_identifier,
        f"{day}#agency#{agency_id}#{dossier.code}",
        owner_id=dossier.owner_id,
        dossier_code=dossier.code,
        actor_kind="agency",
        actor=agency_id,
        reason=AGENCY_REASON,
        at=now,
    ).save()


def accesses_for(account: Account) -> list[DataAccess]:
    """Newest first. The same rule as "my dossiers": entries about dossiers submitted from this account,
    and, once the identity is verified, those about dossiers agencies filed under the account's number."""
    found = DataAccess.query(account.identifier, scan_index_forward=False, limit=MAX_LISTED)
    verified = account.assurance_level >= VERIFIED_LEVEL
    return [entry for entry in found if entry.owner_id == account.account_id or (entry.owner_id is None and verified)]
