"""Account endpoints: registration, the signed-in person's profile, password change and reset."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core.api import Call, Returns, endpoint, json_reply
from chalicelib.core.auth import Access
from chalicelib.core.errors import NotFound
from chalicelib.sso import accounts
from chalicelib.sso.schemas import (
    AccountView,
    BusinessRegistration,
    CitizenRegistration,
    Message,
    PasswordChange,
    ResetConfirmation,
    ResetRequest,
)
from chalicelib.store.accounts import Account

accounts_api = Blueprint(__name__)

_CREATED = {201: Returns("Tài khoản đã được tạo", AccountView)}
_DONE = {200: Returns("Đã thực hiện", Message)}


def view_of(account: Account) -> AccountView:
    return AccountView(
        account_id=account.account_id,
        account_type=account.account_type,  # type: ignore[arg-type]
        identifier=account.identifier,
        full_name=account.full_name,
        email=account.email,
        phone=account.phone,
        assurance_level=account.assurance_level,
    )


@endpoint(
    accounts_api,
    "/accounts/citizens",
    "POST",
    summary="Register a citizen account",
    tag="accounts",
    body=CitizenRegistration,
    responses=_CREATED,
)
def register_citizen(call: Call) -> Response:
    return json_reply(view_of(accounts.register(call.body)), 201)


@endpoint(
    accounts_api,
    "/accounts/businesses",
    "POST",
    summary="Register a business account",
    tag="accounts",
    body=BusinessRegistration,
    responses=_CREATED,
)
def register_business(call: Call) -> Response:
    return json_reply(view_of(accounts.register(call.body)), 201)


@endpoint(
    accounts_api,
    "/accounts/me",
    "GET",
    summary="The signed-in account",
    tag="accounts",
    access=Access.user("openid"),
    responses={200: Returns("Tài khoản", AccountView)},
)
def my_account(call: Call) -> Response:
    return json_reply(view_of(_current(call)))


@endpoint(
    accounts_api,
    "/accounts/me/password",
    "POST",
    summary="Change password",
    tag="accounts",
    access=Access.user("openid"),
    body=PasswordChange,
    responses=_DONE,
)
def change_password(call: Call) -> Response:
    form: PasswordChange = call.body
    accounts.change_password(_current(call), form.current_password, form.new_password)
    return json_reply(Message(message="Đã đổi mật khẩu."))


@endpoint(
    accounts_api,
    "/accounts/password-reset",
    "POST",
    summary="Send a one-time password-reset code",
    tag="accounts",
    body=ResetRequest,
    responses={202: Returns("Đã tiếp nhận", Message)},
)
def request_password_reset(call: Call) -> Response:
    accounts.request_reset(call.body.identifier)
    message = "Nếu số này có tài khoản, mã xác nhận đã được gửi tới thư điện tử hoặc số điện thoại đã đăng ký."
    return json_reply(Message(message=message), 202)


@endpoint(
    accounts_api,
    "/accounts/password-reset/confirm",
    "POST",
    summary="Set a new password with the code",
    tag="accounts",
    body=ResetConfirmation,
    responses=_DONE,
)
def confirm_password_reset(call: Call) -> Response:
    form: ResetConfirmation = call.body
    accounts.confirm_reset(form.identifier, form.code, form.new_password)
    return json_reply(Message(message="Đã đặt lại mật khẩu. Bạn có thể đăng nhập bằng mật khẩu mới."))


def _current(call: Call) -> Account:
    account = accounts.get_account(call.user.subject)
    if account is None:
        raise NotFound("Tài khoản không còn tồn tại.")
    return account
