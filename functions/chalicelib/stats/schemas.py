"""Response models of the statistics endpoints."""

from __future__ import annotations

from pydantic import Field

from chalicelib.core.queries import MONTH_PATTERN, Query
from chalicelib.core.validation import Reply


class Indicators(Reply):
    on_time_rate: float | None = Field(description="Tỉ lệ hồ sơ giải quyết đúng hạn, trong số hồ sơ có hạn giải quyết")
    online_submission_rate: float | None = Field(description="Tỉ lệ hồ sơ nộp trực tuyến")
    online_payment_rate: float | None = Field(description="Tỉ lệ nghĩa vụ tài chính thanh toán trực tuyến")
    satisfaction_rate: float | None = Field(description="Tỉ lệ hài lòng")
    complaint_on_time_rate: float | None = Field(description="Tỉ lệ phản ánh được trả lời đúng hạn")


class MonthStats(Reply):
    month: str
    counts: dict[str, int]
    indicators: Indicators


class Series(Reply):
    scope: str
    months: list[MonthStats]


class SeriesQuery(Query):
    from_: str | None = Field(default=None, alias="from", pattern=MONTH_PATTERN, description="Tháng đầu, YYYY-MM")
    to: str | None = Field(default=None, pattern=MONTH_PATTERN, description="Tháng cuối, YYYY-MM")
