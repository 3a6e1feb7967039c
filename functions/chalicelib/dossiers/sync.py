"""Batch status sync from agencies' own one-stop systems: create-or-update, idempotent, never backwards.

Rules, per item (a bad item never fails the batch; each gets its own result):

- the code must be one of the caller's: `{agency}-{yyMMdd}-{NNNN}` with exactly the caller's agency id;
- an unknown code is created (`source="agency"`), which needs the owner and the procedure;
- an existing dossier takes the update only if `updated_at` is newer than the last update it took
  (`ignored_stale` otherwise), and only if the status is the same or reachable from the current one by
  allowed moves (`rejected` otherwise): out-of-order deliveries are dropped, a dossier never moves back;
- each update id is applied once: the dossier write and a receipt of the result are one transaction
  (version condition on the dossier, does-not-exist on the receipt), so both happen or neither does,
  and a replay answers the stored result as `duplicate` and changes nothing.

Which results are recorded: every result decided against the dossier (created, updated, ignored as
stale, rejected as a backwards move). Items refused for their own content (another agency's code,
a create without owner or procedure, a timestamp in the future) and items that lost to contention are
not recorded, so the agency can correct and resend them under the same update id.
"""

from __future__ import annotations

import logging
import random
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.calendar import VIETNAM
from chalicelib.core.errors import Conflict, InvalidInput, PortalError
from chalicelib.core.logs import get_logger, log_event
from chalicelib.dossiers import lifecycle
from chalicelib.dossiers.lifecycle import Effect
from chalicelib.dossiers.overdue import is_past_due
from chalicelib.dossiers.schemas import SyncBatch, SyncItem, SyncReply, SyncResult
from chalicelib.dossiers.statuses import Status, label, reachable
from chalicelib.store.base import condition_failed, connection
from chalicelib.store.dossiers import Dossier, SyncReceipt
from chalicelib.store.grants import expiry

RECEIPT_SECONDS = 30 * 86400
SYNC_ATTEMPTS = 12  # agency systems push many updates to the same busy dossiers
BACKOFF_SECONDS = 0.002
FUTURE_TOLERANCE_SECONDS = 300
CODE_TAIL = re.compile(r"^\d{6}-\d{4,6}$")


@dataclass
class Decision:
    result: SyncResult
    dossier: Dossier | None = None  # what to save; None when the dossier stays as it is
    effects: list[Effect] = field(default_factory=list)


def sync_batch(agency_id: str, batch: SyncBatch) -> SyncReply:
    return SyncReply(results=[sync_item(agency_id, item) for item in batch.items])


def sync_item(agency_id: str, item: SyncItem) -> SyncResult:
    try:
        return _apply(agency_id, item)
    except PortalError as error:
        return _result(item, "rejected", message=error.message)
    except Exception:
        get_logger().exception("sync_item_failed", extra={"agency_id": agency_id, "update_id": item.update_id})
        return _result(item, "rejected", message="Lỗi hệ thống khi xử lý bản cập nhật. Vui lòng gửi lại.")


def _apply(agency_id: str, item: SyncItem) -> SyncResult:
    _check_code(agency_id, item.code)
    at = epoch(item.updated_at)
    if at > clock.now() + FUTURE_TOLERANCE_SECONDS:
        raise InvalidInput("Thời điểm cập nhật không được ở tương lai.", field="updated_at")
    key = f"{agency_id}#{item.update_id}"
    for attempt in range(SYNC_ATTEMPTS):
        decision = decide(agency_id, item, _find(item.code), at)
        try:
            _record(decision, key)
        except (PutError, TransactWriteError) as error:
            if not condition_failed(error):
                raise
            stored = _stored(key)
            if stored is not None:
                return stored.model_copy(update={"outcome": "duplicate"})
            # Another writer changed the dossier first: wait a little (jittered), read it again, decide again.
            time.sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** min(attempt, 6)))
            continue
        lifecycle.run(decision.effects)
        return decision.result
    log_event("dossier_contention", logging.WARNING, code=item.code)
    raise Conflict("Hồ sơ đang được cập nhật đồng thời. Vui lòng gửi lại bản cập nhật.")


def _take_contact(dossier: Dossier, item: SyncItem) -> None:
    """A newer update may correct the owner's name and contacts, never the identity number: that would
    move the dossier into another person's list."""
    owner = item.owner
    if owner is None:
        return
    if owner.identifier != dossier.owner_identifier:
        raise InvalidInput("Không thể đổi số định danh của chủ hồ sơ qua cập nhật đồng bộ.", field="owner.identifier")
    dossier.owner_name = owner.name
    dossier.contact_email = owner.email or dossier.contact_email
    dossier.contact_phone = owner.phone or dossier.contact_phone


