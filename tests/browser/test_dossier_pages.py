"""Submitting, following, paying for and rating a dossier on a phone, against the local stack.

The demo citizen signs in through the site in each test. Dossiers the agency side needs are made as
its systems make them (the API, client credentials): the passport office's one-stop system synchronises a
dossier for the citizen's number, moves it on, asks for payment and returns the result.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.browser.accessibility import no_violations
from tests.browser.stack import PortalStack
from tests.browser.test_sign_in_through_site import DEMO_CITIZEN, sign_in

pytestmark = pytest.mark.browser
PROCEDURE = "1.001471"  # Cấp hộ chiếu phổ thông ở trong nước (trung ương): online, 200.000 đồng, by QLXNC
NAME = "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp trung ương)"
AGENCY = "QLXNC"
# The usual case (the second; the first is for people the law lists) asks for 7 documents, of which
# two for everyone: the photos (1) and the application form TK01 (5).
PHOTOS, FORM = 1, 5
PDF = b"%PDF-1.7\n% to khai de nghi cap ho chieu pho thong\n" + b"0" * 2048
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 512
_serial = itertools.count(1)


def synchronised_dossier(stack: PortalStack, *statuses: int, channel: str = "online") -> str:
    """A dossier of the demo citizen that the passport office's system received, then moved through `statuses`."""
    now = datetime.now(UTC)
    code = f"{AGENCY}-{now:%y%m%d}-{next(_serial) + 7000}"
    common = {"procedure_code": PROCEDURE, "procedure_name": NAME}
    items = [
        {
            "update_id": f"{code}-1",
            "code": code,
            "updated_at": (now - timedelta(hours=3)).isoformat(),
            "status": 2,
            "channel": channel,
            "owner": {"name": "Nguyễn Văn Dân", "identifier": DEMO_CITIZEN},
            "received_at": (now - timedelta(hours=3)).isoformat(),
            "due_date": (now + timedelta(days=5)).date().isoformat(),
            **common,
        }
    ]
    for step, status in enumerate(statuses, start=2):
        at = (now - timedelta(hours=3) + timedelta(minutes=step)).isoformat()
        items.append({"update_id": f"{code}-{step}", "code": code, "updated_at": at, "status": status, **common})
    answer = stack.as_agency(AGENCY, "POST", "/agency/sync/dossiers", json={"items": items})
    assert {r["outcome"] for r in answer.json()["results"]} <= {"created", "updated"}, answer.text
    return code


def agency(stack: PortalStack, code: str, action: str, body: dict) -> dict:
    reply = stack.as_agency(AGENCY, "POST", f"/agency/dossiers/{code}/{action}", json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def save_step_one(page: Page, content: str = "Đề nghị cấp hộ chiếu phổ thông lần đầu để đi du lịch Nhật Bản.") -> None:
    page.get_by_label("Trường hợp 2").check()
    page.get_by_label("Cơ quan tiếp nhận hồ sơ").select_option(label="Cục Quản lý xuất nhập cảnh")
    page.get_by_label("Nội dung đề nghị").fill(content)
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_role("heading", name="Bước 2. Thành phần hồ sơ")).to_be_focused()


def document_field(page: Page, index: int):
    return page.locator(f"#apply-doc-{index}")


# Submitting


