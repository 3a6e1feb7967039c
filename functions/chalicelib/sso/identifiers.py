"""Vietnamese identifiers: the 12-digit personal identity number and the enterprise tax code."""

from __future__ import annotations

import re

_IDENTITY = re.compile(r"\d{12}")
_TAX_CODE = re.compile(r"(\d{10})(-\d{3})?")
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_LAST_PROVINCE_CODE = 96  # codes 001-096, Circular 07/2016/TT-BCA


def check_identity_number(value: str) -> str:
    """A 12-digit citizen identity number (CCCD / số định danh cá nhân)."""
    if not _IDENTITY.fullmatch(value):
        raise ValueError("Số định danh cá nhân phải gồm đúng 12 chữ số.")
    if not 1 <= int(value[:3]) <= _LAST_PROVINCE_CODE:
        raise ValueError("Ba chữ số đầu của số định danh cá nhân không phải mã tỉnh hợp lệ.")
    return value


def check_tax_code(value: str) -> str:
    """A 10-digit tax code with its check digit, or 13 with a branch suffix (`0100109106-001`)."""
    match = _TAX_CODE.fullmatch(value)
    if not match:
        raise ValueError("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số của đơn vị phụ thuộc.")
    digits = [int(char) for char in match.group(1)]
    if (10 - sum(w * d for w, d in zip(_TAX_WEIGHTS, digits, strict=False)) % 11) != digits[9]:
        raise ValueError("Mã số thuế không đúng (sai chữ số kiểm tra).")
    return value


def account_type_of(identifier: str) -> str | None:
    """Which kind of account a sign-in identifier names, from its shape alone."""
    if _IDENTITY.fullmatch(identifier):
        return "citizen"
    if _TAX_CODE.fullmatch(identifier):
        return "business"
    return None
