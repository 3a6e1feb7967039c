"""Which built files are fingerprinted, and what each is served as."""

from __future__ import annotations

import pytest

from infra import caching


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("assets/javascripts/bundle.a5f9d56c.min.js", caching.LONG),
        ("assets/stylesheets/main.0253249f.min.css", caching.LONG),
        ("assets/javascripts/workers/search.973d3a69.min.js.map", caching.LONG),
        ("pagefind/index/vi_1c1372c.pf_index", caching.LONG),
        ("pagefind/pagefind.vi_1c1372c384.pf_meta", caching.LONG),
        ("pagefind/s3/index/vi_2d2483d.pf_index", caching.LONG),
        ("pagefind/s3/fragment/vi_2d2483d.pf_fragment", caching.LONG),
        ("pagefind/s3/pagefind.vi_2d2483d495.pf_meta", caching.LONG),
        ("pagefind/s3/pagefind-entry.json", caching.SHORT),
        ("pagefind/shards.json", caching.SHORT),
        ("assets/javascripts/lunr/wordcut.js", caching.SHORT),
        ("assets/portal/portal.css", caching.SHORT),
        ("pagefind/pagefind-entry.json", caching.SHORT),
        ("pagefind/pagefind.js", caching.SHORT),
        ("thu-tuc/1.001193/index.html", caching.SHORT),
        ("sw.js", caching.REVALIDATE),
        ("manifest.webmanifest", caching.REVALIDATE),
    ],
)
def test_only_files_named_by_their_content_are_cached_for_a_year(key: str, expected: str) -> None:
    assert caching.cache_control(key) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("du-lieu/danh-muc.csv", "text/csv; charset=utf-8"),
        ("du-lieu/thu-tuc/1.001193.json", "application/json"),
        ("du-lieu/thay-doi.xml", "application/atom+xml; charset=utf-8"),
        ("sitemap.xml.gz", "application/gzip"),
        ("pagefind/wasm.unknown.pagefind", "application/octet-stream"),
        ("manifest.webmanifest", "application/manifest+json"),
        ("LICENSE", "application/octet-stream"),
    ],
)
def test_every_file_gets_a_content_type(key: str, expected: str) -> None:
    assert caching.content_type(key) == expected
