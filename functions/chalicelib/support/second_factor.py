"""The second step of a staff member's sign-in: after the password, a TOTP code (or a recovery code),
enrolling the authenticator app the first time. Between the two steps the password's success is
kept as a single-use, five-minute `mfa` grant named by a random token in the form."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core import clock
from chalicelib.core.errors import InvalidInput
from chalicelib.core.secrets import digest, new_secret
from chalicelib.sso.accounts import get_account
from chalicelib.store.accounts import Account
from chalicelib.store.grants import Grant, expiry
from chalicelib.store.support import StaffMember
from chalicelib.support import staff, totp

STEP_SECONDS = 5 * 60
AMR = ("pwd", "otp")


@dataclass(frozen=True)
class Pending:
    token: str
    member: StaffMember
    enrolment: staff.Enrolment | None  # shown when the member has no confirmed authenticator yet


def begin(account: Account, request_id: str) -> Pending | None:
    """None for people who are not staff: they are signed in by the password alone."""
    member = staff.active_member(account.account_id)
    if member is None:
        return None
    token = new_secret()
    Grant(
        Grant.key_of("mfa", digest(token)),
        kind="mfa",
        account_id=account.account_id,
        data={"request_id": request_id},
        created_at=clock.now(),
        expires_at=expiry(STEP_SECONDS),
    ).save()
    enrolment = None if member.totp_secret else staff.start_enrolment(member, account.identifier)
    return Pending(token, member, enrolment)


def resume(token: str, request_id: str) -> Pending | None:
    """The pending step this form continues, or None when it expired or belongs to another request."""
    grant = Grant.find(Grant.key_of("mfa", digest(token))) if token else None
    if grant is None or not grant.is_live() or grant.data.get("request_id") != request_id or not grant.account_id:
        return None
    member = staff.active_member(grant.account_id)
    if member is None:
        return None
    enrolment = None
    if member.totp_secret is None and member.pending_secret:
        account = get_account(member.account_id)
        label = account.identifier if account else member.account_id
        enrolment = staff.Enrolment(member.pending_secret, totp.provisioning_uri(member.pending_secret, label), [])
    return Pending(token, member, enrolment)


def complete(pending: Pending, code: str) -> tuple[Account, list[str]]:
    """Check the code; the account to start the session for and, after an enrolment, its recovery codes."""
    code = code.strip().replace(" ", "")
    if not code:
        raise InvalidInput("Hãy nhập mã xác thực.", field="code")
    recovery = staff.verify_second_factor(pending.member, code)
    Grant(Grant.key_of("mfa", digest(pending.token))).delete()
    account = get_account(pending.member.account_id)
    if account is None:
        raise InvalidInput("Tài khoản không còn tồn tại.")
    return account, recovery
