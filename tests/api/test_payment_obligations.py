"""One credit per obligation, however many intents were opened for it: a dossier fee, a fine or a
contribution is credited once, and money a gateway took that is not credited becomes a refund case
the agency sees. A success for an intent never sent to a gateway is never credited."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.core import clock as clock_module
from chalicelib.core.secrets import new_id
from chalicelib.payments import callbacks
from chalicelib.payments.gateways.base import Result
from chalicelib.payments.reconcile import reconcile
from chalicelib.store.dossiers import Dossier
from chalicelib.store.payments import PaymentCredit, PaymentIntent, RefundCase
from tests.api.factories import (
    agency_token,
    bearer,
    create_agency_client,
    create_citizen,
    create_payment,
    dossier_awaiting_payment,
    gateway_notice,
    pending_payment,
    send_callback,
    user_token,
)
from tests.api.times import vietnam_time

FINE = {"kind": "traffic_fine", "reference": "0001/QĐ-XPHC"}
FINE_AMOUNT = 800_000


def refunds_seen_by(http, agency_id: str) -> list[dict]:
    agency = create_agency_client(agency_id, client_id=f"{agency_id.lower()}-ketoan", scopes=["payments:read"])
    answer = http.get("/agency/payments/refunds", headers=bearer(agency_token(http, agency)))
    assert answer.status_code == 200, answer.body
    assert all(vietnam_time(case["opened_at"]) for case in answer.json_body["refunds"])
    return answer.json_body["refunds"]


def test_a_signed_success_for_an_intent_never_sent_to_a_gateway_is_not_credited(http):
    headers = user_token(http, create_citizen())
    created = create_payment(http, headers, gateway="vnpay", **FINE).json_body
    notice = gateway_notice("vnpay", created["intent_id"], FINE_AMOUNT, transaction_id="700001")
    answer = send_callback(http, "vnpay", notice)
    assert answer.json_body["RspCode"] == "01"  # order not found: the portal never sent it
    intent = PaymentIntent.get(created["intent_id"])
    assert intent.status == "created" and intent.credited_amount is None
    assert PaymentCredit.count() == 0
    assert send_callback(http, "vnpay", notice).json_body["RspCode"] == "02"  # the case is opened once
    assert [(case["reason"], case["transaction_id"]) for case in refunds_seen_by(http, "CSGT")] == [
        ("not_sent", "700001")
    ]


def test_a_late_success_for_an_expired_intent_after_paying_again_becomes_a_refund_case(http, clock):
    citizen = create_citizen()
    headers = user_token(http, citizen)
    first = pending_payment(http, headers, gateway="vnpay", **FINE)["intent"]["intent_id"]
    clock.advance(21 * 60)
    assert reconcile()["expired"] == 1
    headers = user_token(http, citizen)
    second = pending_payment(http, headers, gateway="momo", **FINE)["intent"]["intent_id"]
    assert (
        send_callback(http, "momo", gateway_notice("momo", second, FINE_AMOUNT, transaction_id="2")).status_code == 204
    )
    late = send_callback(http, "vnpay", gateway_notice("vnpay", first, FINE_AMOUNT, transaction_id="1"))
    assert late.json_body["RspCode"] == "00"  # received; the money is owed back, not credited
    assert PaymentIntent.get(second).status == "succeeded"
    assert PaymentIntent.get(first).status == "refund_due" and PaymentIntent.get(first).credited_amount is None
    assert PaymentCredit.get("fine#0001/QĐ-XPHC").intent_id == second
    [case] = refunds_seen_by(http, "CSGT")
    assert (case["intent_id"], case["reason"], case["amount"]) == (first, "obligation_paid", FINE_AMOUNT)
    mine = http.get(f"/payments/intents/{first}", headers=headers).json_body
    assert mine["status"] == "refund_due"
    assert "hoàn lại" in http.get(f"/payments/intents/{first}/return").body.decode()
    assert http.get(f"/payments/intents/{first}/receipt", headers=headers).status_code == 409


def test_whichever_success_arrives_first_pays_the_dossier_and_the_other_is_refunded(http, clock):
    citizen = create_citizen()
    headers = user_token(http, citizen)
    dossier = dossier_awaiting_payment(citizen)
    fee = {"kind": "dossier_fee", "dossier_code": dossier.code}
    first = pending_payment(http, headers, gateway="paygov", **fee)["intent"]["intent_id"]
    clock.advance(21 * 60)  # the citizen gives up waiting and pays again elsewhere
    headers = user_token(http, citizen)
    second = pending_payment(http, headers, gateway="vnpay", **fee)["intent"]["intent_id"]
    assert (
        send_callback(http, "paygov", gateway_notice("paygov", first, 135000, transaction_id="P1")).status_code == 200
    )
    assert send_callback(http, "vnpay", gateway_notice("vnpay", second, 135000, transaction_id="V1")).status_code == 200
    assert PaymentIntent.get(first).status == "succeeded"
    assert PaymentIntent.get(second).status == "refund_due"
    stored = Dossier.get(dossier.code)
    assert stored.status == 4 and [event["actor"] for event in stored.timeline].count("payment") == 1
    assert [case["intent_id"] for case in refunds_seen_by(http, dossier.agency_id)] == [second]


def test_a_second_transaction_for_a_paid_intent_is_a_refund_case(http):
    headers = user_token(http, create_citizen())
    intent_id = pending_payment(http, headers, gateway="vnpay", **FINE)["intent"]["intent_id"]
    send_callback(http, "vnpay", gateway_notice("vnpay", intent_id, FINE_AMOUNT, transaction_id="11"))
    again = send_callback(http, "vnpay", gateway_notice("vnpay", intent_id, FINE_AMOUNT, transaction_id="12"))
    assert again.json_body["RspCode"] == "02"
    assert PaymentIntent.get(intent_id).transaction_id == "11"
    [case] = refunds_seen_by(http, "CSGT")
    assert (case["reason"], case["case_id"]) == ("second_success", "vnpay#12")


def test_a_paid_obligation_cannot_be_paid_again_even_once_its_intent_is_gone(http):
    headers = user_token(http, create_citizen())
    intent_id = pending_payment(http, headers, gateway="vnpay", **FINE)["intent"]["intent_id"]
    send_callback(http, "vnpay", gateway_notice("vnpay", intent_id, FINE_AMOUNT, transaction_id="21"))
    PaymentIntent.get(intent_id).delete()  # the credit, not the intents, says what is paid
    refused = create_payment(http, headers, gateway="momo", **FINE)
    assert refused.status_code == 409 and "đã được thanh toán" in refused.json_body["error"]["message"]


def test_refund_cases_are_only_the_callers_agencys(http):
    headers = user_token(http, create_citizen())
    created = create_payment(http, headers, gateway="vnpay", **FINE).json_body
    send_callback(http, "vnpay", gateway_notice("vnpay", created["intent_id"], FINE_AMOUNT, transaction_id="31"))
    assert refunds_seen_by(http, "UBND-XA-A") == []
    no_scope = create_agency_client("CSGT", client_id="csgt-khac", scopes=["dossiers:read"])
    refused = http.get("/agency/payments/refunds", headers=bearer(agency_token(http, no_scope)))
    assert refused.status_code == 403


# Property: two intents of one obligation, any callbacks in any order.


@dataclass(frozen=True)
class Sent:
    target: int
    outcome: str
    transaction: int


STARTS = ("created", "pending", "expired", "failed")


def intent_for(subject: str, gateway: str, status: str) -> PaymentIntent:
    now = clock_module.now()
    history = [{"status": "created", "at": now}]
    if status != "created":
        history += [{"status": "pending", "at": now}]
    if status not in ("created", "pending"):
        history += [{"status": status, "at": now}]
    intent = PaymentIntent(
        new_id(),
        kind="traffic_fine",
        subject=subject,
        owner_id="tai-khoan",
        payer_name="Nguyễn Thị Thử",
        description="Nộp phạt",
        service="Nộp phạt vi phạm hành chính giao thông",
        agency_id="CSGT",
        agency_name="Phòng Cảnh sát giao thông",
        beneficiary_account="KBNN",
        lines=[{"name": "Tiền phạt", "kind": "fine", "amount": FINE_AMOUNT}],
        amount=FINE_AMOUNT,
        gateway=gateway,
        status=status,
        history=history,
        created_at=now,
        pending_at=None if status == "created" else now,
    )
    intent.save()
    return intent


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    starts=st.tuples(st.sampled_from(STARTS), st.sampled_from(STARTS)),
    gateways=st.tuples(st.sampled_from(("vnpay", "momo", "paygov")), st.sampled_from(("vnpay", "momo", "paygov"))),
    sequence=st.lists(
        st.builds(
            Sent,
            target=st.integers(0, 1),
            outcome=st.sampled_from(("succeeded", "succeeded", "failed", "cancelled", "pending")),
            transaction=st.integers(1, 3),
        ),
        max_size=10,
    ),
)
def test_two_intents_of_one_obligation_credit_it_once_and_every_other_success_is_a_refund_case(
    starts, gateways, sequence
):
    subject = f"fine#{new_id()}"
    intents = [intent_for(subject, gateway, start) for gateway, start in zip(gateways, starts, strict=True)]
    run = str(int(new_id()[:6], 16))  # transaction ids are unique at a gateway, across examples too
    successes: dict[str, int] = {}  # "{gateway}#{transaction}" -> intent index
    for sent in sequence:
        intent = intents[sent.target]
        transaction = f"{run}{sent.transaction}{sent.target}"
        result = callbacks.handle(
            intent.gateway, gateway_notice(intent.gateway, intent.intent_id, FINE_AMOUNT, sent.outcome, transaction)
        )
        assert result != Result.ERROR
        if sent.outcome == "succeeded":
            successes[f"{intent.gateway}#{transaction}"] = sent.target

    stored = [PaymentIntent.get(intent.intent_id) for intent in intents]
    credits = [credit for credit in PaymentCredit.scan() if credit.subject == subject]
    cases = {case.key: case for case in RefundCase.scan() if case.subject == subject}
    credited = [index for index, intent in enumerate(stored) if intent.status == "succeeded"]
    assert len(credits) <= 1 and len(credited) == len(credits)
    assert sum(int(intent.credited_amount or 0) for intent in stored) == FINE_AMOUNT * len(credits)
    sent_intents = {index for index, start in enumerate(starts) if start != "created"}
    if any(index in sent_intents for index in successes.values()):
        assert len(credits) == 1, "a genuine success for an intent that was sent pays the obligation"
    if credits:
        [credit] = credits
        assert stored[credited[0]].intent_id == credit.intent_id and credit.amount == FINE_AMOUNT
        assert successes.get(credit.transaction) == credited[0]
        assert credit.transaction not in cases
    # Nothing taken is lost: every successful transaction is the credit or a refund case, never both.
    assert set(successes) == {credit.transaction for credit in credits} | set(cases)
    for index in set(range(2)) - sent_intents:
        assert stored[index].status in ("created", "failed", "cancelled"), "a never-sent intent is never paid"
