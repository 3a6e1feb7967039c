"""Deployment stages (dev, prod) read from `infra/stages.json`: one place for what differs between them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

STAGES_FILE = Path(__file__).with_name("stages.json")


@dataclass(frozen=True)
class Stage:
    name: str
    region: str
    table_prefix: str
    log_retention_days: int
    api_rate_limit_per_5_min: int  # WAF: requests per client IP in any 5-minute window
    api_throttle_rps: int  # API Gateway stage throttling, steady rate and burst
    api_throttle_burst: int
    alarm_5xx_per_5_min: int
    retain_data: bool  # keep tables and buckets when the stack is deleted, and protect tables from deletion
    site_domain: str | None = None  # with site_certificate_arn (ACM, us-east-1): the site's own name and TLS 1.2+
    site_certificate_arn: str | None = None
    alarm_email: str | None = None

    @property
    def stack_name(self) -> str:
        return f"dvc-portal-{self.name}"


def load_stages(path: Path = STAGES_FILE) -> dict[str, Stage]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {name: Stage(name=name, **values) for name, values in raw.items()}


def stage(name: str, path: Path = STAGES_FILE) -> Stage:
    stages = load_stages(path)
    if name not in stages:
        raise SystemExit(f"unknown stage {name!r}; {path.name} defines {', '.join(sorted(stages))}")
    return stages[name]
