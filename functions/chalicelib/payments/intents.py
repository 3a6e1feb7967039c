"""Payment intents: created from what the person owes (computed here), sent to a gateway (pending),
settled by its callbacks or by reconciliation (succeeded, failed, cancelled) or left to expire.
"""

from __future__ import annotations

import unicodedata
import zlib
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.core import clock
from chalicelib.core.config import get_settings
from chalicelib.core.errors import Conflict, NotFound, ServiceUnavailable
from chalicelib.core.secrets import new_id
from chalicelib.payments.gateways import get_gateway
from chalicelib.payments.gateways.base import Order
from chalicelib.payments.obligations import Obligation, dossier_fees, registry
from chalicelib.store.accounts import Account
from chalicelib.store.base import condition_failed
from chalicelib.store.payments import PENDING_SHARDS, PaymentCredit, PaymentIntent

CREATED = "created"
PENDING = "pending"
SUCCEEDED = "succeeded"
REFUND_DUE = "refund_due"  # the gateway took the money, but another intent had paid the obligation
OPEN = frozenset({CREATED, PENDING})
CHECKOUT_VALID_SECONDS = 24 * 60 * 60  # a created intent may be sent to a gateway within a day
EXPIRE_AFTER_SECONDS = 20 * 60  # the gateways' 15-minute payment window, plus time for late callbacks
_NOT_FOUND = "Không tìm thấy giao dịch thanh toán."


def obligation_for(account: Account, request: Any) -> Obligation:
    if request.kind == "dossier_fee":
        from chalicelib.dossiers.citizen import own_dossier
        from chalicelib.dossiers.statuses import Status

        dossier = own_dossier(account, request.dossier_code)
        if dossier.status != Status.PAYMENT_REQUESTED:
            raise Conflict("Hồ sơ chưa có yêu cầu thực hiện nghĩa vụ tài chính.", field="dossier_code")
        return dossier_fees(dossier)
    book = registry()
    found = (
        book.traffic_fine(request.reference) if request.kind == "traffic_fine" else book.insurance(request.reference)
    )
    if found is None:
        raise NotFound("Không tìm thấy khoản phải nộp với mã đã nhập.", field="reference")
    return found


def create(account: Account, request: Any) -> PaymentIntent:
    obligation = obligation_for(account, request)
    _require_unpaid(obligation.subject)
    now = clock.now()
    intent = PaymentIntent(
        new_id(),
        kind=obligation.kind,
        subject=obligation.subject,
        owner_id=account.account_id,
        payer_name=account.full_name,
        contact_email=account.email,
        contact_phone=account.phone,
        description=obligation.description,
        service=obligation.service,
        agency_id=obligation.agency_id,
        agency_name=obligation.agency_name,
        beneficiary_account=obligation.beneficiary_account,
        procedure_code=obligation.procedure_code,
        procedure_name=obligation.procedure_name,
        dossier_code=obligation.dossier_code,
        lines=[{"name": line.name, "kind": line.kind, "amount": line.amount} for line in obligation.lines],
        amount=obligation.amount,
        gateway=request.gateway,
        history=[{"status": CREATED, "at": now}],
        created_at=now,
        updated_at=now,
    )
    intent.save()
    return intent


def load(intent_id: str) -> PaymentIntent | None:
    try:
        return PaymentIntent.get(intent_id, consistent_read=True)
    except DoesNotExist:
        return None


def own_intent(account: Account, intent_id: str) -> PaymentIntent:
    """The intent if it is this account's; another person's is "not found" so ids reveal nothing."""
    intent = load(intent_id)
    if intent is None or intent.owner_id != account.account_id:
        raise NotFound(_NOT_FOUND, field="intent_id")
    return intent


def my_intents(account: Account, limit: int = 50) -> list[PaymentIntent]:
    return list(PaymentIntent.by_owner.query(account.account_id, scan_index_forward=False, limit=limit))


def checkout(account: Account, intent_id: str, client_ip: str) -> tuple[PaymentIntent, str]:
    """Send the intent to its gateway: created -> pending; the URL to redirect the citizen to."""
    intent = own_intent(account, intent_id)
    now = clock.now()
    if intent.status == CREATED and now - intent.created_at > CHECKOUT_VALID_SECONDS:
        set_status(intent, "expired", now)
        _save(intent)
        raise Conflict("Giao dịch đã hết hạn; vui lòng tạo giao dịch mới.")
    if intent.status == PENDING and now - float(intent.pending_at or 0) > EXPIRE_AFTER_SECONDS:
        raise Conflict("Giao dịch đã hết thời gian thanh toán; vui lòng tạo giao dịch mới.")
    if intent.status not in OPEN:
        raise Conflict("Giao dịch đã kết thúc, không thể thanh toán lại.", field="intent_id")
    if intent.status == CREATED:
        _require_unpaid(intent.subject, except_id=intent.intent_id)
        set_status(intent, PENDING, now)
        _save_holding_subject(intent, now)
    order = Order(
        order_id=intent.intent_id,
        amount=int(intent.amount),
        description=ascii_text(intent.description)[:240],
        return_url=f"{get_settings().issuer}/payments/intents/{intent.intent_id}/return",
        ipn_url="",
    )
    return intent, _gateway_url(intent, order, client_ip, now)


