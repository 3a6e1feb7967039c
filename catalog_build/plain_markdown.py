"""Python-Markdown's result for pages of our generated shape, without building its element tree.

Procedure and browse pages are headings, raw HTML blocks and an occasional line of plain text,
separated by blank lines. For those, Python-Markdown's parser, inline patterns, serializer and
table-of-contents step (about half of a page's build time) come down to a few rules: a heading
becomes `<hN id="slug">text</hN>`, a line of text `<p>text</p>`, a raw block its elements as
written, and the table of contents lists the headings with the same slugs. `convert` applies them
when every block has that shape and nothing in the text could mean Markdown markup; otherwise it
answers None and the page goes to Python-Markdown. tests/catalog_build/test_plain_markdown.py
compares the two on every shipped page and on pages of other shapes, and test_pages.py compares
whole sites with a plain `mkdocs build`.

Only for converters made of the extensions listed in `EXTENSIONS` (MkDocs' defaults and ours):
`eligible` says whether a config's converter is one.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from markdown import Markdown
from markdown.extensions.toc import nest_toc_tokens, strip_tags, unique
from markdown.extensions.toc import unescape as toc_unescape

from catalog_build.raw_html import UNUSUAL, RawHtmlExtension, block_elements

EXTENSIONS = frozenset({"toc", "tables", "fenced_code"})  # with ours (RawHtmlExtension)
TOC_OPTIONS = frozenset({"permalink"})  # toc options this module follows (when false)

_HEADING = re.compile(r"(#{1,6}) ([^\s#](?:[^\n#]*[^\s#])?)")
_ORDERED_ITEM = re.compile(r"\d+\.")
_ATTRIBUTE_SAFE = re.compile(r"[\w.:-]*")
# Characters that start inline markup (code, escapes, links, images, HTML, entities, emphasis),
# those the serializer escapes, Python-Markdown's own placeholders' markers, and tabs.
_MARKUP = re.compile(r"[`\\\[\]<>&*_\x02\x03\t]")
# What Python-Markdown normalises before parsing (line endings, tabs, its placeholders' markers,
# lines of spaces alone), so that blocks would not be where they seem.
_NORMALISED = ("\r", "\t", "\x02", "\x03")
_BLANK_LINES = re.compile(r"\n\n+")  # one or more blank lines between blocks
_SPACES_LINE = re.compile(r"\n +(?:\n|\Z)")


@dataclass
class Converted:
    html: str
    toc_tokens: list[dict[str, Any]]
    title: str | None  # the first block's text when it is a level-1 heading, as MkDocs takes it
    anchors: set[str]  # the headings' ids


def eligible(extensions: list[Any], extension_configs: dict[str, Any]) -> bool:
    """Whether a converter of these extensions (a MkDocs config's) is one `convert` stands in for."""
    names = [e for e in extensions if not isinstance(e, RawHtmlExtension)]
    if len(names) == len(extensions) or not all(isinstance(e, str) and e in EXTENSIONS for e in names):
        return False
    toc = extension_configs.get("toc") or {}
    return set(extension_configs) <= {"toc"} and set(toc) <= TOC_OPTIONS and not toc.get("permalink")


def convert(source: str, md: Markdown) -> Converted | None:
    """The HTML and table of contents Python-Markdown makes of `source` with `md` (a converter
    `eligible` allows), or None when the page is not of the simple shape."""
    toc = md.treeprocessors["toc"]
    if toc.base_level != 0 or toc.use_anchors:
        return None
    if any(marker in source for marker in (*_NORMALISED, *UNUSUAL)) or _SPACES_LINE.search(source):
        return None
    laid_out = _blocks(_BLANK_LINES.split(source.strip("\n")), md)
    if laid_out is None:
        return None
    parts, headings = laid_out
    ids = set[str]()
    counters: dict[str, int] = {}
    tokens = []
    for at, level, text in headings:  # as toc.TocTreeprocessor.run does for a heading of plain text
        name = strip_tags(text)
        slug = unique(toc.slugify(html.unescape(name), toc.sep), ids, counters)
        if _ATTRIBUTE_SAFE.fullmatch(slug) is None:  # one the serializer would escape
            return None
        parts[at] = f'<h{level} id="{slug}">{text}</h{level}>'
        if toc.toc_top <= level <= toc.toc_bottom:
            tokens.append({"level": level, "id": toc_unescape(slug), "name": name, "html": text, "data-toc-label": ""})
    first_is_title = bool(headings) and headings[0][0] == 0 and headings[0][1] == 1
    title = headings[0][2] if first_is_title else None
    return Converted("\n".join(parts).strip(), nest_toc_tokens(tokens), title, ids)


def _blocks(blocks: list[str], md: Markdown) -> tuple[list[str], list[tuple[int, int, str]]] | None:
    """Each block's HTML, headings left empty, and the headings (index in the parts, level, text)."""
    parts: list[str] = []
    headings: list[tuple[int, int, str]] = []
    for block in blocks:
        if block.startswith("<"):
            elements = block_elements(block, md)
            if elements is None:
                return None
            parts.extend(elements)
            parts[-1] += "\n"  # stashed with the blank line after it
        elif block.startswith("#"):
            match = _HEADING.fullmatch(block)
            if match is None or _MARKUP.search(block):
                return None
            headings.append((len(parts), len(match.group(1)), match.group(2)))
            parts.append("")
        elif _plain_line(block):
            parts.append(f"<p>{block}</p>")
        else:
            return None
    return parts, headings


def _plain_line(block: str) -> bool:
    """A single line of text Python-Markdown makes a paragraph of, with nothing to escape or mark up."""
    return (
        "\n" not in block
        and block[:1].isalnum()
        and block == block.rstrip()
        and _MARKUP.search(block) is None
        and _ORDERED_ITEM.match(block) is None
    )
