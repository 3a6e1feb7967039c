"""Catalogue build benchmark: prints per-stage times, the ratio to a bare `mkdocs build` of the
same Markdown, the incremental rebuild time, and the bytes a search costs from a cold cache.

    .venv/bin/python bench/catalog.py [--sizes 1000 10000] [--rounds 1]

Runs our build and the bare build alternately in one process, so both see the same machine.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from catalog_build.build import BuildOptions, build  # noqa: E402
from catalog_build.site import build_site, derived_config  # noqa: E402
from catalog_build.synth import write_synthetic  # noqa: E402

WORK = REPO / "build" / "bench"
QUERY = "cấp giấy phép"  # a typical three-syllable query, typed with diacritics


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def bare_build(config: Path, site: Path) -> float:
    """Plain `mkdocs build` of the Markdown our build produced (same docs, same theme)."""
    shutil.rmtree(site, ignore_errors=True)
    started = time.perf_counter()
    build_site(config, site, dirty=False, progress=False)
    return time.perf_counter() - started


def query_bytes(site: Path, query: str) -> dict[str, int]:
    """Load the search page in Chromium with a cold cache, run the query, sum gzip-compressed bytes."""
    from playwright.sync_api import sync_playwright

    from devstack.static import SiteFiles
    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SiteFiles, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/tim-kiem/?q={query}"
    sizes = {"page": 0, "search": 0, "requests": 0}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        seen: list[tuple[str, int]] = []
        page.on("response", lambda r: seen.append((r.url, len(gzip.compress(r.body(), 6)))) if r.ok else None)
        page.goto(url)
        page.wait_for_selector("[data-portal-search-results] li", timeout=30_000)
        page.wait_for_load_state("networkidle")
        browser.close()
    server.shutdown()
    for request_url, size in seen:
        sizes["search" if "/pagefind/" in request_url else "page"] += size
        sizes["requests"] += 1
    return sizes


def bench_size(count: int, rounds: int) -> dict[str, float]:
    data = WORK / f"data-{count}"
    write_synthetic(data, count, seed=1, base_data=REPO / "data")
    ours_ws, bare_ws = WORK / f"ours-{count}", WORK / f"bare-{count}"
    for ws in (ours_ws, bare_ws):
        shutil.rmtree(ws, ignore_errors=True)
    config = derived_config(REPO / "mkdocs.yml", ours_ws)
    options = BuildOptions(data_dir=data, config_file=config, work_dir=ours_ws / "work", progress=False)
    bare_config = derived_config(REPO / "mkdocs.yml", bare_ws)
    ours, bare, stages = [], [], []
    for _ in range(rounds):
        shutil.rmtree(options.work_dir, ignore_errors=True)  # cold: no record cache, no state
        started = time.perf_counter()
        report = build(options)
        ours.append(time.perf_counter() - started)
        stages.append(report.seconds)
        # the bare build gets exactly the Markdown ours produced
        shutil.rmtree(bare_ws / "docs", ignore_errors=True)
        shutil.copytree(ours_ws / "docs", bare_ws / "docs")
        bare.append(bare_build(bare_config, bare_ws / "site"))
    target = data / "procedures" / f"9.{count // 2:06d}.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("name: ", "name: Sửa đổi ", 1), encoding="utf-8")
    started = time.perf_counter()
    incremental = build(options)
    incremental_seconds = time.perf_counter() - started
    entry = json.loads((ours_ws / "site" / "pagefind" / "pagefind-entry.json").read_text())
    indexed = entry["languages"]["vi"]["page_count"]
    files, size = folder_size(ours_ws / "site")
    query = query_bytes(ours_ws / "site", QUERY)
    stage = {k: statistics.median(s[k] for s in stages) for k in stages[0]}
    return {
        "procedures": count,
        "ours_s": statistics.median(ours),
        "bare_s": statistics.median(bare),
        **{f"stage_{k}": v for k, v in stage.items()},
        "incremental_s": incremental_seconds,
        "incremental_mode": incremental.site_mode,
        "incremental_rerendered": incremental.rerendered,
        "indexed_after_incremental": indexed,
        "site_files": files,
        "site_mb": size / 1e6,
        **{f"query_{k}": v for k, v in query.items()},
    }


def show(result: dict) -> None:
    n = result["procedures"]
    ratio = result["ours_s"] / result["bare_s"]
    print(f"\n== {n:,} procedures ==")
    print(f"full build (ours)        {result['ours_s']:7.1f} s   {1000 * result['ours_s'] / n:6.2f} ms/procedure")
    for key, value in result.items():
        if key.startswith("stage_"):
            print(f"  {key[6:]:<22} {value:7.2f} s")
    print(f"bare mkdocs build        {result['bare_s']:7.1f} s")
    print(f"ratio ours / bare        {ratio:7.2f} x   (budget <= 1.30)")
    print(
        f"incremental, 1 changed   {result['incremental_s']:7.2f} s   ({result['incremental_mode']}, "
        f"{result['incremental_rerendered']} page(s) re-rendered; budget <= 5 s)"
    )
    print(f"search index pages       {result['indexed_after_incremental']:7d}     (after the incremental build)")
    print(f"site                     {result['site_files']:7d} files, {result['site_mb']:.0f} MB")
    search_kb, page_kb = result["query_search"] / 1000, result["query_page"] / 1000
    print(
        f"query '{QUERY}' cold   search {search_kb:6.1f} KB gzip + page {page_kb:6.1f} KB "
        f"({result['query_requests']} requests; budget <= 300 KB for the search)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for count in args.sizes:
        result = bench_size(count, args.rounds)
        show(result)
        results.append(result)
    (WORK / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
