"""The gateways' merchant codes and secrets: from the environment, or (on AWS) from the Secrets
Manager secret named by `PORTAL_GATEWAY_SECRET_ID`, read once per Lambda instance.

Fails closed: a gateway with a missing secret is never used, so nobody can sign a "payment
succeeded" callback with a guessable or published key.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.core.config import PaymentSettings, get_settings
from chalicelib.core.errors import ServiceUnavailable

SECRET_FIELDS = (
    "vnpay_tmn_code",
    "vnpay_hash_secret",
    "momo_partner_code",
    "momo_access_key",
    "momo_secret_key",
    "paygov_partner_code",
    "paygov_secret",
)
_loaded: PaymentSettings | None = None


def payment_settings(client: Any = None) -> PaymentSettings:
    global _loaded
    if _loaded is None:
        settings = get_settings().payments
        if settings.secret_id:
            settings = _merge(settings, _read_secret(settings.secret_id, client))
        _loaded = settings
    missing = [name for name in SECRET_FIELDS if not getattr(_loaded, name)]
    if missing:
        raise ServiceUnavailable("Cổng thanh toán chưa được cấu hình. Vui lòng thử lại sau.")
    return _loaded


def forget() -> None:
    """Read the credentials again on next use (after a rotation, or in tests)."""
    global _loaded
    _loaded = None


def _read_secret(secret_id: str, client: Any) -> dict[str, Any]:
    if client is None:
        import boto3

        client = boto3.client("secretsmanager", region_name=get_settings().region)
    values = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    return values if isinstance(values, dict) else {}


def _merge(settings: PaymentSettings, values: dict[str, Any]) -> PaymentSettings:
    return settings._replace(**{name: str(values[name]) for name in SECRET_FIELDS if values.get(name)})
