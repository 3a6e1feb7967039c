"""`python -m infra.bundle`: package the Chalice app for Lambda into build/lambda/.

Chalice's own packager (what `chalice package` and its CDK construct run) builds
`deployment.zip` (app.py and chalicelib/) and, with `automatic_layer`, `layer-deployment.zip`
(the requirements as Lambda-platform wheels; pip fetches them from PyPI the first time, then
Chalice reuses functions/.chalice/deployments/). The CDK app takes both as assets.

Neither zip holds bytecode (wheels carry none) and Lambda's code folders are read-only, so every
cold start would compile each imported module from source: about 185 ms for `import app` against
about 80 ms with bytecode on this machine. So both zips get `__pycache__/*.pyc` added, compiled by
this interpreter, which must be the runtime's version, as unchecked-hash pycs: the runtime loads them
without comparing modification times, which unzipping does not keep reliably.
"""

from __future__ import annotations

import argparse
import compileall
import os
import py_compile
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from infra import FUNCTIONS_DIR, LAMBDA_PYTHON, REPO

DEFAULT_OUT = REPO / "build" / "lambda"
APP_ZIP = "deployment.zip"
LAYER_ZIP = "layer-deployment.zip"


def package(out: Path = DEFAULT_OUT) -> list[Path]:
    from chalice.api import package_app

    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-1")  # Chalice insists on one; unused here
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        packaged = Path(scratch) / "package"
        package_app(project_dir=str(FUNCTIONS_DIR), output_dir=str(packaged), stage="dev")
        written = []
        for name in (APP_ZIP, LAYER_ZIP):
            target = out / name
            target.unlink(missing_ok=True)
            if (packaged / name).exists():
                shutil.copyfile(packaged / name, target)
                add_bytecode(target)
                written.append(target)
    return written


def add_bytecode(archive: Path) -> int:
    """Add a compiled `.pyc` beside every `.py` in the zip; returns how many were added."""
    if sys.version_info[:2] != LAMBDA_PYTHON:
        wanted = ".".join(map(str, LAMBDA_PYTHON))
        raise SystemExit(f"infra.bundle needs Python {wanted} (the Lambda runtime) to compile its bytecode")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(archive) as source:
            present = set(source.namelist())
            source.extractall(root, members=[name for name in present if name.endswith(".py")])
        # Some packages ship sources that are not meant to compile (templates, other Python versions):
        # those stay source-only, as they are now.
        compileall.compile_dir(
            root, quiet=2, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
        )
        compiled = sorted(path for path in root.rglob("*.pyc") if path.relative_to(root).as_posix() not in present)
        with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED) as target:
            for path in compiled:
                target.write(path, path.relative_to(root).as_posix())
    return len(compiled)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.bundle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    for path in package(args.out):
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