def _gateway_url(intent: PaymentIntent, order: Order, client_ip: str, now: float) -> str:
    """Where to send the citizen: a redirect we sign (VNPay), or the `payUrl` the gateway answers to a
    server-to-server create request (MoMo, the national platform). A gateway that does not answer
    leaves the intent pending and held: checking out again within the window asks again."""
    import logging

    from chalicelib.core.logs import log_event
    from chalicelib.payments.gateways.base import BadSignature, Malformed, Refused
    from chalicelib.payments.transport import current_transport

    gateway = get_gateway(intent.gateway)
    request = gateway.create_request(order, client_ip, now)
    if request is None:
        return gateway.redirect_url(order, client_ip, float(intent.pending_at or now))
    try:
        answer = current_transport().create(gateway.name, request)
        if answer is None:
            raise Refused("no create endpoint")
        return gateway.pay_url(answer, request)
    except (OSError, ValueError, Refused, Malformed, BadSignature) as problem:
        log_event("payment_create_failed", logging.WARNING, intent_id=intent.intent_id, gateway=gateway.name)
        raise ServiceUnavailable(
            "Cổng thanh toán chưa tạo được giao dịch; vui lòng thử lại sau ít phút hoặc chọn cổng khác."
        ) from problem


def set_status(intent: PaymentIntent, status: str, at: float) -> None:
    """Change the status in memory, with its time, and keep the sparse `pending` index to pending intents."""
    intent.status = status
    intent.history = [*intent.history, {"status": status, "at": at}]
    intent.updated_at = clock.now()
    if status == PENDING:
        intent.pending_at = at
        intent.pending_shard = pending_shard(intent.intent_id)
    else:
        intent.pending_shard = None
    if status not in OPEN:
        intent.settled_at = at


def pending_shard(intent_id: str) -> str:
    return str(zlib.crc32(intent_id.encode()) % PENDING_SHARDS)


def _save(intent: PaymentIntent) -> None:
    try:
        intent.save()
    except PutError as error:
        if condition_failed(error):
            raise Conflict("Giao dịch vừa được cập nhật; vui lòng tải lại.") from None
        raise


def _save_holding_subject(intent: PaymentIntent, now: float) -> None:
    """Send to the gateway while holding the subject (dossier, fine, contribution) for the payment window.

    The check above reads other intents, which two checkouts at the same moment would both pass; the
    hold is one item per subject, taken in the same transaction as created -> pending under a
    condition, so only one of them can be at a gateway at a time.
    """
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    from chalicelib.core.secrets import digest
    from chalicelib.store.base import connection
    from chalicelib.store.grants import Grant, expiry

    hold = Grant(
        Grant.key_of("payment-hold", digest(intent.subject)),
        kind="payment-hold",
        client_id=intent.intent_id,
        created_at=now,
        expires_at=expiry(EXPIRE_AFTER_SECONDS),
    )
    free = Grant.key.does_not_exist() | (Grant.expires_at < expiry(0)) | (Grant.client_id == intent.intent_id)
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(intent)
            transaction.save(hold, condition=free)
    except TransactWriteError as error:
        if condition_failed(error):
            raise Conflict("Khoản này đang có một giao dịch chờ cổng thanh toán xác nhận.") from None
        raise


def _require_unpaid(subject: str, except_id: str | None = None) -> None:
    """One payment per dossier, fine or contribution: refuse while another is paid or waiting at a gateway."""
    if credit_of(subject) is not None:
        raise Conflict("Khoản này đã được thanh toán.")
    for key in PaymentIntent.by_subject.query(subject):
        if key.intent_id == except_id:
            continue
        other = load(key.intent_id)
        if other is None:
            continue
        if other.status == SUCCEEDED:
            raise Conflict("Khoản này đã được thanh toán.")
        if other.status == PENDING and clock.now() - float(other.pending_at or 0) <= EXPIRE_AFTER_SECONDS:
            raise Conflict("Khoản này đang có một giao dịch chờ cổng thanh toán xác nhận.")


def credit_of(subject: str) -> PaymentCredit | None:
    """Which intent paid this dossier fee, fine or contribution, if any."""
    try:
        return PaymentCredit.get(subject, consistent_read=True)
    except DoesNotExist:
        return None


def ascii_text(value: str) -> str:
    """Gateways want order descriptions without diacritics; `đ` is not decomposed by NFD, so map it."""
    value = value.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFD", value)
    return "".join(char for char in folded if not unicodedata.combining(char) and char.isascii())
