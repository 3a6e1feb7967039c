"""Fingerprints that tell a build what changed: per procedure (everything its page, record and
search stub are made from), of the whole catalogue, of the renderer's code and of the
hand-written pages of the docs folder."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from catalog_build.groups import group_fingerprint, memberships
from catalog_build.loader import Catalogue
from catalog_build.site import GENERATED_FILES, GENERATED_FOLDERS
from catalog_build.staging import output_of

CODE_INPUTS = (
    "render.py",
    "exports.py",
    "open_data.py",
    "text.py",
    "search_index.py",
    "search_terms.py",
    "models.py",
)


def code_fingerprint() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted((here / "templates").glob("*")) + [here / name for name in CODE_INPUTS]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def page_fingerprints(catalogue: Catalogue, site_url: str) -> dict[str, str]:
    """Everything a procedure's page, JSON and search stub are made from, hashed per procedure."""
    base = code_fingerprint() + site_url + catalogue.search_terms.model_dump_json()
    faq: dict[str | None, list[str]] = {}
    for entry in catalogue.faq:
        faq.setdefault(entry.procedure, []).append(entry.question + "\0" + entry.answer)
    fingerprints = {}
    groups = memberships(catalogue.groups)
    agency_names = {code: agency.name for code, agency in catalogue.agencies.items()}
    sector_names = {code: sector.name for code, sector in catalogue.sectors.items()}
    procedures, hashes = catalogue.procedures, catalogue.source_hashes
    for code, p in procedures.items():
        parts = [base, hashes[code], sector_names[p.sector]]
        parts += [agency_names[a] for codes in vars(p.agencies).values() for a in codes]
        parts += [procedures[r].name for r in p.related]
        if code in faq:
            parts += faq[code]
        if code in groups:
            parts += [f"group {group.id} {group.name}" for group in groups[code]]
        fingerprints[code] = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return fingerprints


def hand_written_files(docs_dir: Path) -> Iterator[Path]:
    """The docs folder's files that catalog_build does not generate."""
    for directory, folders, names in os.walk(docs_dir):
        if Path(directory) == docs_dir:
            folders[:] = [name for name in folders if name not in GENERATED_FOLDERS]
            names = [name for name in names if name not in GENERATED_FILES]
        folders.sort()
        for name in sorted(names):
            yield Path(directory, name)


def stale_hand_written(docs_dir: Path, site_dir: Path) -> list[str]:
    """Hand-written docs files edited since their output was built (MkDocs' own dirty rule)."""
    stale = []
    for path in hand_written_files(docs_dir):
        rel = path.relative_to(docs_dir).as_posix()
        try:
            if path.stat().st_mtime > (site_dir / output_of(rel)).stat().st_mtime:
                stale.append(rel)
        except FileNotFoundError:
            stale.append(rel)
    return stale


def hand_written_fingerprint(docs_dir: Path) -> str:
    """The hand-written pages and assets of the docs folder (name, size, modification time): an
    edit to one of them must reach the site even when the catalogue is unchanged."""
    digest = hashlib.sha256()
    for path in hand_written_files(docs_dir):
        stat = path.stat()
        digest.update(f"{path.parent}/{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def catalogue_fingerprint(catalogue: Catalogue, pages: dict[str, str], site: str) -> str:
    """Everything the whole site is made from: every page's fingerprint, the names in the browse
    lists, the general FAQ, the home page's featured list and the site's configuration."""
    digest = hashlib.sha256(site.encode())
    for code, fingerprint in pages.items():
        digest.update(f"{code}\0{fingerprint}\0".encode())
    digest.update(json.dumps(catalogue.featured).encode())
    for entry in catalogue.faq:
        digest.update(entry.model_dump_json().encode())
    for record in (*catalogue.agencies.values(), *catalogue.sectors.values()):
        digest.update(record.model_dump_json().encode())
    digest.update(group_fingerprint(catalogue.groups).encode())
    return digest.hexdigest()
