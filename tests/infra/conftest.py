"""Synthesise the CDK app once per test session, in a child process, as `cdk synth` would.

A child process because the backend reads its configuration once, at import: other tests in the
same worker import it with their own settings, and synthesis must see what a deployment sees.
Lambda code is a stand-in zip (the real one comes from `chalice package`); nothing reaches AWS.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

PROD_CERTIFICATE = "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"


def _stand_in_bundle(folder: Path) -> None:
    folder.mkdir()
    for name in ("deployment.zip", "layer-deployment.zip"):
        with zipfile.ZipFile(folder / name, "w") as archive:
            archive.writestr("app.py", "app = None\n")


def _stages_file(path: Path) -> None:
    stages = json.loads((REPO / "infra" / "stages.json").read_text())
    stages["prod"].update(site_domain="dichvucong.example.vn", site_certificate_arn=PROD_CERTIFICATE)
    path.write_text(json.dumps(stages))


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Synthesised once per run: the first test worker to need it synthesises, under a lock in the
    folder the workers share, and the others read its output (a synthesis takes 10 s or more)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # pytest-of-USER/pytest-N/, above each worker's own folder
    with (shared / "cdk.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        work = shared / "cdk"
        if not (work / "done").exists():
            shutil.rmtree(work, ignore_errors=True)  # a synthesis that failed half-way
            work.mkdir()
            _synthesise(work)
            (work / "done").touch()
    return {
        stage: json.loads((work / "cdk.out" / f"dvc-portal-{stage}.template.json").read_text())
        for stage in ("dev", "prod")
    }


def _synthesise(work: Path) -> None:
    _stand_in_bundle(work / "bundle")
    _stages_file(work / "stages.json")
    env = {name: value for name, value in os.environ.items() if not name.startswith("PORTAL_")}
    env["CDK_OUTDIR"] = str(work / "cdk.out")
    env["CDK_CONTEXT_JSON"] = json.dumps(
        {"stage": "dev,prod", "bundle": str(work / "bundle"), "stages_file": str(work / "stages.json")}
    )
    done = subprocess.run(
        [sys.executable, "-m", "infra.app"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="session")
def dev(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return templates["dev"]


@pytest.fixture(scope="session")
def prod(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return templates["prod"]
