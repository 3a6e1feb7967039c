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


# The order in which test files are handed to the xdist workers (`make test`: --dist loadgroup
# --no-loadscope-reorder): the longest first, so that neither worker is left running one of them at
# the end while the other waits. The browser tests go to one worker as one group, so the catalogue
# is built and the local stack started once per run, not once per worker (tests/browser/conftest.py).
# Every other file stays whole on one worker, as with --dist loadfile. Files not named here follow,
# most tests first (xdist's own order). Times in seconds of worker time on a 2-core machine.
BROWSER_GROUP = "tests/browser"
LONGEST_FIRST = (
    BROWSER_GROUP,  # ~400 together
    "tests/devstack/test_local_stack.py",  # ~60: five starts of the local stack
    "tests/catalog_build/test_pages.py",  # ~60: the shipped catalogue through MkDocs and our workers
    "tests/devstack/test_durability.py",  # ~35
    "tests/devstack/test_sandbox.py",  # ~20
    "tests/api/test_hostile_inputs.py",  # ~35
    "tests/infra/test_stack.py",  # ~30: CDK synthesis and cfn-lint
    "tests/api/test_linked_groups.py",
    "tests/catalog_build/test_build.py",
    "tests/api/test_payment_obligations.py",
    "tests/catalog_build/test_pwa.py",
    "tests/catalog_build/test_groups.py",
)


def _distribution_unit(item: pytest.Item) -> str:
    path = item.path.relative_to(REPO).as_posix()
    return BROWSER_GROUP if path.startswith(BROWSER_GROUP + "/") else path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    units: dict[str, list[pytest.Item]] = {}
    for item in items:
        units.setdefault(_distribution_unit(item), []).append(item)
    rank = {unit: index for index, unit in enumerate(LONGEST_FIRST)}
    ordered = sorted(units, key=lambda unit: (rank.get(unit, len(rank)), -len(units[unit])))
    items[:] = [item for unit in ordered for item in units[unit]]
    for item in items:  # read by xdist with --dist loadgroup only (in a worker, `dist` is "no")
        item.add_marker(pytest.mark.xdist_group(_distribution_unit(item)))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole session: Playwright's sync API cannot run two at once in a thread."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make chromium` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
