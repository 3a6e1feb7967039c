"""The search index in shards: a change re-indexes only its procedure's shard, every shard is
published and precached, and a failure while publishing leaves the previous index whole."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalog_build import pwa, search_index
from catalog_build.build import BuildOptions, build
from catalog_build.models import slug_of
from tests.factories import procedure_record, scratch_build, snapshot, write_yaml

CODES = [f"1.99900{i}" for i in range(1, 10)]


@pytest.fixture
def sharded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[BuildOptions, Path, list[list[int]]]:
    """Nine procedures in four shards (two per shard aimed at), and the shards each build indexed."""
    monkeypatch.setenv(search_index.SHARD_SIZE_VARIABLE, "2")
    indexed: list[list[int]] = []
    start = search_index.start_indexing

    def spy(stubs: Path, plan: search_index.IndexPlan) -> list[search_index.Indexing]:
        indexed.append([shard.number for shard in plan.dirty])
        return start(stubs, plan)

    monkeypatch.setattr(search_index, "start_indexing", spy)
    return scratch_build(tmp_path, count=9), tmp_path / "ws" / "site", indexed


def shard_of_code(code: str, count: int = 4) -> int:
    return search_index.shard_of(slug_of(code), count)


def entries(site: Path) -> dict[str, int]:
    """Each published shard's entry file and its inode (a switched entry is a new file)."""
    return {str(p.relative_to(site)): p.stat().st_ino for p in sorted((site / "pagefind").rglob("pagefind-entry.json"))}


def rename(options: BuildOptions, code: str, name: str) -> None:
    write_yaml(options.data_dir / "procedures" / f"{code}.yaml", procedure_record(code, name=name))


def test_the_shard_count_is_the_power_of_two_nearest_the_target_and_leaves_no_shard_empty(monkeypatch):
    assert search_index.shard_count([f"1-{i:06d}" for i in range(2524)], 2500) == 1
    assert search_index.shard_count([f"1-{i:06d}" for i in range(10_000)], 2500) == 4
    assert search_index.shard_count([f"1-{i:06d}" for i in range(5_000)], 2500) == 2
    assert search_index.shard_count([slug_of(code) for code in CODES], 2) == 4
    assert search_index.shard_count(["1-000001", "1-000002"], 1) <= 2  # never a shard without a procedure
    assert search_index.shard_of("1-001193", 4) == search_index.shard_of("1-001193", 4)
    monkeypatch.setenv(search_index.SHARD_SIZE_VARIABLE, "300")
    assert search_index.target_shard_size() == 300
    monkeypatch.setenv(search_index.SHARD_SIZE_VARIABLE, "không")
    with pytest.raises(search_index.SearchIndexError, match="PORTAL_SEARCH_SHARD_SIZE"):
        search_index.target_shard_size()


def test_a_cold_build_indexes_every_shard_and_publishes_them_with_their_list(sharded):
    options, site, indexed = sharded
    build(options)
    assert indexed == [[0, 1, 2, 3]]
    manifest = json.loads((site / "pagefind" / "shards.json").read_text())
    assert manifest == {"shards": ["s1/", "s2/", "s3/"]}
    assert search_index.indexed_pages(site / "pagefind") == 9
    for folder in ("s1", "s2", "s3"):
        shard = site / "pagefind" / folder
        assert (shard / "pagefind-entry.json").is_file() and list(shard.glob("*.pf_meta"))
        assert not (shard / "pagefind.js").exists() and not list(shard.glob("wasm.*"))  # the root's are used
    for code in CODES:  # each procedure is in its own shard's index, and only there
        folder = search_index.shard_folder(shard_of_code(code))
        stub_fragments = (options.work_dir / "pagefind" / folder / "fragment").iterdir()
        assert len(list(stub_fragments)) == sum(1 for c in CODES if shard_of_code(c) == shard_of_code(code))


def test_a_changed_name_re_indexes_only_its_procedures_shard(sharded):
    options, site, indexed = sharded
    build(options)
    before = entries(site)
    rename(options, "1.999003", "Tên mới của thủ tục ba")
    report = build(options)
    assert indexed[-1] == [shard_of_code("1.999003")] == [3]
    assert report.seconds["search (parallel)"] > 0
    after = entries(site)
    assert {path for path in before if before[path] != after[path]} == {"pagefind/s3/pagefind-entry.json"}
    assert search_index.indexed_pages(site / "pagefind") == 9
    # A deleted procedure re-indexes its shard too; an edit no stub shows re-indexes none.
    (options.data_dir / "procedures" / "1.999006.yaml").unlink()
    build(options)
    assert indexed[-1] == [shard_of_code("1.999006")] == [0]
    assert search_index.indexed_pages(site / "pagefind") == 8
    write_yaml(
        options.data_dir / "procedures" / "1.999002.yaml",
        procedure_record("1.999002", name="Thủ tục thử nghiệm số 2", receiving_address="Một cửa mới"),
    )
    build(options)
    assert len(indexed) == 3


