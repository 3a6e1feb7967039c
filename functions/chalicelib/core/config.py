"""Configuration, read once from the environment into a typed object.

Every setting has a local default so that `chalice local`, the tests and the embedded stack run
without a `.env` file. On AWS the stage's environment variables (see `.chalice/config.json` and
`infra/`) override them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    issuer: str
    table_prefix: str
    region: str
    dynamodb_endpoint: str | None
    s3_endpoint: str | None
    keys_dir: Path | None
    keys_secret_id: str | None
    notifier: str
    outbox_log: Path
    argon2_memory_kib: int
    argon2_time_cost: int
    max_body_bytes: int
    procedures_dir: Path
    procedures_bucket: str | None
    attachments_bucket: str

    @property
    def secure_cookies(self) -> bool:
        return self.issuer.startswith("https://")

    @property
    def api_audience(self) -> str:
        """The `aud` of every access token this issuer mints for its own API."""
        return f"{self.issuer}/api"


def _optional(name: str) -> str | None:
    return os.environ.get(name) or None


def _path(name: str) -> Path | None:
    value = _optional(name)
    return Path(value) if value else None


def load_settings() -> Settings:
    return Settings(
        issuer=os.environ.get("PORTAL_ISSUER", "http://127.0.0.1:8001").rstrip("/"),
        table_prefix=os.environ.get("PORTAL_TABLE_PREFIX", "dvc-local"),
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-southeast-1",
        dynamodb_endpoint=_optional("PORTAL_DYNAMODB_ENDPOINT"),
        s3_endpoint=_optional("PORTAL_S3_ENDPOINT"),
        keys_dir=_path("PORTAL_KEYS_DIR"),
        keys_secret_id=_optional("PORTAL_KEYS_SECRET_ID"),
        notifier=os.environ.get("PORTAL_NOTIFIER", "log"),
        outbox_log=Path(os.environ.get("PORTAL_OUTBOX_LOG", ".devstack/outbox.log")),
        argon2_memory_kib=int(os.environ.get("PORTAL_ARGON2_MEMORY_KIB", "65536")),
        argon2_time_cost=int(os.environ.get("PORTAL_ARGON2_TIME_COST", "3")),
        max_body_bytes=int(os.environ.get("PORTAL_MAX_BODY_BYTES", "65536")),
        procedures_dir=Path(os.environ.get("PORTAL_PROCEDURES_DIR", "build/site/du-lieu/thu-tuc")),
        procedures_bucket=_optional("PORTAL_PROCEDURES_BUCKET"),
        attachments_bucket=os.environ.get("PORTAL_ATTACHMENTS_BUCKET")
        or f"{os.environ.get('PORTAL_TABLE_PREFIX', 'dvc-local')}-attachments",
    )


@cache
def get_settings() -> Settings:
    return load_settings()
