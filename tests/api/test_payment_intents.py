"""Citizen payment intents: amounts computed by the portal, ownership, checkout, return page, receipt."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.factories import (
    create_citizen,
    create_payment,
    dossier_awaiting_payment,
    gateway_notice,
    json_body,
    pending_payment,
    send_callback,
    user_token,
)
from tests.api.times import vietnam_time

FEES = [
    {"kind": "fee", "amount": 50000, "unit": "đồng/hồ sơ"},
    {"kind": "charge", "amount": 85000, "unit": "đồng/hồ sơ"},
]


@pytest.fixture
def citizen():
    return create_citizen()


@pytest.fixture
def headers(http, citizen):
    return user_token(http, citizen)


def test_dossier_fee_amount_is_the_sum_of_the_procedures_fees_for_the_dossiers_channel(http, citizen, headers):
    dossier = dossier_awaiting_payment(citizen, fees=FEES)
    response = create_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="vnpay")
    assert response.status_code == 201, response.body
    intent = response.json_body
    assert intent["amount"] == 135000 and intent["currency"] == "VND" and intent["status"] == "created"
    assert [line["amount"] for line in intent["lines"]] == [50000, 85000]
    assert intent["history"][0]["status"] == "created"


def test_an_amount_sent_by_the_client_is_refused_as_an_unknown_field(http, citizen, headers):
    dossier = dossier_awaiting_payment(citizen)
    body = {"kind": "dossier_fee", "dossier_code": dossier.code, "gateway": "vnpay", "amount": 1}
    response = http.post(
        "/payments/intents", body=json_body(body), headers={"Content-Type": "application/json", **headers}
    )
    assert response.status_code == 400
    assert response.json_body["error"]["field"] == "amount"


def test_another_persons_dossier_cannot_be_paid_for_and_their_intent_is_not_found(http, citizen, headers):
    other = create_citizen("001099054321", email="khac@example.vn")
    other_headers = user_token(http, other)
    dossier = dossier_awaiting_payment(citizen)
    refused = create_payment(http, other_headers, kind="dossier_fee", dossier_code=dossier.code, gateway="momo")
    assert refused.status_code == 404
    mine = create_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="momo").json_body
    for path in ("", "/receipt"):
        assert http.get(f"/payments/intents/{mine['intent_id']}{path}", headers=other_headers).status_code == 404
    assert http.post(f"/payments/intents/{mine['intent_id']}/checkout", headers=other_headers).status_code == 404
    assert http.get("/payments/intents", headers=other_headers).json_body == {"intents": []}


def test_intents_need_a_signed_in_person(http):
    assert http.get("/payments/intents").status_code == 401


def test_a_dossier_not_awaiting_payment_or_with_a_fee_set_by_the_agency_cannot_be_paid(http, citizen, headers):
    waiting = dossier_awaiting_payment(citizen, fees=[{"kind": "fee", "description": "Theo mức HĐND tỉnh"}])
    answer = create_payment(http, headers, kind="dossier_fee", dossier_code=waiting.code, gateway="vnpay")
    assert answer.status_code == 409
    processing = dossier_awaiting_payment(citizen, status=4)
    answer = create_payment(http, headers, kind="dossier_fee", dossier_code=processing.code, gateway="vnpay")
    assert answer.status_code == 409


def test_traffic_fine_and_insurance_amounts_come_from_the_registry(http, headers):
    fine = create_payment(http, headers, kind="traffic_fine", reference="0001/QĐ-XPHC", gateway="paygov")
    assert fine.status_code == 201 and fine.json_body["amount"] == 800000
    insurance = create_payment(http, headers, kind="insurance", reference="0123456789", gateway="momo")
    assert insurance.status_code == 201 and insurance.json_body["amount"] == 1263600
    unknown = create_payment(http, headers, kind="traffic_fine", reference="9999/QĐ-XPHC", gateway="paygov")
    assert unknown.status_code == 404


def test_checkout_moves_the_intent_to_pending_and_returns_the_signed_gateway_url(http, citizen, headers):
    dossier = dossier_awaiting_payment(citizen)
    answer = pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="vnpay")
    intent = answer["intent"]
    assert intent["status"] == "pending" and vietnam_time(intent["pending_at"]) >= vietnam_time(intent["created_at"])
    assert [change["status"] for change in intent["history"]] == ["created", "pending"]
    assert all(vietnam_time(change["at"]) for change in intent["history"])
    query = parse_qs(urlsplit(answer["redirect_url"]).query)
    assert query["vnp_Amount"] == ["13500000"] and query["vnp_TxnRef"] == [answer["intent"]["intent_id"]]
    assert answer["redirect_url"].split("?")[0].endswith("/sandbox/payments/vnpay")


def test_a_second_payment_for_a_dossier_is_refused_while_one_is_pending_or_paid(http, citizen, headers):
    dossier = dossier_awaiting_payment(citizen)
    first = pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="vnpay")["intent"]
    second = create_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="momo")
    assert second.status_code == 409
    send_callback(http, "vnpay", gateway_notice("vnpay", first["intent_id"], 135000))
    fine = pending_payment(http, headers, kind="traffic_fine", reference="0001/QĐ-XPHC", gateway="paygov")["intent"]
    send_callback(http, "paygov", gateway_notice("paygov", fine["intent_id"], 800000))
    again = create_payment(http, headers, kind="traffic_fine", reference="0001/QĐ-XPHC", gateway="vnpay")
    assert again.status_code == 409


def test_return_page_ignores_its_query_string_and_shows_the_stored_status(http, citizen, headers):
    dossier = dossier_awaiting_payment(citizen)
    intent = pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="vnpay")["intent"]
    forged = gateway_notice("vnpay", intent["intent_id"], 135000)
    page = http.get(f"/payments/intents/{intent['intent_id']}/return?vnp_ResponseCode=00&vnp_SecureHash=x")
    assert page.status_code == 200 and "Đang chờ cổng thanh toán xác nhận" in page.body.decode()
    assert "thành công" not in page.body.decode()
    send_callback(http, "vnpay", forged)
    page = http.get(f"/payments/intents/{intent['intent_id']}/return")
    assert "Thanh toán thành công" in page.body.decode()


def test_return_page_links_back_to_the_dossiers_page_on_the_site_or_to_the_account(http, citizen, headers):
    from chalicelib.core.config import get_settings

    site = get_settings().site_url
    dossier = dossier_awaiting_payment(citizen)
    intent = pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="momo")["intent"]
    page = http.get(f"/payments/intents/{intent['intent_id']}/return").body.decode()
    assert f'<a href="{site}ho-so/?ma={dossier.code}">Quay lại hồ sơ {dossier.code}</a>' in page
    fine = pending_payment(http, headers, kind="traffic_fine", reference="0001/QĐ-XPHC", gateway="paygov")["intent"]
    page = http.get(f"/payments/intents/{fine['intent_id']}/return").body.decode()
    assert f'<a href="{site}tai-khoan/">Về Tài khoản của tôi</a>' in page
    unknown = http.get("/payments/intents/khong-co/return").body.decode()
    assert "Không tìm thấy giao dịch" in unknown and f'href="{site}tai-khoan/"' in unknown


def test_receipt_is_printable_html_with_every_field_of_the_reference(http, citizen, headers):
    dossier = dossier_awaiting_payment(citizen, fees=FEES)
    intent = pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="paygov")["intent"]
    assert http.get(f"/payments/intents/{intent['intent_id']}/receipt", headers=headers).status_code == 409
    send_callback(http, "paygov", gateway_notice("paygov", intent["intent_id"], 135000, transaction_id="PG42"))
    receipt = http.get(f"/payments/intents/{intent['intent_id']}/receipt", headers=headers)
    assert receipt.status_code == 200
    page = receipt.body.decode()
    for text in (
        "Biên lai thu điện tử",
        "Nộp phí, lệ phí thủ tục hành chính",
        "1.999001",
        "CA-TINH",
        dossier.code,
        "KBNN",
        citizen.full_name,
        "50.000 đồng",
        "85.000 đồng",
        "135.000 đồng",
        "PG42",
        "window.print()",
    ):
        assert text in page, text


def test_two_checkouts_of_the_same_dossier_at_the_same_moment_let_only_one_through(citizen, atomic_requests):
    import threading

    from chalicelib.core.errors import Conflict
    from chalicelib.payments import intents
    from chalicelib.payments.schemas import IntentCreate

    dossier = dossier_awaiting_payment(citizen)
    request = IntentCreate(kind="dossier_fee", dossier_code=dossier.code, gateway="vnpay")
    first, second = intents.create(citizen, request), intents.create(citizen, request)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def checkout(intent_id: str) -> None:
        barrier.wait()
        try:
            intents.checkout(citizen, intent_id, "10.0.0.1")
            outcomes.append("sent to the gateway")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=checkout, args=(i.intent_id,)) for i in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "sent to the gateway"]


def test_an_agency_reads_the_payments_made_to_it_and_no_others(http, citizen, headers):
    from tests.api.factories import agency_token, bearer, create_agency_client

    dossier = dossier_awaiting_payment(citizen)
    pending_payment(http, headers, kind="dossier_fee", dossier_code=dossier.code, gateway="vnpay")
    own = bearer(agency_token(http, create_agency_client("CA-TINH", scopes=["payments:read"])))
    other = bearer(agency_token(http, create_agency_client("SO-TP", scopes=["payments:read"])))
    no_scope = bearer(
        agency_token(http, create_agency_client("CA-TINH", client_id="ca-tinh-khac", scopes=["agency:read"]))
    )
    listed = http.get("/agency/payments?status=pending", headers=own).json_body["intents"]
    assert [item["dossier_code"] for item in listed] == [dossier.code]
    assert http.get("/agency/payments", headers=other).json_body["intents"] == []
    assert http.get("/agency/payments", headers=no_scope).status_code == 403
    assert http.get("/agency/payments", headers=headers).status_code == 403, "a citizen's token is not an agency's"
