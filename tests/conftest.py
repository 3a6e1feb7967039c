"""Settings for the whole test session, fixed before any backend module reads its configuration.

The backend reads its environment once; these values point it at moto, a throwaway key folder,
a cheap argon2 profile (still argon2id) and a loopback port that the live-server fixture serves.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.chromium import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "functions"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_scratch = Path(tempfile.mkdtemp(prefix="portal-tests-"))
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "AWS_REGION": "ap-southeast-1",
        "PORTAL_TABLE_PREFIX": "dvc-test",
        "PORTAL_ISSUER": f"http://127.0.0.1:{_free_port()}",
        "PORTAL_KEYS_DIR": str(_scratch / "keys"),
        "PORTAL_OUTBOX_LOG": str(_scratch / "outbox.log"),
        "PORTAL_ARGON2_MEMORY_KIB": "1024",
        "PORTAL_ARGON2_TIME_COST": "1",
        "PORTAL_PROCEDURES_DIR": str(_scratch / "procedures"),
        "PORTAL_ATTACHMENTS_BUCKET": "dvc-test-attachments",
        "PORTAL_WEBHOOK_ALLOW_HTTP": "1",  # receivers in tests listen on 127.0.0.1
    }
)
for name in (
    "PORTAL_DYNAMODB_ENDPOINT",
    "PORTAL_S3_ENDPOINT",
    "PORTAL_KEYS_SECRET_ID",
    "PORTAL_PROCEDURES_BUCKET",
    "AWS_PROFILE",
):
    os.environ.pop(name, None)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """--dist loadfile as tests/scheduling.py changes it: the browser files together, longest first."""
    if config.getoption("dist") != "loadfile":
        return None
    from tests.scheduling import FilesLongestFirst

    return FilesLongestFirst(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from tests.scheduling import longest_first

    longest_first(items)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole session: Playwright's sync API cannot run two at once in a thread."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make chromium` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
