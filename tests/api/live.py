"""The API served over real HTTP on loopback, for clients nobody here wrote (schemathesis, Authlib).

Chalice's `LocalDevServer` runs in a thread at the issuer's own address (`PORTAL_ISSUER`, a free
loopback port chosen by `tests/conftest.py`), so the issuer in discovery, tokens and redirects is
the address the clients call. moto patches botocore for the whole process, so the server's threads
read and write the tables of whichever test is running (the autouse `aws` fixture).

The app object is served as it is (not through `create_local_server`, which swaps its class for one
with a thread-local `current_request`): the clients here send one request at a time, and the other
tests keep using the same object through the Chalice test client.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from chalice.config import Config
from chalice.local import LocalDevServer

from chalicelib.core.config import get_settings
from devstack.api_handler import ApiRequestHandler


class _QuietHandler(ApiRequestHandler):
    """The local stack's request handler (its own refusals in the API's error shape), taking every HTTP
    method and without one stderr line per request."""

    def __getattr__(self, name: str) -> Any:
        """Hand every method to the app, as the gateway does: the base handler answers unknown ones with a 501."""
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@dataclass(frozen=True)
class LiveServer:
    url: str

    def at(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    from app import app

    issuer = get_settings().issuer
    address = urlsplit(issuer)
    assert address.hostname == "127.0.0.1" and address.port, f"the issuer must be a loopback address: {issuer}"
    server = LocalDevServer(app, Config(), address.hostname, address.port, handler_cls=_QuietHandler)
    thread = threading.Thread(target=server.server.serve_forever, name="live-api", daemon=True)
    thread.start()
    try:
        yield LiveServer(issuer)
    finally:
        server.shutdown()
        server.server.server_close()
        thread.join(timeout=5)
