"""argon2id password hashing and the password policy."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.core.config import get_settings

MIN_LENGTH = 8
MAX_LENGTH = 128
_COMMON = frozenset(
    {"12345678", "123456789", "1234567890", "password", "password1", "matkhau", "matkhau123", "qwerty123", "11111111"}
)


@cache
def _hasher() -> Any:
    from argon2 import PasswordHasher, Type

    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib, parallelism=1, type=Type.ID
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """Verified against when no account matches, so a miss costs as long as a wrong password."""
    return hash_password("không-có-tài-khoản-này")


def check_policy(password: str, identifier: str = "") -> str:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValueError(f"Mật khẩu phải dài từ {MIN_LENGTH} đến {MAX_LENGTH} ký tự.")
    if password.lower() in _COMMON or len(set(password)) < 4:
        raise ValueError("Mật khẩu quá dễ đoán. Hãy chọn mật khẩu khác.")
    if identifier and identifier in password:
        raise ValueError("Mật khẩu không được chứa số định danh hoặc mã số thuế.")
    return password
