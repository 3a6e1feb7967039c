"""Batch status sync from agencies' own one-stop systems: create-or-update, strict, idempotent, never backwards.

Rules, per item (a bad item never fails the batch; each gets its own result, naming the field it refuses):

- the code must be one of the caller's: `{agency}-{yyMMdd}-{NNNN}` with exactly the caller's agency id;
- an unknown code is created (`source="agency"`), which needs the owner and a procedure of the national
  catalogue that the caller executes; the owner's identifier must pass the identity-number (citizens)
  or tax-code (businesses) rules, and the dates must be possible (see `dates.py`);
- an existing dossier takes the update only if `updated_at` is newer than the last update it took
  (`ignored_stale` otherwise), and only if the status is the same or reachable from the current one by
  allowed moves (`rejected` otherwise): out-of-order deliveries are dropped, a dossier never moves back;
- each update id is decided once: the result and a digest of the item are stored as a receipt (in the
  same transaction as the dossier write, when there is one). A replay with the same content answers
  `duplicate` (or replays its rejection); the same id with other content is a `conflict`.

Only a lost race (another writer kept winning) and a system failure are not recorded: the agency resends
the same item. `notify: false` (historical loads) keeps the owner's notice for this update unsent;
`sandbox: true` marks a test dossier the agency may void later.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.calendar import epoch
from chalicelib.core.errors import Conflict, InvalidInput, PortalError
from chalicelib.core.logs import get_logger, log_event
from chalicelib.dossiers import lifecycle
from chalicelib.dossiers.lifecycle import Effect
from chalicelib.dossiers.overdue import is_past_due
from chalicelib.dossiers.schemas import SyncBatch, SyncItem, SyncReply, SyncResult
from chalicelib.dossiers.statuses import Status, label, reachable
from chalicelib.dossiers.sync_checks import check_dates, check_owner, procedure_for
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
    key, fingerprint = f"{agency_id}#{item.update_id}", content_digest(item)
    try:
        return _apply(agency_id, item, key, fingerprint)
    except InvalidInput as error:
        return _refuse(item, key, fingerprint, error)
    except PortalError as error:  # lost races: nothing recorded, the same item may be resent
        return _result(item, "rejected", message=error.message)
    except Exception:
        get_logger().exception("sync_item_failed", extra={"agency_id": agency_id, "update_id": item.update_id})
        return _result(item, "rejected", message="Lỗi hệ thống khi xử lý bản cập nhật. Vui lòng gửi lại.")


def content_digest(item: SyncItem) -> str:
    """The item's content, whatever its key order or spacing on the wire."""
    content = item.model_dump(mode="json", exclude={"update_id"})
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _apply(agency_id: str, item: SyncItem, key: str, fingerprint: str) -> SyncResult:
    _check_code(agency_id, item.code)
    at = epoch(item.updated_at)
    if at > clock.now() + FUTURE_TOLERANCE_SECONDS:
        raise InvalidInput("Thời điểm cập nhật không được ở tương lai.", field="updated_at")
    for attempt in range(SYNC_ATTEMPTS):
        decision = decide(agency_id, item, _find(item.code), at)
        try:
            _record(decision, key, fingerprint)
        except (PutError, TransactWriteError) as error:
            if not condition_failed(error):
                raise
            replayed = _replay(item, key, fingerprint)
            if replayed is not None:
                return replayed
            # Another writer changed the dossier first: wait a little (jittered), read it again, decide again.
            time.sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** min(attempt, 6)))
            continue
        lifecycle.run(decision.effects)
        return decision.result
    log_event("dossier_contention", logging.WARNING, code=item.code)
    raise Conflict("Hồ sơ đang được cập nhật đồng thời. Vui lòng gửi lại bản cập nhật.")


def _refuse(item: SyncItem, key: str, fingerprint: str, error: InvalidInput) -> SyncResult:
    """Record the refusal, so that a replay of the same item gets it again; an id already decided answers
    as `_replay` says."""
    refusal = _result(item, "rejected", message=error.message, field=error.field)
    try:
        _record(Decision(refusal), key, fingerprint)
    except PutError as failure:
        if not condition_failed(failure):
            raise
        return _replay(item, key, fingerprint) or refusal
    return refusal


