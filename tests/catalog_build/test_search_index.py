"""Publishing Pagefind's output into the site: the index switches whole, loaders follow their version."""

from pathlib import Path

from catalog_build.search_index import publish_index


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def test_a_new_pagefind_version_replaces_its_fixed_name_loaders_and_drops_the_old_index(tmp_path):
    source, target = tmp_path / "pagefind-out", tmp_path / "site" / "pagefind"
    write(source, {"pagefind-entry.json": '{"version": "1.5.2"}', "pagefind.js": "v1", "index/vi_a.pf_index": "a"})
    publish_index(source, target)
    write(source, {"pagefind-entry.json": '{"version": "1.6.0"}', "pagefind.js": "v2", "index/vi_b.pf_index": "b"})
    (source / "index" / "vi_a.pf_index").unlink()
    publish_index(source, target)
    assert (target / "pagefind.js").read_text() == "v2"  # the worker precaches it by its content's hash
    assert (target / "pagefind-entry.json").read_text() == '{"version": "1.6.0"}'
    assert sorted(p.name for p in (target / "index").iterdir()) == ["vi_b.pf_index"]
    assert not list(target.glob("*.new"))
