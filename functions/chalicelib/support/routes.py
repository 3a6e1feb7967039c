"""The citizen's side of the support centre: ask for help online and follow the conversation, see who
looked at my dossiers, and the answers offered to the FAQ (read by the catalogue build)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access
from chalicelib.core.errors import NotFound

support_api = Blueprint(__name__)
accounts = LazyModule("chalicelib.sso.accounts")
accesses = LazyModule("chalicelib.support.accesses")
views = LazyModule("chalicelib.support.views")
schemas = ModelRefs("chalicelib.support.schemas")
TAG = "support"


def _account(call: Call):  # type: ignore[no-untyped-def]
    account = accounts.get_account(call.user.subject)
    if account is None:
        raise NotFound("Tài khoản không còn tồn tại.")
    return account


@endpoint(
    support_api,
    "/accounts/me/data-accesses",
    "GET",
    summary="Who other than me read my dossiers (agencies, support staff), when and why; newest first",
    tag=TAG,
    access=Access.user("openid"),
    responses={200: Returns("Nhật ký truy cập dữ liệu", schemas.DataAccessList)},
)
def my_data_accesses(call: Call) -> Response:
    found = accesses.accesses_for(_account(call))
    return json_reply(schemas.DataAccessList.resolve()(accesses=[views.data_access_view(entry) for entry in found]))
