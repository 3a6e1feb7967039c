"""What a publish would do: compare the built site with the bucket by content hash.

S3 reports an object's MD5 as its ETag when it was stored in one part without KMS (the site
bucket uses SSE-S3 and the publisher uploads each file in one request), so one listing of the
bucket tells what changed; no object is downloaded or even asked for its metadata.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from catalog_build import compress
from infra import caching


@dataclass(frozen=True)
class LocalFile:
    key: str
    path: Path
    md5: str

    @property
    def content_type(self) -> str:
        return caching.content_type(self.key)

    @property
    def cache_control(self) -> str:
        return caching.cache_control(self.key)


@dataclass
class Plan:
    uploads: list[LocalFile] = field(default_factory=list)  # in upload order
    deletions: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed_keys(self) -> list[str]:
        return [item.key for item in self.uploads] + self.deletions

    def invalidation_paths(self) -> list[str]:
        return invalidation_paths(self.changed_keys)


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scan(site_dir: Path) -> dict[str, LocalFile]:
    """The files to publish. The build's compressed copies (`page.html.br`, `.gz`) stay out:
    CloudFront compresses by itself, choosing the encoding per viewer, whereas an object stored
    compressed would go to every viewer as it is (catalog_build/compress.py)."""
    files = sorted(path for path in site_dir.rglob("*") if path.is_file())
    keys = {path.relative_to(site_dir).as_posix(): path for path in files}
    return {
        key: LocalFile(key=key, path=path, md5=_md5(path))
        for key, path in keys.items()
        if not compress.is_copy(key, keys)
    }


def remote_etags(s3: Any, bucket: str) -> dict[str, str]:
    etags = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            etags[entry["Key"]] = entry["ETag"].strip('"')
    return etags


def upload_rank(key: str) -> int:
    """New assets first, then data, then the pages that refer to them, then the service worker:
    a visitor never gets a page that points at a file not uploaded yet."""
    if caching.is_fingerprinted(key):
        return 0
    if key in caching.REVALIDATED_PATHS:
        return 3
    if key.endswith(".html"):
        return 2
    return 1


def make_plan(local: dict[str, LocalFile], remote: dict[str, str], force: bool = False) -> Plan:
    plan = Plan()
    for key, item in local.items():
        if force or remote.get(key) != item.md5:  # a multipart ETag ("…-3") never matches: upload again
            plan.uploads.append(item)
        else:
            plan.unchanged += 1
    plan.uploads.sort(key=lambda item: (upload_rank(item.key), item.key))
    plan.deletions = sorted(set(remote) - set(local))
    return plan


def _viewer_paths(key: str) -> Iterator[str]:
    yield "/" + key
    if key == "index.html":
        yield "/"
    elif key.endswith("/index.html"):
        yield "/" + key[: -len("index.html")]


def invalidation_paths(keys: Iterable[str]) -> list[str]:
    """The URLs viewers use for these keys (a directory's index is also asked for as `dir/`)."""
    paths = {quote(path, safe="/-_.~") for key in keys for path in _viewer_paths(key)}
    return sorted(paths)
