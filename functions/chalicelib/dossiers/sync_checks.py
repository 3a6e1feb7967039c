"""What a synced item must satisfy before it may touch a dossier: a real procedure the agency executes,
an owner identifier that a citizen or business could later look the dossier up with, possible dates.

Each check raises `InvalidInput` naming the field, so the item's result tells the agency what to fix.
"""

from __future__ import annotations

from datetime import date, datetime

from chalicelib.core.calendar import epoch, vietnam_now
from chalicelib.core.errors import InvalidInput
from chalicelib.dossiers.procedures import Procedure, get_procedure
from chalicelib.dossiers.schemas import SyncItem, SyncOwner
from chalicelib.sso.identifiers import check_identity_number, check_tax_code

CITIZEN, BUSINESS = 1, 2
EARLIEST = date(2000, 1, 1)  # no one-stop system holds dossiers received before this
LONGEST_PROCESSING_DAYS = 5 * 366  # a due date further than this after receipt is a typing error


def procedure_for(agency_id: str, code: str) -> Procedure:
    procedure = get_procedure(code)
    if procedure is None:
        raise InvalidInput(
            f"Thủ tục {code} không có trong Cơ sở dữ liệu thủ tục hành chính quốc gia.", field="procedure_code"
        )
    if not procedure.serves(agency_id):
        raise InvalidInput(
            f"Cơ quan {agency_id} không phải cơ quan thực hiện thủ tục {code} theo Cơ sở dữ liệu thủ tục hành chính.",
            field="procedure_code",
        )
    return procedure


def check_owner(owner: SyncOwner) -> None:
    """Citizens by their 12-digit identity number, businesses by tax code: the identifiers lookups use."""
    try:
        if owner.type == CITIZEN:
            check_identity_number(owner.identifier)
        elif owner.type == BUSINESS:
            check_tax_code(owner.identifier)
    except ValueError as error:
        raise InvalidInput(str(error), field="owner.identifier") from None


def check_dates(item: SyncItem, at: float, received: float | None) -> None:
    """Dates that cannot be true: received after the update that reports it, before 2000, or a due date
    before receipt or years after it. `received` is the item's or, for an update, the dossier's."""
    updated = vietnam_now(at).date()
    if item.received_at is not None:
        day = _day(item.received_at)
        if day < EARLIEST:
            raise InvalidInput("Ngày tiếp nhận không hợp lệ (trước năm 2000).", field="received_at")
        if day > updated:
            raise InvalidInput("Ngày tiếp nhận không được sau thời điểm cập nhật.", field="received_at")
    if item.due_date is None:
        return
    start = vietnam_now(received).date() if received is not None else updated
    if item.due_date < start:
        raise InvalidInput(
            f"Hạn giải quyết {item.due_date.isoformat()} trước ngày tiếp nhận {start.isoformat()}.", field="due_date"
        )
    if (item.due_date - start).days > LONGEST_PROCESSING_DAYS:
        raise InvalidInput("Hạn giải quyết cách ngày tiếp nhận hơn 5 năm: kiểm tra lại năm.", field="due_date")


def _day(moment: datetime) -> date:
    return vietnam_now(epoch(moment)).date()
