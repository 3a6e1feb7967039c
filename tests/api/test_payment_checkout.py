"""Checkout through MoMo and the national platform: a server-to-server create request to the gateway,
whose answer carries the `payUrl`, tested against a fake gateway on loopback over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.payments import transport
from chalicelib.payments.gateways import get_gateway
from chalicelib.store.payments import PaymentIntent
from tests.api.factories import create_citizen, create_payment, user_token

FINE = {"kind": "traffic_fine", "reference": "0001/QĐ-XPHC"}


class FakeGateway:
    """A gateway's create endpoint: answers each signed request as the gateway would (or as told)."""

    def __init__(self, gateway: str) -> None:
        self.gateway = gateway
        self.requests: list[dict[str, Any]] = []
        self.answer_with: dict[str, Any] | None = None  # overrides merged into the answer
        self.status = 200
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"content_type": self.headers["Content-Type"], "body": request})
                answer = get_gateway(outer.gateway).create_answer(request, outer.pay_url(request))
                body = json.dumps({**answer, **(outer.answer_with or {})}).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v2/gateway/api/create"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def pay_url(self, request: dict[str, Any]) -> str:
        order = request.get("orderId") or request.get("reference")
        return f"https://thanh-toan.{self.gateway}.test/pay?order={order}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(params=["momo", "paygov"])
def fake(request) -> Iterator[FakeGateway]:
    gateway = FakeGateway(request.param)
    previous = transport.use_transport(transport.HttpTransport({}, {request.param: gateway.url}, timeout=5))
    yield gateway
    transport.use_transport(previous)
    gateway.close()


def checkout(http, headers, gateway: str, fine: dict[str, str] = FINE) -> tuple[str, Any]:
    intent_id = create_payment(http, headers, gateway=gateway, **fine).json_body["intent_id"]
    return intent_id, http.post(f"/payments/intents/{intent_id}/checkout", headers=headers)


def test_checkout_asks_the_gateway_for_a_pay_url_with_a_signed_create_request(http, fake):
    headers = user_token(http, create_citizen())
    intent_id, answer = checkout(http, headers, fake.gateway)
    assert answer.status_code == 200, answer.body
    assert answer.json_body["redirect_url"] == f"https://thanh-toan.{fake.gateway}.test/pay?order={intent_id}"
    [sent] = fake.requests
    assert sent["content_type"] == "application/json"
    body = sent["body"]
    if fake.gateway == "momo":
        fields = ("accessKey", "amount", "extraData", "ipnUrl", "orderId", "orderInfo", "partnerCode")
        fields += ("redirectUrl", "requestId", "requestType")
        raw = "&".join(f"{name}={body.get(name, 'sandbox-momo-access')}" for name in fields)
        expected = hmac.new(b"sandbox-momo-secret", raw.encode(), hashlib.sha256).hexdigest()
        assert body["signature"] == expected and body["amount"] == "800000" and body["orderId"] == intent_id
        assert body["ipnUrl"].endswith("/payments/callbacks/momo")
    else:
        fields = ("partnerCode", "reference", "amount", "currency", "channel", "bankCode", "description", "time")
        joined = "|".join([*(str(body[name]) for name in (*fields, "ip", "returnUrl")), "sandbox-paygov-secret"])
        assert body["checksum"] == hashlib.sha256(joined.encode()).hexdigest()
        assert body["amount"] == "800000" and body["reference"] == intent_id
    assert PaymentIntent.get(intent_id).status == "pending"


def test_a_gateway_that_refuses_leaves_the_intent_pending_and_checkout_can_be_retried(http, fake):
    headers = user_token(http, create_citizen())
    fake.answer_with = {"resultCode": 49} if fake.gateway == "momo" else {"errorCode": "05"}
    intent_id, refused = checkout(http, headers, fake.gateway)
    assert refused.status_code == 503 and refused.json_body["error"]["code"] == "service_unavailable"
    assert PaymentIntent.get(intent_id).status == "pending"
    fake.answer_with = None
    again = http.post(f"/payments/intents/{intent_id}/checkout", headers=headers)
    assert again.status_code == 200 and again.json_body["redirect_url"].startswith("https://thanh-toan.")


@pytest.mark.parametrize(
    "answer_with",
    [{"payUrl": "javascript:alert(1)"}, {"orderId": "khac", "reference": "khac"}, {"amount": 1, "checksum": "0"}],
    ids=["not a web address", "another order", "altered"],
)
def test_an_answer_that_does_not_match_the_request_is_not_followed(http, fake, answer_with):
    headers = user_token(http, create_citizen())
    fake.answer_with = answer_with
    _intent_id, refused = checkout(http, headers, fake.gateway)
    assert refused.status_code == 503


def test_an_unreachable_or_broken_gateway_is_a_503_not_a_500(http, fake):
    headers = user_token(http, create_citizen())
    fake.status = 502
    assert checkout(http, headers, fake.gateway)[1].status_code == 503
    fake.close()
    other_fine = {"kind": "traffic_fine", "reference": "0002/QĐ-XPHC"}
    assert checkout(http, headers, fake.gateway, other_fine)[1].status_code == 503


def test_in_the_sandbox_the_pay_url_is_the_sandbox_page_with_the_signed_request(http):
    headers = user_token(http, create_citizen())
    _intent_id, answer = checkout(http, headers, "momo")
    assert answer.status_code == 200
    assert "/sandbox/payments/momo?" in answer.json_body["redirect_url"]
    assert "signature=" in answer.json_body["redirect_url"]
