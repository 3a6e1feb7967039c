"""The sign-in, error and signed-out pages: plain HTML that works without JavaScript.

Built for WCAG 2.2 AA: `lang="vi"`, one `h1`, labels tied to inputs with hints, an error summary
announced as an alert and focused on load, autocomplete tokens for password managers, 16 px text
(no zoom on phones), 44 px targets, a visible focus ring and contrast above 7:1.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from urllib.parse import urlsplit

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f3f4f6}
.portal-signin__bar{background:#8b1a1a;color:#fff;padding:.75rem 1rem;font-weight:700}
.portal-signin{max-width:28rem;margin:1.5rem auto;padding:1.5rem;background:#fff;border-radius:.5rem}
h1{font-size:1.5rem;margin:0 0 .5rem}
.portal-signin__lead{margin:0 0 1.25rem}
label{display:block;font-weight:700;margin-top:1rem}
.portal-signin__hint{margin:.25rem 0;color:#404040;font-size:.9375rem}
input{display:block;width:100%;min-height:2.75rem;margin-top:.25rem;padding:.5rem .75rem;font:inherit;
border:2px solid #404040;border-radius:.25rem}
input[aria-invalid=true]{border-color:#a10000}
button{margin-top:1.5rem;width:100%;min-height:2.75rem;font:inherit;font-weight:700;color:#fff;background:#0b4f8a;
border:0;border-radius:.25rem;cursor:pointer}
button:hover{background:#083b68}
:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 5px #ffd23f}
.portal-signin__error{border:3px solid #a10000;padding:.75rem 1rem;margin-bottom:1rem}
.portal-signin__error h2{font-size:1.125rem;margin:0 0 .25rem;color:#a10000}
.portal-signin__error p{margin:0}
footer{max-width:28rem;margin:0 auto 2rem;padding:0 1rem;font-size:.875rem;color:#404040}
""".strip()
_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()


def security_headers(form_target: str | None = None) -> dict[str, str]:
    """Strict CSP: our one stylesheet, no scripts, no framing; forms may post here and redirect on."""
    targets = "'self'"
    if form_target:
        parts = urlsplit(form_target)
        targets += f" {parts.scheme}://{parts.netloc}"
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; form-action {targets}; "
            "frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Frame-Options": "DENY",
    }


def _layout(title: str, content: str) -> str:
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(title)} — Cổng Dịch vụ công</title>
<style>{_CSS}</style>
</head>
<body>
<div class="portal-signin__bar">Cổng Dịch vụ công</div>
<main class="portal-signin">
{content}
</main>
<footer><p>Tài khoản dùng chung cho các cổng dịch vụ công của bộ, ngành và địa phương.</p></footer>
</body>
</html>
"""


def sign_in_page(*, action: str, request_id: str, client_name: str, identifier: str = "", error: str = "") -> str:
    summary = ""
    invalid = ""
    if error:
        summary = f"""<div class="portal-signin__error" role="alert" id="loi" tabindex="-1" autofocus>
<h2>Không đăng nhập được</h2>
<p>{escape(error)}</p>
</div>
"""
        invalid = ' aria-invalid="true" aria-errormessage="loi"'
    form = f"""<h1>Đăng nhập</h1>
<p class="portal-signin__lead">để tiếp tục tới <strong>{escape(client_name)}</strong></p>
{summary}<form method="post" action="{escape(action)}">
<input type="hidden" name="request_id" value="{escape(request_id)}">
<label for="identifier">Số định danh cá nhân hoặc mã số thuế</label>
<p class="portal-signin__hint" id="identifier-hint">Công dân: 12 chữ số trên thẻ căn cước. Doanh nghiệp: mã số thuế.</p>
<input id="identifier" name="identifier" type="text" autocomplete="username" spellcheck="false" required
 aria-describedby="identifier-hint" value="{escape(identifier)}"{invalid}>
<label for="password">Mật khẩu</label>
<input id="password" name="password" type="password" autocomplete="current-password" required{invalid}>
<button type="submit">Đăng nhập</button>
</form>"""
    return _layout("Đăng nhập", form)


def problem_page(message: str) -> str:
    return _layout(
        "Không thể đăng nhập",
        f"""<h1>Không thể đăng nhập</h1>
<p role="alert">{escape(message)}</p>
<p>Hãy quay lại trang bạn vừa dùng và thử lại. Nếu lỗi lặp lại, liên hệ đơn vị quản lý trang đó.</p>""",
    )


def signed_out_page() -> str:
    return _layout(
        "Đã đăng xuất",
        """<h1>Bạn đã đăng xuất</h1>
<p>Phiên đăng nhập Cổng Dịch vụ công trên thiết bị này đã kết thúc.</p>""",
    )
