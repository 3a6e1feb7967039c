"""The build pipeline: load -> validate -> render changed pages -> open-data exports -> site
(pages.py, in worker processes) + search index -> exports linked in -> service worker (pwa.py).

Nothing is written before the whole catalogue validates. A full build goes to a staging
folder swapped in at the end; an incremental one updates the site in place in a way that can be
rolled back (staging.py). Either way a failed build leaves the previous site intact.

Order is chosen for two cores: the search index (Pagefind) starts as soon as its stubs are
written and runs while Python renders and MkDocs builds.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from catalog_build import exports, open_data, procedure_files, pwa, search_index, search_terms
from catalog_build.fingerprints import (
    catalogue_fingerprint,
    code_fingerprint,
    hand_written_fingerprint,
    page_fingerprints,
    stale_hand_written,
)
from catalog_build.groups import group_json
from catalog_build.loader import Catalogue, load_catalogue
from catalog_build.pages import SiteReport, build_pages
from catalog_build.render import ListMemo, Renderer
from catalog_build.search_terms import Synonyms
from catalog_build.site import GENERATED_FOLDERS, load_site_config, site_fingerprint
from catalog_build.staging import IncrementalUpdate
from catalog_build.writer import (
    WriteReport,
    discard_dir,
    remove_files,
    remove_stale,
    replace_dir,
    replace_file,
    write_changed,
)

LISTS_FILE = "lists.json"  # what each browse list was made from (render.ListMemo)
PARTS_FILE = "catalogue-parts.pickle"  # how the whole-catalogue exports were assembled (open_data.PartsIndex)
STATE_VERSION = 3  # 3: open-data exports live in the work folder, not in the docs


@dataclass
class BuildOptions:
    data_dir: Path = Path("data")
    config_file: Path = Path("mkdocs.yml")
    work_dir: Path = Path("build/.catalog")
    full: bool = False
    progress: bool = True
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)  # processes rendering pages


@dataclass
class BuildReport:
    procedures: int = 0
    rerendered: int = 0
    site_mode: str = "full"
    docs: WriteReport = field(default_factory=WriteReport)
    precache: tuple[int, int] = (0, 0)  # files and bytes the service worker precaches
    site: SiteReport = field(default_factory=SiteReport)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        stages = ", ".join(f"{name} {secs:.1f} s" for name, secs in self.seconds.items())
        return (
            f"built {self.procedures} procedures: {self.rerendered} pages re-rendered, "
            f"{len(self.docs.written)} files written, {len(self.docs.removed)} removed, "
            f"{self.site_mode} site build [{stages}]"
        )


class _Timer:
    def __init__(self, report: BuildReport) -> None:
        self.report, self.start = report, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.report.seconds[name] = now - self.start
        self.start = now


class _Indexer:
    """Pagefind in subprocesses, one per shard to re-index, timed by a thread, so they overlap
    with rendering and MkDocs."""

    def __init__(self, stubs: Path, plan: search_index.IndexPlan) -> None:
        self.started = time.perf_counter()
        self.runs = search_index.start_indexing(stubs, plan)
        self.seconds = 0.0
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._wait, daemon=True)
        self.thread.start()

    def _wait(self) -> None:
        try:
            search_index.wait_indexing(self.runs)
        except Exception as error:  # re-raised in join()
            self.error = error
        self.seconds = time.perf_counter() - self.started

    def join(self) -> float:
        self.thread.join()
        if self.error:
            raise self.error
        return self.seconds

    def stop(self) -> None:
        search_index.stop_indexing(self.runs)
        self.thread.join()


class _ReusedIndex:
    """No search stub changed: the index already published is still right."""

    def join(self) -> float:
        return 0.0

    def stop(self) -> None:
        pass


def _read_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return state if state.get("version") == STATE_VERSION else {}


def _write_state(path: Path, state: dict[str, Any]) -> None:
    replace_file(path, json.dumps({"version": STATE_VERSION, **state}))


@contextmanager
def _batch_gc() -> Iterator[None]:
    """Collect garbage rarely during a build.

    A build holds hundreds of thousands of long-lived objects (records, then MkDocs' pages), and
    the cyclic collector rescans them again and again: about 40% of load and render time at
    10,000 procedures, 75% of loading cached records. Collection is off while our own code
    loads and renders (it makes few cycles), the catalogue is then frozen out of collection,
    and MkDocs runs with a rare collector.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1_000)
    try:
        yield
    finally:
        gc.enable()
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def build(options: BuildOptions) -> BuildReport:
    with _batch_gc():
        return _Build(options).run()


