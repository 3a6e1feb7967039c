"""The developer guide (site/docs/nha-phat-trien/) cannot drift from the code it documents: its status
table is the status machine, its webhook receiver verifies real signatures, its pages are in the nav."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from chalicelib.core.auth import AGENCY_SCOPES
from chalicelib.dossiers.statuses import LABELS, MOVES, Status
from chalicelib.webhooks.delivery import BACKOFF_SECONDS, MAX_ATTEMPTS
from chalicelib.webhooks.events import EVENT_TYPES, PING
from tests.conftest import REPO

GUIDE = REPO / "site" / "docs" / "nha-phat-trien"
ROW = re.compile(r"^\|\s*(\d+) ([^|]+?)\s*\|\s*(\d+) ([^|]+?)\s*\|\s*([^|]+?)\s*\|")
CITIZEN, PAYMENT, AGENCY = "công dân", "thanh toán", "cơ quan"


def section(page: Path, heading: str) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def who_may(source: Status, target: Status) -> set[str]:
    """Who the code lets make a move: the agency any legal move (`lifecycle.set_status`); the citizen a
    withdrawal request (`citizen.withdraw`) and a supplement handed in (`citizen.provide_supplement`);
    a confirmed payment 6 -> 4 (`payments.callbacks`)."""
    actors = {AGENCY}
    if target == Status.WITHDRAWAL_REQUESTED:
        actors.add(CITIZEN)
    if (source, target) == (Status.SUPPLEMENT_REQUESTED, Status.PROCESSING):
        actors.add(CITIZEN)
    if (source, target) == (Status.PAYMENT_REQUESTED, Status.PROCESSING):
        actors.add(PAYMENT)
    return actors


def test_the_status_table_lists_every_allowed_move_with_who_may_make_it_and_nothing_else():
    rows = [ROW.match(line) for line in section(GUIDE / "trang-thai.md", "Mọi bước chuyển được phép").splitlines()]
    documented: dict[tuple[Status, Status], set[str]] = {}
    for row in filter(None, rows):
        source, target = Status(int(row[1])), Status(int(row[3]))
        assert row[2] == LABELS[source] and row[4] == LABELS[target], row[0]
        assert (source, target) not in documented, f"listed twice: {row[0]}"
        documented[(source, target)] = {actor.strip() for actor in row[5].split(",")}
    allowed = {(source, target) for source, targets in MOVES.items() for target in targets}
    assert set(documented) == allowed
    for (source, target), actors in documented.items():
        assert actors == who_may(source, target), f"{int(source)} -> {int(target)}"


def test_the_guide_names_the_ten_national_statuses_as_the_code_does():
    table = section(GUIDE / "trang-thai.md", "Mười mã trạng thái")
    named = dict(re.findall(r"^\| (\d+) \| ([^|]+?) \|", table, flags=re.M))
    assert {int(code): name for code, name in named.items()} == {int(status): LABELS[status] for status in Status}


def _nav_pages(entries: list) -> list[str]:
    pages: list[str] = []
    for entry in entries:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        pages.extend(_nav_pages(value) if isinstance(value, list) else [value])
    return pages


def test_every_guide_page_is_in_the_nav_under_nha_phat_trien():
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: None)
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    section_entries = next(entry["Nhà phát triển"] for entry in config["nav"] if "Nhà phát triển" in entry)
    listed = set(_nav_pages(section_entries))
    assert listed == {f"nha-phat-trien/{page.name}" for page in GUIDE.glob("*.md")}


def code_blocks(page: Path, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", page.read_text(encoding="utf-8"), flags=re.M | re.S)


def sign(secrets_: list[str], event_id: str, stamp: int, body: bytes) -> str:
    """Standard Webhooks signatures, computed independently of the guide's snippet."""
    signatures = []
    for secret in secrets_:
        key = base64.b64decode(secret.removeprefix("whsec_"))
        mac = hmac.new(key, f"{event_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        signatures.append("v1," + base64.b64encode(mac).decode())
    return " ".join(signatures)


@pytest.fixture
def receiver_module() -> dict[str, Any]:
    (snippet,) = [block for block in code_blocks(GUIDE / "webhook.md", "python") if "def verify" in block]
    namespace: dict[str, Any] = {"__name__": "guide_receiver"}
    exec(compile(snippet, "webhook.md", "exec"), namespace)  # the guide's own code, as a reader runs it
    return namespace


SECRET = "whsec_" + base64.b64encode(b"khoa-bi-mat-cua-webhook-32-byte!").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"khoa-cu-van-ky-them-24-gio-nua!!").decode()
BODY = json.dumps(
    {"id": "evt_1", "type": "dossier.submitted", "occurred_at": "2026-12-03T10:00:00+07:00", "agency_id": "SO-TP.HN"},
    ensure_ascii=False,
).encode()


