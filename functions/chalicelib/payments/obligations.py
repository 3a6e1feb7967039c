"""What a person owes, always computed here and never taken from the client.

- A dossier's fees: the procedure's fee table (catalogue export) for the dossier's channel.
- A traffic fine (by decision number) or an insurance contribution: a registry of obligations
  behind `Registry`. The portal has no connection to the police or social-insurance systems yet, so
  the only adapter is `SandboxRegistry`, a small fixed book used locally and in tests; production
  needs an adapter per source system, and until then these payments answer 503.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from chalicelib.core.errors import Conflict, NotFound, PortalError
from chalicelib.dossiers.procedures import get_procedure
from chalicelib.store.dossiers import Dossier

FEE_KINDS = {"fee": "Phí", "charge": "Lệ phí"}


class Unavailable(PortalError):
    status = 503
    code = "unavailable"


@dataclass(frozen=True)
class Line:
    name: str
    kind: str
    amount: int


@dataclass(frozen=True)
class Obligation:
    kind: str
    subject: str
    service: str
    description: str
    agency_id: str
    agency_name: str
    beneficiary_account: str
    lines: tuple[Line, ...]
    procedure_code: str | None = None
    procedure_name: str | None = None
    dossier_code: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)


class Registry(Protocol):
    def traffic_fine(self, decision_number: str) -> Obligation | None: ...

    def insurance(self, insurance_number: str) -> Obligation | None: ...


def treasury_account(agency_id: str) -> str:
    """The State Treasury collection account for an agency (sandbox value until agencies register theirs)."""
    return f"KBNN - TK thu NSNN 7111 - {agency_id}"


def dossier_fees(dossier: Dossier) -> Obligation:
    procedure = get_procedure(dossier.procedure_code)
    if procedure is None:
        raise NotFound("Không tìm thấy thủ tục của hồ sơ.", field="dossier_code")
    fees = procedure.fees_for(dossier.channel)
    if any(fee.amount is None for fee in fees):
        raise Conflict("Thủ tục có khoản phí do cơ quan xác định; vui lòng nộp theo thông báo của cơ quan.")
    lines = tuple(
        Line(f"{FEE_KINDS.get(fee.kind, 'Phí')} {procedure.name}".strip(), fee.kind, int(fee.amount or 0))
        for fee in fees
        if fee.amount
    )
    if not lines:
        raise Conflict("Hồ sơ này không có khoản phí, lệ phí nào phải nộp.")
    return Obligation(
        kind="dossier_fee",
        subject=f"dossier#{dossier.code}",
        service="Nộp phí, lệ phí thủ tục hành chính",
        description=f"Phí, lệ phí hồ sơ {dossier.code}",
        agency_id=dossier.agency_id,
        agency_name=dossier.agency_id,
        beneficiary_account=treasury_account(dossier.agency_id),
        lines=lines,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        dossier_code=dossier.code,
    )


class SandboxRegistry:
    """A fixed book of fines and contributions, so the whole flow can be tried and tested."""

    FINES: ClassVar[dict[str, tuple[str, str, int, str]]] = {
        "0001/QĐ-XPHC": ("CSGT", "Phòng Cảnh sát giao thông", 800_000, "Không chấp hành hiệu lệnh của đèn tín hiệu"),
        "0002/QĐ-XPHC": ("CSGT", "Phòng Cảnh sát giao thông", 4_000_000, "Chạy quá tốc độ quy định từ 10 đến 20 km/h"),
    }
    INSURANCE: ClassVar[dict[str, tuple[str, str, int, str]]] = {
        "0123456789": ("BHXH", "Bảo hiểm xã hội tỉnh", 1_263_600, "Bảo hiểm y tế hộ gia đình, 12 tháng"),
    }

    def traffic_fine(self, decision_number: str) -> Obligation | None:
        found = self.FINES.get(decision_number)
        if found is None:
            return None
        agency_id, agency_name, amount, violation = found
        return Obligation(
            kind="traffic_fine",
            subject=f"fine#{decision_number}",
            service="Nộp phạt vi phạm hành chính giao thông",
            description=f"Nộp phạt theo quyết định {decision_number}",
            agency_id=agency_id,
            agency_name=agency_name,
            beneficiary_account=treasury_account(agency_id),
            lines=(Line(f"Tiền phạt: {violation}", "fine", amount),),
        )

    def insurance(self, insurance_number: str) -> Obligation | None:
        found = self.INSURANCE.get(insurance_number)
        if found is None:
            return None
        agency_id, agency_name, amount, what = found
        return Obligation(
            kind="insurance",
            subject=f"insurance#{insurance_number}",
            service="Đóng bảo hiểm xã hội, bảo hiểm y tế",
            description=f"{what} - mã số BHXH {insurance_number}",
            agency_id=agency_id,
            agency_name=agency_name,
            beneficiary_account=treasury_account(agency_id),
            lines=(Line(what, "insurance", amount),),
        )


class UnavailableRegistry:
    def traffic_fine(self, decision_number: str) -> Obligation | None:
        raise Unavailable("Chưa kết nối được hệ thống xử phạt; vui lòng thử lại sau.")

    def insurance(self, insurance_number: str) -> Obligation | None:
        raise Unavailable("Chưa kết nối được hệ thống bảo hiểm xã hội; vui lòng thử lại sau.")


def registry() -> Registry:
    from chalicelib.core.config import get_settings

    return SandboxRegistry() if get_settings().payments.sandbox else UnavailableRegistry()
