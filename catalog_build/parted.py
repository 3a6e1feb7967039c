"""Large files made of parts, one per group of records, written again from their previous version.

A file is a head, its parts joined by a separator, and a tail. The layout of each file as written
(where each part lies, and the key the caller gave it) is kept for the next build, which copies
every part whose key is unchanged from the previous file inside the kernel (`copy_file_range`)
and writes only the new ones: a one-group change to a 40 MB file reads and holds that group's part
alone. The previous version is trusted only while the file is the one the layout describes (same
inode, size and modification time: every write is a new file renamed into place).

A file whose every part is reused, in the same order and with the same frame, is not written at
all. Without a layout (a first or full build) the new version is compared with the file on disk
and dropped when equal, so a file is written only when its bytes change, and always as a new file
renamed into place: the site may hold a hard link to the old one.
"""

from __future__ import annotations

import os
import uuid
from collections import deque
from collections.abc import Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from io import FileIO
from pathlib import Path

from catalog_build.writer import WriteReport

COPY_CHUNK = 1 << 20
MAX_PENDING = 8  # parts being compressed ahead of the one written next, to bound memory

Frame = tuple[bytes, bytes, bytes]  # head, separator, tail
Part = tuple[int, int, Hashable]  # offset, length, key


@dataclass
class Layout:
    """A file as it was written: enough to find each part in it again."""

    stat: tuple[int, int, int]  # inode, size, modification time (ns) once written
    frame: Frame
    parts: dict[str, Part]  # by group, in file order


def _identity(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


Piece = bytes | Future[bytes] | tuple[int, int]  # new bytes (maybe still being made) or a range of the old file


class PartedFile:
    """One file being written: add every group's part in order (`reuse` or `put`), then `finish`."""

    def __init__(self, root: Path, rel: str, previous: Layout | None, frame: Frame) -> None:
        self.root, self.rel, self.path, self.frame = root, rel, root / rel, frame
        self.old: Layout | None = None
        self._source: int | None = None  # the previous version, open for copying
        if previous is not None:
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except FileNotFoundError:
                pass
            else:
                if _identity(os.fstat(fd)) == previous.stat:
                    self._source, self.old = fd, previous
                else:
                    os.close(fd)
        self._old_order = list(self.old.parts) if self.old is not None else []
        self._same = self.old is not None and self.old.frame == frame  # so far, the previous file's bytes
        self._added = 0
        self._pending: deque[tuple[str | None, Hashable, Piece]] = deque([(None, None, frame[0])])
        self._futures = 0
        self._position = 0
        self.parts: dict[str, Part] = {}
        self._tmp: Path | None = None
        self._out: FileIO | None = None
        self._kernel_copy = True
        if not self._same:
            self._open()

    def key(self, group: str) -> Hashable | None:
        """The key of the group's part in the previous version, if it can be reused."""
        part = self.old.parts.get(group) if self.old is not None else None
        return part[2] if part is not None else None

    def read(self, group: str) -> bytes:
        """The group's part in the previous version (`key` is not None)."""
        assert self.old is not None and self._source is not None
        offset, length, _ = self.old.parts[group]
        data = os.pread(self._source, length, offset)
        if len(data) != length:
            raise OSError(f"{self.path}: shorter than its layout")
        return data

    def reuse(self, group: str, key: Hashable | None = None) -> None:
        """The group's part as it was (`key` is not None), under a new key if given."""
        assert self.old is not None
        offset, length, old_key = self.old.parts[group]
        self._add(group, old_key if key is None else key, (offset, length))

    def put(self, group: str, key: Hashable, data: bytes | Future[bytes]) -> None:
        """New bytes for the group's part (a future: being made in a thread)."""
        self._same = False
        self._open()
        self._add(group, key, data)

    def _add(self, group: str, key: Hashable, piece: Piece) -> None:
        if self._added:
            self._pending.append((None, None, self.frame[1]))
        if self._same and (self._added >= len(self._old_order) or self._old_order[self._added] != group):
            self._same = False
            self._open()
        self._added += 1
        self._pending.append((group, key, piece))
        if isinstance(piece, Future):
            self._futures += 1
        if self._out is not None:
            self._drain(everything=False)

    def finish(self, report: WriteReport) -> Layout:
        """Write the file unless its bytes are unchanged; its layout for the next build."""
        self._pending.append((None, None, self.frame[2]))
        try:
            if self._same and self._added == len(self._old_order):
                assert self.old is not None
                self._drain(everything=True)  # positions only: nothing is open
                report.unchanged += 1
                return Layout(self.old.stat, self.frame, self.parts)
            self._open()
            self._drain(everything=True)
            assert self._out is not None and self._tmp is not None
            self._out.close()
            if self.old is None and _same_bytes(self._tmp, self.path):
                self._tmp.unlink()
                report.unchanged += 1
            else:
                self._tmp.replace(self.path)
                report.written.append(self.rel)
            self._tmp = None
            return Layout(_identity(self.path.stat()), self.frame, self.parts)
        finally:
            self.close()

    def close(self) -> None:
        """Let go of the previous version, and of a new one not finished (after a failure)."""
        if self._out is not None:
            self._out.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None
        if self._source is not None:
            os.close(self._source)
            self._source = None

    def _open(self) -> None:
        if self._out is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}")
        self._out = self._tmp.open("xb", buffering=0)
        self._drain(everything=False)

    def _drain(self, *, everything: bool) -> None:
        """Write the pending pieces in order (when open) as far as they are made; wait for a part
        being compressed only when `everything` is asked for or too many are in hand."""
        while self._pending:
            group, key, piece = self._pending[0]
            if isinstance(piece, Future):
                if not (everything or piece.done() or self._futures > MAX_PENDING):
                    return
                piece = piece.result()
                self._futures -= 1
            self._pending.popleft()
            length = piece[1] if isinstance(piece, tuple) else len(piece)
            if self._out is not None:
                if isinstance(piece, tuple):
                    self._copy(*piece)
                else:
                    self._write(piece)
            if group is not None:
                self.parts[group] = (self._position, length, key)
            self._position += length

    def _write(self, data: bytes) -> None:
        assert self._out is not None
        view = memoryview(data)
        while view:
            view = view[self._out.write(view) :]

    def _copy(self, offset: int, length: int) -> None:
        assert self._out is not None and self._source is not None
        out = self._out.fileno()
        while length:
            if self._kernel_copy:
                try:
                    done = os.copy_file_range(self._source, out, length, offset)
                except OSError:  # a file system or kernel without it: copy through memory
                    self._kernel_copy = False
                    continue
            else:
                data = os.pread(self._source, min(length, COPY_CHUNK), offset)
                self._write(data)
                done = len(data)
            if done == 0:
                raise OSError(f"{self.path}: shorter than its layout")
            offset += done
            length -= done


def _same_bytes(new: Path, old: Path) -> bool:
    try:
        if new.stat().st_size != old.stat().st_size:
            return False
        with new.open("rb") as a, old.open("rb") as b:
            while True:
                chunk = a.read(COPY_CHUNK)
                if chunk != b.read(COPY_CHUNK):
                    return False
                if not chunk:
                    return True
    except FileNotFoundError:
        return False
