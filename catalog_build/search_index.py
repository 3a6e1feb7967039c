"""The search index: one small stub document per procedure, indexed by Pagefind.

Only what people search for goes in (name, code, sector, agencies, keywords), each also
folded to ASCII with đ -> d, which Pagefind's own folding misses ("dang ky" must find
"Đăng ký"). Indexing stubs instead of the rendered site keeps the index complete whichever
pages an incremental MkDocs build re-rendered, and lets it run in parallel with MkDocs.
"""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from pathlib import Path

import pagefind_bin

from catalog_build import text
from catalog_build.errors import BuildFailed
from catalog_build.loader import Catalogue
from catalog_build.models import Procedure, slug_of

PAGEFIND = Path(pagefind_bin.__file__).with_name("pagefind")


class SearchIndexError(BuildFailed):
    pass


def stub_path(procedure: Procedure) -> str:
    return stub_path_of(procedure.code)


def stub_path_of(code: str) -> str:
    """Flat files (no folder per procedure: folders cost a syscall each); the search page turns
    Pagefind's `/thu-tuc/<slug>.html` into the page's URL `/thu-tuc/<slug>/`."""
    return f"thu-tuc/{slug_of(code)}.html"


def stub_document(p: Procedure, catalogue: Catalogue) -> str:
    """The page Pagefind indexes for one procedure.

    Only the ASCII-folded text is indexed: the search page folds every query the same way, so a
    second copy with diacritics would only double the postings a query downloads. The original
    text travels as metadata for display. Meta and filter elements sit outside the indexed body
    so their text is not indexed a second time.
    """
    sector = catalogue.sectors[p.sector].name
    agencies = " ; ".join(
        catalogue.agencies[c].name for c in dict.fromkeys(p.agencies.executing + p.agencies.competent)
    )
    searchable = " ; ".join((p.code, p.code.replace(".", ""), sector, agencies, *p.keywords))
    info = f"{sector} · {text.LEVEL[p.level]} · {text.ONLINE_SHORT[p.online_level]}"
    filters = [("linh-vuc", sector), ("cap", text.LEVEL[p.level])]
    filters += [("doi-tuong", text.AUDIENCE[a]) for a in p.audiences]
    tags = "".join(f'<span data-pagefind-filter="{name}">{escape(value)}</span>' for name, value in filters)
    tags += "".join(
        f'<span data-pagefind-meta="{name}">{escape(value)}</span>'
        for name, value in (("title", p.name), ("code", p.code), ("info", info))
    )
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{escape(p.name)}</title></head><body>'
        f'<main data-pagefind-body><h1 data-pagefind-weight="10">{escape(text.fold(p.name))}</h1>'
        f"<p>{escape(text.fold(searchable))}</p></main>{tags}</body></html>"
    )


def stub_documents(catalogue: Catalogue, codes: list[str]) -> dict[str, str]:
    return {stub_path(catalogue.procedures[c]): stub_document(catalogue.procedures[c], catalogue) for c in codes}


def start_indexing(stubs_dir: Path, output_dir: Path) -> subprocess.Popen[bytes]:
    """Start Pagefind on the stubs; it runs beside the MkDocs build. Finish with `wait_indexing`."""
    shutil.rmtree(output_dir, ignore_errors=True)
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
