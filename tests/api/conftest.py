"""API fixtures: moto for DynamoDB, fresh tables per test, the Chalice test client, a movable clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client as TestClient
from moto import mock_aws

from chalicelib.core import clock as clock_module
from chalicelib.core.clock import FixedClock
from chalicelib.store.base import create_tables


@pytest.fixture(autouse=True)
def aws() -> Iterator[None]:
    with mock_aws():
        create_tables()
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
