"""The developer guide (site/docs/nha-phat-trien/) cannot drift from the code it documents: its status
table is the status machine, its webhook receiver verifies real signatures, its pages are in the nav."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from chalicelib.dossiers.statuses import LABELS, MOVES, Status
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
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506
    section_entries = next(entry["Nhà phát triển"] for entry in config["nav"] if "Nhà phát triển" in entry)
    listed = set(_nav_pages(section_entries))
    assert listed == {f"nha-phat-trien/{page.name}" for page in GUIDE.glob("*.md")}
