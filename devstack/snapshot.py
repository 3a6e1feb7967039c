"""Save and restore everything in the local AWS emulation, because moto's server keeps nothing on disk.

DynamoDB tables are saved with their key schema and indexes and every item in DynamoDB's own JSON
(so types survive exactly); S3 buckets with every object. Writes are atomic (temporary file,
fsync, rename): a crash while saving leaves the previous snapshot intact. A snapshot names the
write-ahead log generation that continues it (`wal_generation`, see `devstack.wal`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

SNAPSHOT_FILE = "aws-state.json"
_TABLE_FIELDS = ("AttributeDefinitions", "KeySchema")
_INDEX_FIELDS = ("IndexName", "KeySchema", "Projection")


def capture(dynamodb: Any, s3: Any) -> dict[str, Any]:
    return {"version": 1, "dynamodb": _capture_tables(dynamodb), "s3": _capture_buckets(s3)}


def fingerprint(state: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def save(state: dict[str, Any], folder: Path) -> Path:
    """Owner-only: the snapshot holds password hashes, grants, files and queued reset codes."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / SNAPSHOT_FILE
    partial = path.with_suffix(".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(state, ensure_ascii=False))
        handle.flush()
        os.fsync(handle.fileno())  # on disk before the rename makes it the snapshot
    partial.replace(path)
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)  # and the rename itself, before the write-ahead log it covers is deleted
    finally:
        os.close(directory)
    return path


def load(folder: Path) -> dict[str, Any] | None:
    path = folder / SNAPSHOT_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def restore(state: dict[str, Any], dynamodb: Any, s3: Any) -> dict[str, int]:
    """Recreate the saved tables and buckets; returns how many items and objects came back."""
    items = sum(_restore_table(dynamodb, name, table) for name, table in state.get("dynamodb", {}).items())
    objects = sum(_restore_bucket(s3, name, bucket) for name, bucket in state.get("s3", {}).items())
    return {"items": items, "objects": objects}


def _capture_tables(dynamodb: Any) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for name in dynamodb.list_tables()["TableNames"]:
        description = dynamodb.describe_table(TableName=name)["Table"]
        schema = {field: description[field] for field in _TABLE_FIELDS}
        indexes = [
            {field: index[field] for field in _INDEX_FIELDS} for index in description.get("GlobalSecondaryIndexes", [])
        ]
        if indexes:
            schema["GlobalSecondaryIndexes"] = indexes
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        items = [item for page in dynamodb.get_paginator("scan").paginate(TableName=name) for item in page["Items"]]
        tables[name] = {"schema": schema, "ttl": ttl.get("AttributeName"), "items": items}
    return tables


def _capture_buckets(s3: Any) -> dict[str, Any]:
    buckets: dict[str, Any] = {}
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        objects = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for entry in page.get("Contents", []):
                body = s3.get_object(Bucket=name, Key=entry["Key"])
                objects[entry["Key"]] = {
                    "content_type": body.get("ContentType", "application/octet-stream"),
                    "data": base64.b64encode(body["Body"].read()).decode(),
                }
        buckets[name] = {"objects": objects}
    return buckets


def _restore_table(dynamodb: Any, name: str, table: dict[str, Any]) -> int:
    if name not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **table["schema"])
        if table.get("ttl"):
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table["ttl"]}
            )
    items = table["items"]
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        pending: dict[str, Any] = {name: batch}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(items)


def _restore_bucket(s3: Any, name: str, bucket: dict[str, Any]) -> int:
    existing = {entry["Name"] for entry in s3.list_buckets().get("Buckets", [])}
    if name not in existing:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name})
    for key, entry in bucket["objects"].items():
        s3.put_object(Bucket=name, Key=key, Body=base64.b64decode(entry["data"]), ContentType=entry["content_type"])
    return len(bucket["objects"])
