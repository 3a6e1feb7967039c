"""`python -m infra.publish --bucket B --distribution D [--dry-run]`: publish build/site.

Uploads only files whose content changed (with their Content-Type and Cache-Control), deletes
files no longer in the build, then invalidates the changed paths in CloudFront. `--dry-run`
prints the plan and changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra import REPO
from infra.publish import cdn
from infra.publish.plan import Plan, make_plan, remote_etags, scan


def publish(
    s3: Any,
    cloudfront: Any,
    *,
    bucket: str,
    distribution: str,
    site_dir: Path,
    dry_run: bool = False,
    force: bool = False,
    say: Callable[[str], None] = print,
) -> Plan:
    plan = make_plan(scan(site_dir), remote_etags(s3, bucket), force=force)
    groups = cdn.batches(plan.invalidation_paths())
    verb = "would" if dry_run else "will"
    say(f"{len(plan.uploads)} to upload, {len(plan.deletions)} to delete, {plan.unchanged} unchanged")
    for item in plan.uploads:
        say(f"upload {item.key}  [{item.content_type}; {item.cache_control}]")
    for key in plan.deletions:
        say(f"delete {key}")
    say(f"{verb} invalidate {sum(len(group) for group in groups)} path(s) in {len(groups)} request(s)")
    if dry_run:
        return plan
    for item in plan.uploads:
        with item.path.open("rb") as body:
            s3.put_object(
                Bucket=bucket, Key=item.key, Body=body, ContentType=item.content_type, CacheControl=item.cache_control
            )
    for start in range(0, len(plan.deletions), 1000):
        chunk = plan.deletions[start : start + 1000]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True})
    for invalidation in cdn.invalidate(cloudfront, distribution, groups):
        say(f"invalidation {invalidation} created")
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.publish", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bucket", required=True, help="the site bucket (stack output SiteBucket)")
    parser.add_argument("--distribution", required=True, help="the CloudFront distribution id (output Distribution)")
    parser.add_argument("--site", type=Path, default=REPO / "build" / "site", help="default build/site")
    parser.add_argument("--region", default=None)
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument("--force", action="store_true", help="upload every file (after a change of cache rules)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(f"error: {args.site} holds no built site; run `make build` first", file=sys.stderr)
        return 1
    import boto3

    publish(
        boto3.client("s3", region_name=args.region),
        boto3.client("cloudfront"),
        bucket=args.bucket,
        distribution=args.distribution,
        site_dir=args.site,
        dry_run=args.dry_run,
        force=args.force,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
