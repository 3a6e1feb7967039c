"""Build the MkDocs site with its pages rendered by worker processes.

MkDocs builds one page after another on one core, and keeps every page's HTML in memory until
the end. Our pages are independent of each other: procedure and browse pages are not in the
navigation, and each page's HTML depends only on its own Markdown, the navigation (static, from
mkdocs.yml) and the theme. So this module runs MkDocs' own build steps in the same order
(`mkdocs.commands.build.build`: config and plugin events, files, navigation, static files, theme
templates, then every page through `_populate_page` and `_build_page`, the functions MkDocs
itself calls, with the same theme environment and page context), except that:

- the pages of the navigation are read in this process first (their titles appear in every
  page's sidebar), then all pages are rendered by forked workers, a chunk at a time, each page's
  HTML dropped once written (memory does not grow with the pages' HTML, as MkDocs' does);
- for pages outside the navigation, Material's navigation partial (`partials/nav.html`) is
  rendered once for each distinct set of relative links to the navigation's pages, and the
  blocks of base.html that depend only on where a page sits (styles, scripts, config, footer)
  once per folder and depth: every procedure page shares them, no navigation item being active
  on it. Templates are compiled once (a bytecode cache, when given a folder) and not checked for
  changes on disk while the build runs (Jinja's `auto_reload`);
- Markdown goes through the same extensions, with Python-Markdown's raw-HTML step taken by a
  faster one that gives the same result on pages of our simple shape (raw_html.py), and without
  MkDocs' second pass over the raw HTML, which only collects anchors for anchor validation;
  pages made only of headings, raw HTML and plain lines (every generated page) skip
  Python-Markdown's tree altogether with the same result (plain_markdown.py), and a worker's one
  converter is reset between the other pages rather than built again;
- a partial build renders only the pages it is given (those whose Markdown changed) and copies
  only the static files newer than their output; it rewrites the theme's templates (sitemap,
  404) as `mkdocs build --dirty` would, unless the site keeps the same pages (`same_pages`).

Together these take about half of a page's CPU time away (3.4 against 6.4 ms a page at 10,000
procedures before the positional blocks, about 2 against 4.5 ms since, on this machine), and the
plain Markdown way about half of what was left (1,000 procedure pages: 3.3-3.7 s of CPU before,
1.8-2.0 s after, side by side).

Warnings counted in the workers are added to this process's count, so strict mode still fails
the build. Anchor validation is not run (mkdocs.yml sets `validation.links.anchors: ignore`; a
config that asks for it is refused). tests/catalog_build/test_pages.py checks that pages come out
byte for byte as a plain `mkdocs build` makes them.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
from jinja2 import FileSystemBytecodeCache
from mkdocs import utils
from mkdocs.commands.build import _build_extra_template, _build_page, _build_theme_template, _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.files import File, Files, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url
from tqdm import tqdm

from catalog_build import plain_markdown
from catalog_build.parallel import fork_map
from catalog_build.raw_html import RawHtmlExtension
from catalog_build.site import SiteBuildError, load_site_config, quiet_mkdocs
from catalog_build.writer import replace_file

CHUNK = 64  # pages per task: small enough to balance two workers, large enough to cost little


@dataclass
class SiteReport:
    pages: int = 0  # pages rendered
    static: int = 0  # static files considered (copied when new or changed)
    peak_rss_kb: int = 0  # the largest worker's peak resident memory


@dataclass
class _Job:
    """What the workers inherit through fork: nothing is pickled but chunk numbers."""

    config: MkDocsConfig
    files: Files
    doc_files: list[File]
    nav: Navigation
    env: Any
    pages: list[Page]


_JOB: _Job | None = None


def build_pages(
    config_file: Path,
    site_dir: Path,
    *,
    only: Collection[str] | None = None,
    workers: int = 2,
    progress: bool = False,
    meanwhile: Callable[[], None] | None = None,
    same_pages: bool = False,
    cache_dir: Path | None = None,
) -> SiteReport:
    """Build every page (`only` None: the site folder is emptied first) or the docs pages `only`
    names (docs-relative paths), rendering pages in `workers` forked processes (1: in this one).
    `meanwhile` runs in this process once the workers have started (it must not touch the site).

    `same_pages` (with `only`): the site has the same pages as when it was last built, and the
    pages of `only` link to others in raw HTML alone (our generated pages). Then MkDocs is shown
    only the navigation's pages and those of `only`, not every page of the docs folder, and the
    theme's templates (sitemap, 404, robots.txt: the list of pages, the navigation and the
    config, all unchanged) and files are left as they are. A one-procedure rebuild of 10,000
    then costs a few pages, not 11,000 `File` and `Page` objects and a sitemap."""
    quiet_mkdocs()
    config = load_site_config(config_file, site_dir)
    if config.validation.links.anchors > logging.DEBUG:
        raise SiteBuildError("anchor validation needs every page in one process; set validation.links.anchors: ignore")
    counter = utils.CountHandler()
    counter.setLevel(logging.WARNING)
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.addHandler(counter)
    os.environ["PORTAL_BUILD_PROGRESS"] = "0"  # the hook's own bar would be drawn by every worker
    config.markdown_extensions.append(RawHtmlExtension())
    try:
        with _page_render_patched():
            report = _run(config, only, workers, progress, meanwhile, same_pages, cache_dir)
        config.plugins.on_post_build(config=config)
    except (MkDocsException, SystemExit) as error:
        config.plugins.on_build_error(error=error)
        raise SiteBuildError(f"mkdocs build failed: {error}") from error
    finally:
        mkdocs_logger.removeHandler(counter)
    warnings = sum(count for _, count in counter.get_counts()) + report.warnings
    if config.strict and warnings:
        raise SiteBuildError(f"mkdocs build failed: aborted with {warnings} warning(s) in strict mode")
    return report.site


@dataclass
class _Outcome:
    site: SiteReport
    warnings: int = 0


def _run(
    config: MkDocsConfig,
    only: Collection[str] | None,
    workers: int,
    progress: bool,
    meanwhile: Callable[[], None] | None,
    same_pages: bool,
    cache_dir: Path | None,
) -> _Outcome:
    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    if only is None:
        utils.clean_directory(config.site_dir)
    light = only is not None and same_pages
    files = _listed_files(config, only) if light else get_files(config)
    env = config.theme.get_env()
    if cache_dir is not None:  # the theme's templates compiled once, not on every build
        cache_dir.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = FileSystemBytecodeCache(str(cache_dir))
    if not light:
        files.add_files_from_theme(env, config)
    files = config.plugins.on_files(files, config=config)
    set_exclusions(files, config)
    nav = get_navigation(files, config)
    nav = config.plugins.on_nav(nav, config=config, files=files)
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    for file in doc_files:
        if file.page is None:
            Page(None, file, config)
    titles = _NavTitles(cache_dir, fresh=not light)
    for page in nav.pages:  # their titles are in every page's navigation
        if light and page.file.src_uri not in (only or ()) and titles.restore(page, config):
            continue
        _populate_page(page, config, files)
        titles.remember(page)
    titles.save()
    env = config.plugins.on_env(env, config=config, files=files)
    env.auto_reload = False
    _memoise_nav(env, nav, config)
    _memoise_blocks(env, nav)
    static = files.static_pages()
    files.copy_static_files(dirty=only is not None, inclusion=InclusionLevel.is_included)
    for template in [] if light else config.theme.static_templates:
        _build_theme_template(template, env, files, config, nav)
    for template in [] if light else config.extra_templates:
        _build_extra_template(template, files, config, nav)
    wanted = set(only) if only is not None else None
    pages = [f.page for f in doc_files if f.page is not None and (wanted is None or f.src_uri in wanted)]
    global _JOB
    _JOB = _Job(config, files, list(doc_files), nav, env, pages)
    try:
        outcome = _render_all(len(pages), workers, progress, meanwhile)
    finally:
        _JOB = None
    outcome.site.static = len(static)
    return outcome


def _listed_files(config: MkDocsConfig, only: Collection[str]) -> Files:
    """The docs files of the navigation and of `only`, for a partial build of the same pages."""
    docs = Path(config.docs_dir)
    wanted = set(only) | set(_nav_paths(config.nav or []))
    listed = [
        File(rel, config.docs_dir, config.site_dir, config.use_directory_urls)
        for rel in sorted(wanted)
        if (docs / rel).is_file()
    ]
    return Files(listed)


def _nav_paths(items: Any) -> Iterator[str]:
    """Docs paths named in mkdocs.yml's `nav` (nested lists of titles and paths)."""
    if isinstance(items, str):
        if not items.startswith(("http://", "https://")):
            yield items
    elif isinstance(items, dict):
        for value in items.values():
            yield from _nav_paths(value)
    elif isinstance(items, list):
        for item in items:
            yield from _nav_paths(item)


