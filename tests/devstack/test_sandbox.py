"""Self-service sandbox credentials (`python -m devstack.sandbox`), and the developer guide's quick start
run exactly as written, command by command, against a local stack started as `make run` starts it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.conftest import REPO
from tests.devstack.test_local_stack import Launcher

QUICK_START = REPO / "site" / "docs" / "nha-phat-trien" / "bat-dau-nhanh.md"
SANDBOX = ".venv/bin/python -m devstack.sandbox --env"


@pytest.fixture
def stacks(tmp_path: Path) -> Iterator[Launcher]:
    launcher = Launcher(tmp_path)
    yield launcher
    launcher.stop_all()


def quick_start_script(launcher: Launcher) -> str:
    """Every shell block of the quick start but `make run` (the launcher runs the stack), on its ports."""
    blocks = re.findall(r"^```sh\n(.*?)^```$", QUICK_START.read_text(encoding="utf-8"), flags=re.M | re.S)
    commands = [block for block in blocks if block.strip() != "make run"]
    script = "set -euo pipefail\n" + "\n".join(commands)
    assert SANDBOX in script, "the quick start creates its credentials with the sandbox command"
    ports = f"--api-port {launcher.ports['--api-port']} --aws-port {launcher.ports['--aws-port']}"
    return script.replace(SANDBOX, f"{sys.executable} -m devstack.sandbox --env {ports}")


def test_the_sandbox_command_says_to_start_the_stack_when_none_is_running(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "devstack.sandbox", "--aws-port", "9", "--state-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "make run" in done.stderr


def publish_real_procedures(folder: Path, *codes: str) -> None:
    """The catalogue exports `make run` builds, for the real procedures the quick start syncs (a strict
    sync refuses procedures missing from the catalogue)."""
    import yaml

    from catalog_build.exports import procedure_json
    from catalog_build.models import Procedure

    for code in codes:
        record = yaml.safe_load((REPO / "data" / "procedures" / f"{code}.yaml").read_text(encoding="utf-8"))
        text = procedure_json(Procedure.model_validate(record))
        (folder / f"{code.replace('.', '-')}.json").write_text(text, encoding="utf-8")


def test_the_quick_start_reaches_a_synced_batch_and_a_status_move_as_written(stacks: Launcher):
    publish_real_procedures(stacks.site_dir / "du-lieu" / "thu-tuc", "2.001895", "1.005136")
    stack = stacks.start()
    done = subprocess.run(
        ["bash", "-c", quick_start_script(stacks)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    agency, client_id = done.stdout.splitlines()[0].split()
    assert re.fullmatch(r"SO-TP\.SB[0-9A-F]{4}", agency)
    decoder, answers, text = json.JSONDecoder(), [], done.stdout[done.stdout.index("{") :]
    while text:
        answer, end = decoder.raw_decode(text)
        answers.append(answer)
        text = text[end:].lstrip()
    synced, listed, moved = answers
    assert [(result["code"], result["outcome"]) for result in synced["results"]] == [
        (f"{agency}-261203-0001", "created"),
        (f"{agency}-261203-0002", "created"),
    ]
    assert {dossier["code"] for dossier in listed["dossiers"]} == {f"{agency}-261203-0001", f"{agency}-261203-0002"}
    assert (moved["code"], moved["status"], moved["status_label"]) == (f"{agency}-261203-0001", 4, "Đang xử lý")

    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{stacks.ports['--aws-port']}",
        region_name="ap-southeast-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    client = dynamodb.get_item(TableName="dvc-local-clients", Key={"client_id": {"S": client_id}})["Item"]
    assert client["sandbox"] == {"BOOL": True} and client["agency_id"] == {"S": agency}
    assert stack.stop() == 0
