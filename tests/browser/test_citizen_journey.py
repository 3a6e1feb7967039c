"""The whole job in one go, on a phone, against the local stack (`python -m devstack`).

Search without diacritics -> sign in -> submit with an attachment -> the agency (through its API)
asks for payment -> pay in the sandbox -> the agency returns the result -> rate it -> file a
complaint about it -> the agency answers -> the answer is published. Each page type's details and
refusals are tested in test_dossier_pages.py and test_tracking_and_complaints.py; this test proves
the pieces join up: the dossier the citizen submitted in the browser is the one the agency's system
moves on, and what the agency does shows up in the citizen's pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import no_violations
from tests.browser.test_dossier_pages import AGENCY, FORM, NAME, PDF, PHOTOS, PNG, document_field, save_step_one
from tests.browser.test_sign_in_through_site import DEMO_CITIZEN
from tests.browser.test_tracking_and_complaints import answer_and_publish

pytestmark = pytest.mark.browser


def test_find_sign_in_submit_pay_get_the_result_rate_complain_and_read_the_published_answer(page, portal_stack):
    stack = portal_stack
    # Find the procedure by typing without diacritics.
    page.goto(stack.site_url)
    box = page.get_by_role("searchbox", name="Tìm thủ tục hành chính")
    box.fill("lam ho chieu")
    box.press("Enter")
    page.get_by_role("link", name=NAME, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)

    # Sign in from the submit page, and come back to it.
    page.get_by_role("article").get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.get_by_role("main").get_by_role("link", name="Đăng nhập", exact=True).click()
    page.get_by_label("Số định danh cá nhân hoặc mã số thuế").fill(DEMO_CITIZEN)
    page.get_by_label("Mật khẩu").fill(stack.credentials()["citizen_password"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/nop-ho-so/\?thu-tuc=1\.001471"))

    # Submit with attachments.
    save_step_one(page)
    document_field(page, FORM).set_input_files(
        files=[{"name": "don.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(page.get_by_text(re.compile(r"Đã tải lên: don\.pdf"))).to_be_visible()
    document_field(page, PHOTOS).set_input_files(files=[{"name": "anh.png", "mimeType": "image/png", "buffer": PNG}])
    expect(page.get_by_text(re.compile(r"Đã tải lên: anh\.png"))).to_be_visible()
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    done = page.get_by_role("region", name="Đã nộp hồ sơ")
    code = done.locator("[data-portal-code]").inner_text()

    # The agency's one-stop system receives it and asks for the fee.
    for status in (2, 4, 6):
        moved = stack.as_agency(AGENCY, "POST", f"/agency/dossiers/{code}/status", json={"status": status})
        assert moved.status_code == 200, moved.text

    # Pay in the sandbox gateway and come back to the dossier.
    done.get_by_role("link", name=f"Xem hồ sơ {code}").click()
    pay = page.get_by_role("form", name="Thanh toán trực tuyến")
    pay.get_by_label("VNPay (thẻ ngân hàng, mã QR)").check()
    pay.get_by_role("button", name="Thanh toán 200.000 đồng").click()
    page.wait_for_url(re.compile(r"/sandbox/payments/vnpay\?"))
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.get_by_role("link", name=f"Quay lại hồ sơ {code}").click()
    expect(page.get_by_text("Đã thanh toán 200.000 đồng", exact=True)).to_be_visible(timeout=30_000)

    # The agency returns the result; the citizen sees it and rates it.
    result = {"documents": [{"name": "Hộ chiếu phổ thông", "number": "P2026001"}]}
    assert stack.as_agency(AGENCY, "POST", f"/agency/dossiers/{code}/results", json=result).status_code == 200
    for status in (9, 10):
        moved = stack.as_agency(AGENCY, "POST", f"/agency/dossiers/{code}/status", json={"status": status})
        assert moved.status_code == 200, moved.text
    page.reload()
    expect(page.get_by_text("Hộ chiếu phổ thông (số P2026001)")).to_be_visible()
    rate = page.get_by_role("form", name="Đánh giá mức độ hài lòng")
    rate.get_by_label("Hài lòng", exact=True).check()
    rate.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("status").filter(has_text="Cảm ơn bạn đã đánh giá.")).to_be_visible()
    no_violations(page)

    # File a complaint about it, signed in, consenting to publication.
    page.goto(stack.site_url + "phan-anh/")
    page.get_by_label("Cơ quan tiếp nhận").select_option(AGENCY)
    page.get_by_label("Tiêu đề", exact=True).fill(f"Hộ chiếu của hồ sơ {code} in sai tên")
    page.get_by_label("Nội dung", exact=True).fill("Hộ chiếu tôi nhận được in sai dấu trong họ tên.")
    page.get_by_label("Đồng ý công khai nội dung và câu trả lời").check()
    page.get_by_role("button", name="Gửi phản ánh").click()
    complaint = page.get_by_role("region", name="Đã gửi phản ánh, kiến nghị").locator("strong").first.inner_text()

    # The coordinating office routes it, the agency answers, the office approves and publishes.
    answer = f"Cục Quản lý xuất nhập cảnh đã in lại hộ chiếu của hồ sơ {code} với họ tên đúng; mời ông nhận lại."
    answer_and_publish(stack, complaint, answer, agency=AGENCY)

    # The citizen follows it, and anyone can read the published answer.
    page.goto(stack.site_url + "phan-anh/theo-doi/")
    mine = page.get_by_role("region", name="Phản ánh của tôi").locator("article.portal-complaint")
    expect(mine.filter(has_text=complaint)).to_contain_text(answer)
    page.goto(stack.site_url + f"phan-anh/cong-khai/?co-quan={AGENCY}")
    published = page.locator("article.portal-complaint").filter(has_text=complaint)
    expect(published).to_contain_text(answer)
    expect(page.get_by_text("Nguyễn Văn Dân")).to_have_count(0)
    no_violations(page)
