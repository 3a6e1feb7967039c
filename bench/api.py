"""API benchmark: cold import of functions/app.py against its libraries alone, and in-process
requests per second for the token and userinfo endpoints.

    .venv/bin/python bench/api.py [--quick] [--runs 15] [--seconds 2] [--requests 300]

Cold import: fresh interpreters, A (`import app`) and B (the third-party modules app's import graph
loads, imported alone) run alternately so both see the same machine; medians are compared with the
1.3x budget of /work/shared/DESIGN.md. Requests: chalice.test.Client over moto, in this process.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from portal_env import PORTAL_ENV, SCRATCH, UNSET, use_portal_environment

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = REPO / "functions"
BUDGET = 1.3


# Timed inside the child, so interpreter start-up is outside both figures.
TIME_APP = "import time; t = time.perf_counter(); import app; print(time.perf_counter() - t)"
# What a first request pays on top: every chalicelib module imported, every pydantic model built.
TIME_APP_ALL = (
    "import time; t = time.perf_counter(); import app\n"
    "import importlib, pkgutil, chalicelib, pydantic\n"
    "for info in pkgutil.walk_packages(chalicelib.__path__, 'chalicelib.'):\n"
    "    module = importlib.import_module(info.name)\n"
    "    for value in list(vars(module).values()):\n"
    "        if isinstance(value, type) and issubclass(value, pydantic.BaseModel) and value.__module__ == info.name:\n"
    "            value.model_rebuild()\n"
    "print(time.perf_counter() - t)"
)
TIME_LIBS = (
    "import importlib, sys, time\n"
    "t = time.perf_counter()\n"
    "for name in sys.argv[1:]:\n"
    "    importlib.import_module(name)\n"
    "print(time.perf_counter() - t)"
)
LIST_MODULES = (
    "import importlib, json, sys\n"
    "before = set(sys.modules)\n"
    "for name in sys.argv[1:]:\n"
    "    importlib.import_module(name)\n"
    "if len(sys.argv) == 1:\n"
    "    import app\n"
    "print(json.dumps(sorted(set(sys.modules) - before)))"
)


def child_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    env.update(PORTAL_ENV)
    env.pop("PYTHONPATH", None)
    # The warm-up run must leave bytecode behind, as the Lambda bundle ships it (infra.bundle):
    # with this set, the app alone would be compiled from source in every run (1.31x, not 1.11x).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_child(code: str, *args: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", code, *args]
    done = subprocess.run(command, cwd=FUNCTIONS, env=child_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child failed: {' '.join(command[:4])}\n{done.stderr[-2000:]}")
    return done


def parse_importtime(stderr: str) -> list[tuple[str, int, int]]:
    """(module, self µs, cumulative µs) in the order -X importtime reports them (children first)."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        rows.append((name.strip(), int(own), int(cumulative)))
    return rows


def is_own(name: str) -> bool:
    return name == "app" or name.split(".")[0] == "chalicelib"


def is_third_party(name: str) -> bool:
    top = name.split(".")[0]
    return not (is_own(name) or top in sys.stdlib_module_names or top.startswith("_sysconfigdata"))


def library_modules() -> tuple[list[str], list[str], list[tuple[str, int]]]:
    """Third-party modules app's import graph loads (dotted, import order), their top-level packages, and
    the other modules (stdlib) that only the app's own code pulls in, with their self time in µs.

    Taken empirically: modules new in sys.modules after `import app`, ordered as -X importtime lists
    them; modules already loaded by interpreter start-up (site, editable finders) are not counted.
    """
    done = run_child(LIST_MODULES, importtime=True)
    loaded = set(json.loads(done.stdout))
    rows = parse_importtime(done.stderr)
    ordered = list(dict.fromkeys(name for name, _, _ in rows if name in loaded and is_third_party(name)))
    tops = list(dict.fromkeys(name.split(".")[0] for name in ordered))
    by_libraries = set(json.loads(run_child(LIST_MODULES, *ordered).stdout))
    extra = {name: own for name, own, _ in rows if name in loaded - by_libraries and not is_own(name)}
    return ordered, tops, sorted(extra.items(), key=lambda item: item[1], reverse=True)


def chalicelib_profile(runs: int) -> list[tuple[str, float, float]]:
    """Median self and cumulative ms per chalicelib module over a few -X importtime runs."""
    own: dict[str, list[int]] = {}
    cumulative: dict[str, list[int]] = {}
    for _ in range(runs):
        for name, self_us, cum_us in parse_importtime(run_child("import app", importtime=True).stderr):
            if name.startswith("chalicelib"):
                own.setdefault(name, []).append(self_us)
                cumulative.setdefault(name, []).append(cum_us)
    return sorted(
        ((name, statistics.median(own[name]) / 1e3, statistics.median(cumulative[name]) / 1e3) for name in own),
        key=lambda row: row[1],
        reverse=True,
    )