def decide(agency_id: str, item: SyncItem, dossier: Dossier | None, at: float) -> Decision:
    """What the item does to the dossier (in memory only)."""
    if dossier is None:
        return _create(agency_id, item, at)
    if dossier.agency_id != agency_id:
        raise InvalidInput("Mã hồ sơ không thuộc cơ quan của bạn.", field="code")
    current, target = Status(dossier.status), Status(item.status)
    if at <= float(dossier.source_updated_at or 0):
        message = "Hồ sơ đã nhận một bản cập nhật mới hơn; bản này được bỏ qua."
        return Decision(_result(item, "ignored_stale", status=int(current), message=message))
    if target != current and target not in reachable(current):
        message = (
            f"Không thể chuyển hồ sơ từ trạng thái {int(current)} ({label(current)}) "
            f"về {int(target)} ({label(target)})."
        )
        return Decision(_result(item, "rejected", status=int(current), message=message))
    _take_dates(dossier, item)
    _take_contact(dossier, item)
    dossier.source_updated_at = at
    dossier.updated_at = clock.now()
    effects: list[Effect] = []
    if target != current:
        effects = lifecycle.move(dossier, target, actor=agency_id, note=item.note, checked=False, at=at)
    lifecycle.refresh_open_index(dossier)
    return Decision(_result(item, "updated", status=int(target)), dossier, effects)


def _create(agency_id: str, item: SyncItem, at: float) -> Decision:
    for name in ("owner", "procedure_code", "procedure_name"):
        if not getattr(item, name):
            raise InvalidInput("Hồ sơ mới cần thông tin chủ hồ sơ và thủ tục.", field=name)
    owner = item.owner
    assert owner is not None and item.procedure_code and item.procedure_name
    received = epoch(item.received_at) if item.received_at else None
    dossier = Dossier(
        item.code,
        agency_id=agency_id,
        procedure_code=item.procedure_code,
        procedure_name=item.procedure_name,
        channel=item.channel or "direct",
        source="agency",
        owner_type=owner.type,
        owner_name=owner.name,
        owner_identifier=owner.identifier,
        contact_email=owner.email,
        contact_phone=owner.phone,
        status=int(item.status),
        submitted_at=received or at,
        received_at=received,
        due_date=item.due_date.isoformat() if item.due_date else None,
        timeline=[],
        source_updated_at=at,
        updated_at=clock.now(),
    )
    effects = lifecycle.move(dossier, Status(item.status), actor=agency_id, note=item.note, checked=False, at=at)
    return Decision(_result(item, "created", status=int(item.status)), dossier, effects)


def _take_dates(dossier: Dossier, item: SyncItem) -> None:
    if item.received_at and dossier.received_at is None:
        dossier.received_at = epoch(item.received_at)
    if item.due_date and item.due_date.isoformat() != dossier.due_date:
        dossier.due_date = item.due_date.isoformat()
        dossier.overdue = is_past_due(dossier.due_date)


def _record(decision: Decision, key: str) -> None:
    receipt = SyncReceipt(
        key,
        result=decision.result.model_dump(mode="json", exclude_none=True),
        created_at=clock.now(),
        expires_at=expiry(RECEIPT_SECONDS),
    )
    if decision.dossier is None:
        receipt.save(condition=SyncReceipt.key.does_not_exist())
        return
    with TransactWrite(connection=connection()) as transaction:
        transaction.save(decision.dossier)  # PynamoDB adds the version condition
        transaction.save(receipt, condition=SyncReceipt.key.does_not_exist())


def _find(code: str) -> Dossier | None:
    try:
        return Dossier.get(code, consistent_read=True)
    except DoesNotExist:
        return None


def _stored(key: str) -> SyncResult | None:
    try:
        receipt = SyncReceipt.get(key, consistent_read=True)
    except DoesNotExist:
        return None
    return SyncResult.model_validate(receipt.result)


def _check_code(agency_id: str, code: str) -> None:
    prefix = f"{agency_id}-"
    if not (code.startswith(prefix) and CODE_TAIL.match(code[len(prefix) :])):
        raise InvalidInput("Mã hồ sơ không thuộc cơ quan của bạn.", field="code")


def _result(item: SyncItem, outcome: Any, *, status: int | None = None, message: str | None = None) -> SyncResult:
    return SyncResult(update_id=item.update_id, code=item.code, outcome=outcome, status=status, message=message)


def epoch(moment: datetime) -> float:
    """Seconds since the epoch; a moment without a timezone is Vietnam time, as on the national wire format."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    return moment.timestamp()
