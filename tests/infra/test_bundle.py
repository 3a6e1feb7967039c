"""The Lambda zips carry bytecode the runtime loads as it is, without compiling the sources again."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra import bundle

TAG = sys.implementation.cache_tag


def _zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_every_module_gets_a_pyc_beside_it(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "deployment.zip",
        {"app.py": "import chalicelib.rules\n", "chalicelib/__init__.py": "", "chalicelib/rules.py": "LIMIT = 3\n"},
    )

    assert bundle.add_bytecode(archive) == 3

    names = set(zipfile.ZipFile(archive).namelist())
    assert {f"__pycache__/app.{TAG}.pyc", f"chalicelib/__pycache__/rules.{TAG}.pyc"} <= names
    assert "chalicelib/rules.py" in names  # sources stay for tracebacks


def test_the_runtime_uses_the_pyc_even_when_unzipping_changed_the_times(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "deployment.zip", {"rules.py": "LIMIT = 3\n"})
    bundle.add_bytecode(archive)
    task = tmp_path / "task"
    zipfile.ZipFile(archive).extractall(task)
    # Same size, new time and content: a timestamp pyc would be recompiled and answer 4.
    (task / "rules.py").write_text("LIMIT = 4\n")

    done = subprocess.run(
        [sys.executable, "-B", "-c", "import rules; print(rules.LIMIT, rules.__spec__.cached is not None)"],
        cwd=task,
        capture_output=True,
        text=True,
        check=True,
    )

    assert done.stdout.split() == ["3", "True"]


def test_a_source_that_does_not_compile_stays_source_only(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "layer.zip", {"pkg/ok.py": "A = 1\n", "pkg/template.py": "def {{ name }}():\n"})

    assert bundle.add_bytecode(archive) == 1

    names = zipfile.ZipFile(archive).namelist()
    assert f"pkg/__pycache__/ok.{TAG}.pyc" in names
    assert not any(name.startswith("pkg/__pycache__/template.") for name in names)


def test_another_python_than_the_runtime_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _zip(tmp_path / "deployment.zip", {"app.py": ""})
    monkeypatch.setattr(bundle, "LAMBDA_PYTHON", (3, 99))

    with pytest.raises(SystemExit, match=r"Python 3\.99 \(the Lambda runtime\)"):
        bundle.add_bytecode(archive)

    assert zipfile.ZipFile(archive).namelist() == ["app.py"]


def test_the_stack_runs_the_python_the_bytecode_is_for(dev: dict) -> None:
    runtimes = {
        resource["Properties"]["Runtime"]
        for resource in dev["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function" and "Runtime" in resource["Properties"]
    }

    assert runtimes == {"python{}.{}".format(*bundle.LAMBDA_PYTHON)}
