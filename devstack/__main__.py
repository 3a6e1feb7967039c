"""`python -m devstack`: the whole portal on loopback, what `make run` starts after building the site.

    moto (DynamoDB, S3)  http://HOST:AWS_PORT   state restored from and saved to .devstack/
    API (chalice local)  http://HOST:API_PORT   the OpenID Connect issuer
    catalogue site       http://HOST:SITE_PORT  build/site

Every write the emulation acknowledges is first appended to a write-ahead log and fsynced
(`devstack.wal`), so even `kill -9` loses nothing acknowledged: the next start restores the last
snapshot and replays the log. Ctrl-C takes a fresh snapshot and stops everything.
"""

from __future__ import annotations

import argparse
import errno
import functools
import http.server
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
STATISTICS_EVERY_SECONDS = 2.0
DISPATCH_EVERY_SECONDS = 1.0
RECONCILE_EVERY_SECONDS = 30.0
WEBHOOK_WORKERS = 8
COMPACT_LOG_BYTES = 64 * 1024 * 1024  # then the log is folded into a new snapshot
# How often each server checks whether it should stop: Ctrl-C waits on one after the other, so at the
# standard library's 0.5 s a stop took 1.5 s before the state was even saved.
SHUTDOWN_POLL_SECONDS = 0.1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--site-port", type=int, default=8000)
    parser.add_argument("--api-port", type=int, default=8001)
    parser.add_argument("--aws-port", type=int, default=8002)
    parser.add_argument("--state-dir", type=Path, default=REPO / ".devstack")
    parser.add_argument("--site-dir", type=Path, default=REPO / "build" / "site")
    return parser.parse_args(argv)


def configure_environment(args: argparse.Namespace) -> None:
    """The backend reads its configuration once, at import: set it before importing chalicelib."""
    aws = f"http://{args.host}:{args.aws_port}"
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "ap-southeast-1",
            "AWS_REGION": "ap-southeast-1",
            "PORTAL_ISSUER": f"http://{args.host}:{args.api_port}",
            # The site signs in as the public client `cong-dich-vu-cong` and calls the API cross-origin.
            "PORTAL_SITE_URL": f"http://{args.host}:{args.site_port}/",
            "PORTAL_TABLE_PREFIX": "dvc-local",
            "PORTAL_DYNAMODB_ENDPOINT": aws,
            "PORTAL_S3_ENDPOINT": aws,
            "PORTAL_KEYS_DIR": str(args.state_dir / "keys"),
            "PORTAL_OUTBOX_LOG": str(args.state_dir / "outbox.log"),
            "PORTAL_NOTIFIER": "log",
            # Submission reads procedures from the catalogue's own export in the built site.
            "PORTAL_PROCEDURES_DIR": str(args.site_dir / "du-lieu" / "thu-tuc"),
            "PORTAL_ATTACHMENTS_BUCKET": "dvc-local-attachments",
            # The sandbox payment gateway's pages are served by the API itself (/sandbox/payments/...).
            "PORTAL_PAYMENT_SANDBOX": "1",
            "PORTAL_WEBHOOK_ALLOW_HTTP": "1",  # agencies try receivers on their own machine
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    sys.path.insert(0, str(REPO / "functions"))


def check_ports_free(args: argparse.Namespace) -> None:
    import socket

    for name, port in (("--aws-port", args.aws_port), ("--api-port", args.api_port), ("--site-port", args.site_port)):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is fine
            try:
                probe.bind((args.host, port))
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                sys.exit(
                    f"error: port {port} on {args.host} is in use; choose another with {name}=... "
                    "(make run takes SITE/API/AWS ports as PORT=, API_PORT=, AWS_PORT=)"
                )


