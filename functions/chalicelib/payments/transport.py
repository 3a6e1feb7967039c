"""How the portal talks to gateways server to server: checkout create requests (MoMo, the national
platform) and status queries (reconciliation). One small interface; over HTTP to the configured
endpoints, or answered in process by the sandbox gateway (`payments.sandbox.SandboxTransport`).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Any, Protocol


class Transport(Protocol):
    def query(self, gateway: str, request: dict[str, str]) -> dict[str, Any] | None: ...

    def create(self, gateway: str, request: dict[str, Any]) -> dict[str, Any] | None: ...


class NoTransport:
    """Outside the sandbox, before the gateways' endpoints are configured: nothing to ask."""

    def query(self, gateway: str, request: dict[str, str]) -> dict[str, Any] | None:
        return None

    def create(self, gateway: str, request: dict[str, Any]) -> dict[str, Any] | None:
        return None


class HttpTransport:
    """The signed request as JSON to the gateway's endpoint (`PORTAL_<GATEWAY>_QUERY_URL` for status
    queries, `PORTAL_MOMO_URL` / `PORTAL_PAYGOV_URL` for creates); its JSON answer back, which the
    adapter verifies. `OSError` (unreachable, timeout, HTTP error) and `ValueError` (not JSON) are
    the caller's to handle."""

    def __init__(
        self, query_urls: Mapping[str, str], create_urls: Mapping[str, str] | None = None, timeout: float = 10.0
    ) -> None:
        self.query_urls = dict(query_urls)
        self.create_urls = dict(create_urls or {})
        self.timeout = timeout

    def query(self, gateway: str, request: dict[str, str]) -> dict[str, Any] | None:
        return self._post(self.query_urls.get(gateway), request)

    def create(self, gateway: str, request: dict[str, Any]) -> dict[str, Any] | None:
        return self._post(self.create_urls.get(gateway), request)

    def _post(self, url: str | None, request: Mapping[str, Any]) -> dict[str, Any] | None:
        if not url:
            return None
        body = json.dumps(request).encode()
        outgoing = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(outgoing, timeout=self.timeout) as response:
            answer = json.loads(response.read(1_000_000))
        return answer if isinstance(answer, dict) else None


def default_transport() -> Transport:
    from chalicelib.core.config import get_settings

    payments = get_settings().payments
    if payments.sandbox:
        from chalicelib.payments.sandbox import SandboxTransport

        return SandboxTransport()
    creates = {name: url for name, url in (("momo", payments.momo_url), ("paygov", payments.paygov_url)) if url}
    if payments.query_urls or creates:
        return HttpTransport(payments.query_urls, creates)
    return NoTransport()


_chosen: Transport | None = None


def use_transport(new: Transport | None) -> Transport | None:
    """Talk to gateways through `new` (tests: a fake gateway on loopback); None goes back to the default."""
    global _chosen
    previous, _chosen = _chosen, new
    return previous


def current_transport() -> Transport:
    return _chosen or default_transport()
