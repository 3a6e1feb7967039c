"""Webhook delivery benchmark: throughput and latency from an event to a real HTTP receiver.

1. In process (moto, a receiver on 127.0.0.1): N withdrawal events go through the dossiers stream
   handler (derive events, create deliveries) and the sweep (claim, sign, POST, record) on 8 worker
   threads, side by side with the bare baseline, the same N signed bodies POSTed to the same receiver on
   8 threads with nothing recorded. Prints deliveries per second, latency p50/p95 from the stream
   record to the receiver, and the ratio to the baseline.
2. The local stack (`python -m devstack` in its own process, as `make run`): a complaint assigned to an
   agency by the coordinating office reaches the agency's receiver through the complaints stream, the
   stack's loop and its delivery threads; and `ping` events, which skip the stream. Prints latency from
   the API call to the receiver.

    .venv/bin/python bench/webhooks.py [--events 500] [--pings 20]
"""

from __future__ import annotations

import argparse
import http.server
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from portal_env import use_portal_environment

REPO = Path(__file__).resolve().parents[1]
WORKERS = 8


class Backlogged(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # the default of 5 drops concurrent connections (retried by TCP a second later)


class Receiver:
    """Answers 204 at once and notes when each event id arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.arrived[self.headers.get("webhook-id", "")] = time.perf_counter()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = Backlogged(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while len(self.arrived) < count and time.monotonic() < deadline:
            time.sleep(0.01)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def in_process(events: int) -> None:
    use_portal_environment()
    os.environ["PORTAL_WEBHOOK_ALLOW_HTTP"] = "1"
    from moto import mock_aws

    from chalicelib.core.logs import get_logger
    from devstack.moto_speedups import item_level_transactions

    item_level_transactions()
    one_request_at_a_time()
    receiver = Receiver()
    bare_seconds = _bare_posts(receiver, events)
    receiver.arrived.clear()
    with Path(os.devnull).open("w") as devnull, mock_aws():
        for handler in get_logger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
        _measure_in_process(receiver, events, bare_seconds)


def one_request_at_a_time() -> None:
    """DynamoDB applies each request atomically; moto in-process does not, and the delivery threads
    write while a sweep queries (as tests/api/conftest.py's `atomic_requests` does for the tests)."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    handle = BotocoreStubber.__call__

    def serialised(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return handle(self, *args, **kwargs)

    BotocoreStubber.__call__ = serialised  # type: ignore[method-assign]


def _bare_posts(receiver: Receiver, events: int) -> float:
    """The baseline: as many signed bodies POSTed straight to the receiver on as many threads, nothing
    recorded (outside moto's mock, which slows every thread's HTTP down)."""
    from chalicelib.webhooks.signing import new_secret, signature_header

    secret = new_secret()
    bodies = [json.dumps({"id": f"bare-{n}", "type": "dossier.withdrawal_requested"}).encode() for n in range(events)]

    def bare_post(n: int) -> None:
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": f"bare-{n}",
            "webhook-timestamp": str(stamp),
            "webhook-signature": signature_header([secret], f"bare-{n}", stamp, bodies[n]),
        }
        request = urllib.request.Request(receiver.url, data=bodies[n], headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()

    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(bare_post, range(events)))
    return time.perf_counter() - started


def _measure_in_process(receiver: Receiver, events: int, bare_seconds: float) -> None:
    from chalicelib.store.base import create_tables
    from chalicelib.webhooks import delivery
    from chalicelib.webhooks.endpoints import register
    from chalicelib.webhooks.schemas import WebhookRegistration
    from chalicelib.webhooks.stream import deliveries_from

    create_tables()
    register("CA-TINH", WebhookRegistration(url=receiver.url, events=["dossier.withdrawal_requested"]))

    records = [_withdrawal_record(n) for n in range(events)]
    made: dict[str, float] = {}
    started = time.perf_counter()
    for start in range(0, events, 100):  # stream batches of 100, as Lambda hands them over
        deliveries_from("dossiers", {"Records": records[start : start + 100]})
        now = time.perf_counter()
        made.update({f"rec-{n}": now for n in range(start, min(events, start + 100))})
    created_seconds = time.perf_counter() - started
    with ThreadPoolExecutor(WORKERS) as pool:
        while len(receiver.arrived) < events and time.perf_counter() - started < 300:
            delivery.sweep(pool)  # as the local stack's loop does every second
            receiver.wait_for(events, 1)
    portal_seconds = time.perf_counter() - started
    delivered = len(receiver.arrived)

    from chalicelib.webhooks.events import event_id

    latencies = [
        receiver.arrived[event_id(record_id, "dossier.withdrawal_requested")] - at
        for record_id, at in made.items()
        if event_id(record_id, "dossier.withdrawal_requested") in receiver.arrived
    ]
    print(f"\n== webhooks in process: {events} events, moto, a receiver on 127.0.0.1, {WORKERS} delivery threads ==")
    print(f"bare signed POSTs (baseline)        {events / bare_seconds:8.0f} /s   ({bare_seconds:.2f} s)")
    print(f"stream -> deliveries -> receiver    {delivered / portal_seconds:8.0f} /s   ({portal_seconds:.2f} s)")
    print(f"  of which creating the deliveries  {created_seconds:8.2f} s")
    print(f"ratio portal / bare POST            {portal_seconds / bare_seconds:8.2f} x")
    print(
        f"latency stream record -> receiver   p50 {1e3 * percentile(latencies, 0.5):.0f} ms, "
        f"p95 {1e3 * percentile(latencies, 0.95):.0f} ms"
    )
    if delivered != events:
        raise SystemExit(f"only {delivered} of {events} events arrived")

    # One event at a time: the latency of the pipeline itself, without a backlog ahead of it.
    single = []
    with ThreadPoolExecutor(WORKERS) as pool:
        for n in range(events, events + 20):
            started = time.perf_counter()
            deliveries_from("dossiers", {"Records": [_withdrawal_record(n)]})
            delivery.sweep(pool)
            receiver.wait_for(len(receiver.arrived) + 1, 10)
            single.append(receiver.arrived[event_id(f"rec-{n}", "dossier.withdrawal_requested")] - started)
    print(
        f"latency one event at a time (20)    p50 {1e3 * percentile(single, 0.5):.0f} ms, "
        f"max {1e3 * max(single):.0f} ms"
    )


def _withdrawal_record(number: int) -> dict[str, Any]:
    code = f"CA-TINH-260101-{number:04d}"
    old = {"code": {"S": code}, "agency_id": {"S": "CA-TINH"}, "status": {"N": "4"}}
    new = {**old, "status": {"N": "7"}, "timeline": {"L": [{"M": {"actor": {"S": "citizen"}}}]}}
    return {"eventID": f"rec-{number}", "eventName": "MODIFY", "dynamodb": {"OldImage": old, "NewImage": new}}


def local_stack(pings: int) -> None:
    import requests
    from sync_local import start_stack

    folder = Path(tempfile.mkdtemp(prefix="portal-webhook-bench-"))
    process, issuer, credentials = start_stack(folder)
    receiver = Receiver()
    try:
        session = requests.Session()

        def token(agency: str, scope: str) -> dict[str, str]:
            secret = credentials["agency_secrets"][agency]
            answer = session.post(
                f"{issuer}/oidc/token",
                data={"grant_type": "client_credentials", "scope": scope},
                auth=(f"{agency.lower()}-motcua", secret),
            )
            answer.raise_for_status()
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        csgt = token("CSGT", "webhooks:manage")
        hook = session.post(
            f"{issuer}/agency/webhooks",
            json={"url": receiver.url, "events": ["complaint.assigned"]},
            headers=csgt,
        ).json()
        ping_latencies = []
        for _ in range(pings):
            sent = time.perf_counter()
            delivery = session.post(f"{issuer}/agency/webhooks/{hook['id']}/ping", headers=csgt).json()
            event = delivery["event"]["id"]
            receiver.wait_for(len(receiver.arrived) + 1, 30)
            ping_latencies.append(receiver.arrived.get(event, float("nan")) - sent)
        stream_latencies = []
        for number in range(5):  # anonymous complaints: five an hour from one address
            complaint = {
                "kind": "complaint",
                "agency_id": "CSGT",
                "topic": "thai-do-can-bo",
                "title": f"Phản ánh thử số {number + 1}",
                "content": "Cán bộ tiếp nhận hẹn trả kết quả nhiều lần mà chưa có kết quả.",
                "name": "Trần Văn Phản",
                "email": "phan@example.vn",
            }
            created = session.post(f"{issuer}/complaints", json=complaint)
            code = created.json()["code"]
            before = len(receiver.arrived)
            sent = time.perf_counter()
            vpcp = token("VPCP", "complaints:answer")  # access tokens live five minutes: one each time
            decided = session.post(
                f"{issuer}/agency/complaints/{code}/decision", json={"action": "accept"}, headers=vpcp
            )
            if decided.status_code != 200:
                raise SystemExit(f"the decision answered {decided.status_code}: {decided.text[:300]}")
            receiver.wait_for(before + 1, 30)
            stream_latencies.append(max(receiver.arrived.values()) - sent)
    finally:
        process.kill()
        process.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
        receiver.server.shutdown()
    print("\n== webhooks through the local stack (python -m devstack, as make run) ==")
    print(
        f"ping -> receiver ({pings})                 p50 {1e3 * statistics.median(ping_latencies):.0f} ms, "
        f"max {1e3 * max(ping_latencies):.0f} ms   (loop tick 1 s)"
    )
    print(
        f"complaint assigned -> receiver (5)     p50 {1e3 * statistics.median(stream_latencies):.0f} ms, "
        f"max {1e3 * max(stream_latencies):.0f} ms   (stream scan every 2 s, then the loop tick)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--pings", type=int, default=20)
    args = parser.parse_args()
    local_stack(args.pings)
    in_process(args.events)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
