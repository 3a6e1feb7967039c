"""Structured JSON logs: one object per line, CloudWatch-friendly.

Only fields passed explicitly are logged; never request bodies, identity numbers, names, e-mail
addresses, passwords, codes or tokens. `redact` exists for the rare message that must mention a
contact ("a code was sent to n***@example.vn").
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

_LOGGER_NAME = "portal"
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _RESERVED})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def get_logger() -> logging.Logger:
    logger = logging.getLogger(_LOGGER_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def log_event(event: str, level: int = logging.INFO, **fields: Any) -> None:
    get_logger().log(level, event, extra=fields)


def redact(contact: str) -> str:
    """Keep the first character and the domain: `nguyen@example.vn` -> `n***@example.vn`."""
    name, at, domain = contact.partition("@")
    if at:
        return f"{name[:1]}***@{domain}"
    return f"***{contact[-3:]}" if len(contact) > 3 else "***"
