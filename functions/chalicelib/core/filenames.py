"""File names people send with attachments: kept for display and downloads, never trusted.

A name arrives as the browser (or anyone) sent it: with path parts (`../../etc/passwd`, `C:\\x`),
control characters (NUL, CR/LF that would split a `Content-Disposition` header), bidirectional
overrides that disguise an extension (`hoa-don\u202efdp.exe`), quotes and semicolons. `clean` keeps
the last path segment, in NFC, without control or format characters, quotes, separators or the
characters Windows refuses, without leading dots, at most 200 characters with its extension; an
empty result becomes `tep-dinh-kem`. `content_disposition` writes the header RFC 6266 asks for: an
ASCII fallback and the UTF-8 name (RFC 8187), so Vietnamese names survive the download.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_CHARS = 200
FALLBACK = "tep-dinh-kem"
_UNSAFE = re.compile(r'["*:<>?|;,\\/]')
_SPACES = re.compile(r"\s+")


def clean(name: str) -> str:
    text = unicodedata.normalize("NFC", name)
    text = "".join(" " if char in "\t\r\n" else char for char in text)
    text = "".join(char for char in text if unicodedata.category(char)[0] != "C")  # Cc, Cf, Cs, Co, Cn
    text = re.split(r"[\\/]", text)[-1]
    text = _SPACES.sub(" ", _UNSAFE.sub("_", text)).strip(" .")
    if len(text) > MAX_CHARS:
        stem, dot, extension = text.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        text = (stem if keep else text)[: MAX_CHARS - len(keep) - 1].rstrip(" .") + (f".{keep}" if keep else "")
    return text or FALLBACK


def content_disposition(name: str) -> str:
    safe = clean(name)
    folded = unicodedata.normalize("NFKD", safe.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(char for char in folded if char.isascii() and not unicodedata.combining(char)) or FALLBACK
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"