def _replay(item: SyncItem, key: str, fingerprint: str) -> SyncResult | None:
    """The answer to an update id decided before: its rejection again, `duplicate` for anything it wrote
    or ignored, `conflict` if the id came with other content."""
    try:
        receipt = SyncReceipt.get(key, consistent_read=True)
    except DoesNotExist:
        return None
    if receipt.fingerprint and receipt.fingerprint != fingerprint:
        message = (
            f"update_id {item.update_id} đã được dùng cho một bản cập nhật có nội dung khác; "
            "mỗi bản cập nhật mới cần một update_id mới."
        )
        return _result(item, "conflict", message=message, field="update_id")
    stored = SyncResult.model_validate(receipt.result)
    return stored if stored.outcome == "rejected" else stored.model_copy(update={"outcome": "duplicate"})


def _take_contact(dossier: Dossier, item: SyncItem) -> None:
    """A newer update may correct the owner's name and contacts, never the identity number: that would
    move the dossier into another person's list."""
    owner = item.owner
    if owner is None:
        return
    check_owner(owner)
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
    if item.procedure_code and item.procedure_code != dossier.procedure_code:
        raise InvalidInput("Không thể đổi thủ tục của hồ sơ qua cập nhật đồng bộ.", field="procedure_code")
    current, target = Status(dossier.status), Status(item.status)
    if at <= float(dossier.source_updated_at or 0):
        message = "Hồ sơ đã nhận một bản cập nhật mới hơn; bản này được bỏ qua."
        return Decision(_result(item, "ignored_stale", status=int(current), message=message))
    if target != current and target not in reachable(current):
        message = (
            f"Không thể chuyển hồ sơ từ trạng thái {int(current)} ({label(current)}) "
            f"về {int(target)} ({label(target)})."
        )
        return Decision(_result(item, "rejected", status=int(current), message=message, field="status"))
    check_dates(item, at, dossier.received_at or dossier.submitted_at)
    _take_dates(dossier, item)
    _take_contact(dossier, item)
    dossier.source_updated_at = at
    dossier.updated_at = clock.now()
    effects: list[Effect] = []
    if target != current:
        effects = lifecycle.move(dossier, target, actor=agency_id, note=item.note, checked=False, at=at)
        _quiet_unless_notified(dossier, item)
    lifecycle.refresh_open_index(dossier)
    return Decision(_result(item, "updated", status=int(target)), dossier, effects)


def _create(agency_id: str, item: SyncItem, at: float) -> Decision:
    for name in ("owner", "procedure_code"):
        if not getattr(item, name):
            raise InvalidInput("Hồ sơ mới cần thông tin chủ hồ sơ và mã thủ tục.", field=name)
    owner = item.owner
    assert owner is not None and item.procedure_code
    procedure = procedure_for(agency_id, item.procedure_code)
    check_owner(owner)
    received = epoch(item.received_at) if item.received_at else None
    check_dates(item, at, received)
    dossier = Dossier(
        item.code,
        agency_id=agency_id,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        sector=procedure.sector,
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
        sandbox=item.sandbox,
        updated_at=clock.now(),
    )
    effects = lifecycle.move(dossier, Status(item.status), actor=agency_id, note=item.note, checked=False, at=at)
    _quiet_unless_notified(dossier, item)
    return Decision(_result(item, "created", status=int(item.status)), dossier, effects)


def _take_dates(dossier: Dossier, item: SyncItem) -> None:
    if item.received_at and dossier.received_at is None:
        dossier.received_at = epoch(item.received_at)
    if item.due_date and item.due_date.isoformat() != dossier.due_date:
        dossier.due_date = item.due_date.isoformat()
        dossier.overdue = is_past_due(dossier.due_date)


def _quiet_unless_notified(dossier: Dossier, item: SyncItem) -> None:
    """Mark the move just made so the stream's notice skips it (historical loads, test dossiers)."""
    if not item.notify or dossier.sandbox:
        dossier.timeline[-1]["quiet"] = True


def _record(decision: Decision, key: str, fingerprint: str) -> None:
    receipt = SyncReceipt(
        key,
        result=decision.result.model_dump(mode="json", exclude_none=True),
        fingerprint=fingerprint,
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


def _check_code(agency_id: str, code: str) -> None:
    prefix = f"{agency_id}-"
    if not (code.startswith(prefix) and CODE_TAIL.match(code[len(prefix) :])):
        raise InvalidInput("Mã hồ sơ không thuộc cơ quan của bạn.", field="code")


def _result(
    item: SyncItem, outcome: Any, *, status: int | None = None, message: str | None = None, field: str | None = None
) -> SyncResult:
    return SyncResult(
        update_id=item.update_id, code=item.code, outcome=outcome, status=status, message=message, field=field
    )
