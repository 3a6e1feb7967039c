"""Request and response models of the support centre's endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chalicelib.core.validation import Reply, StrictModel


class SecondFactorForm(StrictModel):
    request_id: str = Field(min_length=1, max_length=100)
    token: str = Field(min_length=1, max_length=100)
    code: str = Field(default="", max_length=40)


class StaffView(Reply):
    account_id: str
    name: str
    role: Literal["operator", "supervisor"]


class QueueItem(Reply):
    kind: Literal["conversation", "callback", "handover"]
    code: str
    topic: str
    procedure_code: str | None = None
    dossier_code: str | None = None
    contact: str | None = None
    waiting_since: datetime
    waited_minutes: int = Field(description="Số phút đã chờ tính đến lúc trả lời")


class Queue(Reply):
    items: list[QueueItem]


class AuditEntryView(Reply):
    seq: int
    at: datetime
    actor_id: str
    actor_role: str
    action: str
    subject: str | None = None
    details: dict[str, Any]
    hash: str


class AuditTrail(Reply):
    entries: list[AuditEntryView]
    total: int = Field(description="Số mục của cả chuỗi")
    intact: bool = Field(description="Chuỗi băm khớp từ mục đầu tới mục cuối")
    first_broken_seq: int | None = Field(default=None, description="Mục đầu tiên bị sửa hoặc mất, nếu có")


class DataAccessView(Reply):
    at: datetime
    dossier_code: str
    actor_kind: Literal["agency", "operator", "supervisor"] = Field(
        description="Ai đã xem: hệ thống của cơ quan giải quyết, điện thoại viên hay giám sát viên"
    )
    actor: str = Field(description="Mã cơ quan, hoặc họ tên cán bộ hỗ trợ")
    reason: str


class DataAccessList(Reply):
    accesses: list[DataAccessView]


CODE = r"^[0-9A-Za-z.\-]+$"


class DossierRead(StrictModel):
    dossier_code: str = Field(min_length=3, max_length=60, pattern=CODE)
    reason: str = Field(min_length=10, max_length=500, description="Vì sao cần xem; công dân sẽ thấy lý do này")
    consent: Literal[True] = Field(description="Người gọi đã đồng ý cho xem hồ sơ (bắt buộc true)")
    call_code: str | None = Field(default=None, min_length=3, max_length=60, pattern=CODE)
