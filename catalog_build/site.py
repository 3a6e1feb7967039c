"""Run MkDocs in-process on the generated Markdown."""

from __future__ import annotations

import hashlib
import logging
import os
from importlib import metadata
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException


class SiteBuildError(RuntimeError):
    pass


def load_site_config(config_file: Path, site_dir: Path | None = None) -> MkDocsConfig:
    options = {"site_dir": str(site_dir)} if site_dir else {}
    return load_config(str(config_file), **options)


def site_fingerprint(config_file: Path) -> str:
    """What, when changed, invalidates every built page: config, theme overrides, hooks, versions."""
    digest = hashlib.sha256(config_file.read_bytes())
    root = config_file.parent / "site"
    for folder in ("overrides", "hooks"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    for package in ("mkdocs", "mkdocs-material"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()


def build_site(config_file: Path, site_dir: Path, *, dirty: bool, progress: bool) -> None:
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    os.environ["PORTAL_BUILD_PROGRESS"] = "1" if progress else "0"
    config = load_site_config(config_file, site_dir)
    try:
        mkdocs_build(config, dirty=dirty)
    except (MkDocsException, SystemExit) as error:  # mkdocs raises Abort (a SystemExit) in strict mode
        raise SiteBuildError(f"mkdocs build failed: {error}") from error
