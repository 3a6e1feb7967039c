"""`python -m devstack`: the whole portal on loopback, what `make run` starts after building the site.

    moto (DynamoDB, S3)  http://HOST:AWS_PORT   state restored from and saved to .devstack/
    API (chalice local)  http://HOST:API_PORT   the OpenID Connect issuer
    catalogue site       http://HOST:SITE_PORT  build/site

Ctrl-C saves the state and stops everything. State is also saved every few seconds when it changed,
so even a killed process loses at most that much.
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
SAVE_EVERY_SECONDS = 5.0
DISPATCH_EVERY_SECONDS = 1.0
RECONCILE_EVERY_SECONDS = 30.0


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
        self.saved_fingerprint = ""

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        from devstack import snapshot

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
        self.moto = ThreadedMotoServer(ip_address=self.args.host, port=self.args.aws_port, verbose=False)
        self.moto.start()
        self.dynamodb, self.s3 = _aws_clients()
        saved = snapshot.load(self.args.state_dir)
        if saved is not None:
            restored = snapshot.restore(saved, self.dynamodb, self.s3)
            self.saved_fingerprint = snapshot.fingerprint(saved)
            print(f"restored {restored['items']} items and {restored['objects']} objects from {self.args.state_dir}")
        self._prepare_data()
        self._serve_api()
        self._serve_site()

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

        server = create_local_server(app, Config(chalice_stage="local"), self.args.host, self.args.api_port)
        self._thread(server.server.serve_forever, server.server)

    def _serve_site(self) -> None:
        from devstack.static import SiteFiles  # compressed copies when the browser takes them

        handler = functools.partial(SiteFiles, directory=str(self.args.site_dir))
        server = http.server.ThreadingHTTPServer((self.args.host, self.args.site_port), handler)
        self._thread(server.serve_forever, server)

    def _thread(self, target: Any, server: Any) -> None:
        threading.Thread(target=target, daemon=True).start()
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
        from chalicelib.jobs import dispatch_notifications, reconcile_payments
        from devstack.streams import TableWatcher

        watcher = TableWatcher(self.dynamodb, os.environ["PORTAL_TABLE_PREFIX"])
        watcher.baseline()
        last_save = last_reconcile = time.monotonic()
        while not self.stop.wait(DISPATCH_EVERY_SECONDS):
            dispatch_notifications()
            if time.monotonic() - last_reconcile >= RECONCILE_EVERY_SECONDS:
                reconcile_payments()
                last_reconcile = time.monotonic()
            if time.monotonic() - last_save >= SAVE_EVERY_SECONDS:
                watcher.poll()
                self.save()
                last_save = time.monotonic()

    def save(self) -> bool:
        from devstack import snapshot

        state = snapshot.capture(self.dynamodb, self.s3)
        current = snapshot.fingerprint(state)
        if current == self.saved_fingerprint:
            return False
        snapshot.save(state, self.args.state_dir)
        self.saved_fingerprint = current
        return True

    def shutdown(self) -> None:
        for server in self.servers:
            server.shutdown()
        self.save()
        self.moto.stop()


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
