"""A hard-linked copy of the built site that an incremental MkDocs build can update safely.

MkDocs rewrites files in place and reports strict-mode errors only after writing, so building
into the live site would leave it half-updated on failure. Instead the site is copied with hard
links (cheap: no file data is copied), every output MkDocs is going to rewrite is unlinked from
the copy (MkDocs' own rule: source newer than output), and the copy is swapped in on success.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from catalog_build.errors import BuildFailed

# Written by every MkDocs build, dirty or not.
ALWAYS_REBUILT = ("404.html", "sitemap.xml", "sitemap.xml.gz")
SKIPPED = ("pagefind",)  # replaced whole by the new search index


def output_of(docs_rel: str) -> str:
    """Where MkDocs writes a docs file (use_directory_urls)."""
    if not docs_rel.endswith(".md"):
        return docs_rel
    stem = docs_rel[:-3]
    return f"{stem[:-5]}index.html" if stem.endswith("index") else f"{stem}/index.html"


class IncrementalStage:
    """Starts copying at once (in `cp`, beside Python's own work); `prepare` finishes the copy."""

    def __init__(self, site_dir: Path, staging: Path) -> None:
        self.site_dir, self.staging = site_dir, staging
        staging.mkdir(parents=True)
        entries = [str(p) for p in site_dir.iterdir() if p.name not in SKIPPED]
        self.copier: subprocess.Popen[bytes] | None = None
        if shutil.which("cp") and entries:
            self.copier = subprocess.Popen(["cp", "-al", *entries, str(staging)], stderr=subprocess.PIPE)
        else:
            for entry in entries:
                source = Path(entry)
                if source.is_dir():
                    shutil.copytree(source, staging / source.name, copy_function=os.link)
                else:
                    os.link(source, staging / source.name)

    def prepare(self, docs_dir: Path, removed_docs: list[str]) -> None:
        """Wait for the copy; unlink what MkDocs will rewrite and what no longer has a source."""
        if self.copier is not None:
            _, error = self.copier.communicate()
            if self.copier.returncode != 0:
                raise BuildFailed(f"could not stage the site for an incremental build: {error.decode()[-500:]}")
        for rel in ALWAYS_REBUILT:
            (self.staging / rel).unlink(missing_ok=True)
        for directory, _, names in os.walk(docs_dir):  # Path.walk arrives in Python 3.12
            for name in names:
                source = Path(directory, name)
                output = self.staging / output_of(source.relative_to(docs_dir).as_posix())
                try:
                    if source.stat().st_mtime > output.stat().st_mtime:
                        output.unlink()
                except FileNotFoundError:
                    pass
        for rel in removed_docs:
            output = self.staging / output_of(rel)
            output.unlink(missing_ok=True)
            if output.name == "index.html" and output.parent.exists() and not any(output.parent.iterdir()):
                output.parent.rmdir()

    def abort(self) -> None:
        if self.copier is not None and self.copier.poll() is None:
            self.copier.kill()
            self.copier.wait()
