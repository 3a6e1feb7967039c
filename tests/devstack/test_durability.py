"""The local stack loses nothing it acknowledged: `kill -9` in the middle of concurrent writes.

Writers hammer the emulated DynamoDB (puts and atomic counter increments, as code counters do)
while the stack runs; the process is then killed with SIGKILL, with no chance to save anything,
and started again. Every write a client saw acknowledged must be there; a counter may only be
ahead by writes that were in flight (applied and logged, the answer lost with the process). And
the codes the API handed out before the kill are never handed out again after it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import boto3
import pytest
import requests

from tests.devstack.test_local_stack import Launcher, RunningStack, launcher

__all__ = ["launcher"]

WRITERS = 4
TABLE = "durability-probe"


def _dynamodb(launcher: Launcher):
    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{launcher.ports['--aws-port']}",
        region_name="ap-southeast-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


class Writers:
    """Threads writing until told to stop; each remembers what was acknowledged."""

    def __init__(self, launcher: Launcher) -> None:
        self.stop = threading.Event()
        self.acknowledged: list[list[str]] = [[] for _ in range(WRITERS)]
        self.increments = [0] * WRITERS
        self.threads = [threading.Thread(target=self._write, args=(launcher, n), daemon=True) for n in range(WRITERS)]

    def _write(self, launcher: Launcher, number: int) -> None:
        dynamodb = _dynamodb(launcher)
        sequence = 0
        while not self.stop.is_set():
            key = f"w{number}-{sequence}"
            try:
                dynamodb.put_item(TableName=TABLE, Item={"key": {"S": key}, "writer": {"N": str(number)}})
                self.acknowledged[number].append(key)
                dynamodb.update_item(
                    TableName=TABLE,
                    Key={"key": {"S": "counter"}},
                    UpdateExpression="ADD #n :one",
                    ExpressionAttributeNames={"#n": "n"},
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )
                self.increments[number] += 1
            except Exception:
                return  # the process is gone: whatever was not answered was not acknowledged
            sequence += 1


def test_every_acknowledged_write_survives_kill_9(launcher: Launcher):
    stack = launcher.start()
    dynamodb = _dynamodb(launcher)
    dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}],
    )
    writers = Writers(launcher)
    for thread in writers.threads:
        thread.start()
    # A hundred acknowledged writes, then the kill, with every writer mid-request: what is proved does
    # not grow with the count (bench/durability.py runs the same kill under load for seconds).
    _wait_for(lambda: sum(map(len, writers.acknowledged)) >= 100)
    stack.process.kill()  # SIGKILL: no handler runs, nothing is saved on the way out
    stack.process.wait(timeout=30)
    writers.stop.set()
    for thread in writers.threads:
        thread.join(timeout=30)

    again = launcher.start()
    assert any(line.startswith("replayed") for line in again.output), again.output
    dynamodb = _dynamodb(launcher)
    stored = {
        item["key"]["S"] for page in dynamodb.get_paginator("scan").paginate(TableName=TABLE) for item in page["Items"]
    }
    acknowledged = {key for keys in writers.acknowledged for key in keys}
    assert acknowledged <= stored, f"lost {len(acknowledged - stored)} acknowledged writes"
    counter = int(dynamodb.get_item(TableName=TABLE, Key={"key": {"S": "counter"}})["Item"]["n"]["N"])
    assert sum(writers.increments) <= counter <= sum(writers.increments) + WRITERS
    assert again.stop() == 0


def _wait_for(condition, attempts: int = 600) -> None:
    import time

    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.05)
    pytest.fail("the writers made no progress")


COMPLAINT = {
    "agency_id": "CA-TINH",
    "title": "Đèn đường hỏng",
    "content": "Đèn đường trước số nhà 12 đã hỏng hơn một tuần, buổi tối rất tối.",
    "name": "Lê Văn Bền",
    "email": "ben@example.vn",
}


def _file_complaint(stack: RunningStack) -> str:
    answer = requests.post(f"{stack.issuer}/complaints", json=COMPLAINT, timeout=10)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


def test_codes_handed_out_before_a_kill_9_are_never_handed_out_again(launcher: Launcher, tmp_path: Path):
    first = launcher.start()
    before = [_file_complaint(first), _file_complaint(first)]
    first.process.kill()
    first.process.wait(timeout=30)

    second = launcher.start()
    after = [_file_complaint(second), _file_complaint(second)]
    assert len(set(before + after)) == 4, f"a code was handed out twice: {before} then {after}"
    assert [code.rsplit("-", 1)[1] for code in after] > [code.rsplit("-", 1)[1] for code in before]
    assert second.stop() == 0
    assert (launcher.state_dir / "aws-state.json").exists()
    assert sorted(path.name for path in launcher.state_dir.glob("wal-*.log")) == ["wal-3.log"]
