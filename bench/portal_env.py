"""The environment every benchmark runs the backend in: the settings tests/conftest.py fixes (moto
credentials, a throwaway key folder, cheap argon2), in a scratch folder removed at exit."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = REPO / "functions"
SCRATCH = Path(tempfile.mkdtemp(prefix="portal-bench-"))
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)

PORTAL_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "ap-southeast-1",
    "AWS_REGION": "ap-southeast-1",
    "PORTAL_TABLE_PREFIX": "dvc-bench",
    "PORTAL_ISSUER": "http://127.0.0.1:8001",
    "PORTAL_KEYS_DIR": str(SCRATCH / "keys"),
    "PORTAL_OUTBOX_LOG": str(SCRATCH / "outbox.log"),
    "PORTAL_ARGON2_MEMORY_KIB": "1024",
    "PORTAL_ARGON2_TIME_COST": "1",
    # The limiter still counts every agency request (its write is part of the cost measured), never refuses.
    "PORTAL_AGENCY_RATE_LIMIT": "1000000000",
}
UNSET = ("PORTAL_DYNAMODB_ENDPOINT", "PORTAL_S3_ENDPOINT", "PORTAL_KEYS_SECRET_ID", "AWS_PROFILE")


def use_portal_environment() -> None:
    """Set it in this process, before chalicelib is imported (configuration is read once)."""
    for name in UNSET:
        os.environ.pop(name, None)
    os.environ.update(PORTAL_ENV)
    sys.path[:0] = [str(FUNCTIONS), str(REPO)]
