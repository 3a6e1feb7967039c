"""Signature vectors for each gateway adapter: the expected values are computed here, independently,
with hashlib/hmac over literal strings written out by hand from each gateway's rules."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.core.calendar import VIETNAM
from chalicelib.core.config import PaymentSettings
from chalicelib.payments.gateways.base import BadSignature, Notice, Order, Outcome, Result
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
    url = MomoGateway(SETTINGS, ISSUER).redirect_url(ORDER, "10.0.0.1", AT)
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}
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
    query = gateway.query_request("abc123", AT)
    assert query["checksum"] == hashlib.sha256(b"DVCQG|abc123|20260305093015|PGSECRET").hexdigest()
    url = gateway.redirect_url(ORDER, "10.0.0.1", AT)
    init = {key: values[0] for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}
    joined = (
        "DVCQG|abc123|135000|VND|WEB||Phi ho so CA-TINH-260305-0001|20260305093015|10.0.0.1"
        "|https://api.dvc.test/r|PGSECRET"
    )
    assert init["checksum"] == hashlib.sha256(joined.encode()).hexdigest()
    assert gateway.read_order(init).amount == 135000


def test_vnpay_status_query_signs_pipe_joined_fields():
    query = VnpayGateway(SETTINGS, ISSUER).query_request("abc123", AT)
    data = f"abc123{int(AT)}|2.1.0|querydr|TMN01|abc123|20260305093015|20260305093015|127.0.0.1|Truy van abc123"
    assert query["vnp_SecureHash"] == hmac512("VNPSECRET", data)
