"""Online submission: a resumable draft, attachments uploaded straight to S3, then one submission
that checks everything and issues the national dossier code.

Attachments never pass through the API: the citizen's browser posts each file to S3 with a
presigned POST whose policy fixes its key, type and maximum size. At submission every file is
checked again in S3 (present, declared size, declared type, and the first bytes really are a
PDF, JPEG or PNG), because a policy limits uploads but proves nothing about content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.calendar import due_date, vietnam_now
from chalicelib.core.config import get_settings
from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.core.logs import log_event
from chalicelib.core.secrets import new_id
from chalicelib.dossiers.codes import next_code
from chalicelib.dossiers.lifecycle import event, refresh_open_index
from chalicelib.dossiers.procedures import ONLINE_LEVELS, Procedure, get_procedure
from chalicelib.dossiers.schemas import AttachmentRequest, DraftCreate, DraftUpdate
from chalicelib.dossiers.statuses import Status
from chalicelib.store.accounts import Account
from chalicelib.store.base import condition_failed, connection
from chalicelib.store.dossiers import Dossier, Draft
from chalicelib.store.files import s3
from chalicelib.store.grants import expiry

DRAFT_SECONDS = 30 * 24 * 60 * 60
UPLOAD_SECONDS = 15 * 60
MAX_ATTACHMENTS = 30
CODE_ATTEMPTS = 5
SIGNATURES = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
OWNER_TYPES = {"citizen": 1, "business": 2}


@dataclass(frozen=True)
class Ticket:
    attachment: dict[str, Any]
    upload: dict[str, Any]


def submittable(code: str, account: Account) -> Procedure:
    procedure = get_procedure(code)
    if procedure is None:
        raise NotFound("Không tìm thấy thủ tục hành chính với mã này.", field="procedure_code")
    if procedure.status != "active":
        raise InvalidInput("Thủ tục này đã hết hiệu lực.", field="procedure_code")
    if procedure.online_level not in ONLINE_LEVELS:
        raise InvalidInput(
            "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp trực tiếp hoặc qua bưu chính.",
            field="procedure_code",
        )
    if account.account_type not in procedure.audiences:
        who = "công dân" if account.account_type == "citizen" else "doanh nghiệp"
        raise InvalidInput(f"Thủ tục này không dành cho tài khoản {who}.", field="procedure_code")
    return procedure


def create_draft(account: Account, request: DraftCreate) -> Draft:
    procedure = submittable(request.procedure_code, account)
    if not procedure.serves(request.agency_id):
        raise InvalidInput("Cơ quan này không thực hiện thủ tục đã chọn.", field="agency_id")
    _check_case(procedure, request.case_index)
    now = clock.now()
    draft = Draft(
        new_id(),
        owner_id=account.account_id,
        procedure_code=procedure.code,
        agency_id=request.agency_id,
        case_index=request.case_index,
        form=request.form,
        attachments=[],
        created_at=now,
        updated_at=now,
        expires_at=expiry(DRAFT_SECONDS),
    )
    draft.save()
    return draft


def get_draft(account: Account, draft_id: str) -> Draft:
    """The account's own draft; someone else's is "not found", so ids reveal nothing."""
    try:
        draft = Draft.get(draft_id, consistent_read=True)
    except DoesNotExist:
        draft = None
    if draft is None or draft.owner_id != account.account_id or draft.expires_at.timestamp() <= clock.now():
        raise NotFound("Không tìm thấy hồ sơ nháp.", field="draft_id")
    return draft


def my_drafts(account: Account) -> list[Draft]:
    drafts = Draft.by_owner.query(account.account_id, scan_index_forward=False, limit=50)
    return [draft for draft in drafts if draft.expires_at.timestamp() > clock.now()]


def update_draft(account: Account, draft_id: str, update: DraftUpdate) -> Draft:
    draft = get_draft(account, draft_id)
    if update.case_index is not None:
        procedure = submittable(draft.procedure_code, account)
        _check_case(procedure, update.case_index)
        draft.case_index = update.case_index
    if update.form is not None:
        draft.form = update.form
    _touch(draft)
    return draft


def add_attachment(account: Account, draft_id: str, request: AttachmentRequest) -> Ticket:
    draft = get_draft(account, draft_id)
    procedure = submittable(draft.procedure_code, account)
    keys = {requirement.key for requirement in procedure.requirements(draft.case_index)}
    if request.document not in keys:
        raise InvalidInput("Thủ tục không có thành phần hồ sơ này.", field="document")
    if len(draft.attachments) >= MAX_ATTACHMENTS:
        raise InvalidInput(f"Mỗi hồ sơ có tối đa {MAX_ATTACHMENTS} tệp đính kèm.", field="document")
    attachment = {
        "attachment_id": new_id(),
        "document": request.document,
        "file_name": request.file_name,
        "content_type": request.content_type,
        "size": request.size,
    }
    attachment["key"] = f"drafts/{draft.draft_id}/{attachment['attachment_id']}"
    upload = presigned_upload(attachment["key"], request.content_type, request.size)
    draft.attachments = [*draft.attachments, attachment]
    _touch(draft)
    return Ticket(attachment, upload)


def presigned_upload(key: str, content_type: str, size: int) -> dict[str, Any]:
    """A presigned POST fixing the object's key, type and maximum size (the browser sends the file to S3)."""
    return s3().generate_presigned_post(  # type: ignore[no-any-return]
        get_settings().attachments_bucket,
        key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, size]],
        ExpiresIn=UPLOAD_SECONDS,
    )


