"""What an agency system may do with its own dossiers: list, read, move, request supplements, attach results.

Every function takes the caller's agency id and refuses dossiers of another agency with the same
404 as a code that does not exist, so that an agency cannot learn which codes other agencies hold.
"""

from __future__ import annotations

from pynamodb.exceptions import DeleteError

from chalicelib.core import clock
from chalicelib.core.calendar import vietnam_now
from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.core.feed import feed_page, refuse_bounds_without_since
from chalicelib.core.paging import decode_cursor, encode_cursor
from chalicelib.dossiers import lifecycle
from chalicelib.dossiers.lifecycle import Effect
from chalicelib.dossiers.schemas import (
    AgencyDossiersQuery,
    DossierList,
    DossierStatusChange,
    Punctuality,
    Results,
    SupplementRequest,
)
from chalicelib.dossiers.statuses import Status, label
from chalicelib.dossiers.views import summary
from chalicelib.store.base import condition_failed
from chalicelib.store.dossiers import AgencyTally, Dossier

PAGE_KEY = {"agency_id": "S", "code": "S", "updated_at": "N"}  # the `by-agency` index's start key
MAX_RESULTS = 100
MAX_SUPPLEMENTS = 50
NOT_FOUND = "Không tìm thấy hồ sơ."
# A result can only be attached to a dossier the agency has received and not closed without one.
NO_RESULTS = frozenset({Status.REGISTERED, Status.NOT_ACCEPTED, Status.STOPPED})


def own(dossier: Dossier, agency_id: str) -> Dossier:
    """The dossier if it belongs to `agency_id`; otherwise the same 404 as an unknown code."""
    if dossier.agency_id != agency_id:
        raise NotFound(NOT_FOUND, field="code")
    return dossier


def get_dossier(agency_id: str, code: str) -> Dossier:
    """The whole dossier, the owner's personal data included: the read goes to the owner's access log."""
    from chalicelib.support.accesses import record_agency_read

    dossier = own(lifecycle.load(code), agency_id)
    record_agency_read(dossier, agency_id)
    return dossier


def list_dossiers(agency_id: str, query: AgencyDossiersQuery) -> DossierList:
    """The agency's dossiers, latest activity first, a page at a time (`status`, `limit`, `cursor`);
    with `updated_since`, the change feed instead (oldest change first)."""
    status = (Dossier.status == query.status) if query.status is not None else None
    if query.updated_since is not None:
        found, next_cursor = feed_page(Dossier.by_agency, Dossier.updated_at, agency_id, PAGE_KEY, query, status)
        return DossierList(dossiers=[summary(dossier) for dossier in found], next_cursor=next_cursor)
    refuse_bounds_without_since(query)
    start = decode_cursor(query.cursor, PAGE_KEY, {"agency_id": agency_id})
    found = Dossier.by_agency.query(
        agency_id,
        scan_index_forward=False,
        filter_condition=status,
        limit=query.limit,
        page_size=query.limit,
        last_evaluated_key=start,
    )
    dossiers = [summary(dossier) for dossier in found]
    return DossierList(dossiers=dossiers, next_cursor=encode_cursor(found.last_evaluated_key))


def change_status(agency_id: str, code: str, change: DossierStatusChange, actor: str) -> Dossier:
    target = Status(change.status)
    if target == Status.NOT_ACCEPTED and not change.note:
        raise InvalidInput("Từ chối tiếp nhận hồ sơ phải nêu lý do.", field="note")

    return lifecycle.set_status(code, target, agency_id=agency_id, actor=actor, note=change.note)


def request_supplement(agency_id: str, code: str, request: SupplementRequest, actor: str) -> Dossier:
    today = vietnam_now(clock.now()).date()
    if request.new_due_date < today:
        raise InvalidInput("Hạn trả kết quả mới không được ở trong quá khứ.", field="new_due_date")

    def apply(dossier: Dossier) -> list[Effect]:
        own(dossier, agency_id)
        if len(dossier.supplements or []) >= MAX_SUPPLEMENTS:
            raise Conflict("Hồ sơ đã có quá nhiều yêu cầu bổ sung.")
        entry = {
            "requested_at": clock.now(),
            "reason": request.reason,
            "documents": list(request.documents),
            "old_due_date": dossier.due_date,
            "new_due_date": request.new_due_date.isoformat(),
        }
        dossier.supplements = [*(dossier.supplements or []), entry]
        dossier.due_date = request.new_due_date.isoformat()
        dossier.overdue = False  # the deadline moved: the dossier is due again
        return lifecycle.move(dossier, Status.SUPPLEMENT_REQUESTED, actor=actor, note=request.reason)

    return lifecycle.change(code, apply)


def attach_results(agency_id: str, code: str, results: Results) -> Dossier:
    def apply(dossier: Dossier) -> list[Effect]:
        own(dossier, agency_id)
        status = Status(dossier.status)
        if status in NO_RESULTS:
            raise Conflict(
                f"Không thể đính kèm kết quả cho hồ sơ ở trạng thái {int(status)} ({label(status)}).",
                field="status",
            )
        now = clock.now()
        added = [{**document.model_dump(exclude_none=True), "attached_at": now} for document in results.documents]
        if len(dossier.results or []) + len(added) > MAX_RESULTS:
            raise InvalidInput(f"Mỗi hồ sơ có tối đa {MAX_RESULTS} văn bản kết quả.", field="documents")
        dossier.results = [*(dossier.results or []), *added]
        dossier.updated_at = now
        return []

    return lifecycle.change(code, apply)


def void_sandbox_dossier(agency_id: str, code: str) -> None:
    """Remove one of the agency's test dossiers (created by sync with `sandbox: true`); real ones stay."""
    dossier = own(lifecycle.load(code), agency_id)  # not a read of the owner's data: not logged
    if not dossier.sandbox:
        raise Conflict("Chỉ huỷ được hồ sơ thử nghiệm (tạo bằng đồng bộ với sandbox: true).", field="code")
    try:
        dossier.delete(condition=Dossier.sandbox == True)  # noqa: E712 (a PynamoDB condition, not a comparison)
    except DeleteError as error:
        if not condition_failed(error):
            raise
        raise NotFound(NOT_FOUND, field="code") from None


def punctuality(agency_id: str, month: str | None) -> Punctuality:
    if month is None:
        month = vietnam_now(clock.now()).strftime("%Y-%m")
    try:
        tally = AgencyTally.get(f"{agency_id}#{month}")
    except AgencyTally.DoesNotExist:
        return Punctuality(agency_id=agency_id, month=month, on_time=0, late=0, without_due_date=0)
    return Punctuality(
        agency_id=agency_id,
        month=month,
        on_time=int(tally.on_time),
        late=int(tally.late),
        without_due_date=int(tally.without_due_date or 0),
    )
