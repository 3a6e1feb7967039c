"""Support centre benchmark, two figures of issue #16, side by side in one run:

1. search-while-talking: `GET /console/search?q=` (the catalogue's procedures and FAQ, from the build's
   quick-lookup export of the shipped catalogue) per query, through the API in-process, beside the
   bare in-memory search and the one-off load of the export;
2. the access log's cost per dossier read: `GET /agency/dossiers/{code}` with the read logged for the
   owner, against the same route with logging switched off, and a bare `DataAccess.save` against a
   bare `Dossier.get` (aim: a logged read <= 1.5x the read itself).

    .venv/bin/python bench/support.py [--quick] [--seconds 3]

chalice.test.Client over moto in this process, so the figures are relative: moto's cost per DynamoDB
request stands in for the network round trip.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from dossiers import measure, row
from portal_env import SCRATCH, use_portal_environment

REPO = Path(__file__).resolve().parents[1]
AIM = 1.5
AGENCY = "CA-TINH"
QUERIES = ["dang ky khai sinh", "hộ chiếu", "giay phep lai xe", "ket hon", "tạm trú", "1.001193", "thue", "cap lai"]


def write_quick_lookup() -> float:
    """The shipped catalogue's quick-lookup export, where the API reads it; returns the seconds it took."""
    from catalog_build import exports
    from catalog_build.loader import load_catalogue

    started = time.perf_counter()
    catalogue = load_catalogue(REPO / "data")
    target = SCRATCH / "du-lieu" / "tra-cuu-nhanh.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(exports.quick_lookup_json(catalogue), encoding="utf-8")
    print(
        f"quick-lookup export: {len(catalogue.procedures)} procedures, {len(catalogue.faq)} FAQ entries, "
        f"{target.stat().st_size / 1024:.0f} KB (written in {time.perf_counter() - started:.1f} s)"
    )
    return time.perf_counter() - started


def search_figures(http: object, headers: dict[str, str], seconds: float) -> None:
    from chalicelib.support import lookup

    lookup.forget()
    started = time.perf_counter()
    lookup.search("khai sinh")
    print(
        "cold load of the export into memory (first search of an instance): "
        f"{1e3 * (time.perf_counter() - started):.0f} ms"
    )
    print(f"\n== search while talking, {seconds:g} s per row ==")
    print(f"{'operation':<46} {'calls':>8} {'seconds':>8} {'calls/s':>9} {'mean ms':>9} {'p95 ms':>9}")
    queries = iter(QUERIES * 100_000)

    def api_search() -> None:
        answer = http.get(f"/console/search?q={next(queries).replace(' ', '+')}", headers=headers)  # type: ignore[attr-defined]
        assert answer.status_code == 200, answer.body

    bare_s = row("bare in-memory search (lookup.search)", measure(lambda: lookup.search(next(queries)), seconds))
    api_s = row("API: GET /console/search (staff token)", measure(api_search, seconds))
    print(f"API overhead per search (token, staff check, JSON): {1e3 * (api_s - bare_s):.2f} ms")


def access_log_figures(http: object, seconds: float, count: int) -> None:
    from chalicelib.store.dossiers import Dossier
    from chalicelib.store.support import DataAccess
    from chalicelib.support import accesses
    from tests.api.factories import agency_token, bearer, create_agency_client, create_dossier

    headers = bearer(agency_token(http, create_agency_client(AGENCY)))
    codes = [create_dossier(agency_id=AGENCY, status=4, owner_identifier=f"0010990{n:05d}").code for n in range(count)]
    rotation = iter(codes * 1_000_000)

    def read() -> None:
        answer = http.get(f"/agency/dossiers/{next(rotation)}", headers=headers)  # type: ignore[attr-defined]
        assert answer.status_code == 200, answer.body

    logging_on = accesses.record_agency_read
    print(f"\n== access log per dossier read, {seconds:g} s per row, {count} dossiers ==")
    print(f"{'operation':<46} {'reads':>8} {'seconds':>8} {'reads/s':>9} {'mean ms':>9} {'p95 ms':>9}")
    bare_read = row(
        "bare Dossier.get (consistent)", measure(lambda: Dossier.get(next(rotation), consistent_read=True), seconds)
    )
    entry = DataAccess(
        "001099000001", "2026-01-01#agency#X#Y", dossier_code="Y", actor_kind="agency", actor="X", reason="r", at=0
    )
    bare_log = row("bare DataAccess.save (the log entry)", measure(entry.save, seconds))
    accesses.record_agency_read = lambda dossier, agency_id: None  # type: ignore[assignment]
    unlogged = row("API: GET /agency/dossiers/{code}, not logged", measure(read, seconds))
    accesses.record_agency_read = logging_on  # type: ignore[assignment]
    logged = row("API: GET /agency/dossiers/{code}, logged", measure(read, seconds))
    ratio = logged / unlogged
    print(
        f"\nratio logged read / unlogged read (API)   {ratio:6.2f} x   "
        f"(aim <= {AIM}; {'within aim' if ratio <= AIM else 'OVER AIM'})"
    )
    print(
        f"ratio (bare get + bare save) / bare get   {(bare_read + bare_log) / bare_read:6.2f} x   "
        "(store only, for reference)"
    )


def bench(seconds: float, count: int) -> None:
    use_portal_environment()
    os.environ["PORTAL_PROCEDURES_DIR"] = str(SCRATCH / "du-lieu" / "thu-tuc")
    from chalice.test import Client as TestClient
    from moto import mock_aws

    from chalicelib.core.logs import get_logger
    from chalicelib.store.base import create_tables
    from tests.api.support_factories import create_staff, staff_headers

    write_quick_lookup()
    with Path(os.devnull).open("w") as devnull, mock_aws():
        for handler in get_logger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
        create_tables()
        from app import app as chalice_app

        with TestClient(chalice_app) as client:
            http = client.http
            search_figures(http, staff_headers(http, create_staff()), seconds)
            access_log_figures(http, seconds, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="0.5 s per row")
    parser.add_argument("--seconds", type=float, default=None, help="time per row (default 3)")
    parser.add_argument("--dossiers", type=int, default=200, help="dossiers the reads rotate over (default 200)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; scratch {SCRATCH}")
    bench(args.seconds or (0.5 if args.quick else 3.0), max(10, args.dossiers))


if __name__ == "__main__":
    main()
