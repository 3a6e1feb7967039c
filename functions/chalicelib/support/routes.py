"""The citizen's side of the support centre: ask for help online and follow the conversation, see who
looked at my dossiers, and the answers offered to the FAQ (read by the catalogue build)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access
from chalicelib.core.errors import NotFound

if TYPE_CHECKING:
    from chalicelib.store.accounts import Account
    from chalicelib.store.support import Conversation

support_api = Blueprint(__name__)
accounts = LazyModule("chalicelib.sso.accounts")
accesses = LazyModule("chalicelib.support.accesses")
conversations = LazyModule("chalicelib.support.conversations")
views = LazyModule("chalicelib.support.views")
schemas = ModelRefs("chalicelib.support.schemas")
TAG = "support"


def _account(call: Call) -> Account:
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


def _optional_account(call: Call, path: str) -> Account | None:
    """Signed in or not: with a bearer token, the account (whose contacts are used)."""
    if not call.headers.get("authorization"):
        return None
    from chalicelib.core.auth import authenticate
    from chalicelib.core.config import get_settings

    principal = authenticate(call.headers, Access.user("openid"), method="POST", url=get_settings().issuer + path)
    return accounts.get_account(principal.subject)


_CONVERSATION = Returns("Cuộc hỏi đáp", schemas.ConversationView)


@endpoint(
    support_api,
    "/support/conversations",
    "POST",
    summary="Ask for help online (signed in, or with a name and a contact); the key is returned once",
    tag=TAG,
    body=schemas.ConversationOpening,
    responses={201: Returns("Cuộc hỏi đáp đã mở, kèm khoá", schemas.OpenedConversation)},
)
def open_conversation(call: Call) -> Response:
    account = _optional_account(call, "/support/conversations")
    item, key = conversations.open_conversation(call.body, account, call.source_ip)
    return json_reply(views.opened_conversation(item, key), 201)


@endpoint(
    support_api,
    "/support/conversations/mine",
    "GET",
    summary="My help conversations, newest first",
    tag=TAG,
    access=Access.user("openid"),
    responses={200: Returns("Danh sách", schemas.ConversationList)},
)
def my_conversations(call: Call) -> Response:
    items = [views.conversation_view(item) for item in conversations.mine(_account(call))]
    return json_reply(schemas.ConversationList.resolve()(items=items))


def _held(call: Call, code: str, key: str | None) -> Conversation:
    account = _optional_account(call, f"/support/conversations/{code}") if key is None else None
    return conversations.held(code, key, account)


@endpoint(
    support_api,
    "/support/conversations/lookup",
    "POST",
    summary="Read a help conversation by its code and key (or signed in as the person who opened it)",
    tag=TAG,
    body=schemas.ConversationKey,
    responses={200: _CONVERSATION},
)
def read_conversation(call: Call) -> Response:
    account = _optional_account(call, "/support/conversations/lookup") if call.body.key is None else None
    return json_reply(views.conversation_view(conversations.held(call.body.code, call.body.key, account)))


@endpoint(
    support_api,
    "/support/conversations/{code}/messages",
    "POST",
    summary="The citizen replies in a help conversation",
    tag=TAG,
    body=schemas.CitizenMessage,
    responses={200: _CONVERSATION},
)
def reply_in_conversation(call: Call) -> Response:
    item = _held(call, call.params["code"], call.body.key)
    return json_reply(views.conversation_view(conversations.reply(item, call.body.text)))


@endpoint(
    support_api,
    "/support/conversations/{code}/closure",
    "POST",
    summary="The citizen closes a help conversation with a satisfaction rating",
    tag=TAG,
    body=schemas.ConversationClosing,
    responses={200: _CONVERSATION},
)
def close_conversation(call: Call) -> Response:
    item = _held(call, call.params["code"], call.body.key)
    return json_reply(views.conversation_view(conversations.close(item, call.body)))


@endpoint(
    support_api,
    "/support/faq-candidates",
    "GET",
    summary="Answers operators marked reusable, in the FAQ format `catalog_build import-answers` reads",
    tag=TAG,
    responses={200: Returns("Đề xuất hỏi đáp", schemas.FaqCandidates)},
)
def faq_candidates(call: Call) -> Response:
    items = [views.faq_candidate_view(candidate) for candidate in conversations.faq_candidates()]
    return json_reply(schemas.FaqCandidates.resolve()(entries=items))


@endpoint(
    support_api,
    "/statistics/support",
    "GET",
    summary="Support centre by month: calls, conversations, answered within target, median first answer, satisfaction",
    tag="statistics",
    query=ModelRefs("chalicelib.stats.schemas").SeriesQuery,
    responses={200: Returns("Số liệu hỗ trợ theo tháng", schemas.SupportSeries)},
)
def support_statistics(call: Call) -> Response:
    from chalicelib.core import clock
    from chalicelib.core.calendar import vietnam_now
    from chalicelib.core.errors import InvalidInput
    from chalicelib.stats.indicators import months_between
    from chalicelib.support import figures

    now = vietnam_now(clock.now())
    last = call.query.to or now.strftime("%Y-%m")
    first = call.query.from_ or f"{now.year - (now.month <= 5):04d}-{(now.month - 6) % 12 + 1:02d}"  # six months
    if first > last:
        raise InvalidInput("Tháng bắt đầu phải trước tháng kết thúc.", field="from")
    series = schemas.SupportSeries.resolve()(
        answer_target_minutes=figures.ANSWER_TARGET_SECONDS // 60, months=figures.monthly(months_between(first, last))
    )
    return json_reply(series, headers={"Cache-Control": "public, max-age=300"})
