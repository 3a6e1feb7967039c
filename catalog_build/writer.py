"""Write only what changed, so untouched files keep their modification times (which
`mkdocs build --dirty` and a CDN sync both rely on), and remove what is no longer produced."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def write_changed(root: Path, files: dict[str, str], report: WriteReport) -> None:
    for rel, content in files.items():
        path = root / rel
        data = content.encode("utf-8")
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                report.unchanged += 1
                continue
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        report.written.append(rel)


def remove_stale(root: Path, folders: Iterable[str], keep: set[str], report: WriteReport) -> None:
    """Delete files under `root/folder` that are not in `keep` (paths relative to root)."""
    for folder in folders:
        base = root / folder
        if not base.exists():
            continue
        for path in sorted(base.rglob("*"), reverse=True):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel not in keep:
                path.unlink()
                report.removed.append(rel)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def replace_dir(new: Path, target: Path) -> None:
    """Swap `new` into place of `target` with two renames, so readers never see a half tree."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
