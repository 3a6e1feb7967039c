"""Accounts: registration, sign-in with throttling and lockout, password change and reset.

Sign-in failures are counted per login name whether or not an account exists, and a miss costs a
full argon2 verification, so neither the answer nor its timing tells an attacker which identity
numbers have accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from chalicelib.core.logs import log_event
from chalicelib.core.secrets import digest, new_id, numeric_code, same
from chalicelib.notifications.outbox import enqueue
from chalicelib.sso import passwords, throttle
from chalicelib.sso.identifiers import account_type_of
from chalicelib.sso.schemas import BusinessRegistration, CitizenRegistration
from chalicelib.store.accounts import Account, LoginName
from chalicelib.store.base import condition_failed, connection
from chalicelib.store.grants import Grant, expiry

RESET_CODE_SECONDS = 10 * 60
RESET_MAX_ATTEMPTS = 5
RESET_RESEND_SECONDS = 60
SELF_REGISTERED_LEVEL = 1


def acr_of(level: int) -> str:
    return f"urn:vn:dvcqg:loa:{level}"


@dataclass(frozen=True)
class SignIn:
    account: Account
    amr: tuple[str, ...]


def register(request: CitizenRegistration | BusinessRegistration) -> Account:
    account_type = "citizen" if isinstance(request, CitizenRegistration) else "business"
    now = clock.now()
    account = Account(
        new_id(),
        account_type=account_type,
        identifier=request.identifier(),
        full_name=request.full_name,
        email=str(request.email) if request.email else None,
        phone=request.phone,
        assurance_level=SELF_REGISTERED_LEVEL,
        password_hash=passwords.hash_password(request.password),
        password_changed_at=now,
        created_at=now,
    )
    login = LoginName(LoginName.key(account_type, account.identifier), account_id=account.account_id)
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(login, condition=LoginName.login.does_not_exist())
            transaction.save(account, condition=Account.account_id.does_not_exist())
    except TransactWriteError as error:
        if condition_failed(error):
            field = "identity_number" if account_type == "citizen" else "tax_code"
            raise Conflict("Đã có tài khoản đăng ký với số này.", field=field) from None
        raise
    log_event("account_registered", account_type=account_type, account_id=account.account_id)
    return account


def find_by_identifier(identifier: str) -> Account | None:
    account_type = account_type_of(identifier)
    if account_type is None:
        return None
    try:
        login = LoginName.get(LoginName.key(account_type, identifier))
        return Account.get(login.account_id)
    except DoesNotExist:
        return None


def get_account(account_id: str) -> Account | None:
    try:
        return Account.get(account_id)
    except DoesNotExist:
        return None


def sign_in(identifier: str, password: str) -> SignIn:
    """The account for these credentials, or `Unauthenticated` / `TooManyRequests`."""
    throttle.claim_attempt(identifier)
    account = find_by_identifier(identifier)
    stored = account.password_hash if account else passwords.dummy_hash()
    if not passwords.verify_password(stored, password) or account is None:
        log_event("sign_in_failed")
        if throttle.record_failure(identifier) and account is not None:
            _notify(account, "account_locked", {"minutes": throttle.LOCKOUT_SECONDS // 60})
        raise Unauthenticated("Số định danh/mã số thuế hoặc mật khẩu không đúng.")
    throttle.clear(identifier)
    log_event("signed_in", account_id=account.account_id)
    return SignIn(account, ("pwd",))


def change_password(account: Account, current: str, new: str) -> None:
    try:  # counts towards the lockout; a wrong password is not a bad access token (no 401 to the caller)
        sign_in(account.identifier, current)
    except Unauthenticated:
        raise InvalidInput("Mật khẩu hiện tại không đúng.", field="current_password") from None
    if same(current, new):
        raise InvalidInput("Mật khẩu mới phải khác mật khẩu hiện tại.", field="new_password")
    _set_password(account, new)


def request_reset(identifier: str) -> None:
    """Queue a one-time code to the account's contact.

    Says whether the number has an account, as registration does (one rule, see the README's
    "Whether a number has an account"): the person learns at once to register instead of waiting
    for a code that will never come."""
    account = find_by_identifier(identifier)
    if account is None:
        log_event("password_reset_requested", matched=False)
        raise NotFound("Chưa có tài khoản nào đăng ký với số này.", field="identifier")
    if not (account.email or account.phone):
        raise Conflict(
            "Tài khoản chưa có thư điện tử hoặc số điện thoại để nhận mã; hãy liên hệ bộ phận hỗ trợ.",
            field="identifier",
        )
    key = Grant.key_of("reset", account.account_id)
    existing = Grant.find(key)
    if existing and existing.is_live() and clock.now() - existing.created_at < RESET_RESEND_SECONDS:
        return
    code = numeric_code()
    Grant(
        key,
        kind="reset",
        account_id=account.account_id,
        data={"code": digest(code)},
        created_at=clock.now(),
        expires_at=expiry(RESET_CODE_SECONDS),
    ).save()
    channel, recipient = ("email", account.email) if account.email else ("sms", account.phone)
    enqueue(channel, str(recipient), "password_reset", {"code": code, "minutes": RESET_CODE_SECONDS // 60})
    log_event("password_reset_requested", matched=True, account_id=account.account_id)


def confirm_reset(identifier: str, code: str, new_password: str) -> None:
    """Five guesses per code, and five per login name in 15 minutes however often a new code is sent."""
    refusal = InvalidInput("Mã xác nhận không đúng hoặc đã hết hạn.", field="code")
    with throttle.guarded(f"reset:{identifier}", misses=(InvalidInput,)):
        _confirm_reset(identifier, code, new_password, refusal)


def _confirm_reset(identifier: str, code: str, new_password: str, refusal: InvalidInput) -> None:
    account = find_by_identifier(identifier)
    grant = Grant.find(Grant.key_of("reset", account.account_id)) if account else None
    if account is None or grant is None or not grant.is_live() or grant.count >= RESET_MAX_ATTEMPTS:
        raise refusal
    try:  # count the attempt before comparing, atomically, so concurrent guesses cannot exceed the limit
        grant.update(actions=[Grant.count.add(1)], condition=Grant.count < RESET_MAX_ATTEMPTS)
    except UpdateError as error:
        if not condition_failed(error):
            raise
        raise refusal from None
    if not same(grant.data["code"], digest(code)):
        raise refusal
    grant.delete()
    _set_password(account, new_password)
    throttle.clear(identifier)


def _set_password(account: Account, new: str) -> None:
    """Sessions, codes, refresh and access tokens issued before `password_changed_at` stop working."""
    from chalicelib.core.denylist import deny_account

    account.password_hash = passwords.hash_password(new)
    account.password_changed_at = clock.now()
    account.save()
    deny_account(account.account_id)  # and every access token issued until now
    _notify(account, "password_changed", {})
    log_event("password_changed", account_id=account.account_id)


def _notify(account: Account, template: str, params: dict[str, object]) -> None:
    if account.email:
        enqueue("email", account.email, template, params)
    elif account.phone:
        enqueue("sms", account.phone, template, params)
