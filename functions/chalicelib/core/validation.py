"""Turn pydantic validation failures into one Vietnamese message naming the field."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from chalicelib.core.errors import InvalidInput

_MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường này không được chấp nhận.",
    "string_too_short": "Giá trị quá ngắn.",
    "string_too_long": "Giá trị quá dài.",
    "string_pattern_mismatch": "Giá trị sai định dạng.",
    "string_type": "Giá trị phải là chuỗi ký tự.",
    "literal_error": "Giá trị không nằm trong danh sách cho phép.",
    "enum": "Giá trị không nằm trong danh sách cho phép.",
    "model_type": "Dữ liệu phải là một đối tượng JSON.",
    "model_attributes_type": "Dữ liệu phải là một đối tượng JSON.",
    "value_error": "Giá trị không hợp lệ.",
    "too_long": "Quá nhiều phần tử.",
}


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _iso_8601(value: object) -> object:
    """Times come as ISO 8601 text only: pydantic's lax mode would read 0.5 or "1700000000" as Unix
    seconds, a second time format the contract does not document."""
    if isinstance(value, datetime) or (isinstance(value, str) and not _NUMBER.fullmatch(value)):
        return value
    raise ValueError("Thời điểm phải theo ISO 8601, ví dụ 2026-01-31T08:00:00+07:00.")


Instant = Annotated[datetime, BeforeValidator(_iso_8601)]
"""A point in time in a request (query or body): ISO 8601 text, never a number."""


class StrictModel(BaseModel):
    """Base of every request model: unknown fields are refused, strings trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, defer_build=True)


class Reply(BaseModel):
    """Base of every response model."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


def invalid_input(error: ValidationError) -> InvalidInput:
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    kind = first["type"]
    if kind == "value_error":
        # Our validators raise ValueError with a Vietnamese message; pydantic prefixes it. Its own
        # value errors (an e-mail address, from email-validator) are English and get ours instead.
        raw = str(first["msg"])
        if raw.startswith("Value error, "):
            message = raw.removeprefix("Value error, ")
        elif raw.startswith("value is not a valid email address"):
            message = "Địa chỉ thư điện tử không hợp lệ."
        else:
            message = _MESSAGES["value_error"]
    else:
        message = _MESSAGES.get(kind, "Giá trị không hợp lệ.")
    return InvalidInput(message, field=field)


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: object) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise invalid_input(error) from None
