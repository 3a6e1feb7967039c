"""CloudFront invalidations: only the changed paths, in batches; everything (`/*`) past a threshold.

CloudFront allows 3,000 file paths in progress per distribution and bills paths beyond 1,000 a
month, while `/*` counts as one path: above the threshold one wildcard is cheaper and faster.
"""

from __future__ import annotations

import time
from typing import Any

BATCH = 1000
COLLAPSE_ABOVE = 2000


def batches(paths: list[str], batch: int = BATCH, collapse_above: int = COLLAPSE_ABOVE) -> list[list[str]]:
    if not paths:
        return []
    if len(paths) > collapse_above:
        return [["/*"]]
    return [paths[start : start + batch] for start in range(0, len(paths), batch)]


def invalidate(cloudfront: Any, distribution: str, groups: list[list[str]]) -> list[str]:
    """Create one invalidation per group; returns their ids."""
    ids = []
    stamp = time.time_ns()
    for number, group in enumerate(groups):
        answer = cloudfront.create_invalidation(
            DistributionId=distribution,
            InvalidationBatch={
                "Paths": {"Quantity": len(group), "Items": group},
                "CallerReference": f"publish-{stamp}-{number}",
            },
        )
        ids.append(answer["Invalidation"]["Id"])
    return ids
