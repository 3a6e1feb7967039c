"""Chains over a list (the pandemic support services): an employer uploads a list of workers, each
agency of the chain confirms or refuses each row (one by one or in bulk), the approved rows are
exported for payment, and a worker looks up his own row.

A row waits at one step at a time (`stage`, the step's index). A decision is a conditional update
(the row is still at that step and not refused), so two officers deciding at once, a retried
request or a bulk confirmation racing a refusal never decide a row twice or skip a step. Rows move
on one by one: the next agency can start on confirmed rows while the rest wait.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.errors import InvalidInput, NotFound
from chalicelib.core.logs import log_event
from chalicelib.core.paging import decode_cursor, encode_cursor
from chalicelib.dossiers.codes import next_code
from chalicelib.linked.definitions import GroupDef, get_group
from chalicelib.linked.schemas import DecisionsReply, ListDecisions, ListUpload, RowDecision
from chalicelib.linked.tabular import MAX_PROBLEMS, UnreadableFile, parse_rows, read_table
from chalicelib.store.base import condition_failed, connection
from chalicelib.store.linked import LinkedList, ListRow

LIST_PREFIX = "DS"
NOT_FOUND = "Không tìm thấy danh sách."
TRANSACTION_ROWS = 100  # DynamoDB's limit of items in one transaction
BULK_ROWS = 5_000  # rows one `confirm_rest` request confirms: bounded under API Gateway's 29 s; the rest next call
PAGE_KEY = {"list_code": "S", "identity_number": "S"}


class RowsInvalid(InvalidInput):
    """The one error shape, with every row problem listed inside it (`error.problems`)."""

    code = "invalid_rows"

    def __init__(self, problems: list[tuple[int, str, str]], total: int) -> None:
        shown = f" (hiển thị {MAX_PROBLEMS} lỗi đầu)" if total > MAX_PROBLEMS else ""
        super().__init__(f"Danh sách có {total} lỗi, chưa được nộp{shown}.", field="content")
        self.problems = problems[:MAX_PROBLEMS]

    def body(self) -> dict[str, Any]:
        body = super().body()
        body["error"]["problems"] = [{"row": r, "column": c, "message": m} for r, c, m in self.problems]
        return body


def upload(submitter_id: str, submitter_name: str, account_type: str, request: ListUpload) -> LinkedList:
    """An employer's upload (a business account, as the group's audiences say)."""
    definition = _list_group(request.group)
    if account_type not in definition.audiences:
        raise InvalidInput("Nhóm này không dành cho loại tài khoản của bạn.", field="group")
    return _upload(definition, submitter_id, submitter_name, request)


def upload_as_agency(agency_id: str, request: ListUpload) -> LinkedList:
    """An agency of the chain files the list itself (workers without an employer able to, a labour office)."""
    definition = _list_group(request.group)
    if not any(step.serves(agency_id) for step in definition.steps):
        raise InvalidInput("Cơ quan của bạn không tham gia chuỗi này.", field="group")
    return _upload(definition, f"agency:{agency_id}", agency_id, request)


def _list_group(group_id: str) -> GroupDef:
    definition = get_group(group_id)
    if definition.kind != "list":
        raise InvalidInput("Nhóm này không nộp theo danh sách.", field="group")
    return definition


def _upload(definition: GroupDef, submitter_id: str, submitter_name: str, request: ListUpload) -> LinkedList:
    try:
        content = base64.b64decode(request.content, validate=True)
        parsed = parse_rows(read_table(content, request.format), definition.columns)
    except (binascii.Error, ValueError) as error:
        message = str(error) if isinstance(error, UnreadableFile) else "Nội dung tệp không phải base64 hợp lệ."
        raise InvalidInput(message, field="content") from None
    if parsed.problems:
        raise RowsInvalid(parsed.problems, len(parsed.problems))
    if not parsed.rows:
        raise InvalidInput("Danh sách chưa có dòng nào.", field="content")
    return create_list(definition, submitter_id, submitter_name, request.name, parsed.rows)


def create_list(
    definition: GroupDef, submitter_id: str, submitter_name: str, name: str, rows: list[tuple[int, dict[str, str]]]
) -> LinkedList:
    now = clock.now()
    record = LinkedList(
        next_code(LIST_PREFIX, now),
        group_id=definition.id,
        name=name,
        submitter_id=submitter_id,
        submitter_name=submitter_name,
        rows=len(rows),
        submitted_at=now,
        updated_at=now,
    )
    key = next(column.key for column in definition.columns if column.kind == "identity")
    with ListRow.batch_write() as batch:  # a new list code: nothing to race with
        for number, values in rows:
            batch.save(ListRow(record.code, values[key], row=number, values=values, stage=0, updated_at=now))
    record.save(condition=LinkedList.code.does_not_exist())  # last: a list is visible once all its rows are
    log_event("linked_list_uploaded", list=record.code, rows=len(rows))
    return record


def load_list(code: str) -> LinkedList:
    try:
        return LinkedList.get(code, consistent_read=True)
    except LinkedList.DoesNotExist:
        raise NotFound(NOT_FOUND, field="code") from None


def own_list(submitter_id: str, code: str) -> LinkedList:
    found = load_list(code)
    if found.submitter_id != submitter_id:
        raise NotFound(NOT_FOUND, field="code")
    return found


GROUP_PAGE_KEY = {"code": "S", "group_id": "S", "submitted_at": "N"}


def lists_of_group(
    agency_id: str, group_id: str, limit: int, cursor: str | None
) -> tuple[list[LinkedList], str | None]:
    """A group's lists, newest first, for an agency that has a step in its chain."""
    definition = _list_group(group_id)
    if not any(step.serves(agency_id) for step in definition.steps):
        raise InvalidInput("Cơ quan của bạn không tham gia chuỗi này.", field="group")
    start = decode_cursor(cursor, GROUP_PAGE_KEY, {"group_id": group_id})
    query = LinkedList.by_group.query(
        group_id, scan_index_forward=False, limit=limit, page_size=limit, last_evaluated_key=start
    )
    found = list(query)
    return found, encode_cursor(query.last_evaluated_key)


