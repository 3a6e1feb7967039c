"""The one interface every payment gateway adapter implements, and what adapters hand back.

An adapter knows its gateway's wire format only: how to sign the request that sends the citizen to
the gateway, how to verify and read a callback (or a status query answer), and how to answer a
callback in the gateway's own codes. The rules (amounts, applying once) live in `payments.callbacks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from chalicelib.core.calendar import vietnam_now


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    PENDING = "pending"  # a status query answer for a payment still in progress


class Result(StrEnum):
    """What processing a callback came to; each adapter maps it to its own response codes."""

    CONFIRMED = "confirmed"
    NOT_FOUND = "not_found"
    ALREADY = "already_confirmed"
    BAD_AMOUNT = "bad_amount"
    BAD_SIGNATURE = "bad_signature"
    ERROR = "error"


class BadSignature(Exception):
    """The message's signature does not match: not from the gateway, or altered on the way."""


class Malformed(Exception):
    """Signed correctly but missing or unreadable fields."""


class Refused(Exception):
    """The gateway would not create the checkout (its own result code in the message)."""


@dataclass(frozen=True)
class Notice:
    """A verified gateway message about one order."""

    order_id: str
    transaction_id: str
    amount: int  # VND
    currency: str
    outcome: Outcome
    code: str  # the gateway's own result code, for the audit trail
    bank_code: str | None = None


@dataclass(frozen=True)
class Order:
    """What a redirect asks the gateway to collect (the sandbox gateway reads it back from the URL)."""

    order_id: str
    amount: int
    description: str
    return_url: str
    ipn_url: str


@dataclass(frozen=True)
class Reply:
    """A callback answer in the gateway's wire format."""

    status: int
    body: dict[str, Any] | None


@dataclass(frozen=True)
class Outgoing:
    """A callback as the gateway sends it: GET with a query string or POST with a JSON body."""

    method: str
    url: str
    params: dict[str, Any]


class Gateway(Protocol):
    """Two checkout styles: a redirect the portal signs itself (VNPay: `create_request` is None and
    `redirect_url` is the answer), or a server-to-server create request the gateway answers with
    the `payUrl` to send the citizen to (MoMo, the national platform: `create_request`, `pay_url`)."""

    name: str
    label: str

    def create_request(self, order: Order, client_ip: str, at: float) -> dict[str, Any] | None: ...

    def pay_url(self, answer: Mapping[str, Any], request: Mapping[str, Any]) -> str: ...

    def redirect_url(self, order: Order, client_ip: str, at: float) -> str: ...

    def verify(self, params: Mapping[str, Any]) -> Notice: ...

    def reply(self, result: Result) -> Reply: ...

    def query_request(self, order_id: str, at: float, ordered_at: float) -> dict[str, str]: ...

    def verify_answer(self, params: Mapping[str, Any]) -> Notice: ...

    # What the gateway itself does; only the sandbox gateway and the tests call these.
    def create_answer(self, request: Mapping[str, Any], pay_url: str) -> dict[str, Any]: ...

    def read_order(self, params: Mapping[str, str]) -> Order: ...

    def notice_params(self, notice: Notice, at: float) -> dict[str, Any]: ...

    def query_answer(self, notice: Notice, at: float, request: Mapping[str, Any]) -> dict[str, Any]: ...

    def callback(self, order: Order, params: dict[str, Any]) -> Outgoing: ...


def wire_time(at: float) -> str:
    """`yyyyMMddHHmmss` in Vietnam time (GMT+7), as every Vietnamese gateway writes it."""
    return vietnam_now(at).strftime("%Y%m%d%H%M%S")


def parse_wire_time(value: str) -> datetime:
    from chalicelib.core.calendar import VIETNAM

    return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)


def text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None or str(value) == "":
        raise Malformed(name)
    return str(value)


def whole_number(params: Mapping[str, Any], name: str) -> int:
    value = text(params, name)
    if not value.isdigit() or len(value) > 18:
        raise Malformed(name)
    return int(value)


def checked_url(value: Any) -> str:
    """A gateway's `payUrl`: an absolute http(s) URL, or the answer is malformed."""
    from urllib.parse import urlsplit

    url = str(value or "")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 4000:
        raise Malformed("payUrl")
    return url
