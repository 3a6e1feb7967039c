"""The build pipeline: load -> validate -> render changed pages -> exports -> site + search index.

Nothing is written before the whole catalogue validates. A full site build goes to a staging
folder swapped in at the end, so a failed build leaves the previous site intact; an incremental
build re-renders only pages whose inputs changed and runs `mkdocs build --dirty`.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from catalog_build import exports, search_index
from catalog_build.loader import Catalogue, load_catalogue
from catalog_build.render import Renderer
from catalog_build.site import GENERATED_FOLDERS, build_site, load_site_config, site_fingerprint
from catalog_build.writer import WriteReport, remove_stale, replace_dir, write_changed

_CODE_INPUTS = ("render.py", "exports.py", "text.py", "search_index.py", "models.py")
STATE_VERSION = 1


@dataclass
class BuildOptions:
    data_dir: Path = Path("data")
    config_file: Path = Path("mkdocs.yml")
    work_dir: Path = Path("build/.catalog")
    full: bool = False
    progress: bool = True


@dataclass
class BuildReport:
    procedures: int = 0
    rerendered: int = 0
    site_mode: str = "full"
    docs: WriteReport = field(default_factory=WriteReport)
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


def _code_fingerprint() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted((here / "templates").glob("*")) + [here / name for name in _CODE_INPUTS]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _page_fingerprints(catalogue: Catalogue, site_url: str) -> dict[str, str]:
    """Everything a procedure's page, JSON and search stub are made from, hashed per procedure."""
    base = _code_fingerprint() + site_url
    faq: dict[str | None, list[str]] = {}
    for entry in catalogue.faq:
        faq.setdefault(entry.procedure, []).append(entry.question + "\0" + entry.answer)
    fingerprints = {}
    for code, p in catalogue.procedures.items():
        parts = [base, catalogue.source_hashes[code], catalogue.sectors[p.sector].name]
        parts += [catalogue.agencies[a].name for _, codes in p.agencies for a in codes]
        parts += [catalogue.procedures[r].name for r in p.related]
        parts += faq.get(code, [])
        fingerprints[code] = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return fingerprints


def _read_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return state if state.get("version") == STATE_VERSION else {}


def _write_state(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": STATE_VERSION, **state}))
    tmp.replace(path)


class _Indexer:
    """Pagefind in a subprocess, timed by a thread, so it overlaps with MkDocs."""

    def __init__(self, stubs: Path, output: Path) -> None:
        self.started = time.perf_counter()
        self.process = search_index.start_indexing(stubs, output)
        self.seconds = 0.0
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._wait, daemon=True)
        self.thread.start()

    def _wait(self) -> None:
        try:
            search_index.wait_indexing(self.process)
        except Exception as error:  # re-raised in join()
            self.error = error
        self.seconds = time.perf_counter() - self.started

    def join(self) -> float:
        self.thread.join()
        if self.error:
            raise self.error
        return self.seconds


def _output_of(docs_rel: str) -> str:
    """Where MkDocs writes a docs file (use_directory_urls)."""
    if not docs_rel.endswith(".md"):
        return docs_rel
    stem = docs_rel[:-3]
    return f"{stem[:-5]}index.html" if stem.endswith("index") else f"{stem}/index.html"


# Written by every MkDocs build, dirty or not.
_ALWAYS_REBUILT = ("404.html", "sitemap.xml", "sitemap.xml.gz")


def _stage_incremental(site_dir: Path, staging: Path, docs_dir: Path, removed: list[str]) -> None:
    """Make `staging` a hard-linked copy of the site that a dirty MkDocs build can update safely.

    MkDocs rewrites files in place, which would reach the live site through the shared inodes.
    So every output it is going to rewrite (its own rule: source newer than output) is unlinked
    from the copy first; it then writes a new file there and the live site stays untouched until
    the copy is swapped in.
    """
    shutil.copytree(site_dir, staging, copy_function=os.link, ignore=shutil.ignore_patterns("pagefind"))
    for rel in _ALWAYS_REBUILT:
        (staging / rel).unlink(missing_ok=True)
    for source in docs_dir.rglob("*"):
        if not source.is_file():
            continue
        output = staging / _output_of(source.relative_to(docs_dir).as_posix())
        try:
            if source.stat().st_mtime > output.stat().st_mtime:
                output.unlink()
        except FileNotFoundError:
            pass
    for rel in removed:
        output = staging / _output_of(rel)
        output.unlink(missing_ok=True)
        if output.name == "index.html" and output.parent.exists() and not any(output.parent.iterdir()):
            output.parent.rmdir()


