"""Request and response models of linked processing (group dossiers, lists, statistics)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, field_validator

from chalicelib.core.filenames import clean as clean_file_name
from chalicelib.core.queries import Query, cursor, limit, month
from chalicelib.core.validation import Reply, StrictModel
from chalicelib.dossiers.schemas import Code, FormData, ResultView, _check_form

GroupId = Field(min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9-]{1,63}$", examples=["khai-sinh"])
ListCode = Field(min_length=8, max_length=40, pattern=r"^DS-\d{6}-\d{4,6}$", description="Mã danh sách DS-yyMMdd-NNNN")
Identity = Field(min_length=12, max_length=12, pattern=r"^\d{12}$", description="Số định danh cá nhân (12 chữ số)")


class LinkedAttachmentRequest(StrictModel):
    group: str = GroupId
    document: str = Field(
        min_length=2, max_length=10, pattern=r"^gt\d{1,3}$", description="Khoá giấy tờ của nhóm (gtN)"
    )
    file_name: str = Field(min_length=1, max_length=255)
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(gt=0, le=10 * 1024 * 1024, description="Kích thước tệp, tối đa 10 MB")

    _clean_name = field_validator("file_name")(staticmethod(clean_file_name))


class LinkedAttachment(StrictModel):
    attachment_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    document: str = Field(min_length=2, max_length=10, pattern=r"^gt\d{1,3}$")
    file_name: str = Field(min_length=1, max_length=255)
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(gt=0, le=10 * 1024 * 1024)

    _clean_name = field_validator("file_name")(staticmethod(clean_file_name))


class LinkedSubmission(StrictModel):
    group: str = GroupId
    form: FormData = Field(description="Mọi trường của nhóm, kê khai một lần")
    agencies: dict[str, str] = Field(
        default_factory=dict,
        max_length=12,
        description=(
            "Cơ quan cụ thể cho từng bước (mã bước -> mã cơ quan hoặc đơn vị cấp dưới); "
            "bỏ qua thì dùng cơ quan của nhóm"
        ),
    )

    attachments: list[LinkedAttachment] = Field(
        default_factory=list,
        max_length=30,
        description="Tệp đã tải lên (POST /linked-dossiers/attachments), mỗi giấy tờ một lần",
    )

    _form = field_validator("form")(_check_form)


class LinkedWithdrawal(StrictModel):
    reason: str = Field(min_length=1, max_length=2000)


class LinkedLookup(StrictModel):
    code: str = Code
    identifier: str = Field(min_length=10, max_length=14, description="Số định danh hoặc mã số thuế của người nộp")


class LinkedStepTracking(Reply):
    step: str
    role: str
    procedure_code: str | None = None
    procedure_name: str | None = None
    agency_id: str
    agency_name: str
    code: str = Field(description="Mã hồ sơ của bước, cấp ngay khi nộp")
    state: Literal["waiting", "paused", "in_progress", "awaiting_data", "done", "refused", "cancelled"]
    state_label: str
    status: int | None = Field(default=None, description="Trạng thái quốc gia (1-10) khi bước đã thành hồ sơ")
    status_label: str | None = None
    due_date: date | None = None
    overdue: bool = Field(description="Quá hạn: cơ quan của bước này đang chậm")
    reason: str | None = None


class LinkedStepView(LinkedStepTracking):
    finished_at: datetime | None = None
    if_refused: str | None = Field(
        default=None, description="Khi bước bị từ chối: người nộp vẫn nhận được gì, cần làm gì"
    )
    results: list[ResultView] = Field(default_factory=list)


class LinkedGroupTracking(Reply):
    code: str
    group: str
    name: str
    status: Literal["processing", "finished", "closed", "withdrawing", "withdrawn"]
    status_label: str
    submitted_at: datetime
    due_date: date | None = None
    steps: list[LinkedStepTracking]


class LinkedGroupView(LinkedGroupTracking):
    delivery: Literal["together", "as_ready"]
    withdrawn_at: datetime | None = None
    steps: list[LinkedStepView]  # type: ignore[assignment]
    results_held: bool = Field(description="Kết quả được trả cùng lúc: còn giữ đến khi mọi bước xong")
    to_do: list[str] = Field(description="Việc người nộp cần làm khi có bước bị từ chối")


class ListUpload(StrictModel):
    group: str = GroupId
    name: str = Field(min_length=1, max_length=300, description="Tên danh sách, ví dụ tên đơn vị và đợt")
    format: Literal["csv", "xlsx"]
    content: str = Field(min_length=1, max_length=8_000_000, description="Nội dung tệp, mã hoá base64")


class ListView(Reply):
    code: str
    group: str
    name: str
    rows: int
    submitted_at: datetime
    steps: list[dict[str, int | str]] = Field(description="Mỗi bước: step, agency_id, pending, refused")
    approved: int


class RowDecision(StrictModel):
    identity_number: str = Identity
    decision: Literal["confirm", "refuse"]
    reason: str | None = Field(default=None, max_length=500)


class ListDecisions(StrictModel):
    step: str = Field(min_length=1, max_length=40)
    rows: list[RowDecision] = Field(default_factory=list, max_length=1000)
    confirm_rest: bool = Field(
        default=False, description="Xác nhận mọi dòng còn chờ ở bước này, trừ những dòng đã nêu trong rows"
    )


class DecisionsReply(Reply):
    confirmed: int
    refused: int
    skipped: int = Field(description="Dòng không ở bước này (đã được quyết định, hoặc bị từ chối trước)")
    remaining: int = Field(
        default=0, description="confirm_rest xác nhận tối đa 5.000 dòng mỗi lần: số dòng còn chờ, gửi lại để tiếp tục"
    )


class ListRowView(Reply):
    identity_number: str
    row: int
    values: dict[str, str]
    stage: str
    status: Literal["pending", "refused", "approved"]
    reason: str | None = None


class ListRows(Reply):
    rows: list[ListRowView]
    next_cursor: str | None = None


class AgencyListsQuery(Query):
    group: str = Field(min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9-]{1,63}$", description="Mã nhóm liên thông")
    limit: int = limit(20)
    cursor: str | None = cursor()


class ListSummary(Reply):
    code: str
    name: str
    submitter_name: str
    rows: int
    submitted_at: datetime


class ListsPage(Reply):
    lists: list[ListSummary]
    next_cursor: str | None = None


class ListRowsQuery(Query):
    step: str | None = Field(default=None, max_length=40, description="Chỉ các dòng đang chờ bước này")
    limit: int = limit(100)
    cursor: str | None = cursor()


class ListExport(Reply):
    code: str
    rows: int
    total_amount: int
    csv: str = Field(description="Danh sách đã phê duyệt để chi trả (CSV, UTF-8)")


class WorkerLookup(StrictModel):
    list_code: str = ListCode
    identity_number: str = Identity


class WorkerRowStatus(Reply):
    list_code: str
    group_name: str
    status: Literal["pending", "refused", "approved"]
    status_label: str
    stage_role: str | None = Field(default=None, description="Bước đang chờ (khi còn chờ) hoặc đã từ chối")
    reason: str | None = None
    updated_at: datetime


class LinkedStatsQuery(Query):
    month: str | None = month("Tháng, YYYY-MM (mặc định tháng này)")


class AgencySteps(Reply):
    agency_id: str
    on_time: int
    late: int


class LinkedStats(Reply):
    month: str
    groups: int = Field(description="Hồ sơ liên thông đã nộp trong tháng")
    agencies: list[AgencySteps] = Field(description="Các bước liên thông xong đúng hạn và trễ hạn, theo cơ quan")
