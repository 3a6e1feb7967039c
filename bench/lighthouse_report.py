"""Summarise Lighthouse JSON reports against the site's budgets; exit 1 on a miss.

    .venv/bin/python bench/lighthouse_report.py REPORT_DIR PAGE [PAGE ...]

Reads `REPORT_DIR/<page>-<run>.json` (written by `bench/lighthouse.sh`) and prints, per page, the
median over the runs of each category score, of the largest contentful paint and of the bytes
transferred, then PASS or FAIL against the budgets (DESIGN.md), naming what lost points.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

# category id -> (label, lowest passing score out of 100)
BUDGETS = {
    "performance": ("performance", 95),
    "accessibility": ("accessibility", 100),
    "best-practices": ("best practices", 100),
    "seo": ("SEO", 100),
}
BUSY_FRACTION = 0.6  # a run whose CPU benchmark is this far below the best one was slowed by other work
METRICS = ("first-contentful-paint", "largest-contentful-paint", "speed-index", "total-blocking-time")


def load(report_dir: Path, page: str) -> list[dict]:
    reports = [json.loads(path.read_text()) for path in sorted(report_dir.glob(f"{page}-*.json"))]
    if not reports:
        raise SystemExit(f"{report_dir}: no Lighthouse report for {page!r}")
    for report in reports:
        if report.get("runtimeError"):
            raise SystemExit(f"{page}: Lighthouse failed: {report['runtimeError']}")
    return reports


def score(report: dict, category: str) -> int:
    value = report["categories"][category]["score"]
    return -1 if value is None else round(value * 100)


def losses(reports: list[dict], category: str) -> list[str]:
    """Weighted audits of the category that scored below 1 in any run, with how often."""
    seen: dict[str, tuple[str, int]] = {}
    for report in reports:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                title, count = seen.get(ref["id"], (audit["title"], 0))
                seen[ref["id"]] = (title, count + 1)
    return [f"{audit_id} ({title}; {count}/{len(reports)} runs)" for audit_id, (title, count) in seen.items()]


def summarise(page: str, reports: list[dict]) -> tuple[list[str], bool]:
    audits = [report["audits"] for report in reports]
    scores = {category: statistics.median(score(r, category) for r in reports) for category in BUDGETS}
    lcp = statistics.median(a["largest-contentful-paint"]["numericValue"] for a in audits)
    transferred = statistics.median(a["total-byte-weight"]["numericValue"] for a in audits)
    performance = sorted(score(r, "performance") for r in reports)
    # Lighthouse's own CPU benchmark at the start of each run: low when the machine was busy.
    cpu = sorted(round(r["environment"]["benchmarkIndex"]) for r in reports)
    lines = [
        f"{page:<10} {scores['performance']:>5.0f} {scores['accessibility']:>5.0f} {scores['best-practices']:>5.0f}"
        f" {scores['seo']:>5.0f} {lcp / 1000:>7.2f} s {transferred / 1024:>7.1f} KB"
        f"   (performance {performance[0]}–{performance[-1]}, CPU index {cpu[0]}–{cpu[-1]} across runs;"
        f" {reports[0]['finalDisplayedUrl']})"
    ]
    misses = [f"{label} {scores[c]:.0f} < {floor}" for c, (label, floor) in BUDGETS.items() if scores[c] < floor]
    lines.append(f"  {'FAIL' if misses else 'PASS'} {page}" + (": " + "; ".join(misses) if misses else ""))
    for category, (label, _floor) in BUDGETS.items():
        if category != "performance" and scores[category] < 100:
            lines.extend(f"    {label}: {item}" for item in losses(reports, category))
    if scores["performance"] < BUDGETS["performance"][1]:
        medians = {m: statistics.median(a[m]["numericValue"] for a in audits) for m in METRICS}
        lines.append("    metrics (median ms): " + ", ".join(f"{m} {v:.0f}" for m, v in medians.items()))
    return lines, not misses


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    report_dir, pages = Path(argv[0]), argv[1:]
    all_reports = {page: load(report_dir, page) for page in pages}
    first = next(iter(all_reports.values()))[0]
    settings = first["configSettings"]
    runs = {len(reports) for reports in all_reports.values()}
    throttling = settings["throttling"]
    print(
        f"Lighthouse {first['lighthouseVersion']}, {settings['formFactor']}, {settings['throttlingMethod']} throttling"
        f" (RTT {throttling['rttMs']:.0f} ms, {throttling['throughputKbps'] / 1024:.1f} Mbit/s,"
        f" CPU ×{throttling['cpuSlowdownMultiplier']:g}); {'/'.join(map(str, sorted(runs)))} run(s) per page,"
        " medians shown (the machine is noisy)"
    )
    budget = ", ".join(f"{label} ≥ {floor}" for label, floor in BUDGETS.values())
    print(f"budgets: {budget}")
    print(f"{'page':<10} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} {'LCP':>9} {'bytes':>10}")
    passed = True
    for page, reports in all_reports.items():
        lines, ok = summarise(page, reports)
        print("\n".join(lines))
        passed = passed and ok
    indexes = [r["environment"]["benchmarkIndex"] for reports in all_reports.values() for r in reports]
    busy = [index for index in indexes if index < BUSY_FRACTION * max(indexes)]
    if busy:
        print(
            f"warning: the machine was busy during {len(busy)} of {len(indexes)} runs (CPU index under"
            f" {BUSY_FRACTION:.0%} of the best, {max(indexes):.0f}): their performance is pessimistic;"
            " rerun when it is idle, or with more runs"
        )
    print("PASS: every page meets its budgets" if passed else "FAIL: a page misses its budgets (see above)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
