"""Browser fixtures: the real catalogue built once, served on loopback, driven by Debian's Chromium."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from catalog_build.build import BuildOptions, build
from catalog_build.site import derived_config
from devstack.static import SiteFiles
from tests.browser.stack import PortalStack, Ports
from tests.factories import REPO

# Passing assertions return as soon as they hold; the longer bound only spares a CI machine that is
# also running the API tests and a catalogue build from failing on Playwright's 5 s default.
expect.set_options(timeout=15_000)


class _QuietHandler(SiteFiles):
    """The built site as `make run` serves it: compressed copies when the browser accepts them."""


class _QuietServer(http.server.ThreadingHTTPServer):
    """Chromium drops connections it no longer needs (a page left mid-load): not an error worth a trace."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def stack_ports() -> Ports:
    return Ports.reserve()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, stack_ports: Ports) -> Path:
    """The real catalogue, built once per worker with the API address of this worker's local stack."""
    workspace = tmp_path_factory.mktemp("site")
    config = derived_config(REPO / "mkdocs.yml", workspace)
    with pytest.MonkeyPatch.context() as env:  # read by mkdocs.yml (`!ENV`), for this build only
        env.setenv("PORTAL_SITE_URL", stack_ports.site_url)
        env.setenv("PORTAL_API_URL", stack_ports.api_url)
        build(BuildOptions(data_dir=REPO / "data", config_file=config, work_dir=workspace / "work", progress=False))
    return workspace / "site"


@pytest.fixture(scope="session")
def portal_stack(
    built_site: Path, stack_ports: Ports, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalStack]:
    """`python -m devstack` serving the built site and the API (see stack.py); started on first use."""
    stack = PortalStack(stack_ports, built_site, tmp_path_factory.mktemp("devstack"))
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
