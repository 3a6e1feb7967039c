"""Account endpoints: registration, the signed-in person's profile, password change and reset."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.core.api import Call, LazyModule, ModelRefs, Returns, endpoint, json_reply
from chalicelib.core.auth import Access
from chalicelib.core.errors import NotFound

if TYPE_CHECKING:
    from chalicelib.sso.schemas import PasswordChange, ResetConfirmation
    from chalicelib.store.accounts import Account

accounts_api = Blueprint(__name__)
accounts = LazyModule("chalicelib.sso.accounts")
schemas = ModelRefs("chalicelib.sso.schemas")

_CREATED = {201: Returns("Tài khoản đã được tạo", schemas.AccountView), 409: Returns("Số này đã có tài khoản")}
_DONE = {200: Returns("Đã thực hiện", schemas.Message)}


def _view(account: Account, status: int = 200) -> Response:
    from chalicelib.sso.schemas import AccountView

    return json_reply(AccountView.of(account), status)


@endpoint(
    accounts_api,
    "/accounts/citizens",
    "POST",
    summary="Register a citizen account",
    tag="accounts",
    body=schemas.CitizenRegistration,
    responses=_CREATED,
)
def register_citizen(call: Call) -> Response:
    return _view(accounts.register(call.body), 201)


@endpoint(
    accounts_api,
    "/accounts/businesses",
    "POST",
    summary="Register a business account",
    tag="accounts",
    body=schemas.BusinessRegistration,
    responses=_CREATED,
)
def register_business(call: Call) -> Response:
    return _view(accounts.register(call.body), 201)


@endpoint(
    accounts_api,
    "/accounts/me",
    "GET",
    summary="The signed-in account",
    tag="accounts",
    access=Access.user("openid"),
    responses={200: Returns("Tài khoản", schemas.AccountView)},
)
def my_account(call: Call) -> Response:
    return _view(_current(call))


@endpoint(
    accounts_api,
    "/accounts/me/password",
    "POST",
    summary="Change password",
    tag="accounts",
    access=Access.user("openid"),
    body=schemas.PasswordChange,
    responses=_DONE,
)
def change_password(call: Call) -> Response:
    form: PasswordChange = call.body
    accounts.change_password(_current(call), form.current_password, form.new_password)
    return json_reply({"message": "Đã đổi mật khẩu."})


@endpoint(
    accounts_api,
    "/accounts/password-reset",
    "POST",
    summary="Send a one-time password-reset code",
    tag="accounts",
    body=schemas.ResetRequest,
    responses={
        202: Returns("Đã gửi mã", schemas.Message),
        404: Returns("Số này chưa có tài khoản"),
        409: Returns("Tài khoản không có nơi nhận mã"),
    },
)
def request_password_reset(call: Call) -> Response:
    accounts.request_reset(call.body.identifier)
    message = "Mã xác nhận đã được gửi tới thư điện tử hoặc số điện thoại đã đăng ký của tài khoản."
    return json_reply({"message": message}, 202)


@endpoint(
    accounts_api,
    "/accounts/password-reset/confirm",
    "POST",
    summary="Set a new password with the code",
    tag="accounts",
    body=schemas.ResetConfirmation,
    responses=_DONE,
)
def confirm_password_reset(call: Call) -> Response:
    form: ResetConfirmation = call.body
    accounts.confirm_reset(form.identifier, form.code, form.new_password)
    return json_reply({"message": "Đã đặt lại mật khẩu. Bạn có thể đăng nhập bằng mật khẩu mới."})


def _current(call: Call) -> Account:
    account = accounts.get_account(call.user.subject)
    if account is None:
        raise NotFound("Tài khoản không còn tồn tại.")
    return account
