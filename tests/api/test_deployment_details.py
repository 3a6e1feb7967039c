"""Details that only matter once deployed: cookie paths under a stage prefix, SMS numbers, local secrets."""

from __future__ import annotations

import stat

from chalicelib.core.config import get_settings
from chalicelib.notifications.providers import LogProvider, e164
from chalicelib.sso import routes


def test_sign_in_cookies_follow_the_issuers_stage_path(monkeypatch):
    staged = get_settings()._replace(issuer="https://abc123.execute-api.ap-southeast-1.amazonaws.com/api")
    monkeypatch.setattr(routes, "get_settings", lambda: staged)
    cookie = routes._cookie("dvc_session", "x")
    assert "Path=/api/oidc;" in cookie and "Secure" in cookie


def test_sign_in_cookies_at_the_root_issuer_use_slash_oidc():
    assert "Path=/oidc;" in routes._cookie("dvc_session", "x")


def test_vietnamese_mobile_numbers_become_international_for_sms():
    assert e164("0912345678") == "+84912345678"
    assert e164("+84912345678") == "+84912345678"


def test_the_local_notification_log_is_readable_by_its_owner_only(tmp_path):
    log = tmp_path / "outbox.log"
    LogProvider(log).send("email", "a@example.vn", "Mã", "123456")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
