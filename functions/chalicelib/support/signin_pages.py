"""The second-factor pages of a staff member's sign-in (the layout and CSP of `sso.pages`)."""

from __future__ import annotations

from html import escape

from chalicelib.sso.pages import _layout
from chalicelib.support.staff import Enrolment


def second_factor_page(
    *, action: str, request_id: str, token: str, enrolment: Enrolment | None, error: str = ""
) -> str:
    summary, invalid = "", ""
    if error:
        summary = f"""<div class="portal-signin__error" role="alert" id="loi" tabindex="-1" autofocus>
<h2>Chưa xác thực được</h2>
<p>{escape(error)}</p>
</div>
"""
        invalid = ' aria-invalid="true" aria-errormessage="loi"'
    setup = ""
    if enrolment is not None:
        setup = f"""<p>Tài khoản cán bộ hỗ trợ cần xác thực hai lớp. Mở ứng dụng xác thực (Google Authenticator,
Microsoft Authenticator, FreeOTP…), chọn thêm tài khoản bằng khoá thiết lập rồi nhập mã 6 chữ số ứng dụng hiện ra.</p>
<p><strong>Khoá thiết lập:</strong> <code id="totp-secret">{escape(enrolment.secret)}</code></p>
<p class="portal-signin__hint">Địa chỉ cho ứng dụng: <code>{escape(enrolment.uri)}</code></p>
"""
    hint = "Mã 6 chữ số trong ứng dụng xác thực, hoặc một mã khôi phục (10 ký tự)."
    content = f"""<h1>Xác thực hai lớp</h1>
{summary}{setup}<form method="post" action="{escape(action)}">
<input type="hidden" name="request_id" value="{escape(request_id)}">
<input type="hidden" name="token" value="{escape(token)}">
<label for="code">Mã xác thực</label>
<p class="portal-signin__hint" id="code-hint">{hint}</p>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" spellcheck="false"
 required aria-describedby="code-hint"{invalid}>
<button type="submit">Xác nhận</button>
</form>"""
    return _layout("Xác thực hai lớp", content)


def recovery_codes_page(*, codes: list[str], next_url: str) -> str:
    items = "".join(f"<li><code>{escape(code)}</code></li>" for code in codes)
    content = f"""<h1>Lưu mã khôi phục</h1>
<p>Đã bật xác thực hai lớp. Nếu mất điện thoại, mỗi mã dưới đây thay được mã xác thực <strong>một lần</strong>.
Hãy lưu ở nơi an toàn; trang này không hiện lại các mã.</p>
<ul id="recovery-codes">{items}</ul>
<p><a href="{escape(next_url)}">Tôi đã lưu, tiếp tục</a></p>"""
    return _layout("Lưu mã khôi phục", content)
