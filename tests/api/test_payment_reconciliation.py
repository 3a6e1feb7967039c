"""The reconciliation job: settles pending intents from the gateway's status answers (the sandbox's
book here), expires those nobody paid, and races callbacks without crediting twice."""

from __future__ import annotations

import threading

import pytest

from chalicelib.jobs import reconcile_payments
from chalicelib.payments import callbacks, sandbox
from chalicelib.payments.gateways.base import Order, Result
from chalicelib.payments.intents import EXPIRE_AFTER_SECONDS
from chalicelib.payments.reconcile import reconcile
from chalicelib.store.dossiers import Dossier
from chalicelib.store.payments import GatewayTransaction, PaymentIntent
from tests.api.factories import (
    create_citizen,
    create_payment,
    dossier_awaiting_payment,
    gateway_notice,
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


def start(http, citizen, headers, gateway="vnpay"):
    dossier = dossier_awaiting_payment(citizen)
    intent = pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway=gateway)["intent"]
    return dossier, intent["intent_id"]


def paid_at_sandbox(gateway, intent_id, pay=True):
    """The citizen paid on the gateway's page but its callback never arrived."""
    order = Order(intent_id, AMOUNT, "Phi ho so", "https://portal.test/r", "https://portal.test/ipn")
    return sandbox.choose(gateway, order, sandbox.Choice(pay=pay))


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "paygov"])
def test_reconciliation_credits_a_payment_whose_callback_was_lost(http, citizen, headers, gateway):
    dossier, intent_id = start(http, citizen, headers, gateway)
    paid_at_sandbox(gateway, intent_id)
    assert reconcile_payments() == {"settled": 1, "expired": 0, "waiting": 0}
    assert PaymentIntent.get(intent_id).status == "succeeded"
    assert Dossier.get(dossier.code).status == 4
    assert reconcile() == {"settled": 0, "expired": 0, "waiting": 0}  # no longer in the pending index


def test_reconciliation_settles_a_cancellation_and_leaves_unanswered_recent_intents_waiting(http, citizen, headers):
    _, cancelled = start(http, citizen, headers, "momo")  # VNPay's querydr says only "02": failed
    paid_at_sandbox("momo", cancelled, pay=False)
    fine = pending_payment(http, headers, kind="traffic_fine", reference="0001/QĐ-XPHC", gateway="paygov")["intent"]
    assert reconcile() == {"settled": 1, "expired": 0, "waiting": 1}
    assert PaymentIntent.get(cancelled).status == "cancelled"
    assert PaymentIntent.get(fine["intent_id"]).status == "pending"


def test_pending_intents_nobody_paid_expire_after_the_payment_window(http, citizen, headers, clock):
    _, intent_id = start(http, citizen, headers)
    clock.advance(EXPIRE_AFTER_SECONDS - 60)
    assert reconcile()["waiting"] == 1
    clock.advance(120)
    assert reconcile() == {"settled": 0, "expired": 1, "waiting": 0}
    intent = PaymentIntent.get(intent_id)
    assert intent.status == "expired" and intent.history[-1]["status"] == "expired" and intent.pending_shard is None
    fresh = user_token(http, citizen)  # the first access token has expired by now
    assert http.post(f"/payments/intents/{intent_id}/checkout", headers=fresh).status_code == 409


def test_a_success_arriving_after_expiry_is_still_credited_once(http, citizen, headers, clock):
    _, intent_id = start(http, citizen, headers)
    clock.advance(EXPIRE_AFTER_SECONDS + 1)
    reconcile()
    notice = gateway_notice("vnpay", intent_id, AMOUNT)
    assert send_callback(http, "vnpay", notice).json_body["RspCode"] == "00"
    assert send_callback(http, "vnpay", notice).json_body["RspCode"] == "02"
    assert PaymentIntent.get(intent_id).status == "succeeded"


def test_a_created_intent_not_sent_to_a_gateway_within_a_day_cannot_be_paid(http, citizen, headers, clock):
    dossier = dossier_awaiting_payment(citizen)
    created = create_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="vnpay").json_body
    clock.advance(24 * 3600 + 1)
    fresh = user_token(http, citizen)
    assert http.post(f"/payments/intents/{created['intent_id']}/checkout", headers=fresh).status_code == 409
    assert PaymentIntent.get(created["intent_id"]).status == "expired"


def test_callbacks_racing_the_reconciliation_job_credit_the_intent_exactly_once(
    http, citizen, headers, atomic_requests
):
    dossier, intent_id = start(http, citizen, headers, "paygov")
    _outgoing, main = paid_at_sandbox("paygov", intent_id)
    results: list[Result] = []
    barrier = threading.Barrier(6)

    def callback() -> None:
        barrier.wait()
        results.append(callbacks.handle("paygov", main))

    def job() -> None:
        barrier.wait()
        reconcile()

    threads = [threading.Thread(target=callback) for _ in range(4)] + [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    intent = PaymentIntent.get(intent_id)
    assert intent.status == "succeeded" and intent.credited_amount == AMOUNT
    assert len(list(GatewayTransaction.scan())) == 1
    assert results.count(Result.CONFIRMED) <= 1 and set(results) <= {Result.CONFIRMED, Result.ALREADY}
    timeline = Dossier.get(dossier.code).timeline
    assert [entry["actor"] for entry in timeline].count("payment") == 1


class _FakeGateway:
    """A gateway's status endpoint on loopback, answering from the sandbox's book like the real one."""

    def __init__(self, gateway: str, broken: bool = False) -> None:
        import http.server
        import json

        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(request)
                answer = (
                    b"<html>maintenance</html>"
                    if broken
                    else json.dumps(sandbox.answer_query(gateway, request)).encode()
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.requests: list[dict] = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "paygov"])
def test_outside_the_sandbox_the_job_asks_the_gateway_over_http(http, citizen, headers, gateway):
    from chalicelib.payments.transport import HttpTransport

    _dossier, intent_id = start(http, citizen, headers, gateway)
    paid_at_sandbox(gateway, intent_id)
    fake = _FakeGateway(gateway)
    try:
        assert reconcile(HttpTransport({gateway: fake.url})) == {"settled": 1, "expired": 0, "waiting": 0}
    finally:
        fake.close()
    assert PaymentIntent.get(intent_id).status == "succeeded"
    assert len(fake.requests) == 1 and intent_id in str(fake.requests[0])


def test_a_gateway_answering_garbage_leaves_the_intent_waiting(http, citizen, headers):
    from chalicelib.payments.transport import HttpTransport

    _dossier, intent_id = start(http, citizen, headers, "momo")
    fake = _FakeGateway("momo", broken=True)
    try:
        assert reconcile(HttpTransport({"momo": fake.url})) == {"settled": 0, "expired": 0, "waiting": 1}
    finally:
        fake.close()
    assert PaymentIntent.get(intent_id).status == "pending"
