"""Catalogue benchmarks, each side by side with its baseline in one run (this machine is noisy):

- import: `catalog_build import` of N synthetic records in the national API format, per 1,000
  records, against merely parsing the same JSON and writing it out as YAML;
- the shipped catalogue (data/): a cold build, a build with nothing changed, and the bytes the
  first search costs from a cold cache;
- synthetic catalogues of 1,000 and 10,000 procedures: per-stage times, the ratio to a bare
  `mkdocs build` of the same Markdown, peak memory of each, the one-change rebuild, the size of the
  output, a cold search;
- the search index alone (`--shards`), on the shipped catalogue and the largest synthetic one: for
  one shard (the index before sharding) and each shard size aimed at, side by side in each round,
  Pagefind's time after one procedure's stub changed and from cold, then the bytes of first searches.

Each build runs in a fresh process (spawned), so that its peak resident memory is its own: the
build's process and, apart, the largest of its children (page workers, Pagefind, Node).

    .venv/bin/python bench/catalog.py [--sizes 1000 10000] [--rounds 1] [--import-records 1000] [--skip-shipped]
                                      [--shards 1250 2500 5000]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from catalog_build import search_index  # noqa: E402
from catalog_build.build import BuildOptions, build  # noqa: E402
from catalog_build.importer.run import ImportOptions, run_import  # noqa: E402
from catalog_build.site import build_site, derived_config  # noqa: E402
from catalog_build.synth import write_api_records, write_synthetic  # noqa: E402

WORK = REPO / "build" / "bench"
QUERY = "cấp giấy phép"  # a typical three-syllable query, typed with diacritics
SHIPPED_QUERIES = ("lam ho chieu", "cấp giấy phép", "so do", "dang ky khai sinh", "rut bhxh mot lan")


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _measured(kind: str, args: dict, queue: multiprocessing.Queue) -> None:
    """In a spawned process: one build, its wall time, stages and peak memory."""
    if kind != "ours":
        shutil.rmtree(args["site"], ignore_errors=True)  # not timed: MkDocs would empty it itself
    settle()
    started = time.perf_counter()
    result: dict = {}
    if kind == "ours":
        report = build(BuildOptions(**args))
        result.update(seconds=report.seconds, mode=report.site_mode, rerendered=report.rerendered)
    else:
        build_site(args["config"], args["site"], dirty=False, progress=False)
    result["wall"] = time.perf_counter() - started
    result["rss_mb"] = peak_rss_kb() / 1024
    result["children_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    queue.put(result)


def peak_rss_kb() -> int:
    """This process's peak resident memory since it started its program (VmHWM). Not ru_maxrss:
    Linux carries into it the memory of the process that forked it (here the benchmark itself)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measured(kind: str, **args) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measured, args=(kind, args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def settle() -> None:
    """Write out what earlier builds left in the page cache (hundreds of MB at 10,000), so that the
    kernel does not flush it during the next measurement and charge it to that build."""
    os.sync()


def command_line_rebuild(options: dict) -> float:
    """The same rebuild as a maintainer runs it (interpreter start and imports included)."""
    settle()
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "catalog_build",
            "build",
            "--quiet",
            "--data",
            str(options["data_dir"]),
            "--config",
            str(options["config_file"]),
            "--work",
            str(options["work_dir"]),
        ],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
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
    options = {"data_dir": data, "config_file": config, "work_dir": ours_ws / "work", "progress": False}
    bare_config = derived_config(REPO / "mkdocs.yml", bare_ws)
    ours, bare = [], []
    for _ in range(rounds):
        shutil.rmtree(options["work_dir"], ignore_errors=True)  # cold: no record cache, no state
        ours.append(measured("ours", **options))
        # the bare build gets exactly the Markdown ours produced, and the open data it copies
        shutil.rmtree(bare_ws / "docs", ignore_errors=True)
        shutil.copytree(ours_ws / "docs", bare_ws / "docs")
        shutil.copytree(ours_ws / "work" / "exports" / "du-lieu", bare_ws / "docs" / "du-lieu", dirs_exist_ok=True)
        bare.append(measured("bare", config=bare_config, site=bare_ws / "site"))
    # One procedure's name changed, once per round (a different procedure each time); the median.
    rebuilds, command_lines = [], []
    for round_ in range(rounds):
        target = data / "procedures" / f"9.{count // 2 + round_:06d}.yaml"
        text = target.read_text(encoding="utf-8")
        target.write_text(text.replace("name: ", "name: Sửa đổi ", 1), encoding="utf-8")
        rebuilds.append(measured("ours", **options))
        target.write_text(text.replace("name: ", "name: Sửa lại ", 1), encoding="utf-8")
        command_lines.append(command_line_rebuild(options))
    rebuild_walls = [r["wall"] for r in rebuilds]
    incremental = rebuilds[rebuild_walls.index(statistics.median_low(rebuild_walls))]
    from_command_line = statistics.median(command_lines)
    indexed = search_index.indexed_pages(ours_ws / "site" / "pagefind")
    files, size = folder_size(ours_ws / "site")
    bare_files, bare_size = folder_size(bare_ws / "site")
    query = query_bytes(ours_ws / "site", QUERY)
    walls = [r["wall"] for r in ours]
    median = ours[walls.index(statistics.median_low(walls))]
    return {
        "procedures": count,
        "round_ratios": [o["wall"] / b["wall"] for o, b in zip(ours, bare, strict=True)],
        "rebuild_walls": rebuild_walls,
        "ours_s": median["wall"],
        "bare_s": statistics.median(r["wall"] for r in bare),
        **{f"stage_{k}": v for k, v in median["seconds"].items()},
        "ours_rss_mb": median["rss_mb"],
        "ours_children_rss_mb": median["children_rss_mb"],
        "bare_rss_mb": max(r["rss_mb"] for r in bare),
        "incremental_s": incremental["wall"],
        "incremental_cli_s": from_command_line,
        **{f"incremental_stage_{k}": v for k, v in incremental["seconds"].items()},
        "incremental_mode": incremental["mode"],
        "incremental_rerendered": incremental["rerendered"],
        "indexed_after_incremental": indexed,
        "site_files": files,
        "site_mb": size / 1e6,
        "bare_site_files": bare_files,
        "bare_site_mb": bare_size / 1e6,
        **{f"query_{k}": v for k, v in query.items()},
    }