def bench_import(runs: int) -> None:
    modules, tops, extra = library_modules()
    variants: dict[str, tuple[str, list[str]]] = {
        "A  import app": (TIME_APP, []),
        "B  its third-party modules": (TIME_LIBS, modules),
        "B' top-level packages only": (TIME_LIBS, tops),
        "A+ app with every module loaded": (TIME_APP_ALL, []),
    }
    times: dict[str, list[float]] = {label: [] for label in variants}
    for code, args in variants.values():  # warm-up: bytecode caches, page cache
        run_child(code, *args)
    for round_ in range(runs):
        order = list(variants)
        order = order[round_ % len(order) :] + order[: round_ % len(order)]  # rotate who goes first
        for label in order:
            code, args = variants[label]
            times[label].append(float(run_child(code, *args).stdout.strip()))
    med = {label: statistics.median(values) for label, values in times.items()}
    app_s, libs_s, tops_s = med["A  import app"], med["B  its third-party modules"], med["B' top-level packages only"]
    print(f"\n== cold import, {runs} interleaved runs each, median (min-max) ==")
    print(f"third-party modules in app's graph: {len(modules)} in {len(tops)} packages")
    print("  " + ", ".join(sorted(tops, key=str.lower)))
    for label, values in times.items():
        print(f"{label:<30} {1e3 * med[label]:7.1f} ms  ({1e3 * min(values):.1f}-{1e3 * max(values):.1f})")
    ratio = app_s / libs_s
    verdict = "within budget" if ratio <= BUDGET else "OVER BUDGET"
    print(f"ratio A / B                    {ratio:7.2f} x   (budget <= {BUDGET:.2f}; {verdict})")
    print(f"ratio A / B'                   {app_s / tops_s:7.2f} x   (for reference: top-level `import pkg` only)")
    print(f"app's own share A - B          {1e3 * (app_s - libs_s):7.1f} ms")
    print("A+ is import plus what the first requests load lazily (services, tables, JWT, models), for reference")
    if ratio > BUDGET:
        profile = chalicelib_profile(3 if runs < 10 else 5)
        own_ms = sum(self_ms for _, self_ms, _ in profile)
        print(f"\nchalicelib module bodies, self time total (-X importtime, median): {own_ms:.1f} ms")
        print("ten slowest chalicelib modules (self excludes children; cumul includes libraries first imported there):")
        print(f"  {'module':<36} {'self ms':>8} {'cumul ms':>9}")
        for name, self_ms, cum_ms in profile[:10]:
            print(f"  {name:<36} {self_ms:8.1f} {cum_ms:9.1f}")
        extra_ms = sum(us for _, us in extra) / 1e3
        print(f"modules only the app's own code pulls in (not the libraries): {len(extra)}, {extra_ms:.1f} ms self")
        print("  " + ", ".join(f"{name} {us / 1e3:.1f}" for name, us in extra[:8]))


def measure(call: Callable[[], None], seconds: float, limit: int) -> tuple[int, float, list[float]]:
    for _ in range(5):  # warm-up: first-request caches (keys, clients, pydantic validators)
        call()
    each: list[float] = []
    started = time.perf_counter()
    while len(each) < limit and time.perf_counter() - started < seconds:
        begin = time.perf_counter()
        call()
        each.append(time.perf_counter() - begin)
    return len(each), time.perf_counter() - started, each


def bench_requests(seconds: float, limit: int) -> None:
    use_portal_environment()  # before chalicelib is imported: configuration is read once

    from chalice.test import Client as TestClient
    from moto import mock_aws

    from chalicelib.core.logs import get_logger
    from chalicelib.store.base import create_tables
    from tests.api.factories import (
        Flow,
        bearer,
        create_agency_client,
        create_citizen,
        create_relying_party,
        token_request,
    )

    # One JSON log line per request is part of the cost; it goes to /dev/null rather than the terminal.
    with Path(os.devnull).open("w") as devnull, mock_aws():
        for handler in get_logger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
        create_tables()
        from app import app as chalice_app

        with TestClient(chalice_app) as client:
            http = client.http
            agency = create_agency_client()
            citizen = create_citizen()
            flow = Flow(http, create_relying_party())
            tokens = flow.tokens(citizen.identifier)
            chain = {"refresh_token": tokens["refresh_token"]}
            access = bearer(tokens["access_token"])

            def expect(response: Any) -> Any:
                if response.status_code != 200:
                    raise SystemExit(f"unexpected {response.status_code}: {response.body[:500]!r}")
                return response.json_body

            def client_credentials() -> None:
                expect(token_request(http, {"grant_type": "client_credentials"}, agency.basic()))

            def refresh() -> None:
                fields = {"grant_type": "refresh_token", "refresh_token": chain["refresh_token"]}
                chain["refresh_token"] = expect(token_request(http, fields, flow.rp.basic()))["refresh_token"]

            def userinfo() -> None:
                expect(http.get("/oidc/userinfo", headers=access))

            operations: dict[str, Callable[[], None]] = {
                "token: client_credentials (agency)": client_credentials,
                "token: refresh_token (rotating chain)": refresh,
                "userinfo (bearer access token)": userinfo,
            }
            print(f"\n== requests in-process, chalice.test.Client + moto, up to {seconds:g} s or {limit} each ==")
            print(f"{'operation':<40} {'requests':>8} {'seconds':>8} {'req/s':>8} {'mean ms':>8} {'p95 ms':>8}")
            for label, call in operations.items():
                count, elapsed, each = measure(call, seconds, limit)
                p95 = statistics.quantiles(each, n=20)[-1] if len(each) > 1 else each[0]
                print(
                    f"{label:<40} {count:8d} {elapsed:8.2f} {count / elapsed:8.1f} "
                    f"{1e3 * statistics.fmean(each):8.2f} {1e3 * p95:8.2f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 import runs, 0.5 s / 100 requests per operation")
    parser.add_argument("--runs", type=int, default=None, help="interleaved import runs per variant (default 15)")
    parser.add_argument("--seconds", type=float, default=None, help="time per operation (default 2)")
    parser.add_argument("--requests", type=int, default=None, help="request cap per operation (default 300)")
    args = parser.parse_args()
    runs = args.runs or (5 if args.quick else 15)
    seconds = args.seconds or (0.5 if args.quick else 2.0)
    limit = args.requests or (100 if args.quick else 300)
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; scratch {SCRATCH}")
    bench_import(runs)
    bench_requests(seconds, limit)


if __name__ == "__main__":
    main()