@contextmanager
def _batch_gc() -> Iterator[None]:
    """Collect garbage rarely during a build.

    A build holds hundreds of thousands of long-lived objects (records, then MkDocs' pages), and
    the cyclic collector rescans them again and again: about 40% of load and render time at
    10,000 procedures. The loaded catalogue is frozen out of collection entirely.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def build(options: BuildOptions, log: Callable[[str], None] = print) -> BuildReport:
    with _batch_gc():
        return _build(options)


def _build(options: BuildOptions) -> BuildReport:
    report = BuildReport()
    timer = _Timer(report)
    work = options.work_dir
    catalogue = load_catalogue(options.data_dir, cache_file=work / "records.pickle")
    gc.freeze()
    report.procedures = len(catalogue.procedures)
    timer.lap("validate")

    config = load_site_config(options.config_file)
    docs_dir, site_dir = Path(config.docs_dir), Path(config.site_dir)
    site_url = config.site_url or "/"
    state_file = work / "state.json"
    state = {} if options.full else _read_state(state_file)
    fingerprints = _page_fingerprints(catalogue, site_url)
    renderer = Renderer(catalogue)
    previous = state.get("pages", {})
    changed = [
        code
        for code, fp in fingerprints.items()
        if previous.get(code) != fp
        or not (docs_dir / renderer.procedure_page_path(catalogue.procedures[code])).exists()
    ]
    report.rerendered = len(changed)
    _write_state(state_file, {**state, "complete_site": False})

    pages = renderer.browse_pages()
    show = options.progress and len(changed) > 500
    for code in tqdm(changed, desc="render", unit="page", disable=not show, leave=False):
        pages.update(renderer.procedure_pages([code]))
    pages.update(_exports(catalogue, changed, site_url))
    keep = set(pages) | _all_outputs(catalogue, renderer)
    write_changed(docs_dir, pages, report.docs)
    remove_stale(docs_dir, GENERATED_FOLDERS, keep, report.docs)
    timer.lap("render")

    stubs_dir = work / "search-src"
    stub_report = WriteReport()
    write_changed(stubs_dir, search_index.stub_documents(catalogue, changed), stub_report)
    remove_stale(
        stubs_dir, ["thu-tuc"], {search_index.stub_path(p) for p in catalogue.procedures.values()}, stub_report
    )
    timer.lap("search stubs")

    fingerprint = site_fingerprint(options.config_file)
    dirty = state.get("site") == fingerprint and state.get("complete_site", False) and site_dir.exists()
    report.site_mode = "incremental" if dirty else "full"
    staging = site_dir.with_name(site_dir.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    indexer = _Indexer(stubs_dir, work / "pagefind.new")
    try:
        if dirty:
            _stage_incremental(site_dir, staging, docs_dir, report.docs.removed)
            timer.lap("stage")
        try:
            build_site(options.config_file, staging, dirty=dirty, progress=options.progress)
        finally:
            report.seconds["search (parallel)"] = indexer.join()
        timer.lap("site")
        replace_dir(work / "pagefind.new", staging / "pagefind")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_dir(staging, site_dir)
    _write_state(state_file, {"pages": fingerprints, "site": fingerprint, "complete_site": True})
    timer.lap("publish")
    return report


def _exports(catalogue: Catalogue, changed: list[str], site_url: str) -> dict[str, str]:
    bodies = {code: exports.procedure_json(p) for code, p in catalogue.procedures.items()}
    files = {f"du-lieu/thu-tuc/{catalogue.procedures[c].slug}.json": bodies[c] + "\n" for c in changed}
    files["du-lieu/danh-muc.json"] = exports.catalogue_json(catalogue, bodies)
    files["du-lieu/danh-muc.csv"] = exports.catalogue_csv(catalogue, site_url)
    files["du-lieu/schema.json"] = exports.record_schema()
    files["du-lieu/thay-doi.xml"] = exports.atom_feed(catalogue, site_url)
    return files


def _all_outputs(catalogue: Catalogue, renderer: Renderer) -> set[str]:
    """Paths of per-procedure files that must survive, rendered this time or not."""
    keep = set()
    for p in catalogue.procedures.values():
        keep.add(renderer.procedure_page_path(p))
        keep.add(f"du-lieu/thu-tuc/{p.slug}.json")
    return keep


def clean(options: BuildOptions, site_dir: Path) -> None:
    shutil.rmtree(options.work_dir, ignore_errors=True)
    shutil.rmtree(site_dir, ignore_errors=True)
