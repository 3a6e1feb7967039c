"""Pagefind's word index cut into smaller chunks: the same words and postings, chunk bounds as
Pagefind draws them, and a shard in a format not known here left as it is."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from catalog_build import pagefind_chunks
from catalog_build.search_index import PAGEFIND

WORDS = [
    "giấy",
    "phép",
    "lái",
    "xe",
    "hộ",
    "chiếu",
    "khai",
    "sinh",
    "kết",
    "hôn",
    "thường",
    "trú",
    "căn",
    "cước",
    "bảo",
    "hiểm",
    "xã",
    "hội",
    "đất",
    "đai",
    "xây",
    "dựng",
]


@pytest.fixture(scope="module")
def pagefind_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pagefind's own output for 60 small pages."""
    root = tmp_path_factory.mktemp("pagefind")
    for number in range(60):
        text = " ".join(WORDS[(number * 7 + k) % len(WORDS)] for k in range(12)) + f" trang{number}"
        page = f'<html lang="vi"><body><main data-pagefind-body><p>{text}</p></main></body></html>'
        (root / "site" / f"{number}.html").parent.mkdir(parents=True, exist_ok=True)
        (root / "site" / f"{number}.html").write_text(page, encoding="utf-8")
    command = [str(PAGEFIND), "--site", str(root / "site"), "--output-path", str(root / "out"), "--silent"]
    subprocess.run(command, check=True, cwd=root)
    return root / "out"


def index_files(shard: Path) -> tuple[dict, list[list[str]], bytes]:
    """The entry, the metadata's chunk list and the words' CBOR, concatenated in chunk order."""
    entry = json.loads((shard / "pagefind-entry.json").read_text())
    meta_hash = entry["languages"]["vi"]["hash"]
    meta = pagefind_chunks._read(shard / f"pagefind.{meta_hash}.pf_meta")
    words = b"".join(
        item for _, _, name in meta[2] for _, item in pagefind_chunks._words(shard / "index" / f"{name}.pf_index")
    )
    return entry, meta, words


def test_the_words_are_cut_into_more_chunks_with_the_same_bytes_and_pagefinds_bounds(pagefind_output, tmp_path):
    shard = tmp_path / "shard"
    shutil.copytree(pagefind_output, shard)
    entry, meta, words = index_files(shard)
    assert pagefind_chunks.recut(shard, chunk_bytes=300)
    new_entry, new_meta, new_words = index_files(shard)
    assert new_words == words  # every word's postings, byte for byte, in the same order
    assert new_meta[1] == meta[1] and new_meta[3:] == meta[3:]  # pages, filters, sorts untouched
    assert len(new_meta[2]) > max(3, len(meta[2]))
    assert new_entry["languages"]["vi"]["hash"] != entry["languages"]["vi"]["hash"]
    assert sorted(p.name for p in shard.glob("*.pf_meta")) == [
        f"pagefind.{new_entry['languages']['vi']['hash']}.pf_meta"
    ]
    assert {p.stem for p in (shard / "index").iterdir()} == {name for _, _, name in new_meta[2]}
    chunks = [
        [text for text, _ in pagefind_chunks._words(shard / "index" / f"{n}.pf_index")] for _, _, n in new_meta[2]
    ]
    for (low, high, _), texts in zip(new_meta[2], chunks, strict=True):
        assert texts == sorted(texts) and texts[0].startswith(low) and texts[-1].startswith(high)
    for (_, high, _), (low, _, _) in zip(new_meta[2], new_meta[2][1:], strict=False):
        assert high < low
    assert all(gzip.decompress(p.read_bytes()).startswith(b"pagefind_dcd") for p in (shard / "index").iterdir())
    again = sorted(p.name for p in (shard / "index").iterdir())
    assert pagefind_chunks.recut(shard, chunk_bytes=300)  # cutting again changes nothing
    assert sorted(p.name for p in (shard / "index").iterdir()) == again


def test_an_index_of_another_pagefind_version_or_an_unexpected_file_is_left_as_it_is(pagefind_output, tmp_path):
    shard = tmp_path / "shard"
    shutil.copytree(pagefind_output, shard)
    entry = (shard / "pagefind-entry.json").read_text()
    before = {p.name: p.read_bytes() for p in shard.rglob("*") if p.is_file()}
    (shard / "pagefind-entry.json").write_text(json.dumps({**json.loads(entry), "version": "9.0.0"}))
    assert not pagefind_chunks.recut(shard, chunk_bytes=300)
    (shard / "pagefind-entry.json").write_text(entry)
    chunk = next((shard / "index").iterdir())
    chunk.write_bytes(gzip.compress(b"pagefind_dcd\xa1\x01\x02"))  # a CBOR map: not Pagefind's chunk
    assert not pagefind_chunks.recut(shard, chunk_bytes=300)
    after = {p.name: p.read_bytes() for p in shard.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    assert {name for name in after if after[name] != before[name]} == {chunk.name}
