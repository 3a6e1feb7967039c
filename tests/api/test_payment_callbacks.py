"""Gateway callbacks over HTTP: each gateway's wire format and answer codes; tampered, replayed,
duplicated, out-of-order and wrong-amount callbacks; the audit trail; the dossier moving on; the
sandbox gateway end to end."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from chalicelib.payments import sandbox
from chalicelib.store.dossiers import Dossier
from chalicelib.store.outbox import OutboxMessage
from chalicelib.store.payments import CallbackRecord, GatewayTransaction, PaymentIntent
from tests.api.factories import (
    FORM,
    create_citizen,
    dossier_awaiting_payment,
    gateway_notice,
    header,
    pending_payment,
    send_callback,
    user_token,
)

AMOUNT = 135000


@pytest.fixture
def citizen():
    return create_citizen()


@pytest.fixture
def headers(http, citizen):
    return user_token(http, citizen)


def pay(http, citizen, headers, gateway="vnpay"):
    dossier = dossier_awaiting_payment(citizen)
    intent = pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway=gateway)["intent"]
    return dossier, intent["intent_id"]


def answer(gateway, response):
    if gateway == "vnpay":
        return response.json_body["RspCode"]
    if gateway == "paygov":
        return response.json_body["errorCode"]
    return response.status_code


CONFIRMED = {"vnpay": "00", "paygov": "00", "momo": 204}
ALREADY = {"vnpay": "02", "paygov": "02", "momo": 204}


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "paygov"])
def test_a_signed_success_credits_the_intent_once_and_moves_the_dossier_to_processing(http, citizen, headers, gateway):
    dossier, intent_id = pay(http, citizen, headers, gateway)
    notice = gateway_notice(gateway, intent_id, AMOUNT)
    assert answer(gateway, send_callback(http, gateway, notice)) == CONFIRMED[gateway]
    assert answer(gateway, send_callback(http, gateway, notice)) == ALREADY[gateway]
    intent = PaymentIntent.get(intent_id)
    assert (intent.status, intent.credited_amount, intent.transaction_id) == ("succeeded", AMOUNT, "900000000001")
    assert [entry["status"] for entry in intent.history] == ["created", "pending", "succeeded"]
    moved = Dossier.get(dossier.code)
    assert moved.status == 4 and moved.timeline[-1]["actor"] == "payment"
    assert sum(1 for message in OutboxMessage.scan() if message.template == "payment_succeeded") == 1


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "paygov"])
def test_a_tampered_callback_is_refused_in_the_gateways_codes_and_changes_nothing(http, citizen, headers, gateway):
    _, intent_id = pay(http, citizen, headers, gateway)
    notice = gateway_notice(gateway, intent_id, AMOUNT)
    field = {"vnpay": "vnp_TransactionNo", "momo": "transId", "paygov": "transactionId"}[gateway]
    tampered = {**notice, field: 900000000002 if gateway == "momo" else "900000000002"}
    response = send_callback(http, gateway, tampered)
    assert answer(gateway, response) == {"vnpay": "97", "paygov": "07", "momo": 400}[gateway]
    assert PaymentIntent.get(intent_id).status == "pending"


@pytest.mark.parametrize("gateway", ["vnpay", "paygov"])
def test_a_correctly_signed_callback_with_another_amount_is_refused_as_invalid_amount(http, citizen, headers, gateway):
    dossier, intent_id = pay(http, citizen, headers, gateway)
    response = send_callback(http, gateway, gateway_notice(gateway, intent_id, AMOUNT - 1000))
    assert answer(gateway, response) == "04"
    assert PaymentIntent.get(intent_id).status == "pending"
    assert Dossier.get(dossier.code).status == 6


def test_a_callback_for_an_unknown_order_is_answered_order_not_found(http):
    assert send_callback(http, "vnpay", gateway_notice("vnpay", "khong-ton-tai", AMOUNT)).json_body["RspCode"] == "01"


def test_a_callback_from_another_gateway_than_the_intents_is_not_found(http, citizen, headers):
    _, intent_id = pay(http, citizen, headers, "vnpay")
    response = send_callback(http, "paygov", gateway_notice("paygov", intent_id, AMOUNT))
    assert response.json_body["errorCode"] == "01"


def test_a_stale_failure_after_the_success_does_not_undo_it(http, citizen, headers):
    _, intent_id = pay(http, citizen, headers)
    send_callback(http, "vnpay", gateway_notice("vnpay", intent_id, AMOUNT))
    late = send_callback(http, "vnpay", gateway_notice("vnpay", intent_id, AMOUNT, "failed", "900000000000"))
    assert late.json_body["RspCode"] == "02"
    assert PaymentIntent.get(intent_id).status == "succeeded"


def test_a_success_after_a_cancellation_still_credits_because_the_money_was_taken(http, citizen, headers):
    _, intent_id = pay(http, citizen, headers, "momo")
    cancelled = send_callback(http, "momo", gateway_notice("momo", intent_id, AMOUNT, "cancelled", "111"))
    assert cancelled.status_code == 204 and PaymentIntent.get(intent_id).status == "cancelled"
    assert send_callback(http, "momo", gateway_notice("momo", intent_id, AMOUNT, "succeeded", "222")).status_code == 204
    intent = PaymentIntent.get(intent_id)
    assert (intent.status, intent.transaction_id) == ("succeeded", "222")
    replay = send_callback(http, "momo", gateway_notice("momo", intent_id, AMOUNT, "cancelled", "111"))
    assert replay.status_code == 204 and PaymentIntent.get(intent_id).status == "succeeded"


def test_a_second_successful_transaction_is_never_credited_twice(http, citizen, headers):
    _, intent_id = pay(http, citizen, headers)
    send_callback(http, "vnpay", gateway_notice("vnpay", intent_id, AMOUNT, transaction_id="1"))
    second = send_callback(http, "vnpay", gateway_notice("vnpay", intent_id, AMOUNT, transaction_id="2"))
    assert second.json_body["RspCode"] == "02"
    assert PaymentIntent.get(intent_id).transaction_id == "1"
    assert [record.key for record in GatewayTransaction.scan()] == ["vnpay#1#succeeded"]


def test_every_callback_is_recorded_raw_without_secrets_and_with_card_numbers_masked(http, citizen, headers):
    _, intent_id = pay(http, citizen, headers)
    notice = gateway_notice("vnpay", intent_id, AMOUNT)
    send_callback(http, "vnpay", notice)
    send_callback(http, "vnpay", {**notice, "vnp_CardNumber": "4111111111111111", "vnp_HashSecret": "lộ"})
    records = sorted(CallbackRecord.scan(), key=lambda record: record.received_at)
    assert [record.result for record in records] == ["confirmed", "bad_signature"]
    assert records[0].raw["vnp_TxnRef"] == intent_id and records[0].raw["vnp_SecureHash"] == notice["vnp_SecureHash"]
    assert records[1].raw["vnp_CardNumber"] == "411111******1111" and "vnp_HashSecret" not in records[1].raw


def test_momo_callback_with_an_unknown_field_is_refused(http, citizen, headers):
    _, intent_id = pay(http, citizen, headers, "momo")
    response = send_callback(http, "momo", {**gateway_notice("momo", intent_id, AMOUNT), "bonus": 1})
    assert response.status_code == 400 and PaymentIntent.get(intent_id).status == "pending"


@pytest.fixture
def delivered(http):
    """The sandbox's callbacks, sent at once through the test client instead of over HTTP later."""
    sent = []

    def deliver(outgoings, delay):
        for outgoing in outgoings:
            path = urlsplit(outgoing.url).path
            sent.append((delay, send_callback(http, path.rsplit("/", 1)[-1], outgoing.params)))

    previous = sandbox.use_delivery(deliver)
    yield sent
    sandbox.use_delivery(previous)


