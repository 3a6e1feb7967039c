"""The citizen's side of a submitted dossier: my dossiers, detail, withdrawal, supplements, rating,
and the public lookup by code that needs the owner's number as a second factor.
"""

from __future__ import annotations

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.core.paging import decode_cursor, encode_cursor
from chalicelib.dossiers.lifecycle import Effect, change, load, move
from chalicelib.dossiers.schemas import Rating
from chalicelib.dossiers.statuses import Status
from chalicelib.sso import throttle
from chalicelib.store.accounts import Account
from chalicelib.store.dossiers import Dossier

RATING_EDIT_SECONDS = 24 * 60 * 60
VERIFIED_LEVEL = 2
_NOT_FOUND = "Không tìm thấy hồ sơ."


def my_dossiers(account: Account, limit: int = 20, cursor: str | None = None) -> tuple[list[Dossier], str | None]:
    """The account's dossiers, newest first; with a verified identity (assurance level 2) also those
    agencies synchronised for its number."""
    start = decode_cursor(
        cursor, {"code": "S", "owner_identifier": "S", "submitted_at": "N"}, {"owner_identifier": account.identifier}
    )
    query = Dossier.by_owner.query(account.identifier, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    dossiers = [dossier for dossier in query if owns(account, dossier)]
    return dossiers, encode_cursor(query.last_evaluated_key)


def own_dossier(account: Account, code: str) -> Dossier:
    """The dossier if it is this account's; another person's is "not found" so codes reveal nothing."""
    dossier = load(code)
    _require_owner(account, dossier)
    return dossier


def withdraw(account: Account, code: str, reason: str) -> Dossier:
    def apply(dossier: Dossier) -> list[Effect]:
        _require_owner(account, dossier)
        return move(dossier, Status.WITHDRAWAL_REQUESTED, actor="citizen", note=reason)

    return change(code, apply)


def provide_supplement(account: Account, code: str, note: str) -> Dossier:
    def apply(dossier: Dossier) -> list[Effect]:
        _require_owner(account, dossier)
        if dossier.status != Status.SUPPLEMENT_REQUESTED:
            raise InvalidInput("Hồ sơ không ở trạng thái yêu cầu bổ sung.", field="status")
        return move(dossier, Status.PROCESSING, actor="citizen", note=note)

    return change(code, apply)


def rate(account: Account, code: str, rating: Rating) -> Dossier:
    """Once per dossier after the result is returned; the rating may be edited for 24 hours."""

    def apply(dossier: Dossier) -> list[Effect]:
        _require_owner(account, dossier)
        if dossier.status != Status.RETURNED:
            raise InvalidInput("Chỉ đánh giá được khi hồ sơ đã trả kết quả.", field="status")
        first = dossier.rating["first_at"] if dossier.rating else clock.now()
        if clock.now() - first > RATING_EDIT_SECONDS:
            raise Conflict("Đã quá thời hạn 24 giờ để sửa đánh giá.")
        dossier.rating = {"level": rating.level, "comment": rating.comment, "at": clock.now(), "first_at": first}
        dossier.updated_at = clock.now()
        return []

    return change(code, apply)


def lookup(code: str, identifier: str) -> Dossier:
    """Track a dossier with its code and its owner's number; five misses per code lock it for a while."""
    miss = NotFound("Không tìm thấy hồ sơ với mã và số định danh này.", field="code")
    with throttle.guarded(f"lookup:{code}", misses=(NotFound,)):
        try:
            dossier = load(code)
        except NotFound:
            raise miss from None  # an unknown code answers exactly like a wrong number
        if dossier.owner_identifier != identifier:
            raise miss
    return dossier


def owns(account: Account, dossier: Dossier) -> bool:
    """Submitted from this account, or filed under its number and the account's identity is verified.

    Anyone can self-register with any identity number (assurance level 1), so a number alone does not
    open the dossiers agencies synchronised for that person.
    """
    if dossier.owner_id is not None:
        return dossier.owner_id == account.account_id
    return dossier.owner_identifier == account.identifier and account.assurance_level >= VERIFIED_LEVEL


def _require_owner(account: Account, dossier: Dossier) -> None:
    if not owns(account, dossier):
        raise NotFound(_NOT_FOUND, field="code")
