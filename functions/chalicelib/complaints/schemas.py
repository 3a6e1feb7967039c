"""Request and response models of the complaint and question endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import EmailStr, Field, field_validator, model_validator

from chalicelib.core.errors import InvalidInput
from chalicelib.core.filenames import clean as clean_file_name
from chalicelib.core.queries import Query, cursor, limit
from chalicelib.core.validation import Instant, Reply, StrictModel

AgencyId = Field(min_length=2, max_length=60, pattern=r"^[A-Za-z0-9.\-]+$")
TOPICS = ("thu-tuc-hanh-chinh", "chat-luong-dich-vu", "thai-do-can-bo", "co-che-chinh-sach", "khac")


class AttachmentMeta(StrictModel):
    file_name: str = Field(min_length=1, max_length=255, description="Lưu sau khi làm sạch (core.filenames)")
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(gt=0, le=5 * 1024 * 1024, description="Tối đa 5 MB")

    _clean_name = field_validator("file_name")(staticmethod(clean_file_name))


class Intake(StrictModel):
    kind: Literal["complaint", "question"] = "complaint"
    agency_id: str | None = Field(default=None, min_length=2, max_length=60, pattern=r"^[A-Za-z0-9.\-]+$")
    procedure_code: str | None = Field(default=None, min_length=3, max_length=60, pattern=r"^[0-9A-Za-z.\-]+$")
    topic: Literal[TOPICS] = "khac"  # type: ignore[valid-type]
    title: str = Field(min_length=5, max_length=200)
    content: str = Field(min_length=20, max_length=5000)
    consent_to_publish: bool = False
    name: str | None = Field(default=None, min_length=2, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=r"^(\+84|0)\d{9,10}$")
    address: str | None = Field(default=None, max_length=300)
    website: str = Field(default="", max_length=200, description="Để trống (trường bẫy chống thư rác)")
    attachments: list[AttachmentMeta] = Field(default_factory=list, max_length=3)

    @model_validator(mode="after")
    def _target(self) -> Self:
        if self.kind == "question" and not self.procedure_code:
            raise InvalidInput("Câu hỏi cần gắn với một thủ tục hành chính.", field="procedure_code")
        if self.kind == "complaint" and not self.agency_id:
            raise InvalidInput("Hãy chọn cơ quan tiếp nhận phản ánh.", field="agency_id")
        return self


class Decision(StrictModel):
    action: Literal["accept", "refuse"]
    reason: Literal["out_of_scope", "duplicate"] | None = None
    agency_id: str | None = Field(default=None, min_length=2, max_length=60, pattern=r"^[A-Za-z0-9.\-]+$")
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _reason(self) -> Self:
        if self.action == "refuse" and self.reason is None:
            raise InvalidInput("Từ chối cần nêu lý do (ngoài thẩm quyền hoặc trùng lặp).", field="reason")
        return self


class Transfer(StrictModel):
    agency_id: str = AgencyId
    note: str = Field(min_length=1, max_length=2000)


class AnswerBody(StrictModel):
    text: str = Field(min_length=10, max_length=10000)


class Check(StrictModel):
    action: Literal["approve", "send_back"]
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _note(self) -> Self:
        if self.action == "send_back" and not self.note:
            raise InvalidInput("Trả lại cần nêu lý do.", field="note")
        return self


class HistoryEntry(Reply):
    at: datetime
    status: str
    status_label: str
    actor: str
    note: str | None = None


class AttachmentLink(Reply):
    file_name: str
    content_type: str
    size: int
    url: str | None = Field(default=None, description="Địa chỉ tải về có hiệu lực ngắn (chỉ cho cơ quan)")


class AnswerView(Reply):
    text: str
    agency_id: str
    answered_at: datetime


class ComplaintView(Reply):
    code: str
    kind: str
    agency_id: str
    topic: str
    title: str
    content: str
    procedure_code: str | None = None
    status: str
    status_label: str
    deadline: datetime | None = None
    overdue: bool
    answer: AnswerView | None = None
    history: list[HistoryEntry]
    attachments: list[AttachmentLink] = Field(default_factory=list)
    created_at: datetime


class Upload(Reply):
    file_name: str
    url: str
    fields: dict[str, str]


class Received(ComplaintView):
    uploads: list[Upload] = Field(description="Gửi từng tệp bằng HTTP POST multipart tới url với các trường fields")


class ComplaintList(Reply):
    items: list[ComplaintView]
    next_cursor: str | None = None


class PublishedItem(Reply):
    code: str
    kind: str
    agency_id: str
    topic: str
    title: str
    content: str
    procedure_code: str | None = None
    answer: AnswerView
    published_at: datetime


class PublishedList(Reply):
    items: list[PublishedItem]


class FaqItem(Reply):
    procedure: str
    question: str
    answer: str


class FaqExport(Reply):
    entries: list[FaqItem]


class ComplaintLookup(StrictModel):
    code: str = Field(min_length=8, max_length=30, pattern=r"^(PA|HD)-\d{6}-\d{4,6}$")
    contact: str = Field(min_length=5, max_length=300, description="Thư điện tử hoặc số điện thoại đã để lại")


class PublishedQuery(Query):
    agency: str = Field(min_length=2, max_length=60, pattern=r"^[A-Za-z0-9.\-]+$", description="Mã cơ quan")
    topic: Literal[TOPICS] | None = None  # type: ignore[valid-type]
    q: str | None = Field(default=None, max_length=200, description="Từ cần tìm, có hoặc không dấu")


class QueueQuery(Query):
    status: Literal["received", "assigned", "answered", "refused", "published", "closed"] | None = None
    updated_since: Instant | None = Field(
        default=None,
        description=(
            "Nguồn thay đổi: phản ánh giao cho cơ quan thay đổi từ thời điểm này (ISO 8601), cũ trước mới sau"
        ),
    )
    updated_until: Instant | None = Field(default=None, description="Cùng updated_since: đến thời điểm này")
    cursor: str | None = cursor()
    limit: int = limit(50)
