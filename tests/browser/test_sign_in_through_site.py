"""Signing in from the site: the portal's own OpenID provider, code flow with PKCE as a public client."""

from __future__ import annotations

import pytest

from tests.browser.accessibility import wcag_violations

pytestmark = pytest.mark.browser
DEMO_CITIZEN = "001099000001"


def sign_in(page, stack, start: str = "tai-khoan/") -> None:
    """From a page of the site, through the provider's sign-in page, back to that page."""
    page.goto(stack.site_url + start)
    page.get_by_role("main").get_by_role("link", name="Đăng nhập", exact=True).click()
    page.get_by_label("Số định danh cá nhân hoặc mã số thuế").fill(DEMO_CITIZEN)
    page.get_by_label("Mật khẩu").fill(stack.credentials()["citizen_password"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(stack.site_url + start)


def test_a_citizen_signs_in_and_out_from_the_account_page(page, portal_stack):
    page.goto(portal_stack.site_url + "tai-khoan/")
    assert wcag_violations(page) == []
    sign_in(page, portal_stack)
    assert page.get_by_text("Xin chào Nguyễn Văn Dân").is_visible()
    assert wcag_violations(page) == []
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(portal_stack.site_url)
    page.goto(portal_stack.site_url + "tai-khoan/")
    assert page.get_by_role("main").get_by_role("link", name="Đăng nhập", exact=True).is_visible()


def test_a_forged_callback_is_refused_without_signing_in(page, portal_stack):
    page.goto(portal_stack.site_url + "tai-khoan/dang-nhap/?code=gia-mao&state=khong-khop")
    alert = page.get_by_role("alert")
    assert "không khớp" in alert.inner_text()
    assert page.evaluate("sessionStorage.getItem('portal.session')") is None
