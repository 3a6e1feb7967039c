"""Configuration, read once from the environment into a typed object.

Every setting has a local default so that `chalice local`, the tests and the embedded stack run
without a `.env` file. On AWS the stage's environment variables (see `.chalice/config.json` and
`infra/`) override them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple


class Settings(NamedTuple):
    issuer: str
    site_url: str  # the citizen site (CDN); its origin may call the API from the browser
    table_prefix: str
    region: str
    dynamodb_endpoint: str | None
    s3_endpoint: str | None
    keys_dir: Path | None
    keys_secret_id: str | None
    notifier: str
    mail_from: str
    coordinating_agency: str
    stream_arns: dict[str, str]
    outbox_log: Path
    argon2_memory_kib: int
    argon2_time_cost: int
    max_body_bytes: int
    procedures_dir: Path
    procedures_bucket: str | None
    attachments_bucket: str
    payments: PaymentSettings
    webhook_queue_url: str | None = None  # SQS queue the delivery Lambda reads (AWS); None delivers in process
    webhook_queue_arn: str | None = None  # the same queue's ARN, for the consumer's event source
    webhook_allow_http: bool = False  # plain http:// endpoints (the local stack only); AWS insists on https
    agency_rate_limit: int = 600  # requests per client and minute on the agency routes (`core.ratelimit`)

    @property
    def secure_cookies(self) -> bool:
        return self.issuer.startswith("https://")

    @property
    def site_origin(self) -> str:
        scheme, _, rest = self.site_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"

    @property
    def api_audience(self) -> str:
        """The `aud` of every access token this issuer mints for its own API."""
        return f"{self.issuer}/api"


class PaymentSettings(NamedTuple):
    """Merchant codes and secrets of each gateway (local defaults are sandbox values, never real ones).

    `sandbox` serves the sandbox gateway's pages and answers status queries from its ledger; it is on
    by default only when the issuer is a loopback http URL (the local stack and the tests).
    """

    sandbox: bool
    vnpay_tmn_code: str
    vnpay_hash_secret: str
    vnpay_url: str | None
    momo_partner_code: str
    momo_access_key: str
    momo_secret_key: str
    momo_url: str | None
    paygov_partner_code: str
    paygov_secret: str
    paygov_url: str | None
    query_urls: Mapping[str, str] = MappingProxyType({})  # gateway -> status-query endpoint (outside the sandbox)
    secret_id: str | None = None  # Secrets Manager secret with the credentials (on AWS)


def _payment_settings(issuer: str) -> PaymentSettings:
    loopback = issuer.startswith(("http://127.0.0.1", "http://localhost"))
    sandbox = os.environ.get("PORTAL_PAYMENT_SANDBOX", "1" if loopback else "0") == "1"

    def env(name: str, sandbox_value: str) -> str:
        # The sandbox values are public (they are in this file): never a default outside the sandbox.
        return os.environ.get(name) or (sandbox_value if sandbox else "")

    return PaymentSettings(
        sandbox=sandbox,
        vnpay_tmn_code=env("PORTAL_VNPAY_TMN_CODE", "DVCSANDBX"),
        vnpay_hash_secret=env("PORTAL_VNPAY_HASH_SECRET", "sandbox-vnpay-secret"),
        vnpay_url=_optional("PORTAL_VNPAY_URL"),
        momo_partner_code=env("PORTAL_MOMO_PARTNER_CODE", "MOMODVC0001"),
        momo_access_key=env("PORTAL_MOMO_ACCESS_KEY", "sandbox-momo-access"),
        momo_secret_key=env("PORTAL_MOMO_SECRET_KEY", "sandbox-momo-secret"),
        momo_url=_optional("PORTAL_MOMO_URL"),
        paygov_partner_code=env("PORTAL_PAYGOV_PARTNER_CODE", "DVCQG"),
        paygov_secret=env("PORTAL_PAYGOV_SECRET", "sandbox-paygov-secret"),
        paygov_url=_optional("PORTAL_PAYGOV_URL"),
        query_urls={
            gateway: url
            for gateway, url in (
                ("vnpay", _optional("PORTAL_VNPAY_QUERY_URL")),
                ("momo", _optional("PORTAL_MOMO_QUERY_URL")),
                ("paygov", _optional("PORTAL_PAYGOV_QUERY_URL")),
            )
            if url
        },
        secret_id=_optional("PORTAL_GATEWAY_SECRET_ID"),
    )


def _optional(name: str) -> str | None:
    return os.environ.get(name) or None


def _path(name: str) -> Path | None:
    value = _optional(name)
    return Path(value) if value else None


def load_settings() -> Settings:
    return Settings(
        issuer=os.environ.get("PORTAL_ISSUER", "http://127.0.0.1:8001").rstrip("/"),
        site_url=os.environ.get("PORTAL_SITE_URL", "http://127.0.0.1:8000").rstrip("/") + "/",
        table_prefix=os.environ.get("PORTAL_TABLE_PREFIX", "dvc-local"),
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-southeast-1",
        dynamodb_endpoint=_optional("PORTAL_DYNAMODB_ENDPOINT"),
        s3_endpoint=_optional("PORTAL_S3_ENDPOINT"),
        keys_dir=_path("PORTAL_KEYS_DIR"),
        keys_secret_id=_optional("PORTAL_KEYS_SECRET_ID"),
        notifier=os.environ.get("PORTAL_NOTIFIER", "log"),
        mail_from=os.environ.get("PORTAL_MAIL_FROM", "Cổng Dịch vụ công <no-reply@dichvucong.example>"),
        coordinating_agency=os.environ.get("PORTAL_COORDINATING_AGENCY", "VPCP"),
        # {"dossiers": "arn:aws:dynamodb:...:table/.../stream/..."}: set by infra; stream handlers register per entry
        stream_arns=json.loads(os.environ.get("PORTAL_STREAM_ARNS", "{}")),
        outbox_log=Path(os.environ.get("PORTAL_OUTBOX_LOG", ".devstack/outbox.log")),
        argon2_memory_kib=int(os.environ.get("PORTAL_ARGON2_MEMORY_KIB", "65536")),
        argon2_time_cost=int(os.environ.get("PORTAL_ARGON2_TIME_COST", "3")),
        max_body_bytes=int(os.environ.get("PORTAL_MAX_BODY_BYTES", "65536")),
        procedures_dir=Path(os.environ.get("PORTAL_PROCEDURES_DIR", "build/site/du-lieu/thu-tuc")),
        procedures_bucket=_optional("PORTAL_PROCEDURES_BUCKET"),
        attachments_bucket=os.environ.get("PORTAL_ATTACHMENTS_BUCKET")
        or f"{os.environ.get('PORTAL_TABLE_PREFIX', 'dvc-local')}-attachments",
        payments=_payment_settings(os.environ.get("PORTAL_ISSUER", "http://127.0.0.1:8001")),
        webhook_queue_url=_optional("PORTAL_WEBHOOK_QUEUE_URL"),
        webhook_queue_arn=_optional("PORTAL_WEBHOOK_QUEUE_ARN"),
        webhook_allow_http=os.environ.get("PORTAL_WEBHOOK_ALLOW_HTTP", "") == "1",
        agency_rate_limit=int(os.environ.get("PORTAL_AGENCY_RATE_LIMIT", "600")),
    )


@cache
def get_settings() -> Settings:
    return load_settings()
