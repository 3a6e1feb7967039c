"""S3: the attachments bucket, reached through one lazily created client."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.core.config import get_settings


@cache
def s3() -> Any:
    settings = get_settings()
    return client_for(settings.region, settings.s3_endpoint)


def client_for(region: str, endpoint: str | None) -> Any:
    """Path-style addressing: presigned URLs name the fixed regional endpoint, which the site's CSP lists."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        region_name=region,
        endpoint_url=endpoint,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def create_buckets() -> list[str]:
    """Create the attachments bucket if missing (local stack and tests; `infra/` does it on AWS)."""
    client = s3()
    bucket = get_settings().attachments_bucket
    existing = {entry["Name"] for entry in client.list_buckets().get("Buckets", [])}
    if bucket in existing:
        return []
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": get_settings().region})
    return [bucket]