class Stack:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.stop = threading.Event()
        self.servers: list[Any] = []

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from devstack import snapshot, wal
        from devstack.moto_speedups import item_level_transactions

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
        item_level_transactions()  # safe because the write-ahead log applies writes one at a time
        self.aws = wal.DurableApplication(DomainDispatcherApplication(create_backend_app), log=None)
        self.moto = make_server(
            self.args.host, self.args.aws_port, self.aws, threaded=True, request_handler=MotoRequestHandler
        )
        threading.Thread(target=self.moto.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True).start()
        self.dynamodb, self.s3 = _aws_clients()
        saved = snapshot.load(self.args.state_dir)
        generation = int(saved.get("wal_generation", 0)) if saved else 0
        if saved is not None:
            restored = snapshot.restore(saved, self.dynamodb, self.s3)
            print(f"restored {restored['items']} items and {restored['objects']} objects from {self.args.state_dir}")
        replayed, generation = self._replay_logs(generation)
        if replayed:
            print(f"replayed {replayed} logged writes made after that snapshot")
        self._prepare_data()
        self.compact(generation + 1)  # a fresh snapshot, then a fresh log for this run
        self._serve_api()
        self._serve_site()

    def _replay_logs(self, generation: int) -> tuple[int, int]:
        """Every write logged since the snapshot, oldest log first; returns the count and the last generation."""
        from devstack import wal

        replayed, last = 0, generation
        folder = self.args.state_dir
        found = sorted(int(path.stem.split("-")[1]) for path in folder.glob("wal-*.log")) if folder.exists() else []
        for number in (number for number in found if number >= generation):
            replayed += self.aws.replay(wal.read_records(wal.log_path(folder, number)))
            last = number
        return replayed, last

    def compact(self, generation: int) -> None:
        """Snapshot everything, then continue in log `generation` and delete the logs the snapshot covers.
        Writes wait meanwhile (the lock), so the snapshot and the new log never overlap."""
        from devstack import snapshot, wal

        with self.aws.lock:
            state = snapshot.capture(self.dynamodb, self.s3)
            state["wal_generation"] = generation
            snapshot.save(state, self.args.state_dir)
            if self.aws.log is None:
                self.aws.log = wal.WriteAheadLog(self.args.state_dir, generation)
            else:
                self.aws.log.rotate(generation)
            for path in self.args.state_dir.glob("wal-*.log"):
                if int(path.stem.split("-")[1]) < generation:
                    path.unlink()

    def _prepare_data(self) -> None:
        from chalicelib.core.tokens import keyset
        from chalicelib.store.base import create_tables
        from chalicelib.store.files import create_buckets
        from devstack.seed import load_or_create_credentials, seed

        created_tables = create_tables() + create_buckets()
        if created_tables:
            print(f"created tables and buckets: {', '.join(created_tables)}")
        self.credentials = load_or_create_credentials(self.args.state_dir)
        created = seed(self.credentials)
        if created:
            print(f"seeded: {', '.join(created)}")
        keyset()  # generates the signing keys on the first run, into the ignored state folder

    def _serve_api(self) -> None:
        from chalice.config import Config
        from chalice.local import create_local_server

        from app import app
        from devstack.api_handler import serve_with

        config = Config(chalice_stage="local")
        server = create_local_server(app, config, self.args.host, self.args.api_port)
        serve_with(server, app, config)  # its own refusals (414, 400) in the API's error shape
        self._thread(server.server.serve_forever, server.server)

    def _serve_site(self) -> None:
        from devstack.static import SiteFiles  # compressed copies when the browser takes them

        handler = functools.partial(SiteFiles, directory=str(self.args.site_dir))
        server = http.server.ThreadingHTTPServer((self.args.host, self.args.site_port), handler)
        self._thread(server.serve_forever, server)

    def _thread(self, target: Any, server: Any) -> None:
        threading.Thread(target=target, args=(SHUTDOWN_POLL_SECONDS,), daemon=True).start()
        self.servers.append(server)

    def banner(self) -> str:
        host = self.args.host
        issuer = os.environ["PORTAL_ISSUER"]
        lines = [
            "",
            "Portal running (Ctrl-C to stop; state is kept in " + str(self.args.state_dir) + ")",
            f"  catalogue site  http://{host}:{self.args.site_port}/",
            f"  sign in         http://{host}:{self.args.site_port}/tai-khoan/  (the demo citizen below)",
            f"  API             {issuer}/  (OpenAPI: {issuer}/openapi.json)",
            f"  AWS emulation   http://{host}:{self.args.aws_port}  (moto: DynamoDB, S3)",
            f"  notifications   {os.environ['PORTAL_OUTBOX_LOG']}",
            f"  payments        sandbox gateway at {issuer}/sandbox/payments/{{vnpay,momo,paygov}}",
            "Demo credentials:",
            *self.credentials.lines(issuer),
            "ready",
        ]
        return "\n".join(lines)

    def run_until_stopped(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from chalicelib.jobs import dispatch_notifications, reconcile_payments
        from chalicelib.webhooks.delivery import sweep, use_local_executor
        from devstack.streams import TableWatcher

        watcher = TableWatcher(self.dynamodb, os.environ["PORTAL_TABLE_PREFIX"])
        watcher.baseline()
        last_statistics = last_reconcile = time.monotonic()
        # Webhook attempts run beside the loop, as the delivery Lambda does on AWS: a slow receiver
        # (up to the 10-second timeout) never holds up notices, statistics or other agencies' events.
        webhooks = ThreadPoolExecutor(WEBHOOK_WORKERS, thread_name_prefix="webhook")
        use_local_executor(webhooks)  # a ping or a replay starts at once, not at the next tick
        while not self.stop.wait(DISPATCH_EVERY_SECONDS):
            dispatch_notifications()
            sweep(webhooks)
            if time.monotonic() - last_reconcile >= RECONCILE_EVERY_SECONDS:
                reconcile_payments()
                last_reconcile = time.monotonic()
            if time.monotonic() - last_statistics >= STATISTICS_EVERY_SECONDS:
                watcher.poll(self.aws.take_dirty_tables())  # scans only the streamed tables written since
                last_statistics = time.monotonic()
            if self.aws.log is not None and self.aws.log.size > COMPACT_LOG_BYTES:
                self.compact(self.aws.log.generation + 1)

    def shutdown(self) -> None:
        for server in self.servers:
            server.shutdown()
        self.compact(self.aws.log.generation + 1 if self.aws.log else 1)
        self.moto.shutdown()
        if self.aws.log is not None:
            self.aws.log.close()


def _aws_clients() -> tuple[Any, Any]:
    import boto3

    endpoint = os.environ["PORTAL_DYNAMODB_ENDPOINT"]
    region = os.environ["AWS_REGION"]
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=region), boto3.client(
        "s3", endpoint_url=os.environ["PORTAL_S3_ENDPOINT"], region_name=region
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.state_dir = args.state_dir.resolve()
    args.site_dir = args.site_dir.resolve()
    check_ports_free(args)
    configure_environment(args)
    if not (args.site_dir / "index.html").exists():
        print(f"warning: {args.site_dir} has no built site yet; run `make build` (make run does it for you)")
    stack = Stack(args)

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stack.stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    stack.start()
    print(stack.banner(), flush=True)
    try:
        stack.run_until_stopped()
    finally:
        print("stopping: saving state …", flush=True)
        stack.shutdown()
        print(f"state saved to {args.state_dir}; stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
