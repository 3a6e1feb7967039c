"""The shared page module (assets/portal/api.js) on a device set to another time zone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_times_from_the_api_are_shown_in_vietnam_time_whatever_the_devices_zone(browser: Browser, site_url):
    context = browser.new_context(timezone_id="America/New_York", locale="vi-VN")
    page = context.new_page()
    page.goto(site_url)
    shown = page.evaluate(
        "async (url) => (await import(url)).when('2026-11-23T10:00:00Z')", f"{site_url}assets/portal/api.js"
    )
    context.close()
    assert shown.replace(",", "") == "17:00 23/11/2026"