RATIO_BUDGET = {1000: 0.8, 10000: 0.6}


def show(result: dict) -> None:
    n = result["procedures"]
    ratio = result["ours_s"] / result["bare_s"]
    budget = RATIO_BUDGET.get(n)
    print(f"\n== {n:,} procedures ==")
    wall_budget = "; budget <= 45 s" if n == 10000 else ""
    print(
        f"full build (ours)        {result['ours_s']:7.1f} s   "
        f"{1000 * result['ours_s'] / n:6.2f} ms/procedure{wall_budget}"
    )
    for key, value in result.items():
        if key.startswith("stage_"):
            print(f"  {key[6:]:<22} {value:7.2f} s")
    print(f"bare mkdocs build        {result['bare_s']:7.1f} s   (median)")
    print(f"ratio ours / bare        {ratio:7.2f} x" + (f"   (budget <= {budget})" if budget else ""))
    if len(result["round_ratios"]) > 1:
        # Each round's two builds ran one after the other, so their ratio shares the machine's load
        # of the moment; the median of those is the steadier figure on a shared machine.
        rounds = ", ".join(f"{r:.2f}" for r in result["round_ratios"])
        paired = statistics.median(result["round_ratios"])
        rebuilds = ", ".join(f"{w:.2f}" for w in result["rebuild_walls"])
        print(f"  each round: ratio {rounds} (median {paired:.2f}); one-change rebuild {rebuilds} s")
    print(
        f"peak RSS                 ours {result['ours_rss_mb']:.0f} MB "
        f"(largest child {result['ours_children_rss_mb']:.0f} MB, with what a forked worker shares), "
        f"bare {result['bare_rss_mb']:.0f} MB"
    )
    print(
        f"rebuild, 1 changed       {result['incremental_s']:7.2f} s   ({result['incremental_mode']}, "
        f"{result['incremental_rerendered']} page(s) re-rendered; budget <= 2 s); from the command line "
        f"{result['incremental_cli_s']:.2f} s"
    )
    stages = ", ".join(f"{k[18:]} {v:.2f}" for k, v in result.items() if k.startswith("incremental_stage_"))
    print(f"  stages                 {stages}")
    print(f"search index pages       {result['indexed_after_incremental']:7d}     (after the incremental build)")
    print(
        f"site                     {result['site_files']:7d} files, {result['site_mb']:.0f} MB "
        f"(bare: {result['bare_site_files']} files, {result['bare_site_mb']:.0f} MB)"
    )
    search_kb, page_kb = result["query_search"] / 1000, result["query_page"] / 1000
    print(
        f"query '{QUERY}' cold   search {search_kb:6.1f} KB gzip + page {page_kb:6.1f} KB "
        f"({result['query_requests']} requests; budget <= 250 KB for the search)"
    )


ONE_SHARD = 1_000_000  # a shard size aimed at that makes one shard: the index as it was before sharding


