"""Linked processing benchmark (issue #15), side by side in one run:

1. API time for a birth-group dossier from the citizen's one submission to all three results (the
   commune, the police and social insurance each accept, attach a result and finish through the agency
   API; each later step is released by `linked.release.advance`, which the dossiers stream handler runs),
   against three independent dossiers of the same agencies (the citizen submits three drafts, each agency
   does the same five calls). Ratio group / three independent.
2. Rows per second confirmed for a 10,000-row worker-support list through the API (one bulk request,
   `confirm_rest`: conditional updates, 100 per transaction), and per-row confirmations (100 rows a
   request), against a bare unconditional BatchWrite of the same rows.

    .venv/bin/python bench/linked.py [--rounds 5] [--rows 10000]

Everything runs in this process (chalice.test.Client over moto): the figures are relative, moto's cost per
DynamoDB request standing in for the network round trip.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from portal_env import SCRATCH, use_portal_environment

STEP_AGENCIES = ("UBND-XA", "CA-XA", "BHXH-CS")
FORM = {
    "ho_ten_tre": "Nguyễn Minh An",
    "ngay_sinh": "2026-11-20",
    "gioi_tinh": "Nam",
    "noi_sinh": "Bệnh viện",
    "ho_ten_me": "Nguyễn Thị Mẹ",
    "so_dinh_danh_me": "001099012345",
    "noi_thuong_tru": "Hà Nội",
    "chu_ho": "Nguyễn Văn Chủ",
}
OUTPUTS = {"so_dang_ky": "1/2026", "so_dinh_danh": "001226000001"}


class Client:
    def __init__(self, http: Any, citizen: dict[str, str], agencies: dict[str, dict[str, str]]) -> None:
        self.http, self.citizen, self.agencies = http, citizen, agencies

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str], status: int = 200) -> Any:
        answer = self.http.post(path, body=json.dumps(body), headers={"Content-Type": "application/json", **headers})
        if answer.status_code != status:
            raise SystemExit(f"{path}: {answer.status_code} {answer.body[:300]!r}")
        return answer.json_body

    def work(self, agency: str, code: str, fields: dict[str, str] | None = None) -> None:
        """What each agency does with its dossier: accept, process, attach the result, finish, return it."""
        headers = self.agencies[agency]
        for status in (2, 4):
            self.post(f"/agency/dossiers/{code}/status", {"status": status}, headers)
        document: dict[str, Any] = {"name": "Kết quả", "number": "01"} | ({"fields": fields} if fields else {})
        self.post(f"/agency/dossiers/{code}/results", {"documents": [document]}, headers)
        for status in (9, 10):
            self.post(f"/agency/dossiers/{code}/status", {"status": status}, headers)

    def group(self) -> None:
        from chalicelib.linked.release import advance

        group = self.post("/linked-dossiers", {"group": "khai-sinh", "form": FORM}, self.citizen, 201)
        steps = {step["step"]: step["code"] for step in group["steps"]}
        self.work("UBND-XA", steps["khai-sinh"], OUTPUTS)
        if sorted(advance(group["code"])) != ["bhyt", "thuong-tru"]:  # what the stream handler runs
            raise SystemExit("the later steps were not released")
        self.work("CA-XA", steps["thuong-tru"])
        self.work("BHXH-CS", steps["bhyt"])
        advance(group["code"])  # the stream handler sees the last two changes too (nothing left to release)

    def independent(self) -> None:
        for index, agency in enumerate(STEP_AGENCIES):
            draft = self.post(
                "/dossiers/drafts",
                {"procedure_code": f"1.99900{index + 1}", "agency_id": agency, "form": FORM},
                self.citizen,
                201,
            )
            dossier = self.post(f"/dossiers/drafts/{draft['draft_id']}/submission", {}, self.citizen, 201)
            self.work(agency, dossier["code"])


def groups_figure(client: Client, rounds: int) -> None:
    print(f"\n== birth group, submission to three results, {rounds} rounds each, alternating ==")
    group_s: list[float] = []
    three_s: list[float] = []
    client.group()  # warm-up: first-request caches (keys, validators, exports)
    client.independent()
    for _ in range(rounds):
        group_s.append(_once(client.group))
        three_s.append(_once(client.independent))
    g, t = statistics.median(group_s), statistics.median(three_s)
    print(f"{'birth group (1 submission, 3 steps released)':<52} median {1e3 * g:8.1f} ms")
    print(f"{'three independent dossiers (3 submissions)':<52} median {1e3 * t:8.1f} ms")
    print(f"ratio group / three independent dossiers: {g / t:5.2f} x")


def _once(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def lists_figure(client: Client, business: dict[str, str], rows: int) -> None:
    import base64

    from chalicelib.store.linked import ListRow

    header = "so_dinh_danh,ho_ten,ngay_sinh,so_so_bhxh,tu_ngay,so_thang,muc_ho_tro"
    lines = [header] + [f"0010{i:08d},Người {i},1990-01-01,SO{i},2021-07-01,2,3710000" for i in range(rows)]
    content = base64.b64encode("\n".join(lines).encode()).decode()
    body = {"group": "ho-tro-tam-hoan-hop-dong", "name": "Bench", "format": "csv", "content": content}
    print(f"\n== a list of {rows:,} rows (worker support) ==")
    started = time.perf_counter()
    code = client.post("/linked-lists", body, business, 201)["code"]
    upload_s = time.perf_counter() - started
    print(f"{'upload (CSV, validated, batch-written)':<52} {upload_s:8.2f} s {rows / upload_s:9.0f} rows/s")
    started = time.perf_counter()
    confirmed, requests = 0, 0
    while confirmed < rows:  # confirm_rest takes up to 5,000 rows a request
        reply = client.post(
            f"/agency/linked-lists/{code}/decisions",
            {"step": "xac-nhan-bhxh", "confirm_rest": True},
            client.agencies["BHXH-CS"],
        )
        confirmed, requests = confirmed + reply["confirmed"], requests + 1
        if not reply["remaining"]:
            break
    bulk_s = time.perf_counter() - started
    assert confirmed == rows, (confirmed, reply)
    label = f"bulk confirmation ({requests} confirm_rest requests)"
    print(f"{label:<52} {bulk_s:8.2f} s {rows / bulk_s:9.0f} rows/s")
    sample = min(rows, 1000)
    identities = [f"0010{i:08d}" for i in range(sample)]
    started = time.perf_counter()
    for start in range(0, sample, 100):
        decisions = [{"identity_number": i, "decision": "confirm"} for i in identities[start : start + 100]]
        client.post(
            f"/agency/linked-lists/{code}/decisions",
            {"step": "tham-dinh", "rows": decisions},
            client.agencies["UBND-XA"],
        )
    rows_s = time.perf_counter() - started
    print(
        f"{'row-by-row confirmation (100 rows a request)':<52} {rows_s:8.2f} s {sample / rows_s:9.0f} rows/s"
        f" ({sample:,} rows)"
    )
    started = time.perf_counter()
    with ListRow.batch_write() as batch:
        for i in range(rows):
            batch.save(ListRow("BARE", f"0010{i:08d}", row=i, values={}, stage=1, updated_at=0))
    bare_s = time.perf_counter() - started
    print(f"{'bare BatchWrite of the same rows (no conditions)':<52} {bare_s:8.2f} s {rows / bare_s:9.0f} rows/s")
    print(f"ratio bulk confirmation / bare BatchWrite (time): {bulk_s / bare_s:5.2f} x")


def bench(rounds: int, rows: int) -> None:
    use_portal_environment()

    from chalice.test import Client as TestClient
    from moto import mock_aws

    from chalicelib.core.logs import get_logger
    from chalicelib.store.base import create_tables
    from devstack.moto_speedups import item_level_transactions
    from tests.api.factories import (
        agency_token,
        bearer,
        create_agency_client,
        create_business,
        create_citizen,
        publish_procedure,
        user_token,
    )
    from tests.api.linked_support import publish_group

    item_level_transactions()
    with Path(os.devnull).open("w") as devnull, mock_aws():
        for handler in get_logger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
        create_tables()
        publish_group("khai-sinh")
        publish_group("ho-tro-tam-hoan-hop-dong")
        for index, agency in enumerate(STEP_AGENCIES):
            documents = [{"name": "Tờ khai", "originals": 1, "copies": 0, "required": False}]
            cases = [{"name": "Chung", "steps": ["Nộp.", "Trả."], "documents": documents}]
            publish_procedure(f"1.99900{index + 1}", agencies={"executing": [agency]}, cases=cases)
        from app import app as chalice_app

        with TestClient(chalice_app) as test_client:
            http = test_client.http
            agencies = {a: bearer(agency_token(http, create_agency_client(a))) for a in (*STEP_AGENCIES, "UBND-TINH")}
            client = Client(http, user_token(http, create_citizen()), agencies)
            groups_figure(client, rounds)
            lists_figure(client, user_token(http, create_business()), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; scratch {SCRATCH}")
    bench(args.rounds, args.rows)


if __name__ == "__main__":
    main()
