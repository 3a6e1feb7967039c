"""Gateway credentials fail closed: outside the sandbox there are no default secrets, so a callback
signed with the sandbox's public key cannot credit anything; on AWS they come from Secrets Manager."""

from __future__ import annotations

import json

import boto3
import pytest

from chalicelib.core.config import _payment_settings
from chalicelib.core.errors import ServiceUnavailable
from chalicelib.payments import credentials


@pytest.fixture
def deployed(monkeypatch):
    """Settings as on AWS: an https issuer, so no sandbox and no sandbox secrets."""
    for name in ("PORTAL_PAYMENT_SANDBOX", "PORTAL_VNPAY_HASH_SECRET", "PORTAL_MOMO_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = credentials.get_settings()._replace(payments=_payment_settings("https://api.dichvucong.example"))
    monkeypatch.setattr(credentials, "get_settings", lambda: settings)
    credentials.forget()
    yield settings
    credentials.forget()


def test_outside_the_sandbox_no_secret_has_a_default(deployed):
    assert deployed.payments.sandbox is False
    assert deployed.payments.vnpay_hash_secret == "" and deployed.payments.momo_secret_key == ""
    with pytest.raises(ServiceUnavailable):
        credentials.payment_settings()


def test_credentials_are_read_from_the_gateway_secret(deployed, monkeypatch):
    values = {name: f"real-{name}" for name in credentials.SECRET_FIELDS}
    client = boto3.client("secretsmanager", region_name="ap-southeast-1")
    arn = client.create_secret(Name="dvc-prod/payment-gateways", SecretString=json.dumps(values))["ARN"]
    with_secret = deployed._replace(payments=deployed.payments._replace(secret_id=arn))
    monkeypatch.setattr(credentials, "get_settings", lambda: with_secret)
    loaded = credentials.payment_settings(client)
    assert loaded.vnpay_hash_secret == "real-vnpay_hash_secret" and loaded.sandbox is False


def test_a_secret_missing_a_field_still_refuses(deployed, monkeypatch):
    values = {name: "x" for name in credentials.SECRET_FIELDS if name != "paygov_secret"}
    client = boto3.client("secretsmanager", region_name="ap-southeast-1")
    arn = client.create_secret(Name="partial", SecretString=json.dumps(values))["ARN"]
    monkeypatch.setattr(
        credentials, "get_settings", lambda: deployed._replace(payments=deployed.payments._replace(secret_id=arn))
    )
    with pytest.raises(ServiceUnavailable):
        credentials.payment_settings(client)
