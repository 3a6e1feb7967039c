"""`python -m infra.bundle`: package the Chalice app for Lambda into build/lambda/.

Chalice's own packager (what `chalice package` and its CDK construct run) builds
`deployment.zip` (app.py and chalicelib/) and, with `automatic_layer`, `layer-deployment.zip`
(the requirements as Lambda-platform wheels; pip fetches them from PyPI the first time, then
Chalice reuses functions/.chalice/deployments/). The CDK app takes both as assets.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from infra import FUNCTIONS_DIR, REPO

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
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.bundle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    for path in package(args.out):
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