def agency_list(agency_id: str, code: str) -> tuple[LinkedList, GroupDef]:
    """A list whose chain has a step of this agency; any other agency gets "not found"."""
    found = load_list(code)
    definition = get_group(found.group_id)
    if not any(step.serves(agency_id) for step in definition.steps):
        raise NotFound(NOT_FOUND, field="code")
    return found, definition


def _stage_of(definition: GroupDef, step_id: str, agency_id: str) -> int:
    for index, step in enumerate(definition.steps):
        if step.id == step_id:
            if not step.serves(agency_id):
                raise InvalidInput("Bước này không do cơ quan của bạn thực hiện.", field="step")
            return index
    raise InvalidInput(f"Chuỗi không có bước “{step_id}”.", field="step")


def decide(agency_id: str, code: str, request: ListDecisions) -> DecisionsReply:
    found, definition = agency_list(agency_id, code)
    stage = _stage_of(definition, request.step, agency_id)
    listed = {decision.identity_number for decision in request.rows}
    if len(listed) != len(request.rows):
        raise InvalidInput("Một dòng chỉ được quyết định một lần trong mỗi yêu cầu.", field="rows")
    tally = {"confirm": 0, "refuse": 0, "skipped": 0, "remaining": 0}
    for decision in request.rows:
        if decision.decision == "refuse" and not decision.reason:
            raise InvalidInput("Từ chối một dòng phải nêu lý do.", field="rows")
    for decision in request.rows:
        done = _decide_one(code, decision, stage, request.step, agency_id)
        tally[decision.decision if done else "skipped"] += 1
    if request.confirm_rest:
        rest = [row.identity_number for row in _rows_at(code, stage) if row.identity_number not in listed]
        rest, tally["remaining"] = rest[:BULK_ROWS], max(0, len(rest) - BULK_ROWS)
        confirmed = confirm_many(code, rest, stage, request.step, agency_id)
        tally["confirm"] += confirmed
        tally["skipped"] += len(rest) - confirmed
    found.update(actions=[LinkedList.updated_at.set(clock.now())])
    log_event("linked_list_decided", list=code, step=request.step, **tally)
    return DecisionsReply(
        confirmed=tally["confirm"], refused=tally["refuse"], skipped=tally["skipped"], remaining=tally["remaining"]
    )


def _waiting_at(stage: int) -> Any:
    return (ListRow.stage == stage) & ListRow.refused_at_stage.does_not_exist()


def _actions(decision: str, stage: int, step_id: str, agency_id: str, reason: str | None) -> list[Any]:
    now = clock.now()
    entry = {"step": step_id, "agency_id": agency_id, "decision": decision, "at": now}
    if reason:
        entry["reason"] = reason
    actions = [ListRow.decisions.set((ListRow.decisions | []).append([entry])), ListRow.updated_at.set(now)]
    if decision == "confirm":
        return [*actions, ListRow.stage.set(stage + 1)]
    return [*actions, ListRow.refused_at_stage.set(stage), ListRow.reason.set(reason)]


