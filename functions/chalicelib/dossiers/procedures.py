"""What submission needs to know about a procedure, read from the catalogue's machine-readable export
(`du-lieu/thu-tuc/<code>.json`, written by `catalog_build`): from the built site folder locally, from
the site bucket on AWS. Cached per code for the life of the Lambda instance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.core.config import get_settings

ONLINE_LEVELS = frozenset({"full", "partial"})


@dataclass(frozen=True)
class Requirement:
    key: str
    name: str
    required: bool


@dataclass(frozen=True)
class Fee:
    kind: str  # "fee" (phí) | "charge" (lệ phí)
    amount: int | None  # None when the catalogue only describes how it is computed
    unit: str
    description: str | None


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    sector: str | None
    status: str
    online_level: str
    audiences: frozenset[str]
    executing: tuple[str, ...]
    cases: tuple[tuple[str, tuple[Requirement, ...]], ...]
    online_time: tuple[float, str] | None
    fees: tuple[tuple[str, tuple[Fee, ...]], ...] = ()  # per channel kind, as in the catalogue

    def fees_for(self, channel: str) -> tuple[Fee, ...]:
        return next((fees for kind, fees in self.fees if kind == channel), ())

    def requirements(self, case_index: int) -> tuple[Requirement, ...]:
        return self.cases[case_index][1]

    def serves(self, agency_id: str) -> bool:
        """An executing agency, or a local office of a generic one (`UBND-XA.HN.PHUC-XA` for `UBND-XA`)."""
        return any(agency_id == code or agency_id.startswith(f"{code}.") for code in self.executing)


def slug_of(code: str) -> str:
    return code.replace(".", "-")


@lru_cache(maxsize=4096)
def get_procedure(code: str) -> Procedure | None:
    raw = _read(slug_of(code))
    return None if raw is None else _parse(raw)


def _read(slug: str) -> dict[str, Any] | None:
    return read_export("thu-tuc", slug)


def read_export(folder: str, slug: str) -> dict[str, Any] | None:
    """One JSON record of the catalogue's exports (`du-lieu/<folder>/<slug>.json`), or None."""
    settings = get_settings()
    if not slug.replace("-", "").isalnum():
        return None
    if settings.procedures_bucket:
        from botocore.exceptions import ClientError

        from chalicelib.store.files import s3

        try:
            key = f"du-lieu/{folder}/{slug}.json"
            body = s3().get_object(Bucket=settings.procedures_bucket, Key=key)["Body"]
        except ClientError as error:
            # Without s3:ListBucket a missing key answers AccessDenied rather than NoSuchKey.
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "AccessDenied", "404", "403"):
                return None
            raise
        return json.loads(body.read())
    # Locally the other export folders sit beside the procedures' (`du-lieu/thu-tuc`).
    base = settings.procedures_dir if folder == "thu-tuc" else settings.procedures_dir.parent / folder
    path = base / f"{slug}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _parse(raw: dict[str, Any]) -> Procedure:
    cases = tuple(
        (
            str(case.get("name") or ""),
            tuple(
                Requirement(key=str(doc.get("code") or f"tp{index + 1}"), name=doc["name"], required=doc["required"])
                for index, doc in enumerate(case.get("documents", []))
            ),
        )
        for case in raw.get("cases", [])
    )
    online = next((channel for channel in raw.get("channels", []) if channel["kind"] == "online"), None)
    online_time = None
    if online and online.get("time_value") is not None:
        online_time = (float(online["time_value"]), str(online.get("time_unit", "working_days")))
    return Procedure(
        code=raw["code"],
        name=raw["name"],
        sector=raw.get("sector"),
        status=raw.get("status", "active"),
        online_level=raw["online_level"],
        audiences=frozenset(raw.get("audiences", [])),
        executing=tuple(raw["agencies"]["executing"]),
        cases=cases,
        online_time=online_time,
        fees=tuple(
            (
                str(channel["kind"]),
                tuple(
                    Fee(str(fee["kind"]), fee.get("amount"), str(fee.get("unit", "")), fee.get("description"))
                    for fee in channel.get("fees", [])
                ),
            )
            for channel in raw.get("channels", [])
        ),
    )
