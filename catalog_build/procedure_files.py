"""The files made from each changed procedure alone: its page's Markdown (docs), its JSON record
(open data, in the work folder) and its search stub. Written in forked workers, each a chunk of
procedures, each file only when its bytes changed; the caller reads the results when it is ready
(it renders the browse pages meanwhile)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from catalog_build import exports, open_data, search_index
from catalog_build.parallel import fork_map
from catalog_build.render import Renderer
from catalog_build.writer import WriteReport, write_changed

CHUNK = 100


@dataclass(frozen=True)
class Folders:
    docs: Path
    exports: Path
    stubs: Path


@dataclass
class Written:
    docs: WriteReport = field(default_factory=WriteReport)
    exports: WriteReport = field(default_factory=WriteReport)
    stubs: WriteReport = field(default_factory=WriteReport)

    def add(self, other: Written) -> None:
        for mine, theirs in ((self.docs, other.docs), (self.exports, other.exports), (self.stubs, other.stubs)):
            mine.written += theirs.written
            mine.unchanged += theirs.unchanged


def start(renderer: Renderer, codes: Sequence[str], folders: Folders, workers: int) -> Iterator[Written]:
    """Start writing the files of `codes`; iterate over the result to wait for them."""
    renderer.prepare()  # computed once here, inherited by the workers

    def work(chunk: Sequence[str]) -> Written:
        return _write(renderer, chunk, folders)

    return fork_map(work, codes, workers=workers, chunk=CHUNK)


def _write(renderer: Renderer, codes: Sequence[str], folders: Folders) -> Written:
    catalogue = renderer.catalogue
    written = Written()
    write_changed(folders.docs, renderer.procedure_pages(codes), written.docs)
    records = {
        exports.procedure_json_path(catalogue.procedures[code]): (
            exports.procedure_json(catalogue.procedures[code]) + "\n"
        ).encode()
        for code in codes
    }
    open_data.write_changed(folders.exports, records, written.exports)
    write_changed(folders.stubs, search_index.stub_documents(catalogue, list(codes)), written.stubs)
    return written
