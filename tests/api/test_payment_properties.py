"""Property-based: whatever sequence of callbacks arrives (duplicated, reordered, tampered, with wrong
amounts, for other orders or through another gateway), an intent is credited at most once, only with
its own amount, and is credited if and only if a genuine success for it arrived."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.core import clock
from chalicelib.core.secrets import new_id
from chalicelib.payments import callbacks
from chalicelib.payments.gateways.base import Result
from chalicelib.store.payments import GatewayTransaction, PaymentIntent
from tests.api.factories import gateway_notice

GATEWAYS = ("vnpay", "momo", "paygov")
AMOUNTS = (135000, 800000)


@dataclass(frozen=True)
class Sent:
    target: int  # which of the two intents
    gateway: str
    outcome: str
    transaction: str
    amount_delta: int
    tampered: bool


callbacks_strategy = st.lists(
    st.builds(
        Sent,
        target=st.integers(0, 1),
        gateway=st.sampled_from(GATEWAYS),
        outcome=st.sampled_from(("succeeded", "failed", "cancelled", "pending")),
        transaction=st.sampled_from(("100001", "100002", "100003")),
        amount_delta=st.sampled_from((0, 0, 0, 1000, -100)),
        tampered=st.booleans(),
    ),
    max_size=12,
)


def pending_intent(gateway: str, amount: int) -> PaymentIntent:
    now = clock.now()
    intent = PaymentIntent(
        new_id(),
        kind="traffic_fine",
        subject=f"fine#{new_id()}",
        owner_id="tai-khoan",
        payer_name="Nguyễn Thị Thử",
        description="Nộp phạt",
        service="Nộp phạt vi phạm hành chính giao thông",
        agency_id="CSGT",
        agency_name="Phòng Cảnh sát giao thông",
        beneficiary_account="KBNN",
        lines=[{"name": "Tiền phạt", "kind": "fine", "amount": amount}],
        amount=amount,
        gateway=gateway,
        status="pending",
        history=[{"status": "created", "at": now}, {"status": "pending", "at": now}],
        created_at=now,
        pending_at=now,
    )
    intent.save()
    return intent


def tamper(params: dict) -> dict:
    key = next(name for name in params if name in ("vnp_SecureHash", "signature", "checksum"))
    return {**params, key: params[key][:-1] + ("0" if params[key][-1] != "0" else "1")}


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=callbacks_strategy, gateways=st.tuples(st.sampled_from(GATEWAYS), st.sampled_from(GATEWAYS)))
def test_any_sequence_of_callbacks_credits_an_intent_at_most_once_and_only_with_its_own_amount(sequence, gateways):
    intents = [pending_intent(gateway, amount) for gateway, amount in zip(gateways, AMOUNTS, strict=True)]
    # Transaction ids are unique at a gateway, across examples too, and fit every gateway (MoMo: 18 digits).
    run = str(int(new_id()[:6], 16))
    confirmed_successes = [0, 0]
    genuine_success = [False, False]
    for sent in sequence:
        intent = intents[sent.target]
        params = gateway_notice(
            sent.gateway,
            intent.intent_id,
            int(intent.amount) + sent.amount_delta,
            sent.outcome,
            # A transaction id belongs to one order at a gateway.
            f"{run}{sent.transaction}{sent.target}",
        )
        if sent.tampered:
            params = tamper(params)
        result = callbacks.handle(sent.gateway, params)
        genuine = not sent.tampered and sent.gateway == intent.gateway and sent.amount_delta == 0
        if genuine and sent.outcome == "succeeded":
            genuine_success[sent.target] = True
            confirmed_successes[sent.target] += result == Result.CONFIRMED
        elif not genuine:
            assert result != Result.CONFIRMED
    for index, intent in enumerate(intents):
        stored = PaymentIntent.get(intent.intent_id)
        assert confirmed_successes[index] <= 1
        assert (stored.status == "succeeded") == genuine_success[index]
        assert stored.credited_amount == (intent.amount if genuine_success[index] else None)
        credits = [
            record
            for record in GatewayTransaction.scan(GatewayTransaction.intent_id == intent.intent_id)
            if record.outcome == "succeeded"
        ]
        assert len(credits) == int(genuine_success[index])
        assert all(record.amount == intent.amount for record in credits)
