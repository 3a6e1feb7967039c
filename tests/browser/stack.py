"""The local stack as `make run` starts it (`python -m devstack`), for pages that talk to the API.

One per test worker: moto, the API, the outbox dispatcher and the built site, on free loopback
ports, with the demo accounts and agency clients seeded. The site is built with the API address
of this stack (`PORTAL_API_URL`), so it signs in and calls the API exactly as it does locally.
"""

from __future__ import annotations

import base64
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.factories import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Ports:
    site: int
    api: int
    aws: int

    @classmethod
    def reserve(cls) -> Ports:
        return cls(free_port(), free_port(), free_port())

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.site}/"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api}"


class PortalStack:
    def __init__(self, ports: Ports, site_dir: Path, state_dir: Path) -> None:
        self.ports, self.site_dir, self.state_dir = ports, site_dir, state_dir
        self.process: subprocess.Popen[str] | None = None
        self.output: deque[str] = deque(maxlen=5000)  # the latest lines, for a failure's explanation

    @property
    def site_url(self) -> str:
        return self.ports.site_url

    @property
    def api_url(self) -> str:
        return self.ports.api_url

    def start(self, timeout: float = 90) -> None:
        command = [
            sys.executable,
            "-m",
            "devstack",
            f"--state-dir={self.state_dir}",
            f"--site-dir={self.site_dir}",
            f"--site-port={self.ports.site}",
            f"--api-port={self.ports.api}",
            f"--aws-port={self.ports.aws}",
        ]
        self.process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline() if self.process.stdout else ""
            if not line and self.process.poll() is not None:
                raise RuntimeError("the local stack exited early:\n" + "".join(self.output))
            self.output.append(line)
            if line.strip() == "ready":
                threading.Thread(target=self._drain, daemon=True).start()
                return
        self.stop()
        raise RuntimeError(f"the local stack was not ready in {timeout:.0f} s:\n" + "".join(self.output))

    def _drain(self) -> None:
        """Keep reading the stack's output. Left unread, the pipe fills after a few hundred logged
        requests, and the stack's next log line blocks the thread writing it while it holds the log
        handler's lock, so every request after it hangs (sign-ins timed out mid-suite)."""
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def credentials(self) -> dict[str, Any]:
        return json.loads((self.state_dir / "demo-credentials.json").read_text())

    def agency_token(self, agency: str, scope: str | None = None) -> str:
        """An access token for a demo agency's one-stop system (client credentials), as its server gets one."""
        secret = self.credentials()["agency_secrets"][agency]
        basic = base64.b64encode(f"{agency.lower()}-motcua:{secret}".encode()).decode()
        fields = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        answer = requests.post(
            f"{self.api_url}/oidc/token", data=fields, headers={"Authorization": f"Basic {basic}"}, timeout=10
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def as_agency(self, agency: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the API as an agency's system would (server to server)."""
        headers = {"Authorization": f"Bearer {self.agency_token(agency)}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.api_url}{path}", headers=headers, timeout=10, **kwargs)
