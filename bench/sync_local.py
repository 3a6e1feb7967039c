"""Agency status sync against the local stack, as an integrator sees it: `python -m devstack` in its
own process (moto's server with the write-ahead log, Chalice's local server), several agency
clients pushing batches at once over HTTP.

    .venv/bin/python bench/sync_local.py [--clients 8] [--requests 25] [--batch 10]

Each client creates its own dossiers with its first batch, then moves them back and forth between
processing (4) and supplement requested (5), so every item is a real update. Prints each request's
latency (p50, p95, p99, max) and items per second, the way the probe of issue #17 measured it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
AGENCY = "CSGT"
PROCEDURE = "3.000353"  # the international driving licence, which the CSGT executes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def publish_procedure(folder: Path) -> None:
    """The catalogue export of the procedure the items sync (strict sync checks the agency executes it)."""
    sys.path.insert(0, str(REPO))
    from catalog_build.exports import procedure_json
    from catalog_build.models import Procedure
    from tests.factories import procedure_record

    folder.mkdir(parents=True)
    record = procedure_record(PROCEDURE, agencies={"executing": [AGENCY]})
    (folder / f"{PROCEDURE.replace('.', '-')}.json").write_text(
        procedure_json(Procedure.model_validate(record)), encoding="utf-8"
    )


def start_stack(folder: Path) -> tuple[subprocess.Popen[str], str, dict[str, Any]]:
    site = folder / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>Cổng</title>", encoding="utf-8")
    publish_procedure(site / "du-lieu" / "thu-tuc")
    ports = {"--api-port": free_port(), "--aws-port": free_port(), "--site-port": free_port()}
    command = [sys.executable, "-m", "devstack", f"--state-dir={folder / 'state'}", f"--site-dir={site}"]
    command += [f"{name}={port}" for name, port in ports.items()]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in process.stdout or []:
        if line.strip() == "ready":
            break
    else:
        raise SystemExit("the local stack did not start")
    threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
    credentials = json.loads((folder / "state" / "demo-credentials.json").read_text())
    return process, f"http://127.0.0.1:{ports['--api-port']}", credentials


def token(issuer: str, secret: str) -> str:
    answer = requests.post(
        f"{issuer}/oidc/token", data={"grant_type": "client_credentials"}, auth=(f"{AGENCY.lower()}-motcua", secret)
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def client_run(issuer: str, bearer: str, number: int, requests_count: int, batch: int, out: list[float]) -> None:
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"})
    codes = [f"{AGENCY}-260101-{number:02d}{index:02d}" for index in range(batch)]
    owner = {"identifier": "001099012345", "name": "Nguyễn Thị Thử", "email": "thu@example.vn"}
    status = 4
    for round_number in range(requests_count):
        moment = datetime.fromtimestamp(time.time() - 3600 + round_number, tz=UTC).isoformat()
        items = []
        for code in codes:
            item = {
                "update_id": f"c{number}-r{round_number}-{code}",
                "code": code,
                "updated_at": moment,
                "status": status,
            }
            if round_number == 0:
                item |= {"owner": owner, "procedure_code": PROCEDURE}
            items.append(item)
        started = time.perf_counter()
        answer = session.post(f"{issuer}/agency/sync/dossiers", data=json.dumps({"items": items}), timeout=120)
        out.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise SystemExit(f"sync answered {answer.status_code}: {answer.text[:300]}")
        status = 5 if status == 4 else 4


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=25, help="batches per client")
    parser.add_argument("--batch", type=int, default=10, help="items per batch")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="portal-sync-bench-"))
    process, issuer, credentials = start_stack(folder)
    try:
        bearer = token(issuer, credentials["agency_secrets"][AGENCY])
        latencies: list[float] = []
        threads = [
            threading.Thread(target=client_run, args=(issuer, bearer, n, args.requests, args.batch, latencies))
            for n in range(args.clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        process.kill()  # nothing to keep
        process.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
    items = len(latencies) * args.batch
    print(f"{args.clients} clients x {args.requests} batches of {args.batch} items, local stack (moto server + WAL)")
    p50, p95, p99 = (1e3 * percentile(latencies, share) for share in (0.5, 0.95, 0.99))
    print(f"per request: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, max {1e3 * max(latencies):.0f} ms")
    print(f"throughput: {items / elapsed:.0f} items/s ({len(latencies)} requests in {elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
