"""Smaller word-index chunks than Pagefind writes, so that a first search downloads less.

Pagefind 1.5 cuts each index's words, in order, into chunks of about 20,000 word positions (a
constant in its indexer: `chunk_index(word_map, 20000)`, marked "TODO: Parameterize"), about
14 KB compressed. A search loads, in every shard, the chunk holding each of its words: with four
shards at 10,000 procedures, "cấp giấy phép" loaded eight chunks, 112 KB of its 262 KB. Cut again
into chunks of about CHUNK_BYTES, the same eight weigh 22 KB, and a search costs about what it did
with one index (the shards' metadata together weigh what the single index's did).

The chunks and the metadata listing them are Pagefind's own format: gzip of "pagefind_dcd" and
CBOR (RFC 8949) arrays of text and integers. This module rewrites only what it can read and write
back byte for byte: for another Pagefind version, or a file whose CBOR does not encode back to the
same bytes, it leaves the shard as Pagefind wrote it (bigger chunks, the same results).

Cutting takes about 0.1 s a shard of 2,500 procedures (a loop over half a megabyte of CBOR), in a
process of its own so that it holds no lock a build's own thread needs.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

VERSIONS = frozenset({"1.5.2"})  # versions whose metadata holds its chunk list third: [from, to, hash]
CHUNK_BYTES = 6_000  # of CBOR before compression: about 2.5 KB compressed
_MAGIC = b"pagefind_dcd"
_ENTRY = "pagefind-entry.json"


class _Unreadable(Exception):
    """A file this module does not understand exactly; the shard is left as it is."""


def recut(shard: Path, chunk_bytes: int = CHUNK_BYTES) -> bool:
    """Cut the word index of the Pagefind output in `shard` into smaller chunks; False (and
    nothing changed) when its format is not the one known here."""
    entry = json.loads((shard / _ENTRY).read_text(encoding="utf-8"))
    if entry.get("version") not in VERSIONS:
        return False
    try:
        plans = [_plan(shard, language, index["hash"], chunk_bytes) for language, index in entry["languages"].items()]
    except _Unreadable:
        return False
    for language, (meta, old_files, chunks) in zip(entry["languages"], plans, strict=True):
        listed = []
        for words in chunks:
            body = _head(4, 1) + _head(4, len(words)) + b"".join(item for _, item in words)
            name = _write_named(shard / "index", f"{language}_", 7, ".pf_index", body)
            listed.append([words[0][0], words[-1][0], name])
        for first, second in itertools.pairwise(listed):
            first[1], second[0] = _prefixes(first[1], second[0])
        meta[2] = listed
        meta_name = _write_named(shard, f"pagefind.{language}_", 10, ".pf_meta", _encode(meta))
        entry["languages"][language]["hash"] = meta_name.removeprefix("pagefind.")
        kept = {f"{name}.pf_index" for _, _, name in listed} | {f"{meta_name}.pf_meta"}
        for path in old_files:
            if path.name not in kept:
                path.unlink()
    new_entry = shard / f"{_ENTRY}.new"
    new_entry.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    new_entry.replace(shard / _ENTRY)
    return True


def _plan(
    shard: Path, language: str, meta_hash: str, chunk_bytes: int
) -> tuple[list[Any], list[Path], list[list[tuple[str, bytes]]]]:
    """A language's metadata, the files it and its chunks are in, and its words (each its text and
    its CBOR, copied as Pagefind wrote it) cut anew."""
    meta_path = shard / f"pagefind.{meta_hash}.pf_meta"
    meta = _read(meta_path)
    if not (isinstance(meta, list) and len(meta) > 2 and meta[0] in VERSIONS and isinstance(meta[2], list)):
        raise _Unreadable(meta_path)
    files, words = [meta_path], []
    for chunk in meta[2]:
        if not (isinstance(chunk, list) and len(chunk) == 3 and all(isinstance(part, str) for part in chunk)):
            raise _Unreadable(meta_path)
        path = shard / "index" / f"{chunk[2]}.pf_index"
        files.append(path)
        words += _words(path)
    chunks: list[list[tuple[str, bytes]]] = []
    size = chunk_bytes
    for word in words:
        if size >= chunk_bytes:
            chunks.append([])
            size = 0
        chunks[-1].append(word)
        size += len(word[1])
    return meta, files, chunks


def _words(path: Path) -> list[tuple[str, bytes]]:
    """The words of an index chunk (CBOR: a 1-item array holding an array of words, each an array
    whose first item is the word's text), each with the bytes that encode it."""
    data = _unzip(path)
    try:
        if data[len(_MAGIC)] != 0x81:
            raise _Unreadable(path)
        count, pos = _length(data, len(_MAGIC) + 1, 4)
        words = []
        for _ in range(count):
            start = pos
            if data[pos] >> 5 != 4 or data[pos] & 0x1F == 0:
                raise _Unreadable(path)
            size, text_start = _length(data, pos + 1, 3)
            text = data[text_start : text_start + size].decode("utf-8")
            pos = _skip(data, start)
            words.append((text, data[start:pos]))
    except (IndexError, ValueError) as error:
        raise _Unreadable(path) from error
    if pos != len(data):
        raise _Unreadable(path)
    return words


def _length(data: bytes, pos: int, major: int) -> tuple[int, int]:
    """The value of the CBOR head at `pos`, which must be of `major` type, and where it ends."""
    head = data[pos]
    if head >> 5 != major:
        raise ValueError(f"CBOR major type {head >> 5}, expected {major}")
    info = head & 0x1F
    if info < 24:
        return info, pos + 1
    if info > 27:
        raise ValueError(f"CBOR additional information {info}")
    width = 1 << (info - 24)
    if pos + 1 + width > len(data):
        raise ValueError("truncated")
    return int.from_bytes(data[pos + 1 : pos + 1 + width], "big"), pos + 1 + width


def _skip(data: bytes, pos: int) -> int:
    """Where the CBOR item at `pos` ends: integers, text and definite-length arrays only.

    One loop over heads with a count of items still to read: the chunks of a shard are about
    half a megabyte of small integers, too many for a recursive decoder in a build's budget.
    """
    remaining = 1
    while remaining:
        head = data[pos]
        major, info = head >> 5, head & 0x1F
        if info < 24:
            value, pos = info, pos + 1
        elif info == 24:
            value, pos = data[pos + 1], pos + 2
        elif info == 25:
            value, pos = data[pos + 1] << 8 | data[pos + 2], pos + 3
        elif info in (26, 27):
            width = 4 if info == 26 else 8
            value, pos = int.from_bytes(data[pos + 1 : pos + 1 + width], "big"), pos + 1 + width
        else:
            raise ValueError(f"CBOR additional information {info}")
        remaining -= 1
        if major == 4:
            remaining += value
        elif major == 3:
            pos += value
        elif major > 1:
            raise ValueError(f"CBOR major type {major}")
    if pos > len(data):
        raise ValueError("truncated")
    return pos


def _prefixes(last: str, first: str) -> tuple[str, str]:
    """The bounds between two neighbouring chunks, shortened as Pagefind shortens them: to one
    character past their common prefix."""
    common = 0
    for a, b in zip(first, last, strict=False):
        if a != b:
            break
        common += 1
    return last[: common + 1], first[: common + 1]


def _unzip(path: Path) -> bytes:
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:
        raise _Unreadable(path) from error
    if not data.startswith(_MAGIC) or len(data) == len(_MAGIC):
        raise _Unreadable(path)
    return data


def _read(path: Path) -> Any:
    """A small file (the metadata) decoded whole, if it encodes back to the same bytes."""
    data = _unzip(path)
    try:
        value, end = _decode(data, len(_MAGIC))
    except (IndexError, ValueError) as error:
        raise _Unreadable(path) from error
    if end != len(data) or _encode(value) != data[len(_MAGIC) :]:
        raise _Unreadable(path)
    return value


def _write_named(folder: Path, prefix: str, digits: int, suffix: str, body: bytes) -> str:
    """Write CBOR `body` under a name made from its content, as Pagefind names its files; the
    name without its suffix."""
    digest = hashlib.sha256(body).hexdigest()
    data = gzip.compress(_MAGIC + body, compresslevel=9, mtime=0)
    for length in range(digits, len(digest) + 1):
        name = f"{prefix}{digest[:length]}"
        path = folder / f"{name}{suffix}"
        if not path.exists():
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
            return name
        if path.read_bytes() == data:
            return name
    raise _Unreadable(folder)  # every prefix of a SHA-256 taken by other content: not in practice


def _decode(data: bytes, pos: int) -> tuple[Any, int]:
    """One CBOR item of the kinds Pagefind writes: integers, text and definite-length arrays."""
    head = data[pos]
    major, info = head >> 5, head & 0x1F
    pos += 1
    if info < 24:
        value = info
    elif 24 <= info <= 27:
        width = 1 << (info - 24)
        if pos + width > len(data):
            raise ValueError("truncated")
        value = int.from_bytes(data[pos : pos + width], "big")
        pos += width
    else:
        raise ValueError(f"CBOR additional information {info}")
    if major == 0:
        return value, pos
    if major == 1:
        return -1 - value, pos
    if major == 3:
        return data[pos : pos + value].decode("utf-8"), pos + value
    if major == 4:
        items = []
        for _ in range(value):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    raise ValueError(f"CBOR major type {major}")


def _encode(value: Any) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int | str | list):
        raise ValueError(f"cannot encode {type(value).__name__}")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        text = value.encode("utf-8")
        return _head(3, len(text)) + text
    return _head(4, len(value)) + b"".join(_encode(item) for item in value)


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * width):
            return bytes([major << 5 | info]) + value.to_bytes(width, "big")
    raise ValueError("integer too large for CBOR")


if __name__ == "__main__":  # a build runs this beside its own work, one process per shard
    for folder in sys.argv[1:]:
        recut(Path(folder))