def remove_attachment(account: Account, draft_id: str, attachment_id: str) -> Draft:
    """Take a file off a draft (chosen by mistake, or its upload never finished): it is no longer
    checked, copied or shown. Its object under `drafts/` is left to the bucket's lifecycle rule, which
    expires that prefix with the drafts, so the app's role needs no right to delete."""
    draft = get_draft(account, draft_id)
    kept = [item for item in draft.attachments if item["attachment_id"] != attachment_id]
    if len(kept) == len(draft.attachments):
        raise NotFound("Không tìm thấy tệp đính kèm trong hồ sơ nháp.", field="attachment_id")
    draft.attachments = kept
    _touch(draft)
    return draft


def submit(account: Account, draft_id: str) -> Dossier:
    draft = get_draft(account, draft_id)
    procedure = submittable(draft.procedure_code, account)
    _check_complete(procedure, draft)
    for attachment in draft.attachments:
        check_uploaded(attachment)
    for _attempt in range(CODE_ATTEMPTS):
        dossier = _dossier_from(draft, procedure, account, clock.now())
        dossier.attachments = [_keep(attachment, dossier.code) for attachment in draft.attachments]
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.save(dossier, condition=Dossier.code.does_not_exist())
                transaction.delete(draft, condition=Draft.version == draft.version)
            break
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            if not _code_taken(dossier.code, draft):
                raise Conflict("Hồ sơ nháp này vừa được nộp hoặc thay đổi. Vui lòng tải lại.") from None
            # An agency synchronised a dossier under this number from its own system: draw the next one.
    else:
        raise Conflict("Chưa cấp được mã hồ sơ. Vui lòng thử lại.")
    log_event("dossier_submitted", code=dossier.code, agency_id=dossier.agency_id)
    return dossier


def _code_taken(code: str, draft: Draft) -> bool:
    """Why the transaction was refused: the number exists already (the draft is still as it was)."""
    try:
        Dossier.get(code, consistent_read=True)
        current = Draft.get(draft.draft_id, consistent_read=True)
    except DoesNotExist:
        return False
    return current.version == draft.version


def _dossier_from(draft: Draft, procedure: Procedure, account: Account, now: float) -> Dossier:
    due = due_date(vietnam_now(now), *procedure.online_time) if procedure.online_time else None
    dossier = Dossier(
        next_code(draft.agency_id, now),
        agency_id=draft.agency_id,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        sector=procedure.sector,
        case_index=draft.case_index,
        channel="online",
        source="portal",
        owner_id=account.account_id,
        owner_type=OWNER_TYPES[account.account_type],
        owner_name=account.full_name,
        owner_identifier=account.identifier,
        contact_email=account.email,
        contact_phone=account.phone,
        form=draft.form,
        attachments=draft.attachments,
        status=int(Status.REGISTERED),
        submitted_at=now,
        due_date=due.isoformat() if due else None,
        timeline=[event(Status.REGISTERED, "citizen", at=now)],
        updated_at=now,
    )
    refresh_open_index(dossier)
    return dossier


def _keep(attachment: dict[str, Any], code: str) -> dict[str, Any]:
    """Copy a checked file under the dossier's own prefix: `drafts/` may then expire with its drafts."""
    bucket = get_settings().attachments_bucket
    key = f"dossiers/{code}/{attachment['attachment_id']}"
    s3().copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": attachment["key"]})
    return {**attachment, "key": key}


def _check_case(procedure: Procedure, case_index: int) -> None:
    if not 0 <= case_index < len(procedure.cases):
        raise InvalidInput(f"Thủ tục có {len(procedure.cases)} trường hợp; chọn từ 0.", field="case_index")


def _check_complete(procedure: Procedure, draft: Draft) -> None:
    attached = {attachment["document"] for attachment in draft.attachments}
    missing = [r.name for r in procedure.requirements(draft.case_index) if r.required and r.key not in attached]
    if missing:
        raise InvalidInput("Còn thiếu thành phần hồ sơ bắt buộc: " + "; ".join(missing) + ".", field="attachments")


def check_uploaded(attachment: dict[str, Any]) -> None:
    from botocore.exceptions import ClientError

    problem = InvalidInput(
        f"Tệp “{attachment['file_name']}” chưa được tải lên đầy đủ hoặc không hợp lệ.", field="attachments"
    )
    bucket = get_settings().attachments_bucket
    try:
        head = s3().head_object(Bucket=bucket, Key=attachment["key"])
        first = s3().get_object(Bucket=bucket, Key=attachment["key"], Range="bytes=0-7")["Body"].read()
    except ClientError:
        raise problem from None
    if head["ContentLength"] != attachment["size"] or head.get("ContentType") != attachment["content_type"]:
        raise problem
    if not first.startswith(SIGNATURES[attachment["content_type"]]):
        raise problem


def _touch(draft: Draft) -> None:
    draft.updated_at = clock.now()
    draft.expires_at = expiry(DRAFT_SECONDS)
    try:
        draft.save()
    except PutError as error:
        if condition_failed(error):
            raise Conflict("Hồ sơ nháp vừa được thay đổi ở nơi khác. Vui lòng tải lại.") from None
        raise