def test_the_service_worker_precaches_every_shards_entry_metadata_and_filters(sharded):
    options, site, _ = sharded
    build(options)
    urls = {entry.url for entry in pwa.precache_entries(site, options.work_dir / "pagefind")}
    assert "pagefind/shards.json" in urls
    for folder in ("", "s1/", "s2/", "s3/"):
        assert f"pagefind/{folder}pagefind-entry.json" in urls
        assert any(url.startswith(f"pagefind/{folder}pagefind.vi_") and url.endswith(".pf_meta") for url in urls)
        assert any(url.startswith(f"pagefind/{folder}filter/") for url in urls)
    assert not any("/fragment/" in url or url.startswith("pagefind/s1/pagefind.js") for url in urls)


def test_a_new_number_of_shards_re_indexes_everything_and_drops_the_shards_no_longer_used(sharded, monkeypatch):
    options, site, indexed = sharded
    build(options)
    # The number of shards is read when something changed (a build with nothing changed stops early).
    monkeypatch.setenv(search_index.SHARD_SIZE_VARIABLE, "5")  # 9 / 5: two shards
    rename(options, "1.999002", "Thủ tục hai, đổi tên")
    build(options)
    assert indexed[-1] == [0, 1]
    assert json.loads((site / "pagefind" / "shards.json").read_text()) == {"shards": ["s1/"]}
    assert not (site / "pagefind" / "s2").exists() and not (options.work_dir / "pagefind" / "s2").exists()
    assert search_index.indexed_pages(site / "pagefind") == 9
    monkeypatch.delenv(search_index.SHARD_SIZE_VARIABLE)
    rename(options, "1.999002", "Thủ tục hai, đổi tên lần nữa")
    build(options)
    assert indexed[-1] == [0]
    assert json.loads((site / "pagefind" / "shards.json").read_text()) == {"shards": []}
    assert not (site / "pagefind" / "s1").exists()
    assert search_index.indexed_pages(site / "pagefind") == 9


def test_a_failure_while_publishing_the_shards_leaves_the_previous_site_and_index_intact(sharded, monkeypatch):
    options, site, _ = sharded
    build(options)
    before = snapshot(site)
    rename(options, "1.999003", "Tên mới ở phân đoạn ba")  # shard 3
    rename(options, "1.999001", "Tên mới ở phân đoạn gốc")  # shard 0, published after shard 3
    links = 0
    link = os.link

    def disk_full_after_a_few(source: Path, target: Path) -> None:
        nonlocal links
        links += 1
        if links > 3:
            raise OSError(28, "No space left on device")
        link(source, target)

    publish = search_index.publish_index

    def publish_on_a_full_disk(source: Path, target: Path) -> None:
        with monkeypatch.context() as disk:
            disk.setattr(os, "link", disk_full_after_a_few)
            publish(source, target)

    monkeypatch.setattr(search_index, "publish_index", publish_on_a_full_disk)
    with pytest.raises(OSError, match="No space"):
        build(options)
    assert links > 3
    assert snapshot(site) == before
    assert not list((site / "pagefind").rglob("*.new"))
    monkeypatch.undo()
    monkeypatch.setenv(search_index.SHARD_SIZE_VARIABLE, "2")
    assert build(options).site_mode == "full"
    assert search_index.indexed_pages(site / "pagefind") == 9
    assert "Tên mới ở phân đoạn ba" in (site / "thu-tuc" / "1-999003" / "index.html").read_text(encoding="utf-8")


def test_publishing_switches_each_shard_and_removes_the_files_it_no_longer_uses(tmp_path):
    source, target = tmp_path / "work", tmp_path / "site" / "pagefind"

    def write(files: dict[str, str]) -> None:
        for rel, text in files.items():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            (source / rel).write_text(text, encoding="utf-8")

    write(
        {
            "shards.json": '{"shards": ["s1/"]}',
            "pagefind-entry.json": "root 1",
            "pagefind.js": "loader",
            "index/vi_a.pf_index": "a",
            "s1/pagefind-entry.json": "s1 v1",
            "s1/index/vi_b.pf_index": "b",
        }
    )
    search_index.publish_index(source, target)
    assert (target / "s1" / "index" / "vi_b.pf_index").read_text() == "b"
    write({"s1/pagefind-entry.json": "s1 v2", "s1/index/vi_c.pf_index": "c"})
    (source / "s1" / "index" / "vi_b.pf_index").unlink()
    root_inode = (target / "pagefind-entry.json").stat().st_ino
    search_index.publish_index(source, target)
    assert (target / "s1" / "pagefind-entry.json").read_text() == "s1 v2"
    assert sorted(p.name for p in (target / "s1" / "index").iterdir()) == ["vi_c.pf_index"]
    assert (target / "pagefind-entry.json").stat().st_ino == root_inode  # an unchanged shard is left alone
    write({"shards.json": '{"shards": []}', "pagefind-entry.json": "root 2"})
    search_index.publish_index(source, target)
    assert not (target / "s1").exists() and (target / "shards.json").read_text() == '{"shards": []}'
    assert not list(target.rglob("*.new"))
