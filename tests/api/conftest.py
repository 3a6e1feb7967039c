"""API fixtures: moto for DynamoDB, fresh tables per test, the Chalice test client, a movable clock."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber
from moto.dynamodb.models import dynamodb_backends

from chalicelib.core import clock as clock_module
from chalicelib.core.clock import FixedClock
from chalicelib.store.base import create_tables
from chalicelib.store.files import create_buckets
from devstack.gateway import GatewayTestClient as TestClient

# (account, region, tables) as `create_tables()` left them in this worker's first test: empty.
_pristine: tuple[str, str, dict[str, Any]] | None = None


def _fresh_tables() -> None:
    """Every table, empty, as `create_tables()` makes it. The first test of a worker creates them
    through the API; later tests get a deep copy of that result from moto's backend: the same
    tables (indexes, TTL, streams, no items), for 2 ms instead of some 150 calls and 0.3 s a test."""
    global _pristine
    if _pristine is None:
        create_tables()
        account, region, tables = _created_tables()
        _pristine = (account, region, copy.deepcopy(tables))
        return
    account, region, tables = _pristine
    dynamodb_backends[account][region].tables.update(copy.deepcopy(tables))


def _created_tables() -> tuple[str, str, dict[str, Any]]:
    from chalicelib.store.accounts import Account

    arn = Account.describe_table()["TableArn"]  # arn:aws:dynamodb:REGION:ACCOUNT:table/NAME
    region, account = arn.split(":")[3:5]
    return account, region, dynamodb_backends[account][region].tables


@pytest.fixture(autouse=True)
def aws() -> Iterator[None]:
    with mock_aws():
        _fresh_tables()
        create_buckets()
        yield


@pytest.fixture
def app() -> Any:
    from app import app as chalice_app

    return chalice_app


@pytest.fixture
def http(app: Any) -> Iterator[Any]:
    with TestClient(app) as client:
        yield client.http


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock()
    previous = clock_module.use_clock(fixed)
    yield fixed
    clock_module.use_clock(previous)


@pytest.fixture
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serialise moto's handling of each AWS request, for tests that race threads.

    DynamoDB applies every request atomically, conditional writes included; moto in-process takes
    no lock, so two threads can both pass the same condition. Concurrency tests need the real
    service's guarantee, not moto's gap: each request still interleaves freely with the others.
    """
    lock = threading.Lock()
    handle = BotocoreStubber.__call__

    def one_at_a_time(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return handle(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", one_at_a_time)


@pytest.fixture
def streams() -> Any:
    """The tables' streams, as the local stack plays them (moto does not answer the Streams API):
    `streams.poll()` hands every change since the last poll to the stream handlers, statistics and
    dossier notices. Changes between two polls collapse into one, so poll after each change."""
    import boto3

    from chalicelib.core.config import get_settings
    from devstack.streams import TableWatcher

    settings = get_settings()
    watcher = TableWatcher(boto3.client("dynamodb", region_name=settings.region), settings.table_prefix)
    watcher.baseline()
    return watcher
