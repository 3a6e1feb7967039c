"""Signature vectors for each gateway adapter: the expected values are computed here, independently,
with hashlib/hmac over literal strings written out by hand from each gateway's rules."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import pytest

from chalicelib.core.calendar import VIETNAM
from chalicelib.core.config import PaymentSettings
from chalicelib.payments.gateways.base import BadSignature, Malformed, Notice, Order, Outcome, Refused, Result
from chalicelib.payments.gateways.momo import MomoGateway
from chalicelib.payments.gateways.paygov import PaygovGateway
from chalicelib.payments.gateways.vnpay import VnpayGateway

SETTINGS = PaymentSettings(
    sandbox=False,
    vnpay_tmn_code="TMN01",
    vnpay_hash_secret="VNPSECRET",
    vnpay_url="https://pay.vnpay.test/vpcpay.html",
    momo_partner_code="MOMO01",
    momo_access_key="ACCESS01",
    momo_secret_key="MOMOSECRET",
    momo_url="https://momo.test/create",
    paygov_partner_code="DVCQG",
    paygov_secret="PGSECRET",
    paygov_url="https://paygov.test/init",
)
ISSUER = "https://api.dvc.test"
AT = datetime(2026, 3, 5, 9, 30, 15, tzinfo=VIETNAM).timestamp()  # 20260305093015 in GMT+7
ORDER = Order("abc123", 135000, "Phi ho so CA-TINH-260305-0001", "https://api.dvc.test/r", "")


def hmac512(key: str, data: str) -> str:
    return hmac.new(key.encode(), data.encode(), hashlib.sha512).hexdigest()


def hmac256(key: str, data: str) -> str:
    return hmac.new(key.encode(), data.encode(), hashlib.sha256).hexdigest()


def test_vnpay_redirect_url_is_signed_over_sorted_url_encoded_parameters_with_amount_times_100():
    url = VnpayGateway(SETTINGS, ISSUER).redirect_url(ORDER, "10.0.0.1", AT)
    data = (
        "vnp_Amount=13500000&vnp_Command=pay&vnp_CreateDate=20260305093015&vnp_CurrCode=VND"
        "&vnp_ExpireDate=20260305094515&vnp_IpAddr=10.0.0.1&vnp_Locale=vn"
        "&vnp_OrderInfo=Phi+ho+so+CA-TINH-260305-0001&vnp_OrderType=other"
        "&vnp_ReturnUrl=https%3A%2F%2Fapi.dvc.test%2Fr&vnp_TmnCode=TMN01&vnp_TxnRef=abc123&vnp_Version=2.1.0"
    )
    assert url == f"https://pay.vnpay.test/vpcpay.html?{data}&vnp_SecureHash={hmac512('VNPSECRET', data)}"


def test_vnpay_ipn_signature_drops_empty_values_and_is_verified():
    params = {
        "vnp_Amount": "13500000",
        "vnp_BankCode": "NCB",
        "vnp_CardType": "",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "TMN01",
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "abc123",
    }
    data = (
        "vnp_Amount=13500000&vnp_BankCode=NCB&vnp_ResponseCode=00&vnp_TmnCode=TMN01"
        "&vnp_TransactionNo=14226112&vnp_TransactionStatus=00&vnp_TxnRef=abc123"
    )
    params["vnp_SecureHash"] = hmac512("VNPSECRET", data)
    params["vnp_SecureHashType"] = "HmacSHA512"
    notice = VnpayGateway(SETTINGS, ISSUER).verify(params)
    assert notice == Notice("abc123", "14226112", 135000, "VND", Outcome.SUCCEEDED, "00/00", "NCB")


@pytest.mark.parametrize(("response", "status", "outcome"), [("24", "02", "cancelled"), ("51", "02", "failed")])
def test_vnpay_maps_cancelled_and_failed_results(response, status, outcome):
    gateway = VnpayGateway(SETTINGS, ISSUER)
    params = gateway.notice_params(Notice("abc123", "1", 1000, "VND", Outcome(outcome), ""), AT)
    assert params["vnp_ResponseCode"] == response and params["vnp_TransactionStatus"] == status
    assert gateway.verify(params).outcome == outcome


def test_vnpay_rejects_a_changed_amount_and_answers_in_its_own_codes():
    gateway = VnpayGateway(SETTINGS, ISSUER)
    params = gateway.notice_params(Notice("abc123", "1", 1000, "VND", Outcome.SUCCEEDED, ""), AT)
    with pytest.raises(BadSignature):
        gateway.verify({**params, "vnp_Amount": "100"})
    codes = {result: gateway.reply(result).body["RspCode"] for result in Result}
    assert codes == {
        Result.CONFIRMED: "00",
        Result.NOT_FOUND: "01",
        Result.ALREADY: "02",
        Result.BAD_AMOUNT: "04",
        Result.BAD_SIGNATURE: "97",
        Result.ERROR: "99",
    }


def test_momo_ipn_signature_follows_the_fixed_field_order_with_the_access_key():
    body = {
        "partnerCode": "MOMO01",
        "orderId": "abc123",
        "requestId": "abc123-n",
        "amount": 135000,
        "orderInfo": "Phi ho so",
        "orderType": "momo_wallet",
        "transId": 4088878653,
        "resultCode": 0,
        "message": "Successful.",
        "payType": "qr",
        "responseTime": 1721720663942,
        "extraData": "",
    }
    raw = (
        "accessKey=ACCESS01&amount=135000&extraData=&message=Successful.&orderId=abc123&orderInfo=Phi ho so"
        "&orderType=momo_wallet&partnerCode=MOMO01&payType=qr&requestId=abc123-n&responseTime=1721720663942"
        "&resultCode=0&transId=4088878653"
    )
    body["signature"] = hmac256("MOMOSECRET", raw)
    gateway = MomoGateway(SETTINGS, ISSUER)
    notice = gateway.verify(body)
    assert (notice.order_id, notice.transaction_id, notice.amount, notice.outcome) == (
        "abc123",
        "4088878653",
        135000,
        Outcome.SUCCEEDED,
    )
    cancelled = raw.replace("&resultCode=0&", "&resultCode=1006&")
    assert (
        gateway.verify({**body, "resultCode": 1006, "signature": hmac256("MOMOSECRET", cancelled)}).outcome
        == "cancelled"
    )
    assert gateway.reply(Result.CONFIRMED).status == 204
    with pytest.raises(BadSignature):
        gateway.verify({**body, "amount": 1})


def test_momo_create_request_is_signed_in_its_fixed_field_order():
    query = MomoGateway(SETTINGS, ISSUER).create_request(ORDER, "10.0.0.1", AT)
    raw = (
        f"accessKey=ACCESS01&amount=135000&extraData=&ipnUrl={ISSUER}/payments/callbacks/momo&orderId=abc123"
        f"&orderInfo=Phi ho so CA-TINH-260305-0001&partnerCode=MOMO01&redirectUrl=https://api.dvc.test/r"
        f"&requestId=abc123-{int(AT)}&requestType=captureWallet"
    )
    assert query["signature"] == hmac256("MOMOSECRET", raw)


def test_national_platform_confirm_checksum_is_sha256_of_pipe_joined_fields_and_the_secret():
    body = {
        "partnerCode": "DVCQG",
        "reference": "abc123",
        "amount": "135000",
        "currency": "VND",
        "transactionId": "PG0001",
        "bankCode": "VCB",
        "time": "20260305093015",
        "errorCode": "00",
    }
    joined = "DVCQG|abc123|135000|VND|PG0001|VCB|20260305093015|00|PGSECRET"
    body["checksum"] = hashlib.sha256(joined.encode()).hexdigest()
    gateway = PaygovGateway(SETTINGS, ISSUER)
    assert gateway.verify(body) == Notice("abc123", "PG0001", 135000, "VND", Outcome.SUCCEEDED, "00", "VCB")
    assert gateway.notice_params(gateway.verify(body), AT) == body
    assert gateway.reply(Result.CONFIRMED).body["errorCode"] == "00"
    with pytest.raises(BadSignature):
        gateway.verify({**body, "errorCode": "01"})


def test_national_platform_init_and_query_are_signed_the_same_way():
    gateway = PaygovGateway(SETTINGS, ISSUER)
    query = gateway.query_request("abc123", AT, AT - 600)
    assert query["checksum"] == hashlib.sha256(b"DVCQG|abc123|20260305093015|PGSECRET").hexdigest()
    init = gateway.create_request(ORDER, "10.0.0.1", AT)
    joined = (
        "DVCQG|abc123|135000|VND|WEB||Phi ho so CA-TINH-260305-0001|20260305093015|10.0.0.1"
        "|https://api.dvc.test/r|PGSECRET"
    )
    assert init["checksum"] == hashlib.sha256(joined.encode()).hexdigest()
    assert gateway.read_order(init).amount == 135000


def test_vnpay_status_query_signs_pipe_joined_fields_and_names_the_payments_own_date():
    ordered = datetime(2026, 3, 5, 9, 10, 0, tzinfo=VIETNAM).timestamp()
    query = VnpayGateway(SETTINGS, ISSUER).query_request("abc123", AT, ordered)
    assert (query["vnp_TransactionDate"], query["vnp_CreateDate"]) == ("20260305091000", "20260305093015")
    data = f"abc123{int(AT)}|2.1.0|querydr|TMN01|abc123|20260305091000|20260305093015|127.0.0.1|Truy van abc123"
    assert query["vnp_SecureHash"] == hmac512("VNPSECRET", data)


VNPAY_ANSWER = {
    "vnp_ResponseId": "4f5e6a",
    "vnp_Command": "querydr",
    "vnp_ResponseCode": "00",
    "vnp_Message": "QueryDR Success",
    "vnp_TmnCode": "TMN01",
    "vnp_TxnRef": "abc123",
    "vnp_Amount": "13500000",
    "vnp_BankCode": "NCB",
    "vnp_PayDate": "20260305092012",
    "vnp_TransactionNo": "14422574",
    "vnp_TransactionType": "01",
    "vnp_TransactionStatus": "00",
    "vnp_OrderInfo": "Truy van abc123",
    "vnp_PromotionCode": "",
    "vnp_PromotionAmount": "",
}


def vnpay_answer(**changes: str) -> dict[str, str]:
    answer = {**VNPAY_ANSWER, **changes}
    data = (
        "{vnp_ResponseId}|{vnp_Command}|{vnp_ResponseCode}|{vnp_Message}|{vnp_TmnCode}|{vnp_TxnRef}|{vnp_Amount}"
        "|{vnp_BankCode}|{vnp_PayDate}|{vnp_TransactionNo}|{vnp_TransactionType}|{vnp_TransactionStatus}"
        "|{vnp_OrderInfo}|{vnp_PromotionCode}|{vnp_PromotionAmount}"
    ).format(**answer)
    return {**answer, "vnp_SecureHash": hmac512("VNPSECRET", data)}


def test_vnpay_status_query_answer_is_read_in_its_own_signed_format():
    gateway = VnpayGateway(SETTINGS, ISSUER)
    assert gateway.verify_answer(vnpay_answer()) == Notice(
        "abc123", "14422574", 135000, "VND", Outcome.SUCCEEDED, "00/00", "NCB"
    )
    assert gateway.verify_answer(vnpay_answer(vnp_TransactionStatus="01")).outcome == Outcome.PENDING
    assert gateway.verify_answer(vnpay_answer(vnp_TransactionStatus="02")).outcome == Outcome.FAILED
    with pytest.raises(BadSignature):
        gateway.verify_answer({**vnpay_answer(), "vnp_Amount": "100"})
    with pytest.raises(BadSignature):  # an IPN-style signature is not a query answer's
        gateway.verify_answer(gateway.notice_params(Notice("abc123", "1", 135000, "VND", Outcome.SUCCEEDED, ""), AT))
    with pytest.raises(Malformed):  # 91: VNPay has no such order
        gateway.verify_answer(vnpay_answer(vnp_ResponseCode="91"))


def test_vnpay_sandbox_answers_queries_in_the_same_format():
    gateway = VnpayGateway(SETTINGS, ISSUER)
    request = gateway.query_request("abc123", AT, AT)
    answer = gateway.query_answer(Notice("abc123", "77", 135000, "VND", Outcome.SUCCEEDED, ""), AT, request)
    assert set(answer) == {*VNPAY_ANSWER, "vnp_SecureHash"}
    assert gateway.verify_answer(answer).transaction_id == "77"


def test_momo_create_answer_must_echo_the_request_and_carry_a_pay_url():
    gateway = MomoGateway(SETTINGS, ISSUER)
    request = gateway.create_request(ORDER, "10.0.0.1", AT)
    answer = gateway.create_answer(request, "https://test-payment.momo.vn/v2/gateway/pay?t=abc")
    assert gateway.pay_url(answer, request) == "https://test-payment.momo.vn/v2/gateway/pay?t=abc"
    with pytest.raises(Refused):
        gateway.pay_url({**answer, "resultCode": 42}, request)
    with pytest.raises(Malformed):
        gateway.pay_url({**answer, "amount": 1}, request)
    with pytest.raises(Malformed):
        gateway.pay_url({**answer, "payUrl": "javascript:alert(1)"}, request)


def test_national_platform_init_answer_is_checksummed():
    gateway = PaygovGateway(SETTINGS, ISSUER)
    request = gateway.create_request(ORDER, "10.0.0.1", AT)
    answer = gateway.create_answer(request, "https://paygov.test/pay/abc")
    joined = "DVCQG|abc123|00|https://paygov.test/pay/abc|PGSECRET"
    assert answer["checksum"] == hashlib.sha256(joined.encode()).hexdigest()
    assert gateway.pay_url(answer, request) == "https://paygov.test/pay/abc"
    with pytest.raises(BadSignature):
        gateway.pay_url({**answer, "payUrl": "https://ke-gian.example/pay"}, request)
