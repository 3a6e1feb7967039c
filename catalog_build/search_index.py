"""The search index: one small stub document per procedure, indexed by Pagefind in shards.

Only what people search for goes in (name, code, sector, agencies, keywords), each also
folded to ASCII with đ -> d, which Pagefind's own folding misses ("dang ky" must find
"Đăng ký"). Indexing stubs instead of the rendered site keeps the index complete whichever
pages an incremental MkDocs build re-rendered, and lets it run in parallel with MkDocs.

The index is split into shards, each its own Pagefind index over a stable part of the catalogue
(by a hash of the procedure's code), so that a change re-runs Pagefind on one shard only. Shard 0
sits at the root with Pagefind's loader and WebAssembly; the others in s1/, s2/, ... hold only
their index, and `shards.json` at the root lists them for the search page, which merges them
(Pagefind's `mergeIndex`: merged indexes share the root's WebAssembly).
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Collection
from dataclasses import dataclass, field
from html import escape
from pathlib import Path, PurePosixPath

import pagefind_bin

from catalog_build import text
from catalog_build.errors import BuildFailed
from catalog_build.loader import Catalogue
from catalog_build.models import Procedure, slug_of
from catalog_build.search_terms import Synonyms, normalise

PAGEFIND = Path(pagefind_bin.__file__).with_name("pagefind")
_REPO = Path(__file__).resolve().parents[1]  # where `python -m catalog_build...` finds the package
ENTRY = Path("pagefind-entry.json")
MANIFEST = Path("shards.json")
STALE_FRAGMENTS = 1.05  # start a shard's output afresh once 5% of its fragments belong to old versions
# Procedures per shard: 10,000 make 8 shards, the shipped 2,524 make 2. Pagefind's time grows with a
# shard's size, and a first search loads every shard's entry, metadata and a chunk per word: at
# 10,000, one change re-indexes in 0.4 s (0.9 s with 2,500 a shard) and "cấp giấy phép" costs
# 189 KB (173 KB); README, "The search index in shards", has the figures.
TARGET_SHARD_SIZE = 1_250
SHARD_SIZE_VARIABLE = "PORTAL_SEARCH_SHARD_SIZE"
_SHARD_FOLDER = re.compile(r"s[1-9][0-9]*")
_INDEX_FOLDERS = ("fragment", "index", "filter")


class SearchIndexError(BuildFailed):
    pass


def stub_path(procedure: Procedure) -> str:
    return stub_path_of(procedure.code)


def stub_path_of(code: str) -> str:
    """Flat files (no folder per procedure: folders cost a syscall each); the search page turns
    Pagefind's `/thu-tuc/<slug>.html` into the page's URL `/thu-tuc/<slug>/`."""
    return f"thu-tuc/{slug_of(code)}.html"


def stub_document(p: Procedure, catalogue: Catalogue, synonyms: Synonyms) -> str:
    """The page Pagefind indexes for one procedure: nothing is indexed twice.

    Pagefind 1.5 indexes every metadata field and boosts pages whose `title` metadata holds the
    query's words. So the name, folded to ASCII (the search page folds every query the same way:
    "dang ky" finds "Đăng ký") and followed by the synonyms of what it mentions ("cccd" for "căn
    cước", "sodo" for "sổ đỏ"), is the `title`, with the `code`. The text shown in results travels
    as filters whose names start with "_": `_name` (with diacritics), `_info` (sector, levels, online
    level) and `_agency` (the executing agency, since many names differ only in level and agency).
    The body holds the sector and agencies folded, keywords the name does not already contain, the
    code without its dot, and the synonyms of all of it (levels are a filter: as words, "Cấp Tỉnh"
    put "cap" on every page, and every query with "cấp" downloaded its postings). Against indexing the name as
    a heading too and the display text as metadata, the shipped index is 53 % smaller.
    """
    sector = catalogue.sectors[p.sector].name
    executing = [catalogue.agencies[c].name for c in p.agencies.executing or p.agencies.competent]
    others = [catalogue.agencies[c].name for c in p.agencies.competent if catalogue.agencies[c].name not in executing]
    levels = text.levels(p.levels)
    info = f"{sector} · {levels} · {text.ONLINE_SHORT[p.online_level]}"
    folded_name = normalise(p.name)
    keywords = [k for k in p.keywords if normalise(k) not in folded_name]
    title_aliases = synonyms.aliases(p.name)
    body_aliases = synonyms.aliases(" ; ".join((sector, *executing, *others, *keywords)))
    body = [p.code.replace(".", ""), sector, *executing, *others, *keywords]
    body += [alias for alias in body_aliases if alias not in title_aliases]
    title = " ".join((text.fold(p.name), *title_aliases))
    filters = [("linh-vuc", sector)] + [("cap", text.LEVEL[level]) for level in p.levels]
    filters += [("doi-tuong", text.AUDIENCE[a]) for a in p.audiences]
    # What results show travels as filters, not metadata: Pagefind indexes metadata for search (the
    # name with diacritics, the result line and the agency were half of the index), while a filter
    # is returned with each result and its file is loaded only by a search filtered on it.
    filters += [("_name", p.name), ("_info", info), ("_agency", "; ".join(executing))]
    tags = "".join(f'<span data-pagefind-filter="{name}">{escape(value)}</span>' for name, value in filters if value)
    tags += "".join(
        f'<span data-pagefind-meta="{name}">{escape(value)}</span>'
        for name, value in (("title", title), ("code", p.code))
    )
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{escape(p.name)}</title></head><body>'
        f"<main data-pagefind-body><p>{escape(text.fold(' ; '.join(body)))}</p></main>{tags}</body></html>"
    )


def stub_documents(catalogue: Catalogue, codes: list[str]) -> dict[str, str]:
    synonyms = Synonyms(catalogue.search_terms)
    return {
        stub_path(catalogue.procedures[c]): stub_document(catalogue.procedures[c], catalogue, synonyms) for c in codes
    }


# Sharding: the index is split into `count` Pagefind indexes (a power of two), each a stable set of
# procedures, so that a rebuild re-runs Pagefind only for the shards whose stubs changed.
def target_shard_size() -> int:
    """Procedures per shard aimed at: TARGET_SHARD_SIZE, or PORTAL_SEARCH_SHARD_SIZE when set."""
    value = os.environ.get(SHARD_SIZE_VARIABLE, "").strip()
    if not value:
        return TARGET_SHARD_SIZE
    if not value.isdigit() or int(value) < 1:
        raise SearchIndexError(f"{SHARD_SIZE_VARIABLE}={value!r}: expected a whole number of procedures, 1 or more")
    return int(value)


def shard_of(slug: str, count: int) -> int:
    """The shard of a procedure (by its slug, its code as in its address) among `count`."""
    return int.from_bytes(hashlib.sha1(slug.encode(), usedforsecurity=False).digest()[:4], "big") % count


def shard_count(slugs: Collection[str], target: int) -> int:
    """The power of two nearest to len(slugs) / target, halved while a shard would be empty.

    Pagefind cannot index an empty folder, and the primary shard carries the runtime; an empty
    shard only happens when the target is far below the catalogue's size (tests force that).
    """
    if len(slugs) <= target:
        return 1
    count = 2 ** round(math.log2(len(slugs) / target))
    while count > 1 and len({shard_of(slug, count) for slug in slugs}) < count:
        count //= 2
    return count


def shard_folder(shard: int) -> str:
    """Where a shard lives under the index root: shard 0 (with Pagefind's runtime) at the root."""
    return "" if shard == 0 else f"s{shard}"


def slug_of_stub(rel: str) -> str:
    return PurePosixPath(rel).stem


def read_manifest(root: Path) -> list[str] | None:
    """The folders of the shards other than the root one, as the index at `root` lists them;
    None when it lists none (an index from before sharding, or none yet)."""
    try:
        folders = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["shards"]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(folders, list) or not all(
        isinstance(f, str) and _SHARD_FOLDER.fullmatch(f.rstrip("/")) for f in folders
    ):
        return None
    return [folder.rstrip("/") for folder in folders]


def manifest_bytes(count: int) -> bytes:
    """What search.js reads to merge every shard: the folders, relative to the root index."""
    return json.dumps({"shards": [f"{shard_folder(k)}/" for k in range(1, count)]}).encode()


def indexed_pages(root: Path) -> int:
    """Procedures in the index at `root`, over all its shards."""
    total = 0
    for folder in ["", *(read_manifest(root) or [])]:
        entry = json.loads((root / folder / ENTRY).read_text(encoding="utf-8"))
        total += sum(language["page_count"] for language in entry["languages"].values())
    return total


@dataclass(frozen=True)
class Shard:
    number: int
    slugs: tuple[str, ...]

    @property
    def folder(self) -> str:
        return shard_folder(self.number)


@dataclass(frozen=True)
class IndexPlan:
    """The shards of this build's index and those Pagefind must run for."""

    root: Path  # the index: shard 0 here, the others in s1/, s2/, ... (the layout published as pagefind/)
    shards: tuple[Shard, ...]
    dirty: tuple[Shard, ...]
    fresh: bool  # start every shard's output afresh (a full build, or a new number of shards)


def plan_index(
    root: Path, slugs: Collection[str], touched: Collection[str], *, reuse: bool, fresh: bool = False
) -> IndexPlan:
    """Which shards to index. `touched`: the slugs whose stubs were written or removed since the
    index at `root` was made; `reuse`: whether that index is complete (the last build finished);
    `fresh`: start every shard's output afresh (a full build).

    The shards with a touched stub are re-indexed; all of them when the index cannot be reused or
    the number of shards changed (a procedure then moves to another shard).
    """
    count = shard_count(slugs, target_shard_size())
    members: list[list[str]] = [[] for _ in range(count)]
    for slug in sorted(slugs):
        members[shard_of(slug, count)].append(slug)
    shards = tuple(Shard(number, tuple(names)) for number, names in enumerate(members))
    same_layout = (root / MANIFEST).is_file() and read_manifest(root) == [s.folder for s in shards[1:]]
    if reuse and same_layout and not fresh:
        numbers = {shard_of(slug, count) for slug in touched}
        dirty = tuple(s for s in shards if s.number in numbers or not (root / s.folder / ENTRY).is_file())
    else:
        dirty = shards
    return IndexPlan(root, shards, dirty, fresh=fresh or not same_layout)


@dataclass
class Indexing:
    shard: Shard
    output: Path
    process: subprocess.Popen[bytes]  # Pagefind, then the cutting of its chunks (pagefind_chunks.py)
    cutting: subprocess.Popen[bytes] | None = None


def start_indexing(stubs_dir: Path, plan: IndexPlan) -> list[Indexing]:
    """Start Pagefind on each dirty shard's stubs, all at once (they run beside rendering and
    MkDocs); finish with `wait_indexing`.

    Each output folder persists between builds: Pagefind names its files by content and skips
    those that exist, which makes re-indexing 10,000 pages take 1 s instead of 3. Everything but
    the fragments is cleared first, and fragments of old versions are cleared once they pile up.
    A shard's stubs are named in a `glob` in a pagefind.json of its own (Pagefind reads it from
    its working folder; a command line could not hold 10,000 names).
    """
    root = plan.root
    root.mkdir(parents=True, exist_ok=True)
    keep = {folder for folder in (s.folder for s in plan.shards) if folder}
    for entry in root.iterdir():
        if entry.is_dir() and _SHARD_FOLDER.fullmatch(entry.name) and entry.name not in keep:
            shutil.rmtree(entry)  # fewer shards than before
    manifest = manifest_bytes(len(plan.shards))
    if not (root / MANIFEST).is_file() or (root / MANIFEST).read_bytes() != manifest:
        (root / MANIFEST).write_bytes(manifest)
    configs = root.with_name(root.name + "-shards")
    runs: list[Indexing] = []
    try:
        for shard in plan.dirty:
            output = root / shard.folder
            _clear(output, len(shard.slugs), fresh=plan.fresh, primary=shard.number == 0)
            config = configs / str(shard.number)
            config.mkdir(parents=True, exist_ok=True)
            # One shard is every stub: Pagefind's own glob is cheaper than 10,000 names (0.2 s of CPU).
            glob = {"glob": "thu-tuc/{" + ",".join(shard.slugs) + "}.html"} if len(plan.shards) > 1 else {}
            (config / "pagefind.json").write_text(json.dumps(glob), encoding="utf-8")
            command = [
                str(PAGEFIND),
                "--site",
                str(stubs_dir.resolve()),
                "--output-path",
                str(output.resolve()),
                "--force-language",
                "vi",
                "--quiet",
            ]
            process = subprocess.Popen(command, cwd=config, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            runs.append(Indexing(shard, output, process))
    except BaseException:
        stop_indexing(runs)
        raise
    return runs


def _clear(output: Path, pages: int, *, fresh: bool, primary: bool) -> None:
    """Clear a shard's output before Pagefind runs, but for its fragments (and, in the root one,
    the other shards and the manifest)."""
    if not output.is_dir():
        return
    fragments = output / "fragment"
    count = sum(1 for _ in os.scandir(fragments)) if fragments.is_dir() else 0
    afresh = fresh or count > pages * STALE_FRAGMENTS + 50
    for entry in output.iterdir():
        if primary and (entry.name == MANIFEST.name or (entry.is_dir() and _SHARD_FOLDER.fullmatch(entry.name))):
            continue
        if entry.name == "fragment" and not afresh:
            continue
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def wait_indexing(runs: list[Indexing]) -> None:
    failed = []
    for run in runs:
        output, _ = run.process.communicate()
        if run.process.returncode != 0:
            detail = output.decode(errors="replace")[-2000:]
            failed.append(f"pagefind failed on shard {run.shard.number} ({run.process.returncode}): {detail}")
            continue
        if run.shard.number:
            _drop_runtime(run.output)
        command = [sys.executable, "-m", "catalog_build.pagefind_chunks", str(run.output.resolve())]
        run.cutting = subprocess.Popen(command, cwd=_REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for run in runs:
        if run.cutting is not None:
            output, _ = run.cutting.communicate()
            if run.cutting.returncode != 0:
                detail = output.decode(errors="replace")[-2000:]
                failed.append(f"cutting the index chunks of shard {run.shard.number} failed: {detail}")
    if failed:
        raise SearchIndexError("\n".join(failed))


def stop_indexing(runs: list[Indexing]) -> None:
    for process in [process for run in runs for process in (run.process, run.cutting) if process is not None]:
        if process.poll() is None:
            process.kill()
        process.wait()


def _drop_runtime(output: Path) -> None:
    """A merged shard is searched with the root shard's loader and WebAssembly: only its own
    entry, metadata, index, filters and fragments are published."""
    for entry in output.iterdir():
        if entry.is_dir():
            if entry.name not in _INDEX_FOLDERS:
                shutil.rmtree(entry)
        elif entry.name != ENTRY.name and not entry.name.endswith(".pf_meta"):
            entry.unlink()


def publish_index(source: Path, target: Path) -> None:
    """Make `target` hold exactly the index in `source`, every shard, safely for anyone searching
    meanwhile.

    Pagefind's files are named by content except the entry file, which points at the rest. So,
    shard by shard, new files are hard-linked in beside the old ones and replacements for the
    files with fixed names are put beside them; only then are the entry files (and the manifest
    listing the shards) switched, each with one rename, the root shard last; then files of the old
    index are removed. A failure before the switch removes what it added and leaves the previous
    index as it was. An identical entry file means the identical shard (everything it points at is
    named by content), so then there is nothing to do for it.
    """
    folders = read_manifest(source) or []
    staged: list[_Staged] = []
    added: list[Path] = []
    try:
        for folder in folders:
            staged.append(_stage(source / folder, target / folder, (ENTRY,), added))
        switched = (MANIFEST, ENTRY) if (source / MANIFEST).is_file() else (ENTRY,)
        staged.append(_stage(source, target, switched, added, primary=True))
    except BaseException:
        _undo(added)
        raise
    for shard in staged:
        for new, final in shard.renames:
            new.replace(final)
    for shard in staged:
        for old in shard.old:
            old.unlink(missing_ok=True)
    for entry in target.iterdir():
        if entry.is_dir() and _SHARD_FOLDER.fullmatch(entry.name) and entry.name not in folders:
            shutil.rmtree(entry)  # fewer shards than before


def _undo(added: list[Path]) -> None:
    for path in reversed(added):
        if path.is_dir():
            with contextlib.suppress(OSError):
                path.rmdir()
        else:
            path.unlink(missing_ok=True)


@dataclass
class _Staged:
    renames: list[tuple[Path, Path]] = field(default_factory=list)  # (beside, in place), in order
    old: list[Path] = field(default_factory=list)  # files of the previous index, removed last


def _stage(
    source: Path, target: Path, switched: tuple[Path, ...], added: list[Path], *, primary: bool = False
) -> _Staged:
    """Put a shard's new files beside the published ones; note what to rename and remove."""
    staged = _Staged()
    if all(
        (target / name).is_file() and (target / name).read_bytes() == (source / name).read_bytes() for name in switched
    ):
        return staged
    wanted = {Path(rel) for rel in _files_under(source, primary)}
    present = {Path(rel) for rel in _files_under(target, primary)}
    _make_dirs(target, added)
    for rel in sorted(wanted - present - set(switched)):
        _make_dirs((target / rel).parent, added)
        os.link(source / rel, target / rel)
        added.append(target / rel)
    # Files with fixed names (pagefind.js, its worker and WebAssembly) change with Pagefind's version.
    for rel in sorted(wanted & present - set(switched)):
        if rel.parts[0] not in _INDEX_FOLDERS and not filecmp.cmp(source / rel, target / rel, False):
            beside = target / rel.with_name(rel.name + ".new")
            beside.unlink(missing_ok=True)
            os.link(source / rel, beside)
            added.append(beside)
            staged.renames.append((beside, target / rel))
    for name in switched:
        # Copied, not linked: the next build rewrites the work folder's manifest in place.
        beside = target / (name.name + ".new")
        beside.write_bytes((source / name).read_bytes())
        added.append(beside)
        staged.renames.append((beside, target / name))
    staged.old = [target / rel for rel in sorted(present - wanted)]
    return staged


def _make_dirs(directory: Path, added: list[Path]) -> None:
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for folder in reversed(missing):
        folder.mkdir()
        added.append(folder)


def _files_under(root: Path, primary: bool = False) -> list[str]:
    """Relative paths of the files under `root` (os.walk: a tenth of the cost of Path.rglob); in
    the root shard, without the other shards' folders."""
    found = []
    for directory, folders, names in os.walk(root):
        prefix = os.path.relpath(directory, root)
        if primary and prefix == ".":
            folders[:] = [name for name in folders if not _SHARD_FOLDER.fullmatch(name)]
        found += [name if prefix == "." else f"{prefix}/{name}" for name in names]
    return found
