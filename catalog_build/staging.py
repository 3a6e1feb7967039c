"""Incremental site updates that can be rolled back.

A partial site build (pages.py) rewrites files in place and reports strict-mode errors only
after writing, so a failure would leave the site half-updated. Before it runs, every output it is
going to rewrite and every output of a removed page is moved aside, and the outputs it will newly
create are noted. On failure the new files are deleted and
the originals moved back; on success the originals are discarded. File operations scale with
the size of the change, not of the site (a copy of a 10,000-page site swamps a small disk).
"""

from __future__ import annotations

from pathlib import Path

from catalog_build.writer import discard_dir

# Written by every site build that is not of the same pages (the theme's static templates;
# robots.txt is ours): see pages.build_pages.
ALWAYS_REBUILT = ("404.html", "sitemap.xml", "sitemap.xml.gz", "robots.txt")


def output_of(docs_rel: str) -> str:
    """Where MkDocs writes a docs file (use_directory_urls)."""
    if not docs_rel.endswith(".md"):
        return docs_rel
    stem = docs_rel[:-3]
    return f"{stem[:-5]}index.html" if stem.endswith("index") else f"{stem}/index.html"


class IncrementalUpdate:
    def __init__(self, site_dir: Path, backup_dir: Path) -> None:
        self.site_dir, self.backup_dir = site_dir, backup_dir
        self.moved: list[str] = []
        self.created: list[str] = []

    def prepare(self, rebuilt_docs: list[str], removed_docs: list[str], *, templates: bool = True) -> None:
        """Move aside the outputs of the docs files about to be rebuilt or removed, and of the
        theme's templates when they are rebuilt too; note the outputs that do not exist yet."""
        discard_dir(self.backup_dir)
        for rel in list(ALWAYS_REBUILT if templates else ()) + [output_of(rel) for rel in rebuilt_docs + removed_docs]:
            if (self.site_dir / rel).exists():
                self._move(self.site_dir / rel, self.backup_dir / rel, rel)
            else:
                self.created.append(rel)

    def set_aside(self, rels: list[str]) -> None:
        """Files the build is about to write or delete itself after MkDocs (the service worker,
        compressed copies): existing ones are moved aside, new ones noted, as for MkDocs' outputs."""
        for rel in rels:
            if (self.site_dir / rel).exists():
                self._move(self.site_dir / rel, self.backup_dir / rel, rel)
            else:
                self.created.append(rel)

    @property
    def touched(self) -> list[str]:
        """Everything this update writes or removes (what MkDocs will, and what `set_aside` was told)."""
        return self.moved + self.created

    def _move(self, source: Path, target: Path, rel: str) -> None:
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            source.rename(target)
            self.moved.append(rel)

    def rollback(self) -> None:
        for rel in self.created:
            (self.site_dir / rel).unlink(missing_ok=True)
        for rel in self.moved:
            (self.site_dir / rel).unlink(missing_ok=True)
            (self.backup_dir / rel).rename(self.site_dir / rel)
        self._prune(self.created)
        discard_dir(self.backup_dir)

    def commit(self) -> None:
        """Keep the new files; drop the originals and folders that removed pages left empty."""
        self._prune(self.moved)
        discard_dir(self.backup_dir)

    def _prune(self, rels: list[str]) -> None:
        for rel in rels:
            parent = (self.site_dir / rel).parent
            while parent != self.site_dir and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
