"""Gateway callbacks (and status query answers): verify the signature, then order, amount and
currency, then apply the gateway transaction once.

Applying is one DynamoDB transaction: the record of this transaction's outcome (gateway, transaction
id, outcome: a gateway may report a transaction failed and later correct it) is put only if absent, and the intent
is updated only if its status and version are still the ones read. So whatever the number, order or
timing of callbacks (and the reconciliation job racing them), an intent is credited at most once and
only with its own amount. A success that arrives after a failure, cancellation or expiry still wins:
the gateway took the money, so the payment stands. A failure after a success changes nothing.

The obligation itself (a dossier's fee, a fine, a contribution) is credited once too, however many
intents were opened for it: the crediting transaction also puts the obligation's `PaymentCredit`
under "does not exist". Money taken that is not credited becomes a `RefundCase` an operator sees
(`GET /agency/payments/refunds`): a late success for an expired intent after the citizen paid again
(the intent becomes `refund_due`), a second transaction for a paid intent, or a success for an
intent never sent to a gateway (answered "order not found", and never credited).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.core import clock
from chalicelib.core.logs import log_event
from chalicelib.core.secrets import new_id
from chalicelib.payments import intents
from chalicelib.payments.gateways import get_gateway
from chalicelib.payments.gateways.base import BadSignature, Malformed, Notice, Outcome, Result
from chalicelib.store.base import condition_failed, connection
from chalicelib.store.payments import CallbackRecord, GatewayTransaction, PaymentCredit, PaymentIntent, RefundCase

APPLY_ATTEMPTS = 8
TARGETS = {Outcome.SUCCEEDED: "succeeded", Outcome.FAILED: "failed", Outcome.CANCELLED: "cancelled"}
_SECRET_WORDS = ("secret", "accesskey", "password")


def handle(gateway_name: str, params: Mapping[str, Any], source: str = "callback") -> Result:
    return process(gateway_name, params, source)[0]


def process(gateway_name: str, params: Mapping[str, Any], source: str = "callback") -> tuple[Result, Notice | None]:
    gateway = get_gateway(gateway_name)
    notice: Notice | None = None
    try:
        notice = gateway.verify_answer(params) if source == "query" else gateway.verify(params)
        result = settle(gateway.name, notice)
    except BadSignature:
        result = Result.BAD_SIGNATURE
    except Malformed as error:
        log_event("payment_callback_malformed", logging.WARNING, gateway=gateway.name, field=str(error))
        result = Result.ERROR
    audit(gateway.name, source, params, notice, result)
    return result, notice


def settle(gateway: str, notice: Notice) -> Result:
    for _attempt in range(APPLY_ATTEMPTS):
        intent = intents.load(notice.order_id)
        if intent is None or intent.gateway != gateway:
            return Result.NOT_FOUND
        if notice.currency != intent.currency or notice.amount != intent.amount:
            log_event("payment_amount_mismatch", logging.WARNING, intent_id=intent.intent_id, gateway=gateway)
            return Result.BAD_AMOUNT
        if notice.outcome == Outcome.PENDING:
            return Result.CONFIRMED
        try:
            if notice.outcome == Outcome.SUCCEEDED:
                return _settle_success(intent, gateway, notice)
            return _settle_failure(intent, gateway, notice)
        except TransactWriteError as error:
            if condition_failed(error):
                continue  # someone else moved the intent, credited the obligation or applied this transaction
            raise
    log_event("payment_contention", logging.WARNING, intent_id=notice.order_id, gateway=gateway)
    return Result.ERROR


def _settle_failure(intent: PaymentIntent, gateway: str, notice: Notice) -> Result:
    if intent.pending_at is None:
        return Result.NOT_FOUND  # never sent to a gateway: nothing it says about the order applies
    if intent.status not in intents.OPEN:
        return Result.ALREADY  # a failure never undoes a settlement
    _apply(intent, gateway, notice)
    log_event("payment_settled", intent_id=intent.intent_id, gateway=gateway, status=TARGETS[notice.outcome])
    return Result.CONFIRMED


def _settle_success(intent: PaymentIntent, gateway: str, notice: Notice) -> Result:
    if intent.status in (intents.SUCCEEDED, intents.REFUND_DUE):
        if intent.transaction_id == notice.transaction_id:
            return Result.ALREADY
        return _open_refund(intent, gateway, notice, "second_success", Result.ALREADY)
    if intent.pending_at is None:
        # The portal never sent this order to a gateway (checkout sets `pending_at`): never credited.
        return _open_refund(intent, gateway, notice, "not_sent", Result.NOT_FOUND)
    holder = intents.credit_of(intent.subject)
    if holder is not None and holder.intent_id != intent.intent_id:
        return _open_refund(intent, gateway, notice, "obligation_paid", Result.CONFIRMED, settle_intent=True)
    _apply(intent, gateway, notice)
    log_event("payment_settled", intent_id=intent.intent_id, gateway=gateway, status=intents.SUCCEEDED)
    _after_success(intent.intent_id)
    return Result.CONFIRMED


def _apply(intent: PaymentIntent, gateway: str, notice: Notice) -> None:
    """Settle the intent with this transaction; a success also takes the obligation's credit."""
    now = clock.now()
    status = TARGETS[notice.outcome]
    record = GatewayTransaction(
        f"{gateway}#{notice.transaction_id}#{status}",
        intent_id=intent.intent_id,
        outcome=status,
        amount=notice.amount,
        applied_at=now,
    )
    with TransactWrite(connection=connection()) as transaction:
        transaction.save(record, condition=GatewayTransaction.key.does_not_exist())
        if notice.outcome == Outcome.SUCCEEDED:
            credit = PaymentCredit(
                intent.subject,
                intent_id=intent.intent_id,
                transaction=f"{gateway}#{notice.transaction_id}",
                amount=notice.amount,
                credited_at=now,
            )
            transaction.save(credit, condition=PaymentCredit.subject.does_not_exist())
        _update_intent(transaction, intent, status, notice, now)


