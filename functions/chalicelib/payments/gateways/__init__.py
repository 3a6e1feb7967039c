"""The gateways the portal takes payments through, by name, built from configuration."""

from __future__ import annotations

from functools import cache

from chalicelib.core.config import get_settings
from chalicelib.payments.gateways.base import Gateway

NAMES = ("vnpay", "momo", "paygov")


@cache
def get_gateway(name: str) -> Gateway:
    from chalicelib.payments.credentials import payment_settings
    from chalicelib.payments.gateways.momo import MomoGateway
    from chalicelib.payments.gateways.paygov import PaygovGateway
    from chalicelib.payments.gateways.vnpay import VnpayGateway

    kinds: dict[str, type] = {"vnpay": VnpayGateway, "momo": MomoGateway, "paygov": PaygovGateway}
    if name not in kinds:
        raise KeyError(name)
    gateway: Gateway = kinds[name](payment_settings(), get_settings().issuer)
    return gateway
