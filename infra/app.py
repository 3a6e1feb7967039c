"""`python -m infra.app`: the CDK app that `cdk.json` names. Context: `-c stage=dev|prod` (or `dev,prod`).

Synthesis needs no AWS account and no network: no lookups, assets from build/lambda/ (made by
`python -m infra.bundle`). `make synth` runs both and writes build/cdk.out/.
"""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk

from infra import REPO
from infra.backend import Bundle
from infra.bundle import APP_ZIP, DEFAULT_OUT, LAYER_ZIP
from infra.stages import STAGES_FILE, Stage, stage


def find_bundle(folder: Path) -> Bundle:
    app_zip = folder / APP_ZIP
    if not app_zip.exists():
        raise SystemExit(f"{app_zip} is missing: run `make synth` (or `python -m infra.bundle`) first")
    layer = folder / LAYER_ZIP
    return Bundle(app_zip=app_zip, layer_zip=layer if layer.exists() else None)


def build(app: cdk.App, stages: list[Stage], bundle: Bundle, account: str | None = None) -> list[cdk.Stack]:
    # The backend's configuration is read once, at import: give it the first stage's prefix.
    os.environ.setdefault("PORTAL_TABLE_PREFIX", stages[0].table_prefix)
    from infra.stack import PortalStack

    return [PortalStack(app, each, bundle, account=account) for each in stages]


def main() -> None:
    app = cdk.App(outdir=os.environ.get("CDK_OUTDIR") or str(REPO / "build" / "cdk.out"))
    stages_file = Path(app.node.try_get_context("stages_file") or STAGES_FILE)
    names = str(app.node.try_get_context("stage") or "dev").split(",")
    bundle = find_bundle(Path(app.node.try_get_context("bundle") or DEFAULT_OUT))
    build(app, [stage(name, stages_file) for name in names], bundle, account=os.environ.get("CDK_DEFAULT_ACCOUNT"))
    app.synth()


if __name__ == "__main__":
    main()