def _open_refund(
    intent: PaymentIntent, gateway: str, notice: Notice, reason: str, answer: Result, *, settle_intent: bool = False
) -> Result:
    """Record money taken that is not credited, once per gateway transaction; `settle_intent` also
    moves the intent to `refund_due` (its own payment stands, for an obligation another paid)."""
    key = f"{gateway}#{notice.transaction_id}"
    try:
        RefundCase.get(key, consistent_read=True)
        return Result.ALREADY
    except DoesNotExist:
        pass
    now = clock.now()
    case = RefundCase(
        key,
        gateway=gateway,
        transaction_id=notice.transaction_id,
        intent_id=intent.intent_id,
        subject=intent.subject,
        agency_id=intent.agency_id,
        owner_id=intent.owner_id,
        amount=notice.amount,
        reason=reason,
        opened_at=now,
    )
    with TransactWrite(connection=connection()) as transaction:
        transaction.save(case, condition=RefundCase.key.does_not_exist())
        if settle_intent:
            _update_intent(transaction, intent, intents.REFUND_DUE, notice, now)
    log_event("payment_refund_case_opened", logging.WARNING, intent_id=intent.intent_id, gateway=gateway, reason=reason)
    return answer


def _update_intent(transaction: TransactWrite, intent: PaymentIntent, status: str, notice: Notice, now: float) -> None:
    read_status = intent.status
    intents.set_status(intent, status, now)
    actions = [
        PaymentIntent.status.set(status),
        PaymentIntent.history.set(intent.history),
        PaymentIntent.settled_at.set(now),
        PaymentIntent.updated_at.set(clock.now()),
        PaymentIntent.pending_shard.remove(),
    ]
    if notice.outcome == Outcome.SUCCEEDED:
        actions.append(PaymentIntent.transaction_id.set(notice.transaction_id))
        if status == intents.SUCCEEDED:
            actions.append(PaymentIntent.credited_amount.set(notice.amount))
        if notice.bank_code:
            actions.append(PaymentIntent.bank_code.set(notice.bank_code))
    # The version condition PynamoDB adds makes this update lose to any change since the read.
    transaction.update(
        intent,
        actions=actions,
        condition=(PaymentIntent.status == read_status) & (PaymentIntent.amount == notice.amount),
    )


def _after_success(intent_id: str) -> None:
    """Side effects once the credit has won: the dossier moves on, the payer is told. Failures are logged,
    never undo the credit."""
    intent = intents.load(intent_id)
    if intent is None:
        return
    try:
        if intent.dossier_code:
            _advance_dossier(intent)
        _notify(intent)
    except Exception:
        log_event("payment_effect_failed", logging.ERROR, intent_id=intent_id)


def _advance_dossier(intent: PaymentIntent) -> None:
    from chalicelib.dossiers.lifecycle import Effect, change, move
    from chalicelib.dossiers.statuses import Status
    from chalicelib.store.dossiers import Dossier

    note = f"Đã thanh toán {money(int(intent.amount))} (giao dịch {intent.transaction_id})."

    def apply(dossier: Dossier) -> list[Effect]:
        if dossier.status != Status.PAYMENT_REQUESTED:
            return []
        return move(dossier, Status.PROCESSING, actor="payment", note=note)

    change(str(intent.dossier_code), apply)


def _notify(intent: PaymentIntent) -> None:
    from chalicelib.core.config import get_settings
    from chalicelib.notifications.outbox import enqueue

    params = {
        "amount": money(int(intent.amount)),
        "description": intent.description,
        "transaction": intent.transaction_id,
        "receipt_url": f"{get_settings().issuer}/payments/intents/{intent.intent_id}/receipt",
    }
    if intent.contact_email:
        enqueue("email", intent.contact_email, "payment_succeeded", params)
    elif intent.contact_phone:
        enqueue("sms", intent.contact_phone, "payment_succeeded", params)


def audit(gateway: str, source: str, params: Mapping[str, Any], notice: Notice | None, result: Result) -> None:
    CallbackRecord(
        new_id(),
        gateway=gateway,
        source=source,
        received_at=clock.now(),
        intent_id=notice.order_id if notice else None,
        result=result.value,
        raw=scrub(params),
    ).save()


def scrub(params: Mapping[str, Any]) -> dict[str, Any]:
    """The message as received, minus anything secret, with card numbers masked (first 6, last 4)."""
    clean: dict[str, Any] = {}
    for key, value in list(params.items())[:100]:
        lowered = key.lower()
        if any(word in lowered for word in _SECRET_WORDS):
            continue
        text = str(value)[:2000]
        if ("card" in lowered or "pan" in lowered) and sum(char.isdigit() for char in text) >= 12:
            digits = "".join(char for char in text if char.isdigit())
            text = f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"
        clean[key] = value if isinstance(value, int) and text == str(value) else text
    return clean


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"
