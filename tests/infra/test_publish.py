"""Publishing build/site: only changed files go up, removed ones go away, the CDN forgets only those."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra import caching
from infra.publish import cdn
from infra.publish.__main__ import publish
from infra.publish.plan import invalidation_paths

BUCKET = "dvc-test-site"
SITE = {
    "index.html": "<h1>Trang chủ</h1>",
    "thu-tuc/1.001193/index.html": "<h1>Đăng ký khai sinh</h1>",
    "assets/javascripts/bundle.a5f9d56c.min.js": "console.log(1)",
    "pagefind/fragment/vi_12ab1b5.pf_fragment": "fragment",
    "pagefind/pagefind-entry.json": "{}",
    "du-lieu/thay-doi.xml": "<feed/>",
    "sw.js": "self.addEventListener('fetch', () => {})",
}


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any, str]]:
    with mock_aws():
        s3 = boto3.client("s3", region_name="ap-southeast-1")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
        cloudfront = boto3.client("cloudfront", region_name="us-east-1")
        distribution = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": "test",
                "Comment": "",
                "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": f"{BUCKET}.s3.amazonaws.com"}]},
                "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
            }
        )["Distribution"]["Id"]
        yield s3, cloudfront, distribution


def write_site(root: Path, files: dict[str, str]) -> Path:
    for key, text in files.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_text(text, encoding="utf-8")
    return root


def run(aws: tuple[Any, Any, str], site: Path, **options: Any) -> tuple[Any, list[str]]:
    s3, cloudfront, distribution = aws
    lines: list[str] = []
    plan = publish(s3, cloudfront, bucket=BUCKET, distribution=distribution, site_dir=site, say=lines.append, **options)
    return plan, lines


def invalidated(aws: tuple[Any, Any, str]) -> list[list[str]]:
    _, cloudfront, distribution = aws
    items = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", [])
    return [
        cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])["Invalidation"]["InvalidationBatch"][
            "Paths"
        ]["Items"]
        for item in items
    ]


def test_first_publish_uploads_every_file_with_its_content_type_and_cache_lifetime(aws, tmp_path: Path) -> None:
    site = write_site(tmp_path, SITE)
    plan, _ = run(aws, site)
    s3 = aws[0]
    assert len(plan.uploads) == len(SITE)
    page = s3.head_object(Bucket=BUCKET, Key="thu-tuc/1.001193/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == caching.SHORT
    assert (
        s3.head_object(Bucket=BUCKET, Key="assets/javascripts/bundle.a5f9d56c.min.js")["CacheControl"] == caching.LONG
    )
    assert s3.head_object(Bucket=BUCKET, Key="pagefind/fragment/vi_12ab1b5.pf_fragment")["CacheControl"] == caching.LONG
    assert s3.head_object(Bucket=BUCKET, Key="pagefind/pagefind-entry.json")["CacheControl"] == caching.SHORT
    assert s3.head_object(Bucket=BUCKET, Key="sw.js")["CacheControl"] == "no-cache"
    assert s3.head_object(Bucket=BUCKET, Key="du-lieu/thay-doi.xml")["ContentType"].startswith("application/atom+xml")


def test_next_publish_uploads_only_changed_files_deletes_removed_ones_and_invalidates_only_those(
    aws, tmp_path: Path
) -> None:
    site = write_site(tmp_path, SITE)
    run(aws, site)
    (site / "thu-tuc/1.001193/index.html").write_text("<h1>Đăng ký khai sinh (sửa)</h1>", encoding="utf-8")
    (site / "du-lieu/thay-doi.xml").unlink()
    plan, _ = run(aws, site)
    assert [item.key for item in plan.uploads] == ["thu-tuc/1.001193/index.html"]
    assert plan.deletions == ["du-lieu/thay-doi.xml"]
    assert plan.unchanged == len(SITE) - 2
    keys = {entry["Key"] for entry in aws[0].list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert "du-lieu/thay-doi.xml" not in keys
    first, second = sorted(invalidated(aws), key=len, reverse=True)
    assert len(first) > len(second)
    assert sorted(second) == [
        "/du-lieu/thay-doi.xml",
        "/thu-tuc/1.001193/",
        "/thu-tuc/1.001193/index.html",
    ]


def test_an_unchanged_site_uploads_nothing_and_invalidates_nothing(aws, tmp_path: Path) -> None:
    site = write_site(tmp_path, SITE)
    run(aws, site)
    before = len(invalidated(aws))
    plan, _ = run(aws, site)
    assert plan.uploads == [] and plan.deletions == []
    assert len(invalidated(aws)) == before


def test_dry_run_prints_the_plan_and_changes_nothing(aws, tmp_path: Path) -> None:
    site = write_site(tmp_path, SITE)
    plan, lines = run(aws, site, dry_run=True)
    assert "Contents" not in aws[0].list_objects_v2(Bucket=BUCKET)
    assert invalidated(aws) == []
    assert f"upload sw.js  [text/javascript; charset=utf-8; {caching.REVALIDATE}]" in lines
    assert any(line.startswith("would invalidate") for line in lines)
    assert len(plan.uploads) == len(SITE)


def test_pages_go_up_after_the_assets_they_refer_to_and_the_service_worker_last(aws, tmp_path: Path) -> None:
    plan, _ = run(aws, write_site(tmp_path, SITE), dry_run=True)
    order = [item.key for item in plan.uploads]
    assert order.index("assets/javascripts/bundle.a5f9d56c.min.js") < order.index("index.html")
    assert order[-1] == "sw.js"


def test_a_directory_index_is_invalidated_under_the_address_visitors_use() -> None:
    assert invalidation_paths(["index.html", "a-z/dd/index.html"]) == [
        "/",
        "/a-z/dd/",
        "/a-z/dd/index.html",
        "/index.html",
    ]


def test_invalidations_are_batched_and_collapse_to_everything_above_the_threshold() -> None:
    paths = [f"/thu-tuc/{number}/" for number in range(2500)]
    assert cdn.batches(paths[:1500]) == [paths[:1000], paths[1000:1500]]
    assert cdn.batches(paths) == [["/*"]]
    assert cdn.batches([]) == []


def test_the_builds_compressed_copies_stay_out_of_the_bucket_but_the_sitemaps_gzip_goes_up(aws, tmp_path: Path) -> None:
    site = write_site(tmp_path, {**SITE, "sitemap.xml": "<urlset/>"})
    for key in ("index.html", "sw.js", "sitemap.xml"):
        (site / f"{key}.gz").write_bytes(gzip.compress((site / key).read_bytes()))
    (site / "index.html.br").write_bytes(b"brotli")
    plan, _ = run(aws, site)
    uploaded = {item.key for item in plan.uploads}
    assert uploaded == set(SITE) | {"sitemap.xml", "sitemap.xml.gz"}  # MkDocs' own sitemap.xml.gz is a page
    page = aws[0].get_object(Bucket=BUCKET, Key="index.html")
    assert "ContentEncoding" not in page and page["Body"].read().decode() == SITE["index.html"]
