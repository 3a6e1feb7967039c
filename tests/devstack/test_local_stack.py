"""The local stack as `make run` starts it: a real process, real ports, a restart in the middle.

An independent relying party (Authlib's OAuth2 client) signs the demo citizen in against it, and
data written before Ctrl-C is there after the restart.
"""

from __future__ import annotations

import json
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

with warnings.catch_warnings():  # Authlib 1.x announces authlib.jose's move to joserfc on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

from tests.conftest import REPO

CALLBACK = "http://127.0.0.1:8765/callback"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _publish_procedure(folder: Path) -> None:
    """The catalogue export of one procedure, as `catalog_build` writes it into the built site."""
    from catalog_build.exports import procedure_json
    from catalog_build.models import Procedure
    from tests.factories import procedure_record

    folder.mkdir(parents=True)
    record = procedure_record("1.999001")
    (folder / "1-999001.json").write_text(procedure_json(Procedure.model_validate(record)), encoding="utf-8")


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    output: list[str]
    issuer: str
    state_dir: Path

    def credentials(self) -> dict[str, Any]:
        return json.loads((self.state_dir / "demo-credentials.json").read_text())

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=30)
        self.output.extend(self.process.stdout.read().splitlines() if self.process.stdout else [])
        return code


class Launcher:
    def __init__(self, tmp_path: Path) -> None:
        self.state_dir = tmp_path / "state"
        self.site_dir = tmp_path / "site"
        self.site_dir.mkdir()
        (self.site_dir / "index.html").write_text("<!doctype html><title>Cổng</title>", encoding="utf-8")
        _publish_procedure(self.site_dir / "du-lieu" / "thu-tuc")
        self.ports = {"--api-port": _free_port(), "--aws-port": _free_port(), "--site-port": _free_port()}
        self.running: list[RunningStack] = []

    def start(self) -> RunningStack:
        arguments = [f"{name}={port}" for name, port in self.ports.items()]
        command = [sys.executable, "-m", "devstack", f"--state-dir={self.state_dir}", f"--site-dir={self.site_dir}"]
        process = subprocess.Popen(
            [*command, *arguments], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        output: list[str] = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline() if process.stdout else ""
            if not line and process.poll() is not None:
                pytest.fail("the local stack exited early:\n" + "".join(output))
            output.append(line)
            if line.strip() == "ready":
                stack = RunningStack(process, output, f"http://127.0.0.1:{self.ports['--api-port']}", self.state_dir)
                self.running.append(stack)
                return stack
        process.kill()
        pytest.fail("the local stack did not become ready in 90 s")

    def stop_all(self) -> None:
        for stack in self.running:
            if stack.process.poll() is None:
                stack.process.kill()


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[Launcher]:
    launcher = Launcher(tmp_path)
    yield launcher
    launcher.stop_all()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """One stack for the tests here that only use it (a start and a stop cost seconds each); the
    restart test has its own. Ctrl-C stops it cleanly once they are done."""
    launcher = Launcher(tmp_path_factory.mktemp("shared-stack"))
    stack = launcher.start()
    yield stack
    try:
        assert stack.stop() == 0, stack.output
    finally:
        launcher.stop_all()


def browser_sign_in(authorize_url: str, identifier: str, password: str) -> str:
    """Do what a person's browser does: open the sign-in page, fill it in, follow to the callback."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = browser.post(
        action,
        data={"request_id": request_id, "identifier": identifier, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


@dataclass
class SignedIn:
    client: OAuth2Session
    metadata: dict[str, Any]
    token: dict[str, Any]


NONCE = "n-0S6_WzA2Mj"


def sign_in_demo_citizen(stack: RunningStack, scope: str = "openid profile email") -> SignedIn:
    """What a relying party nobody here wrote does: discovery, code + PKCE through the browser, token."""
    demo = stack.credentials()
    metadata = requests.get(f"{stack.issuer}/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(
        "cong-tinh-demo",
        demo["rp_secret"],
        scope=scope,
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = secrets.token_urlsafe(48)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], nonce=NONCE, code_verifier=verifier
    )
    callback = browser_sign_in(url, "001099000001", demo["citizen_password"])
    assert parse_qs(urlsplit(callback).query)["state"] == [state]
    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    return SignedIn(client, metadata, token)


def test_an_independent_relying_party_signs_the_demo_citizen_in(running: RunningStack):
    stack = running
    signed_in = sign_in_demo_citizen(stack)
    metadata = signed_in.metadata
    keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        signed_in.token["id_token"],
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": metadata["issuer"]}},
        claims_params={"nonce": NONCE, "client_id": "cong-tinh-demo"},
    )
    claims.validate()
    assert claims["identity_number"] == "001099000001"
    assert claims["acr"] == "urn:vn:dvcqg:loa:2"
    info = signed_in.client.get(metadata["userinfo_endpoint"], timeout=10).json()
    assert info["name"] == "Nguyễn Văn Dân" and info["sub"] == claims["sub"]


def test_data_written_before_ctrl_c_is_there_after_a_restart(launcher: Launcher):
    first = launcher.start()
    registration = {
        "identity_number": "079200001234",
        "full_name": "Trần Thị Lưu",
        "email": "luu@example.vn",
        "password": "Giữ-lại-sau-khởi-động",
    }
    created = requests.post(f"{first.issuer}/accounts/citizens", json=registration, timeout=10)
    assert created.status_code == 201, created.text
    assert first.stop() == 0
    assert any("state saved" in line for line in first.output)

    second = launcher.start()
    assert any(line.startswith("restored") for line in second.output)
    again = requests.post(f"{second.issuer}/accounts/citizens", json=registration, timeout=10)
    assert again.status_code == 409, "the account registered before the restart must still exist"
    assert first.credentials() == second.credentials()
    assert second.stop() == 0


def test_a_dossier_is_submitted_with_a_real_presigned_upload_to_the_emulated_s3(running: RunningStack):
    stack = running
    token = sign_in_demo_citizen(stack, scope="openid profile").token
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token['access_token']}"

    draft = api.post(
        f"{stack.issuer}/dossiers/drafts", json={"procedure_code": "1.999001", "agency_id": "CA-TINH"}, timeout=10
    )
    assert draft.status_code == 201, draft.text
    pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n"
    ticket = api.post(
        f"{stack.issuer}/dossiers/drafts/{draft.json()['draft_id']}/attachments",
        json={"document": "TK01", "file_name": "to-khai.pdf", "content_type": "application/pdf", "size": len(pdf)},
        timeout=10,
    ).json()
    uploaded = requests.post(
        ticket["upload"]["url"],
        data=ticket["upload"]["fields"],
        files={"file": ("to-khai.pdf", pdf, "application/pdf")},
        timeout=10,
    )
    assert uploaded.status_code in (200, 204), uploaded.text
    submitted = api.post(f"{stack.issuer}/dossiers/drafts/{draft.json()['draft_id']}/submission", timeout=10)
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["code"].startswith("CA-TINH-")
    assert _eventually_counted(stack, "dossiers_online") == 1, "the local stream stand-in feeds the statistics"


def _eventually_counted(stack: RunningStack, metric: str, seconds: float = 15) -> int:
    deadline = time.monotonic() + seconds
    while True:
        months = requests.get(f"{stack.issuer}/statistics/overview", timeout=10).json()["months"]
        value = months[-1]["counts"][metric]
        if value or time.monotonic() > deadline:
            return int(value)
        time.sleep(0.5)


def test_the_local_stack_delivers_a_signed_webhook_over_real_http(running: RunningStack):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from chalicelib.webhooks.signing import verify

    received: list[tuple[dict[str, str], bytes]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    Thread(target=server.serve_forever, daemon=True).start()
    stack = running
    try:
        secret = stack.credentials()["agency_secrets"]["CSGT"]
        token = requests.post(
            f"{stack.issuer}/oidc/token",
            data={"grant_type": "client_credentials", "scope": "webhooks:manage"},
            auth=("csgt-motcua", secret),
            timeout=10,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        created = requests.post(
            f"{stack.issuer}/agency/webhooks", json={"url": url, "events": ["dossier.submitted"]}, headers=headers
        )
        assert created.status_code == 201, created.text
        hook = created.json()
        assert requests.post(f"{stack.issuer}/agency/webhooks/{hook['id']}/ping", headers=headers).status_code == 202
        deadline = time.monotonic() + 15
        while not received and time.monotonic() < deadline:
            time.sleep(0.2)
        [(request_headers, body)] = received
        assert json.loads(body)["type"] == "ping"
        assert verify(hook["secret"], request_headers, body, time.time())
    finally:
        server.shutdown()