def index_once(stubs: Path, root: Path, slugs: set[str], touched: set[str], target: int) -> tuple[float, int]:
    """Pagefind over the shards `touched` falls in (all, from nothing, when `touched` is empty), as a
    build runs it; its wall time and the number of shards it ran."""
    before = os.environ.get(search_index.SHARD_SIZE_VARIABLE)
    os.environ[search_index.SHARD_SIZE_VARIABLE] = str(target)
    try:
        plan = search_index.plan_index(root, slugs, touched, reuse=bool(touched), fresh=not touched)
        started = time.perf_counter()
        search_index.wait_indexing(search_index.start_indexing(stubs, plan))
        return time.perf_counter() - started, len(plan.dirty)
    finally:
        if before is None:
            del os.environ[search_index.SHARD_SIZE_VARIABLE]
        else:
            os.environ[search_index.SHARD_SIZE_VARIABLE] = before


def bench_shards(workspace: Path, label: str, targets: list[int], rounds: int, queries: tuple[str, ...]) -> dict:
    """The search index of a built workspace, in one shard and at each shard size aimed at.

    Each round, side by side: every variant from cold (all its shards at once), then one stub
    changed (a different procedure each round) and every variant again. Then the first searches,
    each variant published in turn into the workspace's site (its own index is put back after).
    """
    stubs, site = workspace / "work" / "search-src", workspace / "site"
    slugs = {path.stem for path in (stubs / "thu-tuc").glob("*.html")}
    variants = [ONE_SHARD, *targets]
    roots = {target: WORK / "index" / label / str(target) for target in variants}
    cold: dict[int, list[float]] = {target: [] for target in variants}
    warm: dict[int, list[float]] = {target: [] for target in variants}
    shards: dict[int, tuple[int, int]] = {}
    originals: dict[Path, str] = {}
    for round_ in range(rounds):
        for target in variants:
            seconds, count = index_once(stubs, roots[target], slugs, set(), target)
            cold[target].append(seconds)
            shards[target] = (count, 0)
        slug = sorted(slugs)[len(slugs) // 3 + round_]
        stub = stubs / "thu-tuc" / f"{slug}.html"
        originals[stub] = stub.read_text(encoding="utf-8")
        stub.write_text(originals[stub].replace("<p>", f"<p>sua{round_} ; ", 1), encoding="utf-8")
        for target in variants:
            seconds, count = index_once(stubs, roots[target], slugs, {slug}, target)
            warm[target].append(seconds)
            shards[target] = (shards[target][0], count)
    result: dict = {"label": label, "procedures": len(slugs), "variants": []}
    for target in variants:
        search_index.publish_index(roots[target], site / "pagefind")
        searched = {query: query_bytes(site, query)["search"] for query in queries}
        result["variants"].append(
            {
                "target": target,
                "shards": shards[target][0],
                "reindexed_shards": shards[target][1],
                "cold_s": statistics.median(cold[target]),
                "one_change_s": statistics.median(warm[target]),
                "one_change_rounds": warm[target],
                "search_bytes": searched,
            }
        )
    search_index.publish_index(workspace / "work" / "pagefind", site / "pagefind")
    for stub, text in originals.items():  # the workspace's stubs as its build wrote them
        stub.write_text(text, encoding="utf-8")
    return result


def show_shards(result: dict) -> None:
    print(f"\n== search index in shards: {result['label']} ({result['procedures']:,} procedures) ==")
    print("shard size aimed at   shards   one change (shards run)   cold, all at once   first search, KB gzip")
    for variant in result["variants"]:
        target = "one (before sharding)" if variant["target"] == ONE_SHARD else f"{variant['target']:,}"
        rounds = ", ".join(f"{s:.2f}" for s in variant["one_change_rounds"])
        searches = ", ".join(f"{q!r} {b / 1000:.0f}" for q, b in variant["search_bytes"].items())
        one_change = f"{variant['one_change_s']:6.2f} s ({variant['reindexed_shards']}; {rounds})"
        print(f"{target:<21} {variant['shards']:6d}   {one_change}   {variant['cold_s']:6.2f} s   {searches}")


def bench_import(count: int) -> dict[str, float]:
    """Import N API-format records into a fresh data folder, against json.loads + yaml.dump of the same files."""
    import yaml

    records = WORK / f"api-{count}"
    shutil.rmtree(records, ignore_errors=True)
    files = write_api_records(records, count, seed=1, base_data=REPO / "data")
    baseline_out = WORK / f"yaml-{count}"
    shutil.rmtree(baseline_out, ignore_errors=True)
    baseline_out.mkdir(parents=True)
    started = time.perf_counter()
    for path in files:
        raw = json.loads(path.read_bytes())
        text = yaml.dump(raw, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
        (baseline_out / f"{path.stem}.yaml").write_text(text, encoding="utf-8")
    baseline = time.perf_counter() - started
    data = WORK / f"import-data-{count}"
    shutil.rmtree(data, ignore_errors=True)
    (data / "procedures").mkdir(parents=True)
    for folder in ("agencies", "sectors"):
        shutil.copytree(REPO / "data" / folder, data / folder)
    started = time.perf_counter()
    cache = WORK / f"import-cache-{count}.pickle"
    cache.unlink(missing_ok=True)
    report = run_import(ImportOptions(sources=[str(records)], data_dir=data, cache_file=cache))
    cold = time.perf_counter() - started
    started = time.perf_counter()
    again = run_import(ImportOptions(sources=[str(records)], data_dir=data, cache_file=cache))
    unchanged = time.perf_counter() - started
    assert len(report.added) == count and again.unchanged == count, "the import did not add, then keep, every record"
    return {"records": count, "baseline_s": baseline, "import_s": cold, "reimport_s": unchanged}


def show_import(result: dict) -> None:
    per = 1000 / result["records"]
    print(f"\n== import of {result['records']:,} API-format records ==")
    print(f"json.loads + yaml.dump       {result['baseline_s'] * per:6.2f} s per 1,000")
    print(
        f"catalog_build import (new)   {result['import_s'] * per:6.2f} s per 1,000   "
        f"{result['import_s'] / result['baseline_s']:5.2f} x the baseline (aim <= 2)"
    )
    print(
        f"same records again (no change) {result['reimport_s'] * per:4.2f} s per 1,000   "
        f"{result['reimport_s'] / result['baseline_s']:5.2f} x"
    )


def bench_shipped() -> dict[str, float]:
    """The shipped catalogue: a cold build, then a build with nothing changed, then cold searches."""
    ws = WORK / "shipped"
    shutil.rmtree(ws, ignore_errors=True)
    config = derived_config(REPO / "mkdocs.yml", ws)
    options = {"data_dir": REPO / "data", "config_file": config, "work_dir": ws / "work", "progress": False}
    report = measured("ours", **options)
    again = measured("ours", **options)
    result = {
        "procedures": len(list((REPO / "data" / "procedures").glob("*.yaml"))),
        "cold_s": report["wall"],
        "rss_mb": report["rss_mb"],
        "unchanged_s": again["wall"],
        "unchanged_mode": again["mode"],
    }
    result.update({f"stage_{k}": v for k, v in report["seconds"].items()})
    for query in SHIPPED_QUERIES:
        sizes = query_bytes(ws / "site", query)
        result[f"search:{query}"] = sizes["search"]
        result[f"page:{query}"] = sizes["page"]
    return result


def show_shipped(result: dict) -> None:
    print(f"\n== shipped catalogue ({result['procedures']:,} procedures) ==")
    print(f"cold build                   {result['cold_s']:7.1f} s   (peak RSS {result['rss_mb']:.0f} MB)")
    for key, value in result.items():
        if key.startswith("stage_"):
            print(f"  {key[6:]:<26} {value:7.2f} s")
    print(f"build with nothing changed   {result['unchanged_s']:7.1f} s   ({result['unchanged_mode']})")
    for query in SHIPPED_QUERIES:
        print(
            f"first search {query!r:<16} search {result[f'search:{query}'] / 1000:6.1f} KB gzip + page "
            f"{result[f'page:{query}'] / 1000:5.1f} KB (budget <= 150 KB for the search)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--import-records", type=int, default=1000, help="0 to skip the import benchmark")
    parser.add_argument("--skip-shipped", action="store_true", help="skip the shipped catalogue's builds and searches")
    parser.add_argument(
        "--shards",
        type=int,
        nargs="*",
        default=[],
        metavar="SIZE",
        help="shard sizes aimed at to compare with one shard, on the shipped catalogue and the largest of --sizes",
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    if args.import_records:
        results.append(bench_import(args.import_records))
        show_import(results[-1])
    if not args.skip_shipped:
        results.append(bench_shipped())
        show_shipped(results[-1])
    for count in args.sizes:
        result = bench_size(count, args.rounds)
        show(result)
        results.append(result)
    if args.shards:
        if not args.skip_shipped:
            results.append(bench_shards(WORK / "shipped", "shipped", args.shards, args.rounds, SHIPPED_QUERIES))
            show_shards(results[-1])
        if args.sizes:
            largest = max(args.sizes)
            results.append(
                bench_shards(WORK / f"ours-{largest}", f"{largest:,} synthetic", args.shards, args.rounds, (QUERY,))
            )
            show_shards(results[-1])
    (WORK / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