def test_a_citizen_submits_a_dossier_with_attachments_from_a_procedure_page_and_finds_it_in_the_account(
    page, portal_stack
):
    page.goto(portal_stack.site_url + "thu-tuc/1-001471/")
    page.get_by_role("article").get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page.get_by_role("region", name="Cần đăng nhập")).to_be_visible()
    no_violations(page)
    sign_in(page, portal_stack, f"nop-ho-so/?thu-tuc={PROCEDURE}")

    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(page.locator("#apply-case-0")).to_be_checked()  # the first case until another is chosen
    no_violations(page)
    save_step_one(page)
    assert "nhap=" in page.url, "a saved draft can be continued from its address"

    form = page.get_by_role("form", name="Bước 2. Thành phần hồ sơ")
    expect(form.locator("input[type=file]")).to_have_count(7)
    expect(document_field(page, FORM)).to_have_attribute("accept", re.compile("application/pdf"))
    expect(form.get_by_text("(bắt buộc)")).to_have_count(2)
    document_field(page, FORM).set_input_files(
        files=[{"name": "don-de-nghi.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(form.get_by_text(re.compile(r"Đã tải lên: don-de-nghi\.pdf \(\d+ KB\)"))).to_be_visible()
    document_field(page, PHOTOS).set_input_files(
        files=[{"name": "anh-chan-dung.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(form.get_by_text(re.compile(r"Đã tải lên: anh-chan-dung\.png"))).to_be_visible()
    expect(form.get_by_role("status")).to_contain_text("Đã tải lên “anh-chan-dung.png”")
    no_violations(page)
    form.get_by_role("button", name="Nộp hồ sơ", exact=True).click()

    done = page.get_by_role("region", name="Đã nộp hồ sơ")
    expect(done.get_by_role("heading", name="Đã nộp hồ sơ")).to_be_focused()
    code = done.locator("[data-portal-code]").inner_text()
    assert re.fullmatch(r"QLXNC-\d{6}-\d{4,6}", code)
    expect(done).to_contain_text("Ngày hẹn trả kết quả:")
    assert "nhap=" not in page.url, "a submitted draft is gone"
    no_violations(page)

    done.get_by_role("link", name=f"Xem hồ sơ {code}").click()
    dossier = page.get_by_role("region", name=f"Hồ sơ {code}")
    expect(dossier).to_contain_text("Mới đăng ký. Hồ sơ đã được gửi")
    expect(dossier).to_contain_text("Tệp đính kèm: don-de-nghi.pdf")
    expect(dossier).to_contain_text("Phí, lệ phí: 200.000 đồng")

    page.get_by_role("link", name="Tài khoản", exact=True).click()
    mine = page.get_by_role("region", name="Hồ sơ của tôi")
    item = mine.get_by_role("listitem").filter(has=page.get_by_role("link", name=code))
    expect(item).to_contain_text("Tình trạng: Mới đăng ký")
    expect(item).to_contain_text("Cấp hộ chiếu phổ thông ở trong nước")
    expect(page.get_by_role("region", name="Hồ sơ đang soạn")).to_be_visible()
    expect(page.get_by_role("region", name="Thanh toán của tôi")).to_be_visible()
    no_violations(page)
    item.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", name=f"Hồ sơ {code}")).to_be_visible()


def test_a_file_too_big_or_not_what_it_claims_is_refused_next_to_its_field_and_nothing_is_lost(page, portal_stack):
    sign_in(page, portal_stack, f"nop-ho-so/?thu-tuc={PROCEDURE}")
    save_step_one(page, "Nội dung giữ nguyên sau khi tệp bị từ chối.")
    field = document_field(page, FORM)
    field.set_input_files(files=[{"name": "don.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    expect(page.get_by_text("Đã tải lên: don.pdf")).to_be_visible()

    refusals = [
        (
            {"name": "ho-so.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ\x90\x00"},
            "không phải PDF, JPEG hoặc PNG",
        ),
        (
            {"name": "gia.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 khong phai pdf"},
            "không phải là tệp PDF",
        ),
        (
            {"name": "qua-lon.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"0" * (10 * 1024 * 1024)},
            "vượt quá 10 MB",
        ),
    ]
    for file, message in refusals:
        field.set_input_files(files=[file])
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(f"^Lỗi: .*{message}"))
        expect(page.locator(f"#apply-doc-{FORM}-error")).to_contain_text(file["name"])
        expect(field).to_be_focused()
        expect(page.get_by_role("alert").filter(has_text=message)).to_be_visible()
    no_violations(page)
    expect(page.get_by_text("Đã tải lên: don.pdf")).to_be_visible()
    expect(page.get_by_label("Nội dung đề nghị")).to_have_value("Nội dung giữ nguyên sau khi tệp bị từ chối.")

    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()  # the photos (also required) are missing
    photos = document_field(page, PHOTOS)
    expect(photos).to_be_focused()
    expect(photos).to_have_accessible_description(re.compile("^Lỗi: Hãy đính kèm “02 ảnh mới chụp"))

    page.get_by_role("button", name="Xoá tệp don.pdf").click()
    expect(page.get_by_text("Đã tải lên: don.pdf")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Đã xoá tệp “don.pdf”")).to_be_visible()
    expect(field).to_be_focused()

    # The draft is kept: the account page continues it with what was typed and attached.
    field.set_input_files(files=[{"name": "don-moi.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    expect(page.get_by_text("Đã tải lên: don-moi.pdf")).to_be_visible()
    draft_id = re.search(r"nhap=([^&]+)", page.url).group(1)
    page.goto(portal_stack.site_url + "tai-khoan/")
    drafts = page.get_by_role("region", name="Hồ sơ đang soạn")
    drafts.locator(f'a[href*="nhap={draft_id}"]').click()
    expect(page.get_by_label("Nội dung đề nghị")).to_have_value("Nội dung giữ nguyên sau khi tệp bị từ chối.")
    expect(page.get_by_label("Cơ quan tiếp nhận hồ sơ")).to_be_disabled()
    expect(page.get_by_text("Đã tải lên: don-moi.pdf")).to_be_visible()


def test_the_submit_form_is_usable_with_the_keyboard_alone_and_shows_where_focus_is(page, portal_stack):
    sign_in(page, portal_stack, f"nop-ho-so/?thu-tuc={PROCEDURE}")
    page.get_by_role("heading", name=NAME).focus()

    def tab_until(target: str, limit: int = 15) -> list[str]:
        reached = []
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => {
                  const el = document.activeElement, style = getComputedStyle(el);
                  const visible = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
                  return [el.id || el.name || el.textContent.trim(), visible];
                }"""
            )
            assert focused[1], f"no visible focus on {focused[0]}"
            reached.append(focused[0])
            if focused[0] == target:
                return reached
        raise AssertionError(f"Tab never reached {target}: {reached}")

    reached = tab_until("Lưu và tiếp tục")
    for field in ("apply-case-0", "apply-agency", "apply-content", "nhan_ket_qua"):
        assert field in reached, (field, reached)
    assert reached.index("apply-case-0") < reached.index("apply-agency") < reached.index("apply-content")

    page.locator("#apply-agency").focus()
    page.keyboard.press("ArrowDown")  # the first agency after the "choose" option
    page.locator("#apply-content").focus()
    page.keyboard.type("Đề nghị cấp hộ chiếu phổ thông.")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the next way to receive the result: at the agency
    page.keyboard.press("ArrowDown")  # then by post, which asks for an address
    expect(page.get_by_label("Nhận qua dịch vụ bưu chính (trả cước khi nhận)")).to_be_checked()
    assert "apply-address" in tab_until("apply-address")
    page.keyboard.type("Số 1 Trần Hưng Đạo, phường Hoàn Kiếm, Hà Nội")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Bước 2. Thành phần hồ sơ")).to_be_focused()
    reached = tab_until("Nộp hồ sơ")
    # the first case, kept: the four documents of the people the law lists
    assert [name for name in reached if name.startswith("apply-doc-")] == [f"apply-doc-{i}" for i in range(4)]


def test_my_dossiers_come_ten_at_a_time_and_more_are_shown_on_request(page, portal_stack):
    now = datetime.now(UTC)
    items = []
    for _ in range(11):
        code = f"{AGENCY}-{now:%y%m%d}-{next(_serial) + 7000}"
        owner = {"name": "Nguyễn Văn Dân", "identifier": DEMO_CITIZEN}
        items.append(
            {"update_id": code, "code": code, "updated_at": now.isoformat(), "status": 2, "owner": owner}
            | {"procedure_code": PROCEDURE, "procedure_name": NAME, "channel": "online"}
        )
    answer = portal_stack.as_agency(AGENCY, "POST", "/agency/sync/dossiers", json={"items": items})
    assert answer.status_code == 200, answer.text
    sign_in(page, portal_stack)
    mine = page.get_by_role("region", name="Hồ sơ của tôi")
    entries = mine.get_by_role("listitem")
    expect(entries).to_have_count(10)
    expect(mine.get_by_role("status")).to_contain_text("Có 10 hồ sơ gần nhất")
    mine.get_by_role("button", name="Xem thêm hồ sơ").click()
    expect(mine.get_by_role("status")).to_contain_text("Đã hiện thêm")
    expect(entries.nth(10).get_by_role("link")).to_be_focused()
    assert entries.count() > 10


# Following a dossier: paying, rating, supplements, withdrawal


def test_the_owner_pays_the_fee_the_agency_asks_for_in_the_sandbox_and_gets_a_receipt(page, portal_stack):
    code = synchronised_dossier(portal_stack, 6)
    sign_in(page, portal_stack, f"ho-so/?ma={code}")
    dossier = page.get_by_role("region", name=f"Hồ sơ {code}")
    expect(dossier).to_contain_text("Yêu cầu thực hiện nghĩa vụ tài chính. Cơ quan yêu cầu")
    pay = page.get_by_role("form", name="Thanh toán trực tuyến")
    expect(pay.get_by_role("button", name="Thanh toán 200.000 đồng")).to_be_visible()
    no_violations(page)

    pay.get_by_label("VNPay (thẻ ngân hàng, mã QR)").check()
    pay.get_by_role("button", name="Thanh toán 200.000 đồng").click()
    page.wait_for_url(re.compile(r"/sandbox/payments/vnpay\?"))
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.wait_for_url(re.compile(r"/payments/intents/[^/]+/return"))
    page.get_by_role("link", name=f"Quay lại hồ sơ {code}").click()

    page.wait_for_url(portal_stack.site_url + f"ho-so/?ma={code}")
    expect(page.get_by_text("Đã thanh toán 200.000 đồng", exact=True)).to_be_visible(timeout=30_000)
    expect(dossier).to_contain_text("Đang xử lý. Cơ quan đang giải quyết hồ sơ.")
    expect(page.get_by_role("form", name="Thanh toán trực tuyến")).to_be_hidden()
    no_violations(page)
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Xem biên lai điện tử").click()
    receipt = opened.value
    expect(receipt.get_by_role("heading", name="Biên lai thu điện tử")).to_be_visible()
    expect(receipt.locator("body")).to_contain_text(code)
    expect(receipt.locator("body")).to_contain_text("200.000 đồng")
    receipt.close()

    page.get_by_role("link", name="Tài khoản", exact=True).click()
    payments = page.get_by_role("region", name="Thanh toán của tôi")
    paid = payments.get_by_role("listitem").filter(has_text=f"Phí, lệ phí hồ sơ {code}")
    expect(paid).to_contain_text("Đã thanh toán")
    expect(paid.get_by_role("link", name=f"Hồ sơ {code}")).to_be_visible()
    expect(paid.get_by_role("button", name=re.compile("^Xem biên lai điện tử"))).to_be_visible()


def test_the_owner_rates_a_returned_dossier_and_sees_its_results(page, portal_stack):
    code = synchronised_dossier(portal_stack, 4)
    agency(portal_stack, code, "results", {"documents": [{"name": "Hộ chiếu phổ thông", "number": "P0042"}]})
    agency(portal_stack, code, "status", {"status": 9})
    agency(portal_stack, code, "status", {"status": 10})
    sign_in(page, portal_stack, f"ho-so/?ma={code}")
    expect(page.get_by_role("heading", name="Kết quả giải quyết")).to_be_visible()
    expect(page.get_by_text("Hộ chiếu phổ thông (số P0042)")).to_be_visible()
    rate = page.get_by_role("form", name="Đánh giá mức độ hài lòng")
    no_violations(page)

    rate.get_by_role("button", name="Gửi đánh giá").click()
    first = rate.get_by_label("Rất hài lòng")
    expect(first).to_be_focused()
    expect(first).to_have_accessible_description(re.compile("^Lỗi: Hãy chọn mức độ hài lòng"))
    no_violations(page)

    rate.get_by_label("Hài lòng", exact=True).check()
    rate.get_by_label("Ý kiến thêm (không bắt buộc)").fill("Cán bộ hướng dẫn tận tình.")
    rate.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("status").filter(has_text="Cảm ơn bạn đã đánh giá.")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Bạn đã đánh giá: Hài lòng .*Ý kiến: Cán bộ hướng dẫn tận tình\."))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Đánh giá mức độ hài lòng")).to_be_focused()
    expect(rate.get_by_role("button", name="Sửa đánh giá")).to_be_visible()
    no_violations(page)


def test_the_owner_answers_a_supplement_request_then_asks_to_withdraw(page, portal_stack):
    code = synchronised_dossier(portal_stack)
    today = datetime.now(UTC) + timedelta(hours=7)
    new_due = (today + timedelta(days=10)).date()
    request = {"reason": "Ảnh chân dung bị mờ", "documents": ["Ảnh chân dung"], "new_due_date": new_due.isoformat()}
    agency(portal_stack, code, "supplement-requests", request)
    sign_in(page, portal_stack, f"ho-so/?ma={code}")
    supplements = page.get_by_role("form", name="Gửi phần bổ sung")
    expect(page.get_by_text("Ảnh chân dung bị mờ").first).to_be_visible()
    expect(page.get_by_text(f"Hạn trả kết quả mới: {new_due:%d/%m/%Y}")).to_be_visible()
    supplements.get_by_role("button", name="Gửi phần bổ sung").click()
    expect(supplements.get_by_label("Nội dung bổ sung")).to_be_focused()
    supplements.get_by_label("Nội dung bổ sung").fill("Đã gửi ảnh chân dung mới qua bưu điện ngày hôm nay.")
    supplements.get_by_role("button", name="Gửi phần bổ sung").click()
    expect(page.get_by_role("status").filter(has_text="Đã gửi phần bổ sung")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Hồ sơ {code}")).to_be_focused()
    expect(supplements).to_be_hidden()
    expect(page.get_by_role("region", name=f"Hồ sơ {code}")).to_contain_text("Đang xử lý. Cơ quan đang giải quyết")

    withdraw = page.get_by_role("form", name="Rút hồ sơ")
    withdraw.get_by_label("Lý do rút hồ sơ").fill("Tôi không còn đi nước ngoài.")
    withdraw.get_by_role("button", name="Gửi yêu cầu rút hồ sơ").click()
    expect(page.get_by_role("status").filter(has_text="Đã gửi yêu cầu rút hồ sơ")).to_be_visible()
    expect(page.get_by_text("Công dân yêu cầu rút hồ sơ").first).to_be_visible()
    expect(withdraw).to_be_hidden()
    no_violations(page)


# Without JavaScript


def test_without_javascript_the_pages_say_what_needs_it_and_what_works_without(browser: Browser, portal_stack):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        for path in (f"nop-ho-so/?thu-tuc={PROCEDURE}", "ho-so/?ma=QLXNC-250101-0001", "tai-khoan/"):
            page.goto(portal_stack.site_url + path)
            note = page.locator("article noscript")
            assert "cần JavaScript" in (note.text_content() or "")
            links = note.locator("a").all()
            assert links, path
            for link in links:  # each way on works: a page of the site
                target = portal_stack.site_url + path.split("?")[0]
                assert requests.get(urljoin(target, link.get_attribute("href")), timeout=10).ok
        page.goto(portal_stack.site_url + "nop-ho-so/")
        page.get_by_label("Mã thủ tục").fill(PROCEDURE)
        page.get_by_role("button", name="Tiếp tục").click()
        page.wait_for_url(re.compile(r"nop-ho-so/\?thu-tuc=1\.001471$"))
    finally:
        context.close()