class _Build:
    """One run of the pipeline; its steps share the loaded config, state and catalogue."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.report = BuildReport()
        self.timer = _Timer(self.report)
        config = load_site_config(options.config_file)
        self.docs_dir, self.site_dir = Path(config.docs_dir), Path(config.site_dir)
        self.site_url = config.site_url or "/"
        self.work = options.work_dir
        self.state_file = self.work / "state.json"
        self.state = {} if options.full else _read_state(self.state_file)
        self.site_fingerprint = site_fingerprint(options.config_file, config)
        self.staging = self.site_dir.with_name(self.site_dir.name + ".new")  # full builds go here first
        self.exports = WriteReport()  # open-data files written or removed in the work folder
        self.stubs = WriteReport()  # search stubs written or removed
        self.common_words: tuple[str, list[str]] = ("", [])  # digest of the names, their common words
        self.indexer: _Indexer | _ReusedIndex | None = None  # Pagefind, started by _render

    def run(self) -> BuildReport:
        dirty = (
            self.state.get("site") == self.site_fingerprint
            and self.state.get("complete_site", False)
            and self.site_dir.exists()
        )
        self.report.site_mode = "incremental" if dirty else "full"
        target = self.site_dir if dirty else self.staging
        update = IncrementalUpdate(self.site_dir, self.work / "site-backup") if dirty else None
        try:
            gc.disable()
            catalogue = load_catalogue(
                self.options.data_dir, cache_file=self.work / "records.pickle", workers=self.options.workers
            )
            gc.freeze()
            self.report.procedures = len(catalogue.procedures)
            self.timer.lap("validate")
            fingerprints = page_fingerprints(catalogue, self.site_url)
            everything = catalogue_fingerprint(
                catalogue, fingerprints, self.site_fingerprint + hand_written_fingerprint(self.docs_dir)
            )
            if dirty and self.state.get("everything") == everything:
                # Nothing that any page, list, export or index is made from has changed: the site
                # from the last build is this build's site, so nothing is rendered or rewritten.
                self.report.site_mode = "unchanged"
                self.timer.lap("fingerprint")
                return self.report
            changed = self._changed(catalogue, fingerprints)
            _write_state(self.state_file, {**self.state, "complete_site": False})
            # Search stubs are written with the pages; Pagefind then runs beside the exports and MkDocs.
            outputs = self._render(catalogue, changed)
            indexer = self.indexer
            assert indexer is not None, "the search index starts once its stubs are written"
            exported: set[str] = set()
            gc.enable()
            rebuilt: list[str] | None = None
            same_pages = False
            if update is not None:
                hand_written = stale_hand_written(self.docs_dir, target)
                rebuilt = sorted(set(self.report.docs.written) | set(hand_written))
                # Only generated pages that were there before changed: the same pages as last time.
                before = set(self.state.get("outputs", ()))
                same_pages = not hand_written and not self.report.docs.removed and before.issuperset(rebuilt)
                update.prepare(rebuilt, self.report.docs.removed, templates=not same_pages)
                self.timer.lap("prepare")
            try:
                self.report.site = build_pages(
                    self.options.config_file,
                    target,
                    only=rebuilt,
                    workers=self.options.workers,
                    progress=self.options.progress,
                    meanwhile=lambda: exported.update(self._export(catalogue)),
                    same_pages=same_pages,
                    cache_dir=self.work / "templates",
                )
            finally:
                self.report.seconds["search (parallel)"] = indexer.join()
            self.timer.lap("site")
            self._publish_exports(target, update, exported)
            self._finish_site(target, update)
            search_index.publish_index(self.work / "pagefind", target / "pagefind")
        except BaseException:
            if self.indexer is not None:
                self.indexer.stop()
            if update is not None:
                update.rollback()
            discard_dir(self.staging)
            raise
        if update is not None:
            update.commit()
        else:
            replace_dir(self.staging, self.site_dir)
        _write_state(
            self.state_file,
            {
                "pages": fingerprints,
                "everything": everything,
                "site": self.site_fingerprint,
                "complete_site": True,
                "outputs": sorted(outputs),
                "exports": sorted(exported),
                "common_words": self.common_words,
            },
        )
        self.timer.lap("publish")
        return self.report

    def _finish_site(self, target: Path, update: IncrementalUpdate | None) -> None:
        """The service worker, which describes the finished site and index. Inside the rollback
        (an incremental build moves aside what it replaces) and before the index is published,
        so that a failure here leaves the previous index in place too."""
        index = self.work / "pagefind"
        worker, precache = pwa.service_worker(target, index)
        if not (target / pwa.WORKER).is_file() or (target / pwa.WORKER).read_bytes() != worker:
            if update is not None:
                update.set_aside([pwa.WORKER])
            (target / pwa.WORKER).write_bytes(worker)
        self.report.precache = (len(precache.entries), precache.precache_bytes)
        self.timer.lap("service worker")

    def _previous_lists(self) -> ListMemo:
        """The browse lists of the last build, unless this one is to start afresh."""
        salt = code_fingerprint() + self.site_url
        try:
            saved = json.loads((self.work / LISTS_FILE).read_text())
        except (FileNotFoundError, ValueError):
            saved = {}
        pages = saved.get("pages", {}) if saved.get("salt") == salt and not self.options.full else {}
        return ListMemo(salt, pages, docs_dir=self.docs_dir)

    def _export(self, catalogue: Catalogue) -> set[str]:
        """Write the open-data files that changed into the work folder; remove those of deleted
        procedures. Returns every export's path (relative to the site). Runs while the page
        workers render."""
        started = time.perf_counter()
        root, index = self.work / "exports", self.work / PARTS_FILE
        files = _open_data(catalogue, self.site_url, root, index, self.exports, fresh=self.options.full)
        exported = files | {exports.record_path(code) for code in catalogue.procedures}
        previous = set(self.state["exports"]) if "exports" in self.state else None
        _remove_outdated(root, ["du-lieu"], exported, previous, self.exports)
        for replaced in ("gzip-members.pickle", "record-texts.pickle"):  # the caches before PARTS_FILE
            (self.work / replaced).unlink(missing_ok=True)
        self.report.seconds["exports (parallel)"] = time.perf_counter() - started
        return exported

    def _publish_exports(self, target: Path, update: IncrementalUpdate | None, exported: set[str]) -> None:
        """Link the exports into the site: all of them into a new site, the changed ones into the
        published site (what they replace is moved aside first, to roll back)."""
        root = self.work / "exports"
        if update is None:
            open_data.link_into(root, target, exported)
        else:
            open_data.link_into(root, target, self.exports.written + self.exports.removed, update.set_aside)
        self.timer.lap("publish exports")

    def _changed(self, catalogue: Catalogue, fingerprints: dict[str, str]) -> list[str]:
        previous = self.state.get("pages", {})
        folder = self.docs_dir / "thu-tuc"
        present = {f"thu-tuc/{entry.name}" for entry in os.scandir(folder)} if folder.is_dir() else set()
        changed = [
            code
            for code, fp in fingerprints.items()
            if previous.get(code) != fp or Renderer.procedure_page_path(catalogue.procedures[code]) not in present
        ]
        self.report.rerendered = len(changed)
        return changed

    def _index(self, catalogue: Catalogue, changed: list[str]) -> _Indexer | _ReusedIndex:
        """Drop the search stubs of deleted procedures, start Pagefind on the shards whose stubs
        were written or removed.

        Most edits (fees, steps, documents) change no stub: then the current index is reused.
        """
        stubs_dir = self.work / "search-src"
        stubs = self.stubs  # the changed ones were written with the pages (procedure_files.py)
        wanted = {search_index.stub_path(p) for p in catalogue.procedures.values()}
        previous = {search_index.stub_path_of(code) for code in self.state["pages"]} if "pages" in self.state else None
        _remove_outdated(stubs_dir, ["thu-tuc"], wanted, previous, stubs)
        plan = search_index.plan_index(
            self.work / "pagefind",
            {p.slug for p in catalogue.procedures.values()},
            {search_index.slug_of_stub(rel) for rel in (*stubs.written, *stubs.removed)},
            reuse=bool(self.state.get("complete_site")),
            fresh=self.options.full,
        )
        indexer = _Indexer(stubs_dir, plan) if plan.dirty else _ReusedIndex()
        self.timer.lap("search stubs")
        return indexer

    def _common_words(self, catalogue: Catalogue) -> list[str]:
        """The names' common words (search_terms.common_words), counted again only when a name changed."""
        names = [p.name for p in catalogue.procedures.values()]
        digest = hashlib.sha256("\x00".join(names).encode()).hexdigest()
        saved = self.state.get("common_words")
        words = saved[1] if saved and saved[0] == digest else search_terms.common_words(names)
        self.common_words = (digest, words)
        return words

    def _render(self, catalogue: Catalogue, changed: list[str]) -> set[str]:
        """Write the changed procedures' pages, records and search stubs (in worker processes) while
        the browse pages are rendered here; remove what deleted procedures left; start the search
        index once its stubs are written."""
        renderer = Renderer(catalogue, self._previous_lists(), cache_dir=self.work / "markdown-templates")
        folders = procedure_files.Folders(self.docs_dir, self.work / "exports", self.work / "search-src")
        running = procedure_files.start(renderer, changed, folders, self.options.workers)
        written = procedure_files.Written(docs=self.report.docs, exports=self.exports, stubs=self.stubs)
        # A few changed procedures are written here at once, and Pagefind then indexes them while the
        # browse pages are rendered. Many are written by workers beside the browse pages, and
        # Pagefind waits for them: it would only compete with the workers for the two cores.
        small = len(changed) <= procedure_files.CHUNK
        if small:
            self._collect(running, written, len(changed))
            self.indexer = self._index(catalogue, changed)
        pages = renderer.browse_pages()
        common = self._common_words(catalogue)
        pages[search_terms.TERMS_FILE] = Synonyms(catalogue.search_terms).query_rules(common=common)
        write_changed(self.docs_dir, pages, self.report.docs)
        _write_lists(self.work / LISTS_FILE, renderer.lists)
        if not small:
            self._collect(running, written, len(changed))
            self.indexer = self._index(catalogue, changed)
        outputs = set(pages) | set(renderer.lists.kept)
        outputs |= {Renderer.procedure_page_path(p) for p in catalogue.procedures.values()}
        previous = set(self.state["outputs"]) if "outputs" in self.state else None
        _remove_outdated(self.docs_dir, GENERATED_FOLDERS, outputs, previous, self.report.docs)
        self.timer.lap("render")
        return outputs

    def _collect(self, running: Iterator[procedure_files.Written], into: procedure_files.Written, count: int) -> None:
        """Wait for the changed procedures' files (`running`), adding what was written to `into`."""
        show = self.options.progress and count > 500
        with tqdm(total=count, desc="render", unit="page", disable=not show, leave=False) as bar:
            for part in running:
                into.add(part)
                bar.update(len(part.docs.written) + part.docs.unchanged)


