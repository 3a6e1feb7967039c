"""A stand-in for DynamoDB Streams in the local stack, so statistics move while you click around.

moto's server does not answer today's botocore on the Streams API, so this diffs each streamed
table written since (the write-ahead log says which) against its previous scan every two seconds
and hands the changes to the same handlers (statistics, dossier notices) the
stream Lambdas run, as `{"Records": [...]}` events. Changes between two scans collapse into one
(a status that came and went unseen is not counted); on AWS the real stream sees every change.
The first scan after start is the baseline, so restored data is not counted again.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

STREAMED = ("accounts", "dossiers", "payment-intents", "complaints")


class TableWatcher:
    def __init__(self, dynamodb: Any, prefix: str) -> None:
        self.dynamodb = dynamodb
        self.prefix = prefix
        self.seen: dict[str, dict[str, Any]] = {}

    def baseline(self) -> None:
        for table in STREAMED:
            self.seen[table] = self._scan(table)

    def poll(self, written: set[str] | None = None) -> int:
        """Feed every change since the last poll to its handler; returns how many records were counted.
        `written`: the full names of the tables written since (the others are not scanned)."""
        from chalicelib.jobs import stream_handlers

        counted = 0
        for table in STREAMED:
            if written is not None and f"{self.prefix}-{table}" not in written:
                continue
            current = self._scan(table)
            records = _records(self.seen.get(table, {}), current)
            if records:
                for _name, handler in stream_handlers(table):
                    counted += handler({"Records": records})
            self.seen[table] = current
        return counted

    def _scan(self, table: str) -> dict[str, Any]:
        name = f"{self.prefix}-{table}"
        if name not in self.dynamodb.list_tables()["TableNames"]:
            return {}
        keys = [part["AttributeName"] for part in self.dynamodb.describe_table(TableName=name)["Table"]["KeySchema"]]
        items = {}
        for page in self.dynamodb.get_paginator("scan").paginate(TableName=name):
            for item in page["Items"]:
                items[json.dumps([item[key] for key in keys], sort_keys=True)] = item
        return items


def _records(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    now = time.time()
    records = []
    for key, new in after.items():
        old = before.get(key)
        if old == new:
            continue
        event_id = hashlib.sha256(json.dumps([key, new], sort_keys=True).encode()).hexdigest()
        data: dict[str, Any] = {"NewImage": new, "ApproximateCreationDateTime": now}
        if old is not None:
            data["OldImage"] = old
        records.append({"eventID": event_id, "eventName": "MODIFY" if old else "INSERT", "dynamodb": data})
    return records
