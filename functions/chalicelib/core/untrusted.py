"""Reading JSON that anyone may have written: request bodies, paging cursors.

`json.loads` alone turns hostile input into server errors: nesting a thousand deep raises
`RecursionError`, an integer of more than 4,300 digits a `ValueError`, and escaped lone surrogates
(`"\\ud800"`) become strings that fail later, wherever they are encoded (digests, S3 keys, HTML).
`load_json` refuses all of these with an `InvalidInput` (a 400 in the one error shape), and caps
nesting at `MAX_DEPTH`, well under DynamoDB's 32 levels of nested attributes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib.core.errors import InvalidInput

MAX_DEPTH = 16
MAX_NUMBER_CHARS = 40  # no number in this API comes near; a 4,000-digit one costs quadratic time to convert
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Refused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused("Số trong nội dung quá lớn.")
    return int(text)


def _real(text: str) -> float:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else float("inf")
    if value in (float("inf"), float("-inf")):
        raise _Refused("Số trong nội dung quá lớn.")
    return value


def _constant(name: str) -> Any:
    raise _Refused(f"JSON không cho phép giá trị {name}.")


def load_json(text: str, *, what: str = "Nội dung") -> Any:
    """The parsed value, or `InvalidInput` naming what was wrong (never a server error)."""
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_real, parse_constant=_constant)
    except _Refused as refusal:
        raise InvalidInput(refusal.message) from None
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{what} không phải JSON hợp lệ (dòng {error.lineno}, cột {error.colno}).") from None
    except RecursionError:
        raise InvalidInput(f"{what} lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).") from None
    check_tree(value, what=what)
    return value


def check_tree(value: Any, *, what: str = "Nội dung") -> None:
    """Refuse nesting deeper than `MAX_DEPTH` and strings that are not valid Unicode text."""
    level: list[Any] = [value]
    for _depth in range(MAX_DEPTH + 1):
        below: list[Any] = []
        for node in level:
            if isinstance(node, dict):
                for key, item in node.items():
                    _check_text(key)
                    below.append(item)
            elif isinstance(node, list):
                below.extend(node)
            elif isinstance(node, str):
                _check_text(node)
        if not below:
            return
        level = below
    raise InvalidInput(f"{what} lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).")


def _check_text(text: str) -> None:
    if _SURROGATE.search(text):
        raise InvalidInput("Nội dung chứa ký tự Unicode không hợp lệ.")