def _render_all(count: int, workers: int, progress: bool, meanwhile: Callable[[], None] | None) -> _Outcome:
    assert _JOB is not None
    outcome = _Outcome(SiteReport(pages=count))
    bar = tqdm(total=count, desc="site", unit="page", leave=False, disable=not progress or count < 500)
    # In this process (one worker, or one chunk), warnings reach the caller's counter directly.
    # A few pages are still split between the workers: this process is busy with `meanwhile`
    # (the open-data exports) and would otherwise render them only after it.
    chunk = min(CHUNK, max(1, -(-count // workers))) if meanwhile is not None else CHUNK
    results = fork_map(_render_chunk, _JOB.pages, workers=workers, chunk=chunk, initializer=_prepare_worker)
    try:
        if meanwhile is not None:
            meanwhile()
    except BaseException:
        results.close()  # type: ignore[attr-defined]  # stops the workers
        raise
    _collect(results, outcome, bar)
    return outcome


def _collect(results: Iterator[tuple[int, int, int, str | None]], outcome: _Outcome, bar: tqdm) -> None:
    for done, warnings, rss, error in results:
        if error is not None:
            bar.close()
            raise SiteBuildError(f"mkdocs build failed: {error}")
        outcome.warnings += warnings
        outcome.site.peak_rss_kb = max(outcome.site.peak_rss_kb, rss)
        bar.update(done)
    bar.close()


_WORKER_COUNTER: utils.CountHandler | None = None


def _prepare_worker() -> None:
    """Count this process's warnings apart (a forked worker inherits the parent's handlers)."""
    global _WORKER_COUNTER
    _WORKER_COUNTER = utils.CountHandler()
    _WORKER_COUNTER.setLevel(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(_WORKER_COUNTER)


def _render_chunk(pages: Sequence[Page]) -> tuple[int, int, int, str | None]:
    """Render and write a chunk of pages; return (pages, new warnings, peak RSS in KB, error)."""
    import resource

    assert _JOB is not None
    job = _JOB
    before = _warnings()
    try:
        for page in pages:
            if page.content is None:
                _populate_page(page, job.config, job.files)
            _build_page(page, job.config, job.doc_files, job.nav, job.env)
            if page not in job.nav.pages:
                page.content = page.markdown = None  # the HTML is on disk: keep memory flat
    except Exception as error:  # reported to the parent, which raises
        return 0, 0, 0, f"{type(error).__name__}: {error}"
    return len(pages), _warnings() - before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, None


def _warnings() -> int:
    return 0 if _WORKER_COUNTER is None else sum(count for _, count in _WORKER_COUNTER.get_counts())


class _NavTitles:
    """The titles the navigation's pages had when last rendered, by source modification time and
    size. The navigation shows them on every page; a partial build that renders none of those
    pages reads their source (for their metadata) and takes the title from here instead of
    converting their Markdown. Written afresh by every build that is not partial: the config and
    theme are then the same for a partial build as when the titles were taken."""

    def __init__(self, cache_dir: Path | None, *, fresh: bool) -> None:
        self.file = cache_dir / "nav-titles.json" if cache_dir is not None else None
        self.titles: dict[str, list[Any]] = {}
        self.changed = fresh
        if self.file is not None and not fresh:
            with suppress(FileNotFoundError, ValueError):
                self.titles = json.loads(self.file.read_text())

    def restore(self, page: Page, config: MkDocsConfig) -> bool:
        saved = self.titles.get(page.file.src_uri)
        stat = Path(page.file.abs_src_path).stat() if page.file.abs_src_path else None
        if saved is None or stat is None or saved[:2] != [stat.st_mtime_ns, stat.st_size]:
            return False
        page.read_source(config)
        page._title_from_render = saved[2]
        page.content = ""  # as after rendering: the title never falls back to the Markdown's text
        return True

    def remember(self, page: Page) -> None:
        if page.file.abs_src_path:
            stat = Path(page.file.abs_src_path).stat()
            self.titles[page.file.src_uri] = [stat.st_mtime_ns, stat.st_size, page._title_from_render]
            self.changed = True

    def save(self) -> None:
        if self.file is not None and self.changed:
            replace_file(self.file, json.dumps(self.titles, ensure_ascii=False))


NAV_TEMPLATE = "partials/nav.html"


def _memoise_nav(env: Any, nav: Navigation, config: MkDocsConfig) -> None:
    """Render the navigation partial once per distinct key for pages outside the navigation.

    For such a page, the partial's output depends on the page only through the relative links
    from it to the navigation's pages, home page and logo (no item is active): that is the key.
    """
    template = env.get_template(NAV_TEMPLATE)
    render = template.root_render_func
    in_nav = {id(page) for page in nav.pages}
    targets = [page.url for page in nav.pages] + [nav.homepage.url if nav.homepage else ""]
    targets.append(str(config.theme.get("logo") or ""))
    # A page whose first folder no target shares gets, to every target, "../" times its depth
    # followed by the target: its depth is then the whole key.
    shared = {target.split("/")[0] for target in targets}
    rendered: dict[object, str] = {}

    def memoised(context: Any) -> Iterator[str]:
        page = context.get("page")
        url = getattr(page, "url", None)
        if page is None or id(page) in in_nav or url is None:
            yield from render(context)
            return
        key: object
        if url.split("/")[0] in shared:
            key = tuple(get_relative_url(target, url) for target in targets)
        else:
            key = url.count("/")
        if key not in rendered:
            rendered[key] = "".join(render(context))
        yield rendered[key]

    template.root_render_func = memoised


class _NoAnchors:
    """Stands in for MkDocs' `_RawHTMLPreprocessor`, which parses a page's raw HTML a second time
    only to list its anchors for anchor validation (refused above, so never run)."""

    present_anchor_ids: frozenset[str] = frozenset()

    def _register(self, md: Any) -> None:
        pass


class _ReusedMarkdown:
    """Stands in for the `markdown` module that `Page.render` calls: its `Markdown(...)` gives the
    same converter each time, reset, instead of a new one.

    A new converter builds Python-Markdown's whole parser (every block processor, inline pattern
    and extension): about an eighth of a page's Markdown time. `reset()` is how Python-Markdown
    means a converter to be reused (it clears the stash, the references and each extension's
    state); the per-page tree processors MkDocs then registers replace the last page's, being
    registered under the same names. Worker processes render one page at a time."""

    def __init__(self) -> None:
        self._made: tuple[list[Any], dict[str, Any], markdown.Markdown] | None = None

    def Markdown(self, *, extensions: list[Any], extension_configs: dict[str, Any]) -> markdown.Markdown:
        made = self._made
        if made is not None and made[0] is extensions and made[1] == extension_configs:
            return made[2].reset()
        converter = markdown.Markdown(extensions=extensions, extension_configs=extension_configs)
        self._made = (extensions, extension_configs, converter)
        return converter


class _PageRender:
    """`Page.render` as our workers run it: pages of our generated shape through plain_markdown,
    the others through MkDocs' own, with a reused converter and no anchor collection."""

    def __init__(self) -> None:
        self.converters = _ReusedMarkdown()
        self.original = Page.render

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        extensions, configs = config["markdown_extensions"], config["mdx_configs"] or {}
        if page.markdown is not None and plain_markdown.eligible(extensions, configs):
            converter = self.converters.Markdown(extensions=extensions, extension_configs=configs)
            converted = plain_markdown.convert(page.markdown, converter)
            if converted is not None:  # what Page.render sets, as it would set it
                page.content = converted.html
                page.toc = get_toc(converted.toc_tokens)
                page._title_from_render = converted.title
                page.present_anchor_ids = converted.anchors
                if mkdocs_pages.log.getEffectiveLevel() > logging.DEBUG:
                    page.links_to_anchors = {}
                return
        self.original(page, config, files)


@contextmanager
def _page_render_patched() -> Iterator[None]:
    """Page.render as `_PageRender` runs it, while the site is built."""
    patched = _PageRender()
    anchors, module = mkdocs_pages._RawHTMLPreprocessor, mkdocs_pages.markdown
    mkdocs_pages._RawHTMLPreprocessor = _NoAnchors  # type: ignore[assignment, misc]
    mkdocs_pages.markdown = patched.converters  # type: ignore[assignment]
    Page.render = lambda page, config, files: patched.render(page, config, files)  # type: ignore[method-assign]
    try:
        yield
    finally:
        mkdocs_pages._RawHTMLPreprocessor = anchors  # type: ignore[misc]
        mkdocs_pages.markdown = module
        Page.render = patched.original  # type: ignore[method-assign]


# Blocks of Material's base.html that, for a page outside the navigation, depend
# only on where the page sits (links to assets, to the hand-written pages and the search worker,
# relative to the page): the same for every page of a folder at a given depth.
POSITIONAL_BLOCKS = ("styles", "libs", "fonts", "analytics", "scripts", "config", "footer")


def _memoise_blocks(env: Any, nav: Navigation) -> None:
    """Render each positional block once per (first folder, depth) for pages outside the navigation.

    Their links lead outside the page's own folder, so pages of one folder at one depth get the same
    relative links; tests/catalog_build/test_pages.py checks the pages byte for byte."""
    in_nav = {id(page) for page in nav.pages}
    # base.html's blocks only: an override calls them through `super()`, which looks its own
    # function up in the context's list of blocks, so an override itself cannot be wrapped.
    template = env.get_template("base.html")
    for block in POSITIONAL_BLOCKS:
        if block in template.blocks:
            template.blocks[block] = _positional(template.blocks[block], block, in_nav)


def _positional(render: Callable[[Any], Iterator[str]], block: str, in_nav: set[int]) -> Callable[..., Iterator[str]]:
    rendered: dict[tuple[str, str, int], str] = {}

    def memoised(context: Any) -> Iterator[str]:
        page = context.get("page")
        url = getattr(page, "url", None)
        if page is None or id(page) in in_nav or url is None:
            yield from render(context)
            return
        key = (block, url.split("/")[0], url.count("/"))
        if key not in rendered:
            rendered[key] = "".join(render(context))
        yield rendered[key]

    return memoised
