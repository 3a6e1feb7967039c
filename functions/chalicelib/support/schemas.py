"""Request and response models of the support centre's endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import EmailStr, Field, model_validator

from chalicelib.core.errors import InvalidInput
from chalicelib.core.queries import Query
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


class LookupQuery(Query):
    q: str = Field(min_length=2, max_length=200, description="Từ khoá, có hoặc không dấu")


class LookupProcedure(Reply):
    code: str
    name: str
    sector: str | None = None


class LookupFaq(Reply):
    procedure_code: str | None = None
    question: str
    answer: str


class LookupResults(Reply):
    procedures: list[LookupProcedure]
    faq: list[LookupFaq]


TOPICS = ("thu-tuc", "ho-so", "tai-khoan", "thanh-toan", "khac")
Topic = Literal["thu-tuc", "ho-so", "tai-khoan", "thanh-toan", "khac"]
ProcedureCode = Field(default=None, min_length=3, max_length=60, pattern=CODE)
Phone = Field(default=None, pattern=r"^(\+84|0)\d{9,10}$")
SATISFACTION = ("very_satisfied", "satisfied", "not_satisfied")


class ConversationOpening(StrictModel):
    topic: Topic = "khac"
    procedure_code: str | None = ProcedureCode
    dossier_code: str | None = ProcedureCode
    message: str = Field(min_length=10, max_length=5000)
    name: str | None = Field(default=None, min_length=2, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Phone
    website: str = Field(default="", max_length=200, description="Để trống (trường bẫy chống thư rác)")


class ConversationKey(StrictModel):
    code: str = Field(min_length=3, max_length=60, pattern=CODE)
    key: str | None = Field(default=None, min_length=20, max_length=100, description="Khoá nhận khi mở cuộc hỏi đáp")


class CitizenMessage(StrictModel):
    key: str | None = Field(default=None, min_length=20, max_length=100)
    text: str = Field(min_length=1, max_length=5000)


class ConversationClosing(StrictModel):
    key: str | None = Field(default=None, min_length=20, max_length=100)
    rating: Literal["very_satisfied", "satisfied", "not_satisfied"]
    comment: str | None = Field(default=None, max_length=1000)


class ConversationAnswer(StrictModel):
    text: str = Field(min_length=2, max_length=10000)
    reusable: bool = Field(default=False, description="Đề xuất đưa vào hỏi đáp của danh mục")
    faq_question: str | None = Field(default=None, min_length=10, max_length=500, description="Câu hỏi viết chung")
    faq_answer: str | None = Field(default=None, min_length=10, max_length=10000, description="Mặc định: text")
    procedure_code: str | None = ProcedureCode


class MessageView(Reply):
    at: datetime
    by: Literal["citizen", "operator"]
    author: str | None = None
    text: str


class ConversationView(Reply):
    code: str
    topic: str
    procedure_code: str | None = None
    dossier_code: str | None = None
    status: Literal["waiting", "answered", "closed"]
    messages: list[MessageView]
    rating: str | None = None
    created_at: datetime


class OpenedConversation(ConversationView):
    key: str = Field(description="Khoá để xem và trả lời khi không đăng nhập; chỉ trả về một lần")


class StaffConversationView(ConversationView):
    name: str
    email: str | None = None
    phone: str | None = None
    source: Literal["online", "call"]


class ConversationList(Reply):
    items: list[ConversationView]


class FaqCandidateView(Reply):
    procedure: str
    question: str
    answer: str


class FaqCandidates(Reply):
    entries: list[FaqCandidateView] = Field(description="Định dạng `catalog_build import-answers` đọc")


Outcome = Literal["answered", "callback"]


class CallLog(StrictModel):
    caller_name: str | None = Field(default=None, min_length=2, max_length=200)
    caller_phone: str | None = Phone
    caller_email: EmailStr | None = None
    topic: Topic = "khac"
    procedure_code: str | None = ProcedureCode
    dossier_code: str | None = ProcedureCode
    complaint_code: str | None = ProcedureCode
    notes: str = Field(min_length=2, max_length=5000)
    outcome: Outcome = Field(description="answered: đã trả lời; callback: cần gọi lại lúc callback_at")
    callback_at: datetime | None = Field(default=None, description="Bắt buộc khi outcome là callback")

    @model_validator(mode="after")
    def _callback(self) -> Self:
        if self.outcome == "callback" and self.callback_at is None:
            raise InvalidInput("Hẹn gọi lại cần thời điểm gọi lại.", field="callback_at")
        if not (self.caller_phone or self.caller_email):
            raise InvalidInput("Hãy ghi số điện thoại hoặc thư điện tử của người gọi.", field="caller_phone")
        return self


class CallComplaint(StrictModel):
    kind: Literal["complaint", "question"] = "complaint"
    agency_id: str | None = Field(default=None, min_length=2, max_length=60, pattern=r"^[A-Za-z0-9.\-]+$")
    title: str = Field(min_length=5, max_length=200)
    content: str = Field(min_length=20, max_length=5000)


class CallConversation(StrictModel):
    message: str = Field(min_length=10, max_length=5000, description="Câu hỏi của người gọi, ghi lại")


class CallNote(StrictModel):
    note: str = Field(min_length=2, max_length=2000)


class CallEvent(Reply):
    at: datetime
    by: str
    action: str
    note: str | None = None


class CallView(Reply):
    code: str
    operator_name: str
    caller_name: str | None = None
    caller_phone: str | None = None
    caller_email: str | None = None
    topic: str
    procedure_code: str | None = None
    dossier_code: str | None = None
    complaint_code: str | None = None
    conversation_code: str | None = None
    notes: str
    outcome: str
    callback_at: datetime | None = None
    waiting: bool
    history: list[CallEvent]
    created_at: datetime


class SupportMonth(Reply):
    month: str
    calls: int = Field(description="Cuộc gọi tổng đài đã ghi")
    conversations: int = Field(description="Cuộc hỏi đáp trực tuyến mở trong tháng")
    answered: int = Field(description="Cuộc hỏi đáp đã có trả lời đầu tiên")
    answered_within_target_rate: float | None = Field(default=None, description="Tỉ lệ trả lời đầu tiên trong 4 giờ")
    median_first_answer_minutes: float | None = Field(
        default=None, description="Trung vị thời gian tới trả lời đầu tiên (phút)"
    )
    satisfaction_rate: float | None = Field(
        default=None, description="Tỉ lệ hài lòng trong các cuộc hỏi đáp được đánh giá"
    )
    rated: int = Field(description="Cuộc hỏi đáp được đánh giá; các tỉ lệ vắng mặt khi chưa có gì để đo")


class SupportSeries(Reply):
    answer_target_minutes: int
    months: list[SupportMonth]
