"""Dossier status benchmark: status updates per second through the API in-process, one at a time
(POST /agency/dossiers/{code}/status) and in batches of 100 (POST /agency/sync/dossiers), against a
bare PynamoDB write of the same item (`Dossier.save`), with the ratio compared to the 2x aim of issues #4 and #17.

    .venv/bin/python bench/dossiers.py [--quick] [--seconds 3] [--dossiers 200]

Everything runs in this process: chalice.test.Client over moto, so the figures are relative (moto's
cost per DynamoDB request stands in for the network round trip). What one status update does:
verify the agency token (and check the denylist), validate the body, one conditional `UpdateItem`
(the move is legal and the dossier the agency's, the event appended) and shape the response; the
notification is queued later, from the dossiers stream.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portal_env import SCRATCH, use_portal_environment

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = REPO / "functions"
AIM = 2.0
AGENCY = "CA-TINH"


def measure(call: Callable[[], None], seconds: float) -> list[float]:
    """Seconds per call, after a short warm-up (first-request caches: keys, validators, connections)."""
    for _ in range(3):
        call()
    each: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        begin = time.perf_counter()
        call()
        each.append(time.perf_counter() - begin)
    return each


def row(label: str, each: list[float], per_call: int = 1) -> float:
    """Print one line; returns the mean seconds per status update."""
    mean = statistics.fmean(each) / per_call
    p95 = (statistics.quantiles(each, n=20)[-1] if len(each) > 1 else each[0]) / per_call
    updates = len(each) * per_call
    print(f"{label:<46} {updates:8d} {sum(each):8.2f} {1 / mean:9.1f} {1e3 * mean:9.3f} {1e3 * p95:9.3f}")
    return mean


class Rotation:
    """Round-robin over the dossiers, each moving 4 -> 5 -> 4 ... (processing, supplement requested), so
    every request is a legal move and no dossier's timeline grows much during the run."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes
        self.status = dict.fromkeys(codes, 4)
        self.index = 0

    def next(self) -> tuple[str, int]:
        code = self.codes[self.index % len(self.codes)]
        self.index += 1
        self.status[code] = 5 if self.status[code] == 4 else 4
        return code, self.status[code]


class Operations:
    """The timed operations, each one status update (or one batch of 100), over the same dossiers."""

    def __init__(self, http: Any, headers: dict[str, str], codes: list[str], bare: Any) -> None:
        self.http = http
        self.headers = headers
        self.rotation = Rotation(codes)  # one rotation: every operation moves the same dossiers in turn
        self.bare = bare
        self.updates = 0
        self.clock = datetime.now(UTC).timestamp() - 86400

    def expect(self, response: Any) -> Any:
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.body[:500]!r}")
        return response.json_body

    def single(self) -> None:
        code, status = self.rotation.next()
        path = f"/agency/dossiers/{code}/status"
        self.expect(self.http.post(path, body=json.dumps({"status": status}), headers=self.headers))

    def service(self) -> None:
        from chalicelib.dossiers import agency
        from chalicelib.dossiers.schemas import DossierStatusChange

        code, status = self.rotation.next()
        agency.change_status(AGENCY, code, DossierStatusChange(status=status), AGENCY)

    def batch(self) -> None:
        items = []
        for _ in range(100):
            code, status = self.rotation.next()
            self.updates += 1
            self.clock += 0.001
            moment = datetime.fromtimestamp(self.clock, tz=UTC).isoformat()
            items.append({"update_id": f"b{self.updates}", "code": code, "updated_at": moment, "status": status})
        body = json.dumps({"items": items})
        results = self.expect(self.http.post("/agency/sync/dossiers", body=body, headers=self.headers))["results"]
        wrong = [result for result in results if result["outcome"] != "updated"]
        if wrong:
            raise SystemExit(f"unexpected sync results: {wrong[:3]}")

    def bare_save(self) -> None:
        self.bare.status = 5 if self.bare.status == 4 else 4
        self.bare.save()

    def bare_update(self) -> None:
        from chalicelib.store.dossiers import Dossier

        self.bare.status = 5 if self.bare.status == 4 else 4
        actions = [Dossier.status.set(self.bare.status), Dossier.updated_at.set(time.time()), Dossier.version.add(1)]
        Dossier._get_connection().update_item(self.bare.code, actions=actions)
        self.bare.version = int(self.bare.version or 0) + 1  # as stored, for the versioned saves that follow

    def bare_read(self) -> None:
        type(self.bare).get(self.bare.code, consistent_read=True)

    def bare_transaction(self) -> None:
        from pynamodb.transactions import TransactWrite

        from chalicelib.store.base import connection
        from chalicelib.store.dossiers import SyncReceipt
        from chalicelib.store.grants import expiry

        self.updates += 1
        self.bare.status = 5 if self.bare.status == 4 else 4
        receipt = SyncReceipt(f"bare#{self.updates}", result={}, created_at=0, expires_at=expiry(60))
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(self.bare)
            transaction.save(receipt, condition=SyncReceipt.key.does_not_exist())


