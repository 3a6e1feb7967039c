"""Support staff: roles granted by an administrator, the TOTP second factor with recovery codes, and
the check every console route makes.

Roles are granted with the `devstack.staff` command (an administrator with write access to the
tables: on AWS, whoever IAM lets run it), never through the API, so no web route can make anyone
staff. Every grant and revocation is in the audit trail.

A code is good once: accepting it moves `last_step` forward with a conditional update, so replaying
a code within its 30 seconds (or racing two requests with it) fails. Wrong codes count towards the
sign-in lockout (five, then 15 minutes), per account.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.core import clock
from chalicelib.core.auth import Principal
from chalicelib.core.errors import Forbidden, InvalidInput, NotFound
from chalicelib.core.logs import log_event
from chalicelib.core.secrets import digest
from chalicelib.sso import throttle
from chalicelib.sso.accounts import find_by_identifier
from chalicelib.store.base import condition_failed
from chalicelib.store.support import ROLES, StaffMember
from chalicelib.support import audit, totp

RECOVERY_CODES = 10
SECOND_FACTOR = "otp"


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    recovery_codes: list[str]


def grant(identifier: str, role: str, granted_by: str) -> StaffMember:
    """Make the account with this identity number a staff member (or change its role)."""
    if role not in ROLES:
        raise InvalidInput(f"Vai trò phải là một trong: {', '.join(ROLES)}.", field="role")
    account = find_by_identifier(identifier)
    if account is None or account.account_type != "citizen":
        raise NotFound("Không có tài khoản công dân với số định danh này.", field="identifier")
    member = find(account.account_id)
    if member is None:
        member = StaffMember(account.account_id, full_name=account.full_name, granted_at=clock.now())
    member.role, member.granted_by, member.active = role, granted_by, True
    member.save()
    audit.record(audit.Actor(f"admin:{granted_by}", "admin"), "role_granted", account.account_id, role=role)
    return member


def revoke(identifier: str, revoked_by: str) -> None:
    account = find_by_identifier(identifier)
    member = find(account.account_id) if account else None
    if account is None or member is None:
        raise NotFound("Tài khoản này không phải cán bộ hỗ trợ.", field="identifier")
    member.update(actions=[StaffMember.active.set(False)])
    audit.record(audit.Actor(f"admin:{revoked_by}", "admin"), "role_revoked", account.account_id)


def find(account_id: str) -> StaffMember | None:
    try:
        return StaffMember.get(account_id, consistent_read=True)
    except DoesNotExist:
        return None


def active_member(account_id: str) -> StaffMember | None:
    member = find(account_id)
    return member if member is not None and member.active else None


def start_enrolment(member: StaffMember, label: str) -> Enrolment:
    """A new secret to show once; it replaces the current one only when a code from it is confirmed."""
    secret = totp.new_secret()
    member.update(actions=[StaffMember.pending_secret.set(secret)])
    return Enrolment(secret, totp.provisioning_uri(secret, label), [])


def enrol(member: StaffMember, secret: str) -> list[str]:
    """Set the secret directly (the local stack's demo operator) and hand out recovery codes."""
    member.update(actions=[StaffMember.pending_secret.set(secret)])
    return _confirm(member, secret)


def verify_second_factor(member: StaffMember, code: str) -> list[str]:
    """Check a TOTP code (or, with 10+ characters, a recovery code); on the first confirmed code of an
    enrolment, returns the new recovery codes. Raises InvalidInput on a wrong or replayed code and
    TooManyRequests once locked out."""
    refusal = InvalidInput("Mã xác thực không đúng, đã dùng hoặc đã hết hạn.", field="code")
    with throttle.guarded(f"totp:{member.account_id}", misses=(InvalidInput,)):
        if len(code) > totp.DIGITS:
            _spend_recovery_code(member, code, refusal)
            log_event("staff_recovery_code_used", account_id=member.account_id)
            return []
        secret = member.totp_secret or member.pending_secret
        step = totp.matching_step(secret, code, clock.now()) if secret else None
        if step is None:
            raise refusal
        _claim_step(member, step, refusal)
        if member.totp_secret is None:
            return _confirm(member, str(member.pending_secret))
    return []


def _claim_step(member: StaffMember, step: int, refusal: InvalidInput) -> None:
    try:
        member.update(actions=[StaffMember.last_step.set(step)], condition=StaffMember.last_step < step)
    except UpdateError as error:
        if not condition_failed(error):
            raise
        log_event("staff_totp_replay", account_id=member.account_id)
        raise refusal from None


def _spend_recovery_code(member: StaffMember, code: str, refusal: InvalidInput) -> None:
    hashed = digest(code.strip().upper())
    try:
        member.update(
            actions=[StaffMember.recovery_codes.delete({hashed})],
            condition=StaffMember.recovery_codes.contains(hashed),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        raise refusal from None


def _confirm(member: StaffMember, secret: str) -> list[str]:
    import secrets

    codes = [secrets.token_hex(5).upper() for _ in range(RECOVERY_CODES)]
    member.update(
        actions=[
            StaffMember.totp_secret.set(secret),
            StaffMember.pending_secret.remove(),
            StaffMember.recovery_codes.set({digest(code) for code in codes}),
            StaffMember.enrolled_at.set(clock.now()),
        ]
    )
    audit.record(audit.Actor(member.account_id, member.role, member.full_name), "second_factor_enrolled")
    return codes


def require(principal: Principal, *roles: str) -> StaffMember:
    """The caller's staff record if it holds one of `roles` (any role when none named) and signed in
    with the second factor; otherwise 403. Read on every request, so a revocation takes effect at once."""
    member = active_member(principal.subject) if principal.kind == "user" else None
    if member is None:
        raise Forbidden("Chức năng này chỉ dành cho cán bộ hỗ trợ.")
    if roles and member.role not in roles:
        raise Forbidden("Vai trò của bạn không được thực hiện chức năng này.")
    if SECOND_FACTOR not in principal.amr:
        raise Forbidden("Cần đăng nhập lại với mã xác thực hai lớp.")
    return member


def actor(member: StaffMember) -> audit.Actor:
    return audit.Actor(member.account_id, member.role, member.full_name)
