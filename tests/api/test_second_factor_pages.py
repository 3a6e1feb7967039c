"""The staff member's second sign-in step in Debian's Chromium: enrolment (the secret shown), a wrong
code explained, the recovery codes shown once, all usable with JavaScript off and axe clean."""

from __future__ import annotations

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe

from chalicelib.support import totp
from tests.api.factories import PASSWORD
from tests.api.live import live_server
from tests.api.support_factories import create_staff
from tests.api.test_sign_in_page import WCAG_22_AA, _authorize_url, _phone

__all__ = ["live_server"]  # the fixture, used by name
pytestmark = pytest.mark.browser


def _axe_clean(page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert [(v["id"], v["help"]) for v in results.response["violations"]] == []


def test_first_sign_in_enrols_explains_a_wrong_code_and_shows_recovery_codes(browser, live_server):
    member = create_staff(secret="")
    page = _phone(browser, javascript=True)  # JavaScript only for axe; the pages run none (CSP)
    page.goto(_authorize_url(live_server))
    page.get_by_label("Số định danh cá nhân hoặc mã số thuế").fill(member.account.identifier)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    secret = page.locator("#totp-secret").inner_text()
    _axe_clean(page)

    page.get_by_label("Mã xác thực").fill("000000")
    page.get_by_role("button", name="Xác nhận").click()
    assert "không đúng" in page.get_by_role("alert").inner_text()
    assert page.locator("#totp-secret").inner_text() == secret  # still shown to finish the enrolment
    _axe_clean(page)

    page.get_by_label("Mã xác thực").fill(totp.code_at(secret, time.time()))
    page.get_by_role("button", name="Xác nhận").click()
    assert page.get_by_role("heading", name="Lưu mã khôi phục").is_visible()
    assert page.locator("#recovery-codes li").count() == 10
    _axe_clean(page)
    page.get_by_role("link", name="Tôi đã lưu, tiếp tục").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:8765/callback\?code="))
    page.context.close()
