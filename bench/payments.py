"""Payments benchmark: verified gateway callbacks processed per second in-process, against a bare
conditional write to the same emulated DynamoDB.

    .venv/bin/python bench/payments.py [--count 300]

Each first callback verifies the signature, reads the intent, checks order, amount and currency,
applies the transaction once (one TransactWrite: transaction record + intent update), records the
raw callback for audit and queues the receipt notification. A replay stops after the read. The
baseline is one PutItem with `attribute_not_exists`, the smallest write that still applies once.
Everything runs over moto in this process, so the figures compare costs rather than predict Lambda.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from portal_env import use_portal_environment

REPO = Path(__file__).resolve().parents[1]


def timed(calls: list[Callable[[], Any]]) -> tuple[float, list[float]]:
    each = []
    started = time.perf_counter()
    for call in calls:
        begin = time.perf_counter()
        call()
        each.append(time.perf_counter() - begin)
    return time.perf_counter() - started, each


def row(label: str, elapsed: float, each: list[float]) -> float:
    rate = len(each) / elapsed
    p95 = statistics.quantiles(each, n=20)[-1] if len(each) > 1 else each[0]
    print(f"{label:<44} {len(each):6d} {elapsed:8.2f} {rate:8.1f} {1e3 * statistics.fmean(each):8.2f} {1e3 * p95:8.2f}")
    return rate


def callback_calls(gateway: str, count: int, expect: Any) -> tuple[list[Callable[[], None]], list[Callable[[], None]]]:
    """Fresh pending intents and their signed success callbacks: calls for the first delivery and a replay."""
    from chalicelib.payments import callbacks
    from chalicelib.payments.gateways.base import Result
    from tests.api.factories import gateway_notice
    from tests.api.test_payment_properties import pending_intent

    def call(params: dict[str, Any], result: Result) -> Callable[[], None]:
        def run() -> None:
            assert callbacks.handle(gateway, params) == result

        return run

    prepared = []
    for index in range(count):
        intent = pending_intent(gateway, 135000)
        prepared.append(gateway_notice(gateway, intent.intent_id, 135000, transaction_id=str(10**9 + index)))
    return [call(p, Result.CONFIRMED) for p in prepared], [call(p, Result.ALREADY) for p in prepared]


def baselines(count: int) -> tuple[list[Callable[[], None]], list[Callable[[], None]]]:
    from pynamodb.transactions import TransactWrite

    from chalicelib.store.base import connection
    from chalicelib.store.payments import GatewayTransaction
    from tests.api.test_payment_properties import pending_intent

    def put(index: int) -> Callable[[], None]:
        record = GatewayTransaction(f"bench#{index}", intent_id="x", outcome="succeeded", amount=1, applied_at=0)
        return lambda: record.save(condition=GatewayTransaction.key.does_not_exist())

    def transact(index: int) -> Callable[[], None]:
        intent = pending_intent("vnpay", 1000)
        record = GatewayTransaction(f"tx#{index}", intent_id="x", outcome="succeeded", amount=1, applied_at=0)

        def run() -> None:
            from chalicelib.store.payments import PaymentIntent

            with TransactWrite(connection=connection()) as transaction:
                transaction.save(record, condition=GatewayTransaction.key.does_not_exist())
                transaction.update(intent, actions=[PaymentIntent.status.set("succeeded")])

        return run

    return [put(i) for i in range(count)], [transact(i) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="callbacks (and baseline writes) per row")
    count = parser.parse_args().count
    use_portal_environment()  # before chalicelib is imported: configuration is read once

    from moto import mock_aws

    from chalicelib.core.logs import get_logger
    from chalicelib.store.base import create_tables

    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; moto in-process; {count} per row")
    print("each row starts from empty tables (moto copies every table on each TransactWriteItems)")
    print(f"\n{'operation':<44} {'count':>6} {'seconds':>8} {'per s':>8} {'mean ms':>8} {'p95 ms':>8}")
    rates: dict[str, float] = {}
    with Path(os.devnull).open("w") as devnull:
        for handler in get_logger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
        for name in ("baselines", "vnpay", "momo", "paygov"):
            with mock_aws():
                create_tables()
                if name == "baselines":
                    put, _ = baselines(count)
                    rates["put"] = row("bare conditional PutItem", *timed(put))
                    with mock_aws():
                        create_tables()
                        rates["transact"] = row(
                            "bare TransactWrite (put if absent + update)", *timed(baselines(count)[1])
                        )
                    continue
                first, replay = callback_calls(name, count, None)
                rates[name] = row(f"{name}: verified callback, first (credits)", *timed(first))
                row(f"{name}: same callback replayed (answers 02)", *timed(replay))
    print("\nverified first callbacks per second, and time per callback relative to each baseline:")
    for gateway in ("vnpay", "momo", "paygov"):
        print(
            f"  {gateway:<8} {rates[gateway]:7.1f}/s   {rates['put'] / rates[gateway]:5.1f}x a conditional put   "
            f"{rates['transact'] / rates[gateway]:5.1f}x a bare transaction"
        )


if __name__ == "__main__":
    main()