def sandbox_choose(http, redirect_url, **choice):
    parts = urlsplit(redirect_url)
    page = http.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200, page.body
    assert "Thanh toán" in page.body.decode()
    form = {"checkout": parts.query, **choice}
    return http.post(parts.path, body=urlencode(form), headers=FORM)


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "paygov"])
def test_sandbox_gateway_pays_with_duplicated_delayed_and_reordered_callbacks(
    http, citizen, headers, delivered, gateway
):
    dossier = dossier_awaiting_payment(citizen)
    checkout = pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway=gateway)
    done = sandbox_choose(http, checkout["redirect_url"], action="pay", copies="3", delay="2", reorder="1")
    assert done.status_code == 302
    location = header(done, "location")
    assert urlsplit(location).path == f"/payments/intents/{checkout['intent']['intent_id']}/return"
    assert parse_qs(urlsplit(location).query)  # the gateway's signed result, which the page ignores
    assert [delay for delay, _ in delivered] == [2.0] * 4
    assert [answer(gateway, response) for _, response in delivered] == [
        CONFIRMED[gateway],
        ALREADY[gateway],
        ALREADY[gateway],
        ALREADY[gateway],
    ]
    intent = PaymentIntent.get(checkout["intent"]["intent_id"])
    assert intent.status == "succeeded" and intent.credited_amount == AMOUNT
    assert Dossier.get(dossier.code).status == 4


def test_sandbox_gateway_cancel_cancels_the_intent(http, citizen, headers, delivered):
    dossier = dossier_awaiting_payment(citizen)
    checkout = pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="vnpay")
    assert sandbox_choose(http, checkout["redirect_url"], action="cancel").status_code == 302
    assert PaymentIntent.get(checkout["intent"]["intent_id"]).status == "cancelled"
    assert Dossier.get(dossier.code).status == 6


def test_sandbox_gateway_refuses_a_redirect_with_a_forged_amount(http, citizen, headers):
    dossier = dossier_awaiting_payment(citizen)
    checkout = pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="vnpay")
    forged = checkout["redirect_url"].replace("vnp_Amount=13500000", "vnp_Amount=100")
    assert http.get(urlsplit(forged).path + "?" + urlsplit(forged).query).status_code == 400
