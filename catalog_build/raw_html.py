"""A faster way through Python-Markdown's raw-HTML step for pages made mostly of HTML blocks.

Our generated pages are mostly raw HTML blocks (tables, definition lists) between Markdown
headings. Python-Markdown finds raw blocks by running the standard library's HTML parser over
the whole page (`HtmlBlockPreprocessor`), about 40% of a procedure page's build time. This
preprocessor replaces it and gives the same result (the same text with the same placeholders,
the same stash) when the page has the simple shape our templates write: blocks separated by blank
lines, each either text without any tag or balanced block-level elements, each starting a line
and ending with its closing tag. Anything else (comments, processing instructions, an
unbalanced or inline element, a tag inside a text block) goes to Python-Markdown's own
preprocessor, untouched. tests/catalog_build/test_pages.py compares the two on every page of the
shipped catalogue.

Used only by our page workers (pages.py); a plain `mkdocs build` never loads it.
"""

from __future__ import annotations

import functools
import re

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

_FIRST_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)[\s>]")
UNUSUAL = ("<!", "<?")  # comments, declarations, CDATA, processing instructions
_EMPTY = frozenset({"hr", "br", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"})


class RawHtmlBlocks(Preprocessor):
    def __init__(self, md: Markdown, original: Preprocessor) -> None:
        super().__init__(md)
        self.original = original
        self.fast_pages = 0

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        blocks = source.split("\n\n")
        raw = self._raw_blocks(source, blocks)
        if raw is None:
            return self.original.run(lines)
        for index, elements in raw:  # stored in order of appearance, as the HTML parser would
            # An element followed by another on the next line is stashed as it is and followed by
            # a newline; the last one of the block, followed by a blank line, is stashed with it.
            stashed = [self.md.htmlStash.store(e) for e in elements[:-1]]
            stashed.append(self.md.htmlStash.store(elements[-1] + "\n"))
            blocks[index] = "\n".join("\n" + placeholder + "\n\n" for placeholder in stashed)
        self.fast_pages += 1
        return "\n\n".join(blocks).split("\n")

    def _raw_blocks(self, source: str, blocks: list[str]) -> list[tuple[int, list[str]]] | None:
        """The raw HTML blocks (index, elements), or None when the page is not of the simple shape."""
        if any(marker in source for marker in UNUSUAL):
            return None
        raw = []
        for index, block in enumerate(blocks):
            if not block.startswith("<"):
                if "<" in block:
                    return None
                continue
            elements = block_elements(block, self.md) if index < len(blocks) - 1 else None
            if elements is None:
                return None
            raw.append((index, elements))
        return raw


def block_elements(block: str, md: Markdown) -> list[str] | None:
    """The block-level elements, each starting a line, that make up the whole block, or None."""
    elements = []
    start = 0
    while True:
        end = _element_end(block, start, md)
        if end is None:
            return None
        elements.append(block[start:end])
        if end == len(block):
            return elements
        if block[end] != "\n" or not block.startswith("<", end + 1):
            return None
        start = end + 1


def _element_end(block: str, start: int, md: Markdown) -> int | None:
    """Where the balanced block-level element starting at `start` ends."""
    match = _FIRST_TAG.match(block, start)
    if match is None:
        return None
    tag = match.group(1).lower()
    if not md.is_block_level(tag) or tag in _EMPTY:
        return None
    depth = 0
    for found in _tags_named(tag).finditer(block, start):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            close = block.find(">", found.end())
            return None if close == -1 else close + 1
    return None


@functools.cache
def _tags_named(tag: str) -> re.Pattern[str]:
    """Opening and closing tags of one element name."""
    return re.compile(rf"<(/?){tag}(?=[\s>/])", re.IGNORECASE)


class RawHtmlExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # Python-Markdown names it so
        original = md.preprocessors["html_block"]
        md.preprocessors.register(RawHtmlBlocks(md, original), "html_block", 20)
