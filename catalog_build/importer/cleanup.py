"""Cleaning the national data's free text: HTML fragments to Markdown-like plain text, bullets and
"Bước N:" markers to steps, the portal's placeholders and leftover page text removed.

The result is plain text whose lines may start with "- " (a list item); the catalogue's templates
render such text as paragraphs and lists.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser

# What the portal prints for an empty cell, and equivalents that mean "nothing here".
EMPTY_MARKERS = frozenset(
    {
        "không có thông tin",
        "không có",
        "không",
        "không quy định",
        "chưa quy định",
        "--",
        "-",
        ".",
    }
)
_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u200b\ufeff]+")
_BULLET = re.compile(r"^\s*(?:[-+•*–—]|\uf0b7|\uf02d)\s*")
_STEP_MARKER = re.compile(r"(?:^|(?<=[\s.;:]))[-+•*]?\s*Bước\s*(\d{1,2})\s*[:.)–-]?\s*", re.IGNORECASE)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_BLOCK_TAGS = frozenset({"p", "div", "br", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"})


def normalise(text: str) -> str:
    """NFC, one kind of space, no tabs or zero-width characters, trimmed lines."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def is_empty(text: str | None) -> bool:
    return text is None or normalise(text).strip(" .;:").lower() in EMPTY_MARKERS | {""}


def clean(text: str | None) -> str | None:
    """One cleaned text, or None for an empty cell or a placeholder."""
    if text is None:
        return None
    text = normalise(html_to_text(text))
    return None if is_empty(text) else text


def one_line(text: str | None) -> str | None:
    cleaned = clean(text)
    return None if cleaned is None else " ".join(cleaned.split())


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS or tag == "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(text: str) -> str:
    """HTML fragments (which some national records carry) to lines, list items as "- " lines."""
    if not _TAG.search(text):
        return unescape(text) if "&" in text else text
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    return re.sub(r"\n{2,}", "\n", "".join(parser.parts))


def lines(text: str | None) -> list[str]:
    cleaned = clean(text)
    return [] if cleaned is None else [line for line in cleaned.split("\n") if not is_empty(line)]


def strip_bullet(line: str) -> str:
    return _BULLET.sub("", line).strip()


def items(text: str | None) -> list[str]:
    """A list cell (requirements): one item per top-level line; "+" lines stay with their item."""
    result: list[str] = []
    for line in lines(text):
        sub = line.lstrip().startswith("+")
        body = strip_bullet(line)
        if not body:
            continue
        if sub and result:
            result[-1] += "\n- " + body
        else:
            result.append(body)
    return result


def steps(text: str | None) -> list[str]:
    """Steps from a "trình tự thực hiện" text.

    With "Bước N" markers, each marker starts a step and what follows (sub-bullets included)
    belongs to it; text before the first marker is a step of its own. Without markers, each
    top-level line is a step and "+" lines are sub-items of the step above.
    """
    cleaned = clean(text)
    if cleaned is None:
        return []
    markers = list(_STEP_MARKER.finditer(cleaned))
    if not markers:
        return items(cleaned)
    found = []
    head = cleaned[: markers[0].start()]
    if _join_lines(head):
        found.append(_join_lines(head))
    for index, marker in enumerate(markers):
        end = markers[index + 1].start() if index + 1 < len(markers) else len(cleaned)
        body = _join_lines(cleaned[marker.end() : end])
        if body:
            found.append(body)
    return found


def _join_lines(text: str) -> str:
    """The first line as the step, later lines as its sub-items."""
    parts = [strip_bullet(line) for line in text.split("\n")]
    parts = [part for part in parts if part and not is_empty(part)]
    if not parts:
        return ""
    return "\n- ".join(parts)


def sentence_case(name: str) -> str:
    """Names typed in capitals ("THỦ TỤC QUỸ TỰ GIẢI THỂ (Cấp xã)") to sentence case; others as they are."""
    letters = [c for c in name if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < 0.7 * len(letters):
        return name
    words = name.split(" ")
    lowered = [word.lower() if word.isupper() else word for word in words]
    text = " ".join(lowered)
    return text[:1].upper() + text[1:]


def split_list(text: str | None) -> list[str]:
    """A comma- or semicolon-separated list of short values."""
    cleaned = one_line(text)
    if cleaned is None:
        return []
    return [part.strip() for part in re.split(r"[;,]", cleaned) if part.strip() and not is_empty(part)]


_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
_SYLLABLE = re.compile(rf"^{_ONSET}[aeiouy]{{1,3}}(?:ch|nh|ng|[cmnpt])?$")


def is_syllable(word: str) -> bool:
    """Whether a word (any case, with or without diacritics) is one Vietnamese syllable: tells a
    word boundary lost when the portal ran table cells together ("QH14Thông" = QH14 + Thông)."""
    folded = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    plain = "".join(c for c in folded if unicodedata.category(c) != "Mn")
    return bool(_SYLLABLE.match(plain))


_CONDITIONS = ("nếu có", "trường hợp", "đối với người", "(nếu")
_MONEY = re.compile(r"\d{1,3}(?:[.,]\d{3})+\s*(?:đồng|đ\b|vnđ|việt nam đồng)", re.IGNORECASE)


def is_conditional(document_name: str) -> bool:
    """A document asked for only in some cases ("(nếu có)", "trường hợp ...", "đối với người chưa
    đủ 14 tuổi"): not required of everyone. Only the first clause counts: a required form's name
    often goes on to say how people in some case fill it in. Every record of the national API says
    `required: false` and the pages say nothing, so this wording is all there is to go on."""
    first_clause = re.split(r"[;:]|\.\s", document_name, maxsplit=1)[0].lower()  # what the document is
    return any(marker in first_clause for marker in _CONDITIONS)


def names_an_amount(text: str | None) -> bool:
    """Whether a fee's words give an amount ("135.000 đồng/lần") although its figure says free:
    the portal prints "Miễn phí" for a zero figure, so then the amount is unknown, not zero."""
    return bool(text and _MONEY.search(text))
