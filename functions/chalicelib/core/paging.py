"""Paging through DynamoDB queries: opaque cursors that carry the last evaluated key back, refused
unless they are exactly a key this API could have handed out (`?limit=` is a query model's field,
see `core.queries`)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from chalicelib.core.errors import InvalidInput
from chalicelib.core.untrusted import load_json

MAX_PAGE = 100
MAX_CURSOR_CHARS = 1000  # a key this API hands out is a few hundred characters at most
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def encode_cursor(key: Mapping[str, Any] | None) -> str | None:
    if not key:
        return None
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, types: Mapping[str, str], fixed: Mapping[str, str]) -> dict[str, Any] | None:
    """The start key in `cursor`: exactly the attributes of `types` (`{"code": "S", "updated_at": "N"}`),
    with the caller's own partition values in `fixed`; anything else is a 400, never a DynamoDB error
    and never another partition's page."""
    if not cursor:
        return None
    refusal = InvalidInput("Con trỏ phân trang không hợp lệ.", field="cursor")
    if len(cursor) > MAX_CURSOR_CHARS:
        raise refusal
    try:
        key = load_json(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8"))
    except (binascii.Error, ValueError, InvalidInput):  # UnicodeDecodeError is a ValueError
        raise refusal from None
    if not isinstance(key, dict) or set(key) != set(types):
        raise refusal
    for name, kind in types.items():
        value = key[name]
        if not (isinstance(value, dict) and list(value) == [kind] and isinstance(value[kind], str)):
            raise refusal
        if (kind == "N" and not _NUMBER.fullmatch(value[kind])) or (name in fixed and value[kind] != fixed[name]):
            raise refusal
    return key
