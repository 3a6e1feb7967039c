"""The citizen's side of a group dossier: one submission, the group and its steps, withdrawal, lookup.

One submission hands out the group code and every step's dossier code at once, and creates the
dossiers of the steps that wait for nothing, in one transaction with the group (and its count in
the statistics); later steps are released by `linked.release` as their predecessors finish.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.calendar import due_date, vietnam_now
from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.core.logs import log_event
from chalicelib.core.secrets import new_id
from chalicelib.dossiers import lifecycle
from chalicelib.dossiers.codes import next_code
from chalicelib.dossiers.lifecycle import Effect
from chalicelib.dossiers.statuses import Status, can_move
from chalicelib.dossiers.submission import OWNER_TYPES, Ticket, check_uploaded, presigned_upload
from chalicelib.linked.definitions import GroupDef, get_group
from chalicelib.linked.release import first_steps, load_group, step_dossier
from chalicelib.linked.schemas import LinkedAttachment, LinkedAttachmentRequest, LinkedSubmission
from chalicelib.linked.steps import group_status, states, step_dossiers
from chalicelib.linked.tallies import count_group, month_of
from chalicelib.sso import throttle
from chalicelib.store.accounts import Account
from chalicelib.store.base import condition_failed, connection
from chalicelib.store.dossiers import Dossier
from chalicelib.store.linked import LinkedGroup

GROUP_PREFIX = "LT"
CODE_ATTEMPTS = 5
NOT_FOUND = "Không tìm thấy hồ sơ liên thông."


def submit(account: Account, request: LinkedSubmission) -> LinkedGroup:
    definition = get_group(request.group)
    if definition.kind != "dossier":
        raise InvalidInput("Nhóm này được nộp theo danh sách, không theo hồ sơ.", field="group")
    if account.account_type not in definition.audiences:
        raise InvalidInput("Nhóm thủ tục này không dành cho loại tài khoản của bạn.", field="group")
    form = _checked_form(definition, request.form)
    agencies = _agencies(definition, request.agencies)
    attachments = _checked_attachments(definition, account, request.attachments)
    for _attempt in range(CODE_ATTEMPTS):
        now = clock.now()
        group = _new_group(definition, account, form, agencies, now)
        group.attachments = attachments
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.save(group, condition=LinkedGroup.code.does_not_exist())
                for step in first_steps(definition):
                    transaction.save(step_dossier(group, step, now, {}), condition=Dossier.code.does_not_exist())
                count_group(transaction, month_of(now))
            break
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            # An agency synchronised a dossier under one of these numbers: draw new ones.
    else:
        raise Conflict("Chưa cấp được mã hồ sơ. Vui lòng thử lại.")
    log_event("linked_group_submitted", group=group.code, definition=definition.id)
    return group


def _new_group(
    definition: GroupDef, account: Account, form: dict[str, str], agencies: dict[str, str], now: float
) -> LinkedGroup:
    due = due_date(vietnam_now(now), definition.total_days, "working_days")
    steps = {
        step.id: {"code": next_code(agencies[step.id], now), "agency_id": agencies[step.id]}
        for step in definition.steps
    }
    return LinkedGroup(
        next_code(GROUP_PREFIX, now),
        group_id=definition.id,
        name=definition.name,
        owner_id=account.account_id,
        owner_type=OWNER_TYPES[account.account_type],
        owner_name=account.full_name,
        owner_identifier=account.identifier,
        contact_email=account.email,
        contact_phone=account.phone,
        form=form,
        steps=steps,
        submitted_at=now,
        due_date=due.isoformat() if due else None,
        updated_at=now,
    )


def _checked_form(definition: GroupDef, form: dict[str, str]) -> dict[str, str]:
    known = {key for key, _label, _required in definition.fields}
    for key in form:
        if key not in known:
            raise InvalidInput(f"Nhóm thủ tục không có trường “{key}”.", field=f"form.{key}")
    for key, label, required in definition.fields:
        if required and not form.get(key, "").strip():
            raise InvalidInput(f"Chưa kê khai: {label}.", field=f"form.{key}")
    return dict(form)


def _agencies(definition: GroupDef, chosen: dict[str, str]) -> dict[str, str]:
    ids = {step.id for step in definition.steps}
    for step_id in chosen:
        if step_id not in ids:
            raise InvalidInput(f"Nhóm thủ tục không có bước “{step_id}”.", field=f"agencies.{step_id}")
    result = {}
    for step in definition.steps:
        agency = chosen.get(step.id, step.agency)
        if not step.serves(agency):
            raise InvalidInput(f"Cơ quan {agency} không thực hiện bước “{step.role}”.", field=f"agencies.{step.id}")
        result[step.id] = agency
    return result


def upload_key(account: Account, attachment_id: str) -> str:
    """Where a person's group upload lives: derived from the account, so no one names another's file."""
    return f"linked-uploads/{account.account_id}/{attachment_id}"


def attachment_ticket(account: Account, request: LinkedAttachmentRequest) -> Ticket:
    definition = get_group(request.group)
    if request.document not in {key for key, _name in definition.documents}:
        raise InvalidInput("Nhóm thủ tục không có giấy tờ này.", field="document")
    attachment = {
        "attachment_id": new_id(),
        "document": request.document,
        "file_name": request.file_name,
        "content_type": request.content_type,
        "size": request.size,
    }
    upload = presigned_upload(upload_key(account, attachment["attachment_id"]), request.content_type, request.size)
    return Ticket(attachment, upload)


def _checked_attachments(definition: GroupDef, account: Account, sent: list[LinkedAttachment]) -> list[dict[str, Any]]:
    """Each file was uploaded by this account, whole, of the type it says; one per document."""
    documents = {key for key, _name in definition.documents}
    kept: list[dict[str, Any]] = []
    for index, item in enumerate(sent):
        if item.document not in documents:
            raise InvalidInput("Nhóm thủ tục không có giấy tờ này.", field=f"attachments.{index}.document")
        attachment = {**item.model_dump(), "key": upload_key(account, item.attachment_id)}
        check_uploaded(attachment)
        kept.append(attachment)
    return kept


def own_group(account: Account, code: str) -> LinkedGroup:
    """The account's own group; another person's is "not found", so codes reveal nothing."""
    group = load_group(code)
    if group is None or group.owner_id != account.account_id:
        raise NotFound(NOT_FOUND, field="code")
    return group


def withdraw(account: Account, code: str, reason: str) -> LinkedGroup:
    """Steps not started yet will not start; steps an agency holds get the ordinary withdrawal request (7)."""
    group = own_group(account, code)
    if group.withdrawn_at is not None:
        raise Conflict("Hồ sơ liên thông này đã được rút.")
    definition = get_group(group.group_id)
    if group_status(states(definition, group, step_dossiers(group)), group) != "processing":
        raise InvalidInput("Hồ sơ liên thông đã kết thúc, không rút được nữa.", field="code")
    group.withdrawn_at = group.updated_at = clock.now()
    group.withdrawal_reason = reason
    try:
        group.save()
    except PutError as error:
        if condition_failed(error):
            raise Conflict("Hồ sơ liên thông vừa thay đổi. Vui lòng thử lại.") from None
        raise
    for dossier in step_dossiers(group).values():  # read after the mark: no step can start any more
        if can_move(Status(dossier.status), Status.WITHDRAWAL_REQUESTED):
            _ask_withdrawal(dossier.code, reason)
    return group


def _ask_withdrawal(code: str, reason: str) -> None:
    def apply(dossier: Dossier) -> list[Effect]:
        if not can_move(Status(dossier.status), Status.WITHDRAWAL_REQUESTED):
            return []  # the agency finished or refused it meanwhile
        return lifecycle.move(dossier, Status.WITHDRAWAL_REQUESTED, actor="citizen", note=reason)

    lifecycle.change(code, apply)


def lookup(code: str, identifier: str) -> LinkedGroup:
    """By group code and the submitter's number; five misses lock the code, as for dossiers."""
    miss = NotFound("Không tìm thấy hồ sơ liên thông với mã và số định danh này.", field="code")
    with throttle.guarded(f"lookup:{code}", misses=(NotFound,)):
        group = load_group(code)
        if group is None or group.owner_identifier != identifier:
            raise miss
    return group
