"""How `make test` (`pytest -n 2 --dist loadfile`) shares the test files between its two workers.

Each file still goes whole to one worker, as --dist loadfile does, with two changes (both made from
tests/conftest.py):

- the browser tests are one unit, so one worker runs them all and the catalogue is built and the
  local stack started once per run instead of once per worker (tests/browser/conftest.py): each
  build takes half a minute or more of both cores;
- units are handed out longest first (`LONGEST_FIRST`, then the rest with the most tests first, as
  xdist orders them), so that no worker is left running a long file at the end while the other
  waits. xdist's own order is by number of tests alone, which put the two kill -9 tests last.

--dist loadgroup would group the browser files too, but pytest 9.2 no longer lets xdist 3.8 tag
the tests with their group (pytest-dev/pytest-xdist#1386): they were scheduled one by one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadFileScheduling

REPO = Path(__file__).resolve().parents[1]
BROWSER_GROUP = "tests/browser"
# Seconds of worker time each took in one run on the 2-core machine, shared with other work: only the
# order matters, and a file missing here only starts later.
LONGEST_FIRST = (
    BROWSER_GROUP,  # ~400 together, one catalogue build and one local stack included
    "tests/devstack/test_local_stack.py",  # ~30: five starts of the local stack
    "tests/catalog_build/test_pages.py",  # ~45: the shipped catalogue through MkDocs and our workers
    "tests/api/test_hostile_inputs.py",  # ~40
    "tests/devstack/test_durability.py",  # ~25
    "tests/infra/test_stack.py",  # ~25: CDK synthesis and cfn-lint
    "tests/catalog_build/test_pwa.py",  # ~20
    "tests/api/test_payment_obligations.py",  # ~20
    "tests/api/test_linked_groups.py",  # ~15
    "tests/catalog_build/test_build.py",  # ~15
    "tests/devstack/test_sandbox.py",  # ~10
    "tests/catalog_build/test_groups.py",  # ~10
)


def unit_of(path: str) -> str:
    """The unit of work a test file (its path from the repository) belongs to."""
    return BROWSER_GROUP if path.startswith(BROWSER_GROUP + "/") else path


def longest_first(items: list[pytest.Item]) -> None:
    """Reorders `items` in place: unit by unit, each unit's tests together and in their own order."""
    units: dict[str, list[pytest.Item]] = {}
    for item in items:
        units.setdefault(unit_of(item.path.relative_to(REPO).as_posix()), []).append(item)
    rank = {unit: index for index, unit in enumerate(LONGEST_FIRST)}
    ordered = sorted(units, key=lambda unit: (rank.get(unit, len(rank)), -len(units[unit])))
    items[:] = [item for unit in ordered for item in units[unit]]


class FilesLongestFirst(LoadFileScheduling):
    """--dist loadfile with the browser files as one unit, in the order the workers collected."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        config.option.loadscopereorder = False  # keep `longest_first`'s order, not "most tests first"
        super().__init__(config, log)

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(super()._split_scope(nodeid))
