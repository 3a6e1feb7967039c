"""The search index: one small stub document per procedure, indexed by Pagefind.

Only what people search for goes in (name, code, sector, agencies, keywords), each also
folded to ASCII with đ -> d, which Pagefind's own folding misses ("dang ky" must find
"Đăng ký"). Indexing stubs instead of the rendered site keeps the index complete whichever
pages an incremental MkDocs build re-rendered, and lets it run in parallel with MkDocs.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from html import escape
from pathlib import Path

import pagefind_bin

from catalog_build import text
from catalog_build.errors import BuildFailed
from catalog_build.loader import Catalogue
from catalog_build.models import Procedure, slug_of
from catalog_build.search_terms import Synonyms, normalise

PAGEFIND = Path(pagefind_bin.__file__).with_name("pagefind")
ENTRY = Path("pagefind-entry.json")
STALE_FRAGMENTS = 1.05  # start the index afresh once 5% of its fragments belong to old versions


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


def start_indexing(stubs_dir: Path, output_dir: Path, pages: int, *, fresh: bool) -> subprocess.Popen[bytes]:
    """Start Pagefind on the stubs; it runs beside rendering and MkDocs. Finish with `wait_indexing`.

    The output folder persists between builds: Pagefind names its files by content and skips
    those that exist, which makes re-indexing 10,000 pages take 1 s instead of 3. Everything but
    the fragments is cleared first, and fragments of old versions are cleared once they pile up.
    """
    fragments = output_dir / "fragment"
    count = sum(1 for _ in os.scandir(fragments)) if fragments.is_dir() else 0
    if fresh or count > pages * STALE_FRAGMENTS + 50:
        shutil.rmtree(output_dir, ignore_errors=True)
    elif output_dir.is_dir():
        for entry in output_dir.iterdir():
            if entry.name != "fragment":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    command = [
        str(PAGEFIND),
        "--site",
        str(stubs_dir),
        "--output-path",
        str(output_dir),
        "--force-language",
        "vi",
        "--quiet",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_indexing(process: subprocess.Popen[bytes]) -> None:
    output, _ = process.communicate()
    if process.returncode != 0:
        raise SearchIndexError(f"pagefind failed ({process.returncode}): {output.decode(errors='replace')[-2000:]}")


def publish_index(source: Path, target: Path) -> None:
    """Make `target` hold exactly the index in `source`, safely for anyone searching meanwhile.

    Pagefind's files are named by content except the entry file, which points at the rest. So new
    files are hard-linked in beside the old ones, the entry file is switched with one rename, and
    only then are files of the old index removed. An identical entry file means the identical
    index (everything it points at is named by content), so then there is nothing to do.
    """
    entry = (source / ENTRY).read_bytes()
    if (target / ENTRY).is_file() and (target / ENTRY).read_bytes() == entry:
        return
    wanted = {Path(rel) for rel in _files_under(source)}
    present = {Path(rel) for rel in _files_under(target)}
    for rel in sorted(wanted - present - {ENTRY}):
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(source / rel, target / rel)
    # Files with fixed names (pagefind.js, its worker and WebAssembly) change with Pagefind's version.
    for rel in sorted(wanted & present - {ENTRY}):
        if rel.parts[0] not in ("fragment", "index", "filter") and not filecmp.cmp(source / rel, target / rel, False):
            swap = target / rel.with_name(rel.name + ".new")
            os.link(source / rel, swap)
            swap.replace(target / rel)
    switch = target / (ENTRY.name + ".new")
    switch.write_bytes(entry)
    switch.replace(target / ENTRY)
    for rel in present - wanted:
        (target / rel).unlink()


def _files_under(root: Path) -> list[str]:
    """Relative paths of the files under `root` (os.walk: a tenth of the cost of Path.rglob)."""
    found = []
    for directory, _, names in os.walk(root):
        prefix = os.path.relpath(directory, root)
        found += [name if prefix == "." else f"{prefix}/{name}" for name in names]
    return found