def report(operations: Operations, seconds: float, count: int) -> None:
    print(f"\n== status updates in-process, chalice.test.Client + moto, {seconds:g} s each, {count} dossiers ==")
    print(f"{'operation':<46} {'updates':>8} {'seconds':>8} {'updates/s':>9} {'mean ms':>9} {'p95 ms':>9}")
    bare_s = row("bare PynamoDB write (Dossier.save, versioned)", measure(operations.bare_save, seconds))
    update_s = row("bare UpdateItem (status, updated_at, version)", measure(operations.bare_update, seconds))
    row("bare PynamoDB consistent read (Dossier.get)", measure(operations.bare_read, seconds))
    service_s = row("service: agency.change_status (no HTTP)", measure(operations.service, seconds))
    single_s = row("API: POST .../{code}/status (one update)", measure(operations.single, seconds))
    transaction_s = row("bare TransactWrite (Dossier.save + receipt)", measure(operations.bare_transaction, seconds))
    batch_s = row("API: POST /agency/sync/dossiers (100/batch)", measure(operations.batch, seconds * 2), per_call=100)
    print()
    for label, each_s in (("one update (API)", single_s), ("one update in a batch of 100", batch_s)):
        ratio = each_s / bare_s
        verdict = "within aim" if ratio <= AIM else "OVER AIM"
        print(f"ratio {label:<30} / bare write {ratio:6.2f} x   (aim <= {AIM:.1f}; {verdict})")
    print(f"ratio service only (no HTTP)         / bare write {service_s / bare_s:6.2f} x   (for reference)")
    print(f"ratio one update (API)               / bare UpdateItem {single_s / update_s:6.2f} x   (reference)")
    print(f"ratio bare UpdateItem                / bare write {update_s / bare_s:6.2f} x   (moto's cost)")
    print(f"ratio one update in a batch of 100   / bare TransactWrite {batch_s / transaction_s:6.2f} x   (reference)")
    print(
        "one update is 1 conditional UpdateItem (move checked in the condition, event appended to the timeline); "
        "the owner's notification is queued from the dossiers stream; a sync item writes the dossier and its "
        "receipt in one transaction"
    )
    print(
        "moto would copy every table a TransactWrite touches (for rollback); here, as in the local stack, "
        "only the items it names are copied (devstack.moto_speedups)"
    )


def bench(seconds: float, count: int) -> None:
    use_portal_environment()  # before chalicelib is imported: configuration is read once

    from chalice.test import Client as TestClient
    from moto import mock_aws

    from chalicelib.core.logs import get_logger
    from chalicelib.store.base import create_tables
    from devstack.moto_speedups import item_level_transactions
    from tests.api.factories import agency_token, bearer, create_agency_client, create_dossier

    item_level_transactions()  # as the local stack runs moto: one thread here, so item-level rollback is exact

    # One JSON log line per request is part of the cost; it goes to /dev/null rather than the terminal.
    with Path(os.devnull).open("w") as devnull, mock_aws():
        for handler in get_logger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
        create_tables()
        from app import app as chalice_app

        with TestClient(chalice_app) as client:
            http = client.http
            headers = {"Content-Type": "application/json", **bearer(agency_token(http, create_agency_client(AGENCY)))}
            codes = [create_dossier(agency_id=AGENCY, status=4, due_date="2099-12-31").code for _ in range(count)]
            bare = create_dossier(agency_id=AGENCY, status=4, due_date="2099-12-31")
            report(Operations(http, headers, codes, bare), seconds, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="0.5 s per operation")
    parser.add_argument("--seconds", type=float, default=None, help="time per operation (default 3; batches twice)")
    parser.add_argument("--dossiers", type=int, default=200, help="dossiers the updates rotate over (default 200)")
    args = parser.parse_args()
    seconds = args.seconds or (0.5 if args.quick else 3.0)
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; scratch {SCRATCH}")
    bench(seconds, max(100, args.dossiers))


if __name__ == "__main__":
    main()
