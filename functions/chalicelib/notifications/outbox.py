"""Queue a notification now, send it later: a slow SMS gateway never slows a citizen's request.

`enqueue` writes the message; `dispatch_pending` (a scheduled Lambda on AWS, a loop in the local
stack) renders and sends whatever waits, and marks each message sent or failed after retries.
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

from chalicelib.core import clock
from chalicelib.core.logs import log_event
from chalicelib.core.secrets import new_id
from chalicelib.notifications.providers import DeliveryFailed, Provider
from chalicelib.store.outbox import PENDING_BUCKETS, OutboxMessage

MAX_ATTEMPTS = 5

TEMPLATES: dict[str, tuple[str, str]] = {
    "password_reset": (
        "Mã đặt lại mật khẩu Cổng Dịch vụ công",
        "Mã đặt lại mật khẩu của bạn là {code}. Mã có hiệu lực trong {minutes} phút. "
        "Không chia sẻ mã này với bất kỳ ai.",
    ),
    "password_changed": (
        "Mật khẩu Cổng Dịch vụ công đã được thay đổi",
        "Mật khẩu tài khoản của bạn vừa được thay đổi. Nếu không phải bạn thực hiện, hãy đặt lại mật khẩu ngay.",
    ),
    "dossier_status": (
        "Hồ sơ {code}: {status}",
        "Hồ sơ {code} ({procedure}) đã chuyển sang trạng thái: {status}. "
        "Tra cứu chi tiết trên Cổng Dịch vụ công bằng mã hồ sơ.",
    ),
    "complaint_status": (
        "Phản ánh {code}: {status}",
        "Phản ánh, kiến nghị hoặc câu hỏi {code} của bạn: {status}. Tra cứu bằng mã và thông tin liên hệ đã để lại.",
    ),
    "account_locked": (
        "Tài khoản Cổng Dịch vụ công tạm khoá",
        "Tài khoản của bạn tạm khoá {minutes} phút do đăng nhập sai nhiều lần.",
    ),
    "support_opened": (
        "Yêu cầu hỗ trợ {code} đã được tiếp nhận",
        "Cổng Dịch vụ công đã nhận yêu cầu hỗ trợ {code}. Xem câu trả lời và trao đổi tiếp tại: {url} "
        "(giữ kín liên kết này).",
    ),
    "support_answered": (
        "Yêu cầu hỗ trợ {code} đã có trả lời",
        "Trả lời yêu cầu hỗ trợ {code}: {text} Xem và trao đổi tiếp bằng liên kết trong tin nhắn xác nhận.",
    ),
    "payment_succeeded": (
        "Đã thanh toán {amount}",
        "Giao dịch {transaction} ({description}) đã thanh toán thành công {amount}. Biên lai điện tử: {receipt_url}",
    ),
}


def message(channel: str, recipient: str, template: str, params: dict[str, Any] | None = None) -> OutboxMessage:
    """A message ready to queue (the caller saves it, alone or in a transaction)."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown notification template {template!r}")
    message_id = new_id()
    return OutboxMessage(
        message_id,
        channel=channel,
        recipient=recipient,
        template=template,
        params=params or {},
        created_at=clock.now(),
        pending_bucket=str(zlib.crc32(message_id.encode()) % PENDING_BUCKETS),
    )


def enqueue(channel: str, recipient: str, template: str, params: dict[str, Any] | None = None) -> str:
    queued = message(channel, recipient, template, params)
    queued.save()
    log_event("notification_queued", channel=channel, template=template, message_id=queued.message_id)
    return str(queued.message_id)


def render(message: OutboxMessage) -> tuple[str, str]:
    subject, text = TEMPLATES[message.template]
    return subject.format(**message.params), text.format(**message.params)


def dispatch_pending(provider: Provider, limit: int = 100) -> int:
    """Send up to `limit` waiting messages; returns how many were sent."""
    sent = 0
    for bucket in range(PENDING_BUCKETS):
        for message in OutboxMessage.pending.query(str(bucket), limit=limit):
            sent += _deliver(provider, message)
    return sent


def _deliver(provider: Provider, message: OutboxMessage) -> int:
    subject, text = render(message)
    try:
        provider.send(message.channel, message.recipient, subject, text)
    except DeliveryFailed as error:
        attempts = message.attempts + 1
        actions = [OutboxMessage.attempts.set(attempts)]
        if attempts >= MAX_ATTEMPTS:
            actions += [OutboxMessage.status.set("failed"), OutboxMessage.pending_bucket.remove()]
        message.update(actions=actions)
        log_event("notification_failed", logging.WARNING, message_id=message.message_id, reason=str(error))
        return 0
    message.update(
        actions=[
            OutboxMessage.status.set("sent"),
            OutboxMessage.sent_at.set(clock.now()),
            OutboxMessage.pending_bucket.remove(),
        ]
    )
    return 1