def _write_lists(path: Path, lists: ListMemo) -> None:
    replace_file(path, json.dumps({"salt": lists.salt, "pages": lists.pages}))


def _open_data(
    catalogue: Catalogue, site_url: str, root: Path, index_file: Path, report: WriteReport, *, fresh: bool
) -> set[str]:
    """Write the whole-catalogue exports that changed (each procedure's own record is written with
    its page): those made of groups of records from their previous versions (`index_file`, ignored
    when `fresh`), the small ones whole. Returns their paths."""
    salt = code_fingerprint() + open_data.SERIALISER
    previous = open_data.PartsIndex(salt) if fresh else open_data.PartsIndex.load(index_file, salt)
    index, recent = open_data.write_catalogue(catalogue, site_url, root, previous, report)
    index.schema = previous.schema or exports.record_schema().encode()
    files = {
        "du-lieu/co-quan.json": exports.agencies_json(catalogue).encode(),
        "du-lieu/schema.json": index.schema,
        "du-lieu/thay-doi.xml": exports.atom_feed(catalogue, site_url, recent).encode(),
    }
    for group in catalogue.groups.values():
        record = group_json(group, catalogue.procedures, catalogue.agencies)
        files[f"du-lieu/lien-thong/{group.id}.json"] = record.encode()
    open_data.write_changed(root, files, report)
    index.save(index_file)
    return set(files) | set(open_data.PARTED)


def _remove_outdated(
    root: Path, folders: Iterable[str], current: set[str], previous: set[str] | None, report: WriteReport
) -> None:
    """Remove files a previous build produced and this one did not: a set difference when the
    previous build's list is known, otherwise a walk of the generated folders."""
    if previous is not None:
        remove_files(root, previous - current, report)
    else:
        remove_stale(root, folders, current, report)
