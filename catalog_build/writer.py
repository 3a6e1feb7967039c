"""Write only what changed, so untouched files keep their modification times (which
`mkdocs build --dirty` and a CDN sync both rely on), and remove what is no longer produced."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def replace_file(path: Path, data: bytes | str) -> None:
    """Write `path` whole or not at all: a new file beside it, renamed over it."""
    replace_file_by(path, lambda out: out.write(data.encode() if isinstance(data, str) else data))


def replace_file_by(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """`replace_file` for content that `write` streams out (a large pickle is then never held
    whole in memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        write(out)
    tmp.replace(path)


def needs_writing(path: Path, data: bytes, made: set[Path], report: WriteReport) -> bool:
    """False (and counted unchanged) when `path` already holds `data`; otherwise its folder exists
    (made once per folder, remembered in `made`) and the caller writes it."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            report.unchanged += 1
            return False
    except FileNotFoundError:
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
    return True


def write_changed(root: Path, files: dict[str, str], report: WriteReport) -> None:
    made: set[Path] = set()
    for rel, content in files.items():
        path, data = root / rel, content.encode("utf-8")
        if needs_writing(path, data, made, report):
            path.write_bytes(data)
            report.written.append(rel)


def remove_files(root: Path, rels: Iterable[str], report: WriteReport) -> None:
    """Delete the given files and any folders they leave empty."""
    for rel in sorted(rels):
        path = root / rel
        path.unlink(missing_ok=True)
        report.removed.append(rel)
        parent = path.parent
        while parent != root and parent.exists() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def remove_stale(root: Path, folders: Iterable[str], keep: set[str], report: WriteReport) -> None:
    """Delete files under `root/folder` that are not in `keep` (paths relative to root).

    Walks the folders; a build that knows what it produced last time uses `remove_files`.
    """
    stale = []
    for folder in folders:
        for directory, _, names in os.walk(root / folder):
            rel_dir = os.path.relpath(directory, root)
            stale += [rel for name in names if (rel := f"{rel_dir}/{name}") not in keep]
    remove_files(root, stale, report)


def discard_dir(path: Path) -> None:
    """Remove a folder without waiting: rename it aside, then delete it in a detached process.

    Deleting a 10,000-page site takes seconds; nobody needs to wait for it.
    """
    if not path.exists():
        return
    trash = path.with_name(f".{path.name}.trash-{uuid.uuid4().hex[:8]}")
    path.rename(trash)
    if shutil.which("rm"):
        subprocess.Popen(
            ["rm", "-rf", str(trash)],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    else:
        shutil.rmtree(trash, ignore_errors=True)


def replace_dir(new: Path, target: Path) -> None:
    """Swap `new` into place of `target` with two renames, so readers never see a half tree."""
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    discard_dir(old)
