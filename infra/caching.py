"""How each file of the built site is served: content type and cache lifetime.

One definition for both the publisher (which sets `Content-Type` and `Cache-Control` on every
object) and the CDN (whose cache policies honour those headers within their bounds).

- fingerprinted files (the name carries a content hash: Material's `bundle.<hash>.min.js`,
  Pagefind's `pagefind/{fragment,index,filter}/…` and `*.pf_meta`, in each shard's `pagefind/s<n>/`
  too) never change: cached for a year;
- the service worker and the web manifest are revalidated on every load, so a new version is
  picked up at once;
- everything else (HTML, JSON exports, Pagefind's unhashed entry and loaders) for five minutes;
  the publisher invalidates changed paths in the CDN, so edge copies are refreshed at publish time.
"""

from __future__ import annotations

import mimetypes
import re

LONG_SECONDS = 365 * 24 * 3600
SHORT_SECONDS = 300
LONG = f"public, max-age={LONG_SECONDS}, immutable"
SHORT = f"public, max-age={SHORT_SECONDS}"
REVALIDATE = "no-cache"

# CDN path patterns whose cache may keep objects a year (each object's own header still decides).
LONG_PATTERNS = (
    "assets/javascripts/*",
    "assets/stylesheets/*",
    "pagefind/fragment/*",
    "pagefind/index/*",
    "pagefind/filter/*",
    "pagefind/*.pf_meta",  # CloudFront's * crosses slashes: the shards' metadata too
    "pagefind/s*/fragment/*",
    "pagefind/s*/index/*",
    "pagefind/s*/filter/*",
)

REVALIDATED_PATHS = frozenset({"sw.js", "manifest.webmanifest"})
_FINGERPRINTED = (
    re.compile(r"^assets/(javascripts|stylesheets)/(.+/)?[^/]+\.[0-9a-f]{8}\.min\.(js|css)(\.map)?$"),
    re.compile(r"^pagefind/(s[0-9]+/)?(fragment|index|filter)/"),
    re.compile(r"^pagefind/(s[0-9]+/)?[^/]+\.pf_meta$"),
)

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".jsonl": "application/jsonl; charset=utf-8",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".gz": "application/gzip",
    ".pagefind": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
}
# The Atom feed of recently updated procedures (see catalog_build/exports.py).
SPECIAL_TYPES = {"du-lieu/thay-doi.xml": "application/atom+xml; charset=utf-8"}


def is_fingerprinted(key: str) -> bool:
    return any(pattern.search(key) for pattern in _FINGERPRINTED)


def cache_control(key: str) -> str:
    if key in REVALIDATED_PATHS:
        return REVALIDATE
    if is_fingerprinted(key):
        return LONG
    return SHORT


def content_type(key: str) -> str:
    if key in SPECIAL_TYPES:
        return SPECIAL_TYPES[key]
    suffix = "." + key.rsplit(".", 1)[-1].lower() if "." in key.rsplit("/", 1)[-1] else ""
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(key)
    return guessed or "application/octet-stream"
