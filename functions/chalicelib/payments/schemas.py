"""Request and response models of the payment endpoints, and the gateways' callback bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from chalicelib.core.queries import OpenQuery, Query, cursor, limit
from chalicelib.core.validation import Instant, Reply, StrictModel

Gateway = Literal["vnpay", "momo", "paygov"]
Kind = Literal["dossier_fee", "traffic_fine", "insurance"]
Id = Field(max_length=100)


class IntentCreate(StrictModel):
    """What to pay and through which gateway; the amount is always computed by the portal."""

    kind: Kind
    gateway: Gateway
    dossier_code: str | None = Field(default=None, max_length=80, pattern=r"^[A-Za-z0-9.\-]+-\d{6}-\d{4,6}$")
    reference: str | None = Field(
        default=None,
        max_length=40,
        pattern=r"^[0-9A-Za-zĐđ./\-]+$",
        description="Số quyết định xử phạt hoặc mã số BHXH",
    )

    @model_validator(mode="after")
    def what_to_pay(self) -> IntentCreate:
        if self.kind == "dossier_fee" and not self.dossier_code:
            raise ValueError("Cần mã hồ sơ (dossier_code) để nộp phí, lệ phí.")
        if self.kind != "dossier_fee" and not self.reference:
            raise ValueError("Cần số quyết định hoặc mã số bảo hiểm (reference).")
        return self


class FeeLineView(Reply):
    name: str
    kind: str
    amount: int


class PaymentStatusChange(Reply):
    status: str
    at: datetime


class IntentView(Reply):
    intent_id: str
    kind: Kind
    status: Status
    amount: int
    currency: str
    gateway: Gateway
    description: str
    service: str
    agency_id: str
    dossier_code: str | None = None
    lines: list[FeeLineView]
    history: list[PaymentStatusChange]
    transaction_id: str | None = None
    created_at: datetime
    pending_at: datetime | None = None
    settled_at: datetime | None = None
    updated_at: datetime | None = Field(default=None, description="Lần thay đổi gần nhất (thứ tự của nguồn thay đổi)")


class IntentList(Reply):
    intents: list[IntentView]
    next_cursor: str | None = None


class RefundCaseView(Reply):
    case_id: str = Field(description="`{gateway}#{transaction id}`")
    gateway: Gateway
    transaction_id: str
    intent_id: str
    amount: int
    reason: Literal["obligation_paid", "second_success", "not_sent"]
    status: Literal["open"]
    opened_at: datetime


class RefundCaseList(Reply):
    refunds: list[RefundCaseView]


class Checkout(Reply):
    intent: IntentView
    redirect_url: str


class VnpayAnswer(Reply):
    RspCode: str
    Message: str


class PaygovAnswer(Reply):
    errorCode: str
    message: str


class MomoNotice(StrictModel):
    """MoMo's IPN body, field for field."""

    partnerCode: str = Id
    orderId: str = Id
    requestId: str = Id
    amount: int = Field(ge=0, le=10**12)
    orderInfo: str = Field(default="", max_length=500)
    orderType: str = Field(default="", max_length=50)
    transId: int = Field(ge=0, le=10**18)
    resultCode: int = Field(ge=-(10**6), le=10**6)
    message: str = Field(default="", max_length=500)
    payType: str = Field(default="", max_length=50)
    responseTime: int = Field(ge=0, le=10**15)
    extraData: str = Field(default="", max_length=1000)
    signature: str = Field(max_length=128)


class PaygovConfirm(StrictModel):
    """The national payment platform's confirm callback."""

    partnerCode: str = Id
    reference: str = Id
    amount: str = Field(max_length=20)
    currency: str = Field(max_length=3)
    transactionId: str = Id
    bankCode: str = Field(default="", max_length=20)
    time: str = Field(max_length=14)
    errorCode: str = Field(max_length=10)
    checksum: str = Field(max_length=128)


class SandboxChoice(StrictModel):
    """The sandbox gateway page's form."""

    checkout: str = Field(max_length=8000, description="The signed redirect's query string, as received")
    action: Literal["pay", "cancel"]
    copies: int = Field(default=1, ge=1, le=5)
    delay: int = Field(default=0, ge=0, le=30)
    reorder: Literal["0", "1"] = "0"


Status = Literal["created", "pending", "succeeded", "failed", "cancelled", "expired", "refund_due"]


class AgencyPaymentsQuery(Query):
    status: Status | None = None
    limit: int = limit(50)
    cursor: str | None = cursor()
    dossier_code: str | None = Field(default=None, min_length=3, max_length=60, description="Chỉ khoản của hồ sơ này")
    updated_since: Instant | None = Field(
        default=None,
        description="Nguồn thay đổi: khoản thanh toán thay đổi từ thời điểm này (ISO 8601), cũ trước mới sau",
    )
    updated_until: Instant | None = Field(default=None, description="Cùng updated_since: đến thời điểm này")


class RefundsQuery(Query):
    limit: int = limit(50)


class SandboxCheckoutQuery(OpenQuery):
    """The sandbox gateway's page takes the redirect of whichever gateway it plays, with that
    gateway's own signed parameters (VNPay's `vnp_*`, MoMo's and the national platform's), checked
    by the gateway's adapter rather than named here."""


Vnp = Field(default=None, max_length=255)


class VnpayIpnQuery(OpenQuery):
    """What VNPay's IPN carries; every `vnp_` parameter it sends is signed, known here or not."""

    vnp_Amount: str | None = Field(default=None, max_length=20)
    vnp_BankCode: str | None = Vnp
    vnp_BankTranNo: str | None = Vnp
    vnp_CardType: str | None = Vnp
    vnp_OrderInfo: str | None = Vnp
    vnp_PayDate: str | None = Vnp
    vnp_ResponseCode: str | None = Vnp
    vnp_TmnCode: str | None = Vnp
    vnp_TransactionNo: str | None = Vnp
    vnp_TransactionStatus: str | None = Vnp
    vnp_TxnRef: str | None = Vnp
    vnp_SecureHashType: str | None = Vnp
    vnp_SecureHash: str | None = Field(default=None, max_length=256)
