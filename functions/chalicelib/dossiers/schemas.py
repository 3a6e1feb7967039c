"""Request and response models of the dossier endpoints (citizen and agency)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, field_validator

from chalicelib.core.filenames import clean as clean_file_name
from chalicelib.core.queries import Query, cursor, limit, month
from chalicelib.core.validation import Instant, Reply, StrictModel

Code = Field(
    min_length=8,
    max_length=80,
    pattern=r"^[A-Za-z0-9.\-]+-\d{6}-\d{4,6}$",
    description="Mã hồ sơ {mã cơ quan}-{yyMMdd}-{NNNN}",
)
AgencyId = Field(min_length=2, max_length=60, pattern=r"^[A-Za-z0-9.\-]+$")
ProcedureCode = Field(min_length=3, max_length=60, pattern=r"^[0-9A-Za-z.\-]+$", examples=["1.001193"])
Note = Field(default=None, max_length=2000)
FormData = dict[str, str]


def _check_form(form: FormData) -> FormData:
    if len(form) > 100:
        raise ValueError("Biểu mẫu có quá nhiều trường (tối đa 100).")
    for key, value in form.items():
        if not key or len(key) > 100 or len(value) > 5000:
            raise ValueError("Tên trường tối đa 100 ký tự, giá trị tối đa 5000 ký tự.")
    return form


class DraftCreate(StrictModel):
    procedure_code: str = ProcedureCode
    agency_id: str = AgencyId
    case_index: int = Field(default=0, ge=0, le=50)
    form: FormData = Field(default_factory=dict)

    _form = field_validator("form")(_check_form)


class DraftUpdate(StrictModel):
    case_index: int | None = Field(default=None, ge=0, le=50)
    form: FormData | None = None

    @field_validator("form")
    @classmethod
    def _form(cls, value: FormData | None) -> FormData | None:
        return None if value is None else _check_form(value)


class AttachmentRequest(StrictModel):
    document: str = Field(min_length=1, max_length=60, description="Khoá thành phần hồ sơ (mã giấy tờ hoặc tpN)")
    file_name: str = Field(min_length=1, max_length=255, description="Lưu sau khi làm sạch (core.filenames)")
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(gt=0, le=10 * 1024 * 1024, description="Kích thước tệp, tối đa 10 MB")

    _clean_name = field_validator("file_name")(staticmethod(clean_file_name))


class Attachment(Reply):
    attachment_id: str
    document: str
    file_name: str
    content_type: str
    size: int


class Upload(Reply):
    url: str
    fields: dict[str, str]


class AttachmentTicket(Reply):
    attachment: Attachment
    upload: Upload = Field(description="Gửi tệp bằng HTTP POST multipart tới url với các trường fields")


class Requirement(Reply):
    key: str
    name: str
    required: bool
    attached: int


class DraftView(Reply):
    draft_id: str
    procedure_code: str
    agency_id: str
    case_index: int
    form: FormData
    attachments: list[Attachment]
    requirements: list[Requirement]
    updated_at: datetime


class DraftList(Reply):
    drafts: list[DraftView]


class Event(Reply):
    at: datetime
    status: int
    status_label: str
    actor: str
    note: str | None = None


class SupplementRequest(StrictModel):
    reason: str = Field(min_length=1, max_length=2000)
    documents: list[str] = Field(default_factory=list, max_length=50)
    new_due_date: date


class ResultDocument(StrictModel):
    name: str = Field(min_length=1, max_length=300)
    number: str | None = Field(default=None, max_length=100)
    url: str | None = Field(default=None, max_length=2000)
    fields: dict[str, str] | None = Field(
        default=None,
        max_length=20,
        description="Giá trị kết quả mà bước liên thông sau cần (ví dụ so_dinh_danh), theo nhóm liên thông",
    )

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for key, item in (value or {}).items():
            if not key or len(key) > 40 or len(item) > 200:
                raise ValueError("Tên giá trị tối đa 40 ký tự, giá trị tối đa 200 ký tự.")
        return value


class Results(StrictModel):
    documents: list[ResultDocument] = Field(min_length=1, max_length=20)


class DossierStatusChange(StrictModel):
    status: int = Field(ge=1, le=10, description="Mã trạng thái quốc gia (1-10)")
    note: str | None = Note


class Rating(StrictModel):
    level: Literal["very_satisfied", "satisfied", "not_satisfied"]
    comment: str | None = Field(default=None, max_length=1000)


class RatingView(Reply):
    level: str
    comment: str | None = None
    rated_at: datetime


class Withdrawal(StrictModel):
    reason: str = Field(min_length=1, max_length=2000)


class SupplementSubmission(StrictModel):
    note: str = Field(min_length=1, max_length=2000)


class SupplementView(Reply):
    requested_at: datetime
    reason: str
    documents: list[str]
    old_due_date: date | None = None
    new_due_date: date


class ResultView(Reply):
    name: str
    number: str | None = None
    url: str | None = None
    fields: dict[str, str] | None = None
    attached_at: datetime


class DossierView(Reply):
    code: str
    procedure_code: str
    procedure_name: str
    agency_id: str
    channel: str
    source: str
    owner_name: str
    status: int
    status_label: str
    submitted_at: datetime
    received_at: datetime | None = None
    due_date: date | None = None
    finished_at: datetime | None = None
    overdue: bool
    form: FormData
    attachments: list[Attachment]
    supplements: list[SupplementView]
    results: list[ResultView]
    timeline: list[Event]
    rating: RatingView | None = None
    group_code: str | None = Field(default=None, description="Mã hồ sơ liên thông khi hồ sơ là một bước của nhóm")
    group_step: str | None = None


class DossierSummary(Reply):
    code: str
    procedure_name: str
    agency_id: str
    status: int
    status_label: str
    submitted_at: datetime
    due_date: date | None = None
    overdue: bool
    sandbox: bool = False
    updated_at: datetime = Field(description="Lần thay đổi gần nhất trên Cổng (thứ tự của nguồn thay đổi)")


class DossierList(Reply):
    dossiers: list[DossierSummary]
    next_cursor: str | None = None


class DossierLookup(StrictModel):
    code: str = Code
    identifier: str = Field(min_length=10, max_length=14, description="Số định danh hoặc mã số thuế của chủ hồ sơ")


class Tracking(Reply):
    code: str
    procedure_name: str
    agency_id: str
    status: int
    status_label: str
    due_date: date | None = None
    timeline: list[Event]
    group_code: str | None = Field(default=None, description="Mã hồ sơ liên thông khi hồ sơ là một bước của nhóm")


class SyncOwner(StrictModel):
    name: str = Field(min_length=1, max_length=300)
    identifier: str = Field(min_length=9, max_length=14)
    type: int = Field(default=1, ge=1, le=4)
    email: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=20)


class SyncItem(StrictModel):
    update_id: str = Field(min_length=1, max_length=100, description="Khoá idempotency của bản cập nhật")
    code: str = Code
    updated_at: Instant = Field(description="Thời điểm cập nhật trên hệ thống của cơ quan (có múi giờ)")
    status: int = Field(ge=1, le=10)
    procedure_code: str | None = Field(default=None, min_length=3, max_length=60, pattern=r"^[0-9A-Za-z.\-]+$")
    procedure_name: str | None = Field(
        default=None, max_length=500, description="Bỏ qua được: tên lấy từ Cơ sở dữ liệu thủ tục hành chính"
    )
    channel: Literal["direct", "online", "postal"] | None = None
    owner: SyncOwner | None = None
    received_at: Instant | None = None
    due_date: date | None = None
    note: str | None = Note
    notify: bool = Field(
        default=True, description="false khi nạp hồ sơ cũ: không gửi thông báo cho người dân về bản cập nhật này"
    )
    sandbox: bool = Field(
        default=False, description="Hồ sơ thử nghiệm: không tính vào thống kê, không thông báo, cơ quan huỷ được"
    )


class SyncBatch(StrictModel):
    items: list[SyncItem] = Field(min_length=1, max_length=100)


class SyncResult(Reply):
    update_id: str
    code: str
    outcome: Literal["created", "updated", "ignored_stale", "duplicate", "rejected", "conflict"] = Field(
        description=(
            "created/updated: đã ghi; ignored_stale: đã có bản mới hơn; duplicate: update_id đã xử lý với cùng "
            "nội dung; rejected: bị từ chối (field nêu trường sai; gửi lại cùng nội dung sẽ nhận lại lời từ chối); "
            "conflict: update_id đã dùng cho nội dung khác"
        )
    )
    status: int | None = None
    message: str | None = None
    field: str | None = Field(default=None, description="Trường bị từ chối, ví dụ owner.identifier")


class SyncReply(Reply):
    results: list[SyncResult]


class VoidedDossier(Reply):
    code: str
    voided: bool


class Punctuality(Reply):
    agency_id: str
    month: str
    on_time: int = Field(description="Hồ sơ có hạn giải quyết, xong đúng hạn")
    late: int = Field(description="Hồ sơ có hạn giải quyết, xong trễ hạn")
    without_due_date: int = Field(description="Hồ sơ xong trong tháng nhưng không có hạn (không tính đúng/trễ hạn)")


class MyDossiersQuery(Query):
    limit: int = limit(20)
    cursor: str | None = cursor()


class AgencyDossiersQuery(Query):
    status: int | None = Field(default=None, ge=1, le=10, description="Mã trạng thái (1–10)")
    limit: int = limit(20)
    cursor: str | None = cursor()
    updated_since: Instant | None = Field(
        default=None,
        description=(
            "Nguồn thay đổi: hồ sơ thay đổi từ thời điểm này (ISO 8601), cũ trước mới sau; "
            "đi tiếp bằng next_cursor với cùng tham số, trang rỗng thì gọi lại sau với cùng con trỏ"
        ),
    )
    updated_until: Instant | None = Field(default=None, description="Cùng updated_since: đến thời điểm này")


class PunctualityQuery(Query):
    month: str | None = month("Tháng, YYYY-MM (mặc định tháng này)")
