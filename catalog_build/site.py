"""Run MkDocs in-process on the generated Markdown."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from importlib import metadata
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException

from catalog_build.errors import BuildFailed

# Folders of site/docs that catalog_build owns; everything else there is hand-written.
GENERATED_FOLDERS = (
    "thu-tuc",
    "linh-vuc",
    "co-quan",
    "cap-thuc-hien",
    "doi-tuong",
    "a-z",
    "hoi-dap",
    "tim-kiem",
    "du-lieu",
    "lien-thong",
)
GENERATED_FILES = ("index.md",)  # the home page, rendered from catalog_build/templates/home.md.j2


class SiteBuildError(BuildFailed):
    pass


def load_site_config(config_file: Path, site_dir: Path | None = None) -> MkDocsConfig:
    options = {"site_dir": str(site_dir)} if site_dir else {}
    return load_config(str(config_file), **options)


def site_fingerprint(config_file: Path, config: MkDocsConfig) -> str:
    """What, when changed, invalidates every built page: config, theme overrides, hooks, versions."""
    digest = hashlib.sha256(config_file.read_bytes())
    # Values the config takes from the environment (`!ENV`: the site and API addresses) count too.
    resolved = {"site_url": config.site_url, "extra": dict(config.extra)}
    digest.update(json.dumps(resolved, sort_keys=True, default=str).encode())
    sources = [Path(p) for p in config.hooks]
    if config.theme.custom_dir:
        sources += sorted(Path(config.theme.custom_dir).rglob("*"))
    for path in sources:
        if path.is_file():
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    for package in ("mkdocs", "mkdocs-material"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()


def derived_config(base: Path, workspace: Path, docs_source: Path | None = None) -> Path:
    """A copy of `base` whose docs and output live in `workspace`, for tests and benchmarks.

    The hand-written pages of `docs_source` (default: the base config's docs_dir) are copied in;
    theme overrides and hooks stay where they are.
    """
    config = load_site_config(base)
    docs_dir, site_dir = workspace / "docs", workspace / "site"
    source = docs_source or Path(config.docs_dir)
    for path in source.rglob("*"):
        rel = path.relative_to(source)
        if path.is_file() and rel.parts[0] not in GENERATED_FOLDERS and rel.as_posix() not in GENERATED_FILES:
            (docs_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, docs_dir / rel)
    text = base.read_text(encoding="utf-8")
    replacements = {
        "docs_dir:": f"docs_dir: {docs_dir.resolve()}",
        "site_dir:": f"site_dir: {site_dir.resolve()}",
        "  custom_dir:": f"  custom_dir: {Path(config.theme.custom_dir).resolve()}",
    }
    lines = []
    for line in text.splitlines():
        for prefix, replacement in replacements.items():
            if line.startswith(prefix):
                line = replacement
        if line.startswith("  - site/hooks/"):
            line = f"  - {(base.parent / line.strip()[2:]).resolve()}"
        lines.append(line)
    derived = workspace / "mkdocs.yml"
    derived.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return derived


def _warnings_to_stderr() -> None:
    """MkDocs installs its own counting handler, which silences Python's last-resort output."""
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    if not any(getattr(h, "portal", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("mkdocs %(levelname)s: %(message)s"))
        handler.portal = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def _drop_dirty_warning(record: logging.LogRecord) -> bool:
    # MkDocs warns that --dirty may leave navigation stale. Our nav is static (mkdocs.yml) and
    # generated pages are not in it, so the warning does not apply; in strict mode it would abort.
    return not record.getMessage().startswith("A 'dirty' build is being performed")


def quiet_mkdocs() -> None:
    """MkDocs' warnings to stderr, without the one about dirty builds."""
    _warnings_to_stderr()
    build_logger = logging.getLogger("mkdocs.commands.build")
    if _drop_dirty_warning not in build_logger.filters:
        build_logger.addFilter(_drop_dirty_warning)


def build_site(config_file: Path, site_dir: Path, *, dirty: bool, progress: bool) -> None:
    """A plain `mkdocs build` (the baseline the benchmark and the page-equivalence test compare with)."""
    quiet_mkdocs()
    os.environ["PORTAL_BUILD_PROGRESS"] = "1" if progress else "0"
    config = load_site_config(config_file, site_dir)
    try:
        mkdocs_build(config, dirty=dirty)
    except (MkDocsException, SystemExit) as error:  # mkdocs raises Abort (a SystemExit) in strict mode
        raise SiteBuildError(f"mkdocs build failed: {error}") from error
