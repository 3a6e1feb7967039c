"""Request and response models of the webhook endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chalicelib.core.queries import Query, limit
from chalicelib.core.validation import Reply, StrictModel

EventType = Literal[
    "dossier.submitted",
    "dossier.supplement_submitted",
    "dossier.withdrawal_requested",
    "payment.succeeded",
    "payment.refund_due",
    "complaint.assigned",
    "complaint.transferred",
    "rating.received",
]


class WebhookRegistration(StrictModel):
    url: str = Field(
        min_length=8, max_length=500, description="https:// của hệ thống cơ quan (http:// chỉ trên máy cục bộ)"
    )
    events: list[EventType] = Field(min_length=1, max_length=8, description="Các loại sự kiện muốn nhận")
    description: str | None = Field(default=None, max_length=200)


class WebhookView(Reply):
    id: str
    url: str
    events: list[str]
    description: str | None = None
    created_at: datetime
    previous_secret_valid_until: datetime | None = Field(
        default=None, description="Khi đang đổi khoá: khoá cũ còn ký đến thời điểm này"
    )


class WebhookCreated(WebhookView):
    secret: str = Field(description="Khoá ký (whsec_...), chỉ hiện một lần: lưu lại ngay")


class WebhookList(Reply):
    webhooks: list[WebhookView]


class DeliveryView(Reply):
    delivery_id: str
    webhook_id: str
    status: Literal["pending", "delivered", "dead", "cancelled"]
    attempts: int
    last_error: str | None = None
    created_at: datetime
    next_attempt_at: datetime | None = None
    event: dict[str, Any]


class DeliveryList(Reply):
    deliveries: list[DeliveryView]


class DeadLettersQuery(Query):
    limit: int = limit(50)
