"""The sign-in page in Debian's Chromium: usable with JavaScript off, and clean under axe (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route

from tests.api.factories import PASSWORD, create_citizen, create_relying_party, pkce_pair
from tests.api.live import LiveServer, live_server

__all__ = ["live_server"]  # the fixture, used by name
pytestmark = pytest.mark.browser
CALLBACK = "http://127.0.0.1:8765/callback"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _phone(browser: Browser, *, javascript: bool) -> Page:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        locale="vi-VN",
        java_script_enabled=javascript,
        bypass_csp=javascript,  # axe is injected as a script; the page itself runs none
    )
    page = context.new_page()
    page.route(f"{CALLBACK}*", lambda route: _callback(route))
    return page


def _callback(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>callback</title>")


def _authorize_url(server: LiveServer) -> str:
    rp = create_relying_party(redirect_uris=[CALLBACK])
    _verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": rp.client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid profile",
        "state": "s-123",
        "nonce": "n-456",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return server.at("/oidc/authorize?" + urlencode(query))


def test_a_citizen_signs_in_with_javascript_off(browser, live_server):
    citizen = create_citizen()
    page = _phone(browser, javascript=False)
    page.goto(_authorize_url(live_server))
    page.get_by_label("Số định danh cá nhân hoặc mã số thuế").fill(citizen.identifier)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:8765/callback\?code="))
    assert "state=s-123" in page.url
    page.context.close()


def test_a_wrong_password_is_explained_next_to_the_form(browser, live_server):
    citizen = create_citizen()
    page = _phone(browser, javascript=False)
    page.goto(_authorize_url(live_server))
    page.get_by_label("Số định danh cá nhân hoặc mã số thuế").fill(citizen.identifier)
    page.get_by_label("Mật khẩu").fill("sai-mat-khau-roi")
    page.get_by_role("button", name="Đăng nhập").click()
    alert = page.get_by_role("alert")
    assert "không đúng" in alert.inner_text()
    assert page.get_by_label("Số định danh cá nhân hoặc mã số thuế").input_value() == citizen.identifier
    page.context.close()


@pytest.mark.parametrize("with_error", [False, True], ids=["empty form", "after a wrong password"])
def test_the_sign_in_page_has_no_wcag_22_aa_violations(browser, live_server, with_error):
    citizen = create_citizen()
    page = _phone(browser, javascript=True)
    page.goto(_authorize_url(live_server))
    if with_error:
        page.get_by_label("Số định danh cá nhân hoặc mã số thuế").fill(citizen.identifier)
        page.get_by_label("Mật khẩu").fill("sai-mat-khau-roi")
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_role("alert").wait_for()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    violations = [(v["id"], v["help"]) for v in results.response["violations"]]
    assert violations == []
    page.context.close()