def test_the_guides_verify_accepts_a_signed_event_and_refuses_tampering_and_old_timestamps(receiver_module):
    verify = receiver_module["verify"]
    now = int(time.time())
    good = {
        "webhook-id": "evt_1",
        "webhook-timestamp": str(now),
        "webhook-signature": sign([SECRET], "evt_1", now, BODY),
    }
    assert verify(SECRET, good, BODY)
    assert not verify(SECRET, good, BODY.replace(b"SO-TP.HN", b"SO-TP.HP")), "a changed body"
    assert not verify(SECRET, {**good, "webhook-id": "evt_2"}, BODY), "another event id"
    assert not verify(OLD_SECRET, good, BODY), "another secret"
    stale = now - 301
    old = {
        "webhook-id": "evt_1",
        "webhook-timestamp": str(stale),
        "webhook-signature": sign([SECRET], "evt_1", stale, BODY),
    }
    assert not verify(SECRET, old, BODY), "more than five minutes old"
    assert not verify(SECRET, {"webhook-id": "evt_1"}, BODY), "no timestamp, no signature"


def test_during_a_secret_rotation_either_secret_verifies(receiver_module):
    now = int(time.time())
    headers = {
        "webhook-id": "evt_1",
        "webhook-timestamp": str(now),
        "webhook-signature": sign([SECRET, OLD_SECRET], "evt_1", now, BODY),
    }
    assert receiver_module["verify"](SECRET, headers, BODY)
    assert receiver_module["verify"](OLD_SECRET, headers, BODY)


def test_the_guides_receiver_answers_204_to_a_signed_delivery_and_400_to_a_forged_one(receiver_module, monkeypatch):
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), receiver_module["Receiver"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        now = int(time.time())
        headers = {"Content-Type": "application/json", "webhook-id": "evt_1", "webhook-timestamp": str(now)}
        signed = requests.post(
            url, data=BODY, headers={**headers, "webhook-signature": sign([SECRET], "evt_1", now, BODY)}, timeout=10
        )
        forged = requests.post(
            url, data=BODY, headers={**headers, "webhook-signature": sign([OLD_SECRET], "evt_1", now, BODY)}, timeout=10
        )
    finally:
        server.shutdown()
        server.server_close()
    assert (signed.status_code, forged.status_code) == (204, 400)


def test_the_sample_delivery_on_the_page_is_signed_with_the_pages_sample_secret(receiver_module):
    (delivery,) = code_blocks(GUIDE / "webhook.md", "http")
    head, _, body = delivery.partition("\n\n")
    headers = dict(line.split(": ", 1) for line in head.splitlines()[1:])
    (secret,) = set(re.findall(r"whsec_[A-Za-z0-9+/=]+", section(GUIDE / "webhook.md", "Kiểm tra chữ ký")))
    assert secret in section(GUIDE / "webhook.md", "Quản lý webhook"), "the sample secret is the registration's"
    assert json.loads(body)["id"] == headers["webhook-id"]
    forever = 10**10  # the sample's timestamp is fixed; only the signature is checked here
    assert receiver_module["verify"](secret, headers, body.rstrip("\n").encode(), tolerance=forever)


def first_column(table: str) -> list[str]:
    """The backticked names in a Markdown table's first column (header and rule rows left out)."""
    body = table[table.index("|---") :]
    return re.findall(r"^\| `([^`]+)` \|", body, flags=re.M)


def test_the_webhook_event_table_lists_exactly_the_subscribable_event_types_and_ping_apart():
    events = section(GUIDE / "webhook.md", "Các loại sự kiện")
    listed = first_column(events)
    assert len(listed) == len(set(listed)), "an event type listed twice"
    assert set(listed) == set(EVENT_TYPES) - {PING}
    assert f"`{PING}`" in events, "ping is explained beside the table"


UNITS = {"giây": 1, "phút": 60, "giờ": 3600}


def test_the_retry_schedule_on_the_webhook_page_is_the_delivery_backoff():
    retries = " ".join(section(GUIDE / "webhook.md", "Thử lại và hàng chờ lỗi").split())
    schedule = re.search(r"được gửi lại sau (.+?) \(", retries)
    assert schedule, "the sentence stating the schedule"
    waits = [int(number) * UNITS[unit] for number, unit in re.findall(r"(\d+) (giây|phút|giờ)", schedule[1])]
    assert tuple(waits) == BACKOFF_SECONDS
    assert f"{MAX_ATTEMPTS} lần thử trong hơn {sum(BACKOFF_SECONDS) // 3600} giờ" in retries


def test_the_scope_table_lists_exactly_the_agency_scopes():
    index = (GUIDE / "index.md").read_text(encoding="utf-8")
    start = index.index("| Phạm vi (scope) |")
    table = index[start : index.index("\n\n", start)]
    listed = first_column(table)
    assert len(listed) == len(set(listed)), "a scope listed twice"
    assert set(listed) == set(AGENCY_SCOPES)
