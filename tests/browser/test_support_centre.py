"""The support centre in the browser against the local stack: a citizen asks for help from a
procedure page and an operator answers in the console; a supervisor logs a call linked to the
citizen's dossier and reads its status with consent, which the citizen then sees on the account
page. axe on every new page (the ask form, the conversation, the second-factor step, the console,
the account page's access list).

Each test signs in a different staff member: a TOTP code is good once, so two sign-ins of one
person within the same 30 seconds would (rightly) be refused."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from chalicelib.support import totp
from devstack.seed import DEMO_STAFF
from tests.browser.accessibility import wcag_violations
from tests.browser.stack import PortalStack
from tests.browser.test_sign_in_through_site import sign_in
from tests.browser.test_tracking_and_complaints import synchronised_dossier

pytestmark = pytest.mark.browser
CONSOLE = "ho-tro/bang-dieu-khien/"


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Page]:
    """A staff member's laptop; CSP bypassed so that axe can run on the provider's own pages too."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN", bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def no_violations(page: Page) -> None:
    """accessibility.no_violations, asserted here so that pytest shows which rule and element failed."""
    page.wait_for_function("document.getAnimations().every((animation) => animation.playState !== 'running')")
    assert wcag_violations(page) == []


def staff_sign_in(page: Page, stack: PortalStack, role: str) -> None:
    """The console's sign-in: password, then the second-factor page (axe-checked), back to the console."""
    person, secrets = DEMO_STAFF[role], stack.credentials()["staff"][role]
    page.goto(stack.site_url + CONSOLE)
    no_violations(page)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_label("Số định danh cá nhân hoặc mã số thuế").fill(person["identity_number"])
    page.get_by_label("Mật khẩu").fill(secrets["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Xác thực hai lớp")).to_be_visible()
    no_violations(page)
    page.get_by_label("Mã xác thực").fill(totp.code_at(secrets["totp"], time.time()))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(stack.site_url + CONSOLE)
    expect(page.get_by_text(f"Xin chào {person['full_name']}")).to_be_visible()


def test_a_citizen_asks_from_a_procedure_page_an_operator_answers_and_the_citizen_rates(
    page: Page, laptop: Page, portal_stack: PortalStack
) -> None:
    page.goto(portal_stack.site_url + "thu-tuc/1-001193/")
    page.get_by_role("link", name="Hỏi tổng đài viên trực tuyến").click()
    expect(page.get_by_label("Mã thủ tục (nếu có)")).to_have_value("1.001193")
    no_violations(page)
    page.get_by_label("Câu hỏi của bạn").fill("Tôi đăng ký khai sinh cho con ở nơi tạm trú được không?")
    page.get_by_label("Họ và tên").fill("Phạm Thị Hỏi")
    page.get_by_label("Thư điện tử").fill("hoi@example.vn")
    page.get_by_role("button", name="Gửi câu hỏi").click()
    title = page.get_by_role("heading", name=re.compile(r"Cuộc hỏi đáp HT-"))
    expect(title).to_be_visible()
    code = title.inner_text().split()[-1]
    expect(page.get_by_text("Đang chờ tổng đài viên trả lời.")).to_be_visible()
    no_violations(page)

    staff_sign_in(laptop, portal_stack, "operator")
    laptop.get_by_role("button", name=f"Hỏi đáp trực tuyến {code}").click()
    expect(laptop.get_by_role("heading", name=f"Hỏi đáp {code}")).to_be_focused()
    laptop.get_by_label("Câu trả lời", exact=True).fill("Được. Bạn nộp tại UBND cấp xã nơi cư trú của cha hoặc mẹ.")
    laptop.get_by_role("button", name="Gửi trả lời").click()
    expect(laptop.get_by_text("Tổng đài viên Trần Thị Tổng Đài")).to_be_visible()
    no_violations(laptop)

    page.reload()
    expect(page.get_by_text("Được. Bạn nộp tại UBND cấp xã")).to_be_visible()
    page.get_by_label("Rất hài lòng").check()
    page.get_by_role("button", name="Kết thúc cuộc hỏi đáp").click()
    expect(page.get_by_text("Cuộc hỏi đáp đã kết thúc.")).to_be_visible()
    no_violations(page)


