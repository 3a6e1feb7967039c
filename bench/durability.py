"""Durability of the local stack: what the write-ahead log costs, and what `kill -9` loses.

    .venv/bin/python bench/durability.py [--seconds 5] [--writers 4]

1. The cost: `PutItem` latency through moto's own server (nothing on disk) and through the local
   stack's (`devstack.wal`: one lock, an append and an fsync per acknowledged write), alternately,
   from one client over HTTP on loopback.
2. The loss: the local stack runs as `make run` runs it, several writers put items and add to a
   counter as fast as they can, the process gets SIGKILL mid-stream, starts again, and every write a
   writer saw acknowledged is looked for.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import boto3

REPO = Path(__file__).resolve().parents[1]
TABLE = "durability-bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def client(port: int) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="ap-southeast-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def create_table(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}],
    )


def put_latencies(dynamodb: Any, seconds: float, prefix: str) -> list[float]:
    each = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        begin = time.perf_counter()
        dynamodb.put_item(TableName=TABLE, Item={"key": {"S": f"{prefix}{len(each)}"}, "n": {"N": "1"}})
        each.append(time.perf_counter() - begin)
    return each


class Stack:
    """`python -m devstack` in its own process, on free ports, with its own state folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (folder / "site").mkdir(exist_ok=True)
        (folder / "site" / "index.html").write_text("<!doctype html><title>Cổng</title>", encoding="utf-8")
        self.ports = {"--api-port": free_port(), "--aws-port": free_port(), "--site-port": free_port()}

    def start(self) -> tuple[subprocess.Popen[str], list[str]]:
        command = [sys.executable, "-m", "devstack", f"--state-dir={self.folder / 'state'}"]
        command += [f"--site-dir={self.folder / 'site'}", *(f"{name}={port}" for name, port in self.ports.items())]
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        lines: list[str] = []
        for line in process.stdout or []:
            lines.append(line.strip())
            if line.strip() == "ready":
                return process, lines
        raise SystemExit("the local stack did not start:\n" + "\n".join(lines))


def cost(seconds: float) -> None:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise

    folder = Path(tempfile.mkdtemp(prefix="portal-durability-"))
    plain = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    plain.start()
    stack = Stack(folder)
    process, _lines = stack.start()
    try:
        bare, durable = client(plain.get_host_and_port()[1]), client(stack.ports["--aws-port"])
        create_table(bare)
        create_table(durable)
        rounds: dict[str, list[float]] = {"moto's server, nothing on disk": [], "local stack, WAL + fsync": []}
        for number in range(4):
            rounds["moto's server, nothing on disk"] += put_latencies(bare, seconds / 4, f"b{number}-")
            rounds["local stack, WAL + fsync"] += put_latencies(durable, seconds / 4, f"d{number}-")
    finally:
        process.kill()
        process.wait()
        plain.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'PutItem over HTTP, one client':<36} {'writes':>7} {'p50 ms':>7} {'p99 ms':>7} {'writes/s':>9}")
    medians = {}
    for label, each in rounds.items():
        medians[label] = statistics.median(each)
        p99 = sorted(each)[int(0.99 * (len(each) - 1))]
        print(f"{label:<36} {len(each):7d} {1e3 * medians[label]:7.2f} {1e3 * p99:7.2f} {len(each) / sum(each):9.0f}")
    plain_s, durable_s = medians.values()
    print(f"ratio (median): {durable_s / plain_s:.2f}x")


def loss(seconds: float, writers: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="portal-durability-"))
    stack = Stack(folder)
    process, _lines = stack.start()
    create_table(client(stack.ports["--aws-port"]))
    acknowledged: list[list[str]] = [[] for _ in range(writers)]
    increments = [0] * writers
    stop = threading.Event()

    def write(number: int) -> None:
        dynamodb = client(stack.ports["--aws-port"])
        while not stop.is_set():
            key = f"w{number}-{len(acknowledged[number])}"
            try:
                dynamodb.put_item(TableName=TABLE, Item={"key": {"S": key}})
                acknowledged[number].append(key)
                dynamodb.update_item(
                    TableName=TABLE,
                    Key={"key": {"S": "counter"}},
                    UpdateExpression="ADD n :one",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )
                increments[number] += 1
            except Exception:
                return

    threads = [threading.Thread(target=write, args=(n,), daemon=True) for n in range(writers)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    process.kill()  # SIGKILL, mid-stream
    process.wait()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    started = time.perf_counter()
    process, lines = stack.start()
    restart_s = time.perf_counter() - started
    try:
        dynamodb = client(stack.ports["--aws-port"])
        stored = {
            item["key"]["S"]
            for page in dynamodb.get_paginator("scan").paginate(TableName=TABLE)
            for item in page["Items"]
        }
        counter = int(dynamodb.get_item(TableName=TABLE, Key={"key": {"S": "counter"}})["Item"]["n"]["N"])
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)
    acked = {key for keys in acknowledged for key in keys}
    replayed = next((line for line in lines if line.startswith("replayed")), "replayed nothing")
    print(f"\nkill -9 after {seconds:g} s of {writers} writers: {len(acked):,} puts and {sum(increments):,} increments")
    print(f"acknowledged and lost: {len(acked - stored)} puts; counter {counter:,} (acknowledged {sum(increments):,})")
    print(f"restart: {replayed}; ready in {restart_s:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    cost(args.seconds)
    loss(args.seconds, args.writers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