def _decide_one(code: str, decision: RowDecision, stage: int, step_id: str, agency_id: str) -> bool:
    """False when the row is not waiting at this step (decided already, refused earlier, or not in the list)."""
    row = ListRow(code, decision.identity_number)
    actions = _actions(decision.decision, stage, step_id, agency_id, decision.reason)
    try:
        row.update(actions=actions, condition=ListRow.list_code.exists() & _waiting_at(stage))
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def confirm_many(code: str, identities: list[str], stage: int, step_id: str, agency_id: str) -> int:
    """Confirm rows a hundred per transaction; a chunk refused as a whole (a row decided meanwhile)
    is done again row by row, so every row still waiting is confirmed and no other is touched."""
    confirmed = 0
    for start in range(0, len(identities), TRANSACTION_ROWS):
        chunk = identities[start : start + TRANSACTION_ROWS]
        actions = _actions("confirm", stage, step_id, agency_id, None)
        try:
            with TransactWrite(connection=connection()) as transaction:
                for identity in chunk:
                    transaction.update(ListRow(code, identity), actions=actions, condition=_waiting_at(stage))
            confirmed += len(chunk)
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            one = RowDecision(identity_number=chunk[0], decision="confirm")
            confirmed += sum(
                _decide_one(code, one.model_copy(update={"identity_number": i}), stage, step_id, agency_id)
                for i in chunk
            )
    return confirmed


def _rows_at(code: str, stage: int) -> Iterator[ListRow]:
    return ListRow.query(code, filter_condition=_waiting_at(stage), consistent_read=True)


def all_rows(code: str) -> Iterator[ListRow]:
    return ListRow.query(code, consistent_read=True)


def rows_page(
    agency_id: str, code: str, step_id: str | None, limit: int, cursor: str | None
) -> tuple[list[ListRow], str | None]:
    _found, definition = agency_list(agency_id, code)
    condition = _waiting_at(_stage_of(definition, step_id, agency_id)) if step_id else None
    start = decode_cursor(cursor, PAGE_KEY, {"list_code": code})
    query = ListRow.query(code, filter_condition=condition, limit=limit, page_size=limit, last_evaluated_key=start)
    rows = list(query)
    return rows, encode_cursor(query.last_evaluated_key)


def progress(definition: GroupDef, code: str) -> tuple[list[dict[str, int | str]], int]:
    """Per step: rows waiting there and rows it refused; and how many rows are approved."""
    pending = [0] * len(definition.steps)
    refused = [0] * len(definition.steps)
    approved = 0
    for row in all_rows(code):
        if row.refused_at_stage is not None:
            refused[int(row.refused_at_stage)] += 1
        elif int(row.stage) >= len(definition.steps):
            approved += 1
        else:
            pending[int(row.stage)] += 1
    steps: list[dict[str, int | str]] = [
        {"step": step.id, "agency_id": step.agency, "pending": pending[i], "refused": refused[i]}
        for i, step in enumerate(definition.steps)
    ]
    return steps, approved


def export_approved(agency_id: str, code: str) -> tuple[str, int, int]:
    """The approved rows as CSV for payment: only the agency of the chain's last step exports it."""
    _found, definition = agency_list(agency_id, code)
    if not definition.steps[-1].serves(agency_id):
        raise InvalidInput("Chỉ cơ quan phê duyệt cuối cùng xuất danh sách chi trả.", field="code")
    keys = [column.key for column in definition.columns]
    money = next((column.key for column in definition.columns if column.kind == "money"), None)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    count = total = 0
    for row in all_rows(code):
        if row.refused_at_stage is None and int(row.stage) >= len(definition.steps):
            writer.writerow([row.values.get(key, "") for key in keys])
            count += 1
            total += int(row.values.get(money, 0) or 0) if money else 0
    return out.getvalue(), count, total


def worker_row(list_code: str, identity_number: str, source_ip: str) -> tuple[LinkedList, ListRow]:
    """A worker's own row, by list code and his number. Five misses lock the list for the address they
    came from, not for everyone: a list code is shared by thousands of workers, and a lock on the code
    alone would let anyone who read it off a notice board lock them all out."""
    from chalicelib.sso import throttle

    miss = NotFound("Không tìm thấy dòng nào với mã danh sách và số định danh này.", field="identity_number")
    with throttle.guarded(f"list-lookup:{list_code}:{source_ip}", misses=(NotFound,)):
        try:
            found = LinkedList.get(list_code, consistent_read=True)
            row = ListRow.get(list_code, identity_number, consistent_read=True)
        except (LinkedList.DoesNotExist, ListRow.DoesNotExist):
            raise miss from None
    return found, row