def test_a_call_is_logged_linked_to_a_dossier_and_the_consented_read_shows_on_the_citizens_account(
    page: Page, laptop: Page, portal_stack: PortalStack
) -> None:
    dossier = synchronised_dossier(portal_stack)
    staff_sign_in(laptop, portal_stack, "supervisor")
    laptop.keyboard.press("n")  # keyboard first: straight to the caller's phone number
    expect(laptop.get_by_label("Số điện thoại người gọi")).to_be_focused()
    laptop.keyboard.type("0912000001")
    laptop.get_by_label("Họ tên người gọi").fill("Nguyễn Văn Dân")
    laptop.get_by_label("Chủ đề").select_option("ho-so")
    laptop.get_by_label("Mã hồ sơ liên quan").fill(dossier)
    laptop.get_by_label("Ghi chú").fill("Hỏi vì sao hồ sơ phải bổ sung.")
    laptop.get_by_role("button", name="Lưu cuộc gọi").click()
    expect(laptop.get_by_role("heading", name=re.compile(r"Cuộc gọi CG-"))).to_be_focused()
    expect(laptop.get_by_text(f"Liên kết: Hồ sơ {dossier}")).to_be_visible()

    laptop.get_by_label("Mã hồ sơ", exact=True).fill(dossier)
    laptop.get_by_label("Lý do xem").fill("Người gọi hỏi vì sao phải bổ sung hồ sơ")
    laptop.get_by_role("button", name="Xem tình trạng").click()
    expect(laptop.get_by_text("Chỉ xem khi người gọi đã đồng ý.").first).to_be_visible()  # no consent, no read
    laptop.get_by_label("Người gọi đã đồng ý cho xem hồ sơ").check()
    laptop.get_by_role("button", name="Xem tình trạng").click()
    expect(laptop.get_by_role("heading", name=re.compile(f"Hồ sơ {dossier}: "))).to_be_visible()
    laptop.keyboard.press("/")
    laptop.keyboard.type("khai sinh")
    laptop.keyboard.press("Enter")
    expect(laptop.get_by_text("1.001193").first).to_be_visible()
    no_violations(laptop)

    sign_in(page, portal_stack)
    accesses = page.locator("[data-portal-accesses]")
    expect(accesses.get_by_text("Giám sát viên tổng đài Lê Văn Giám Sát")).to_be_visible()
    expect(accesses.get_by_text("Lý do: Người gọi hỏi vì sao phải bổ sung hồ sơ")).to_be_visible()
    no_violations(page)


def test_a_citizen_is_told_the_console_is_for_staff_only(page: Page, portal_stack: PortalStack) -> None:
    sign_in(page, portal_stack)
    page.goto(portal_stack.site_url + CONSOLE)
    expect(page.get_by_role("alert")).to_contain_text("chỉ dành cho cán bộ hỗ trợ")
    no_violations(page)


def test_a_signed_in_citizen_asks_from_the_help_centre_and_finds_the_question_on_the_account_page(
    page: Page, portal_stack: PortalStack
) -> None:
    sign_in(page, portal_stack)
    page.goto(portal_stack.site_url + "tro-giup/")
    page.get_by_role("article").get_by_role("link", name="Hỏi đáp trực tuyến").click()
    expect(page.get_by_text("Bạn đang đăng nhập")).to_be_visible()
    expect(page.get_by_label("Họ và tên")).to_be_hidden()  # the account's name and contacts are used
    page.get_by_label("Bạn cần hỗ trợ về").select_option("tai-khoan")
    page.get_by_label("Câu hỏi của bạn").fill("Tôi muốn đổi số điện thoại nhận mã xác nhận.")
    page.get_by_role("button", name="Gửi câu hỏi").click()
    title = page.get_by_role("heading", name=re.compile(r"Cuộc hỏi đáp HT-"))
    expect(title).to_be_visible()
    code = title.inner_text().split()[-1]
    page.goto(portal_stack.site_url + "tai-khoan/")
    mine = page.locator("[data-portal-conversations]")
    mine.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", name=f"Cuộc hỏi đáp {code}")).to_be_visible()  # signed in: no key needed
    expect(page.get_by_text("Tôi muốn đổi số điện thoại nhận mã xác nhận.")).to_be_visible()
    no_violations(page)
