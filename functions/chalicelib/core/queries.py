"""Query-string models: every parameter a route reads is declared, validated and documented.

`Query` refuses parameters it does not name (a typo is an error, not a silent default). Protocol
endpoints whose callers may add parameters of their own (OAuth 2.0 authorization requests, OpenID
Connect logout, a gateway's signed callback) use `OpenQuery`: declared ones are checked, others
are left to the handler, as their specifications ask.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from chalicelib.core.paging import MAX_CURSOR_CHARS, MAX_PAGE
from chalicelib.core.validation import StrictModel

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class Query(StrictModel):
    pass


class OpenQuery(StrictModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=False, defer_build=True)


def limit(default: int) -> Any:
    return Field(default=default, ge=1, le=MAX_PAGE, description=f"Số mục mỗi trang (1–{MAX_PAGE})")


def cursor() -> Any:
    return Field(
        default=None,
        min_length=1,
        max_length=MAX_CURSOR_CHARS,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Con trỏ trang sau (next_cursor của trang trước)",
    )


def month(description: str) -> Any:
    return Field(default=None, pattern=MONTH_PATTERN, description=description)
