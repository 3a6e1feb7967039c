"""Tracking a dossier and filing, following and reading complaints, on a phone, against the local stack.

Each test makes its own dossier or complaint. Complaints are capped at five an hour per network
address (every request here comes from 127.0.0.1) and the stack is shared per worker, so the tests
below file four between them; the agencies' side goes through their API as their systems would.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.accessibility import no_violations
from tests.browser.stack import PortalStack
from tests.browser.test_sign_in_through_site import DEMO_CITIZEN, sign_in

pytestmark = pytest.mark.browser
NUMBER_LABEL = "Số định danh cá nhân hoặc mã số thuế của chủ hồ sơ"
_serial = itertools.count(1)


def synchronised_dossier(stack: PortalStack, owner: str = DEMO_CITIZEN) -> str:
    """A dossier the Cục CSGT's one-stop system received three hours ago and then asked to supplement."""
    now = datetime.now(UTC)
    code = f"CSGT-{now:%y%m%d}-{next(_serial) + 9000}"
    common = {"procedure_code": "3.000353", "procedure_name": "Cấp giấy phép lái xe quốc tế"}
    items = [
        {
            "update_id": f"{code}-1",
            "code": code,
            "updated_at": (now - timedelta(hours=3)).isoformat(),
            "status": 2,
            "owner": {"name": "Nguyễn Văn Dân", "identifier": owner},
            "received_at": (now - timedelta(hours=3)).isoformat(),
            "due_date": (now + timedelta(days=5)).date().isoformat(),
            **common,
        },
        {
            "update_id": f"{code}-2",
            "code": code,
            "updated_at": (now - timedelta(hours=1)).isoformat(),
            "status": 5,
            "note": "Thiếu giấy khám sức khỏe",
            **common,
        },
    ]
    answer = stack.as_agency("CSGT", "POST", "/agency/sync/dossiers", json={"items": items})
    assert [r["outcome"] for r in answer.json()["results"]] == ["created", "updated"], answer.text
    return code


def answer_and_publish(stack: PortalStack, code: str, text: str, agency: str = "CSGT") -> None:
    """The coordinating office (VPCP) assigns it to the agency, which answers; the office checks and publishes."""
    steps = [
        ("VPCP", "decision", {"action": "accept", "agency_id": agency}),
        (agency, "answer", {"text": text}),
        ("VPCP", "check", {"action": "approve"}),
    ]
    for office, action, body in steps:
        reply = stack.as_agency(office, "POST", f"/agency/complaints/{code}/{action}", json=body)
        assert reply.status_code == 200, (action, reply.text)
    assert reply.json()["status"] == "published"


# Tracking a dossier


def test_a_dossier_is_tracked_by_code_and_number_with_status_in_words_timeline_due_date_and_next_step(
    page, portal_stack
):
    code = synchronised_dossier(portal_stack)
    page.goto(portal_stack.site_url + f"tra-cuu/?ma={code}")
    expect(page.get_by_label("Mã hồ sơ")).to_have_value(code)
    no_violations(page)
    page.get_by_label(NUMBER_LABEL).fill(DEMO_CITIZEN)
    page.get_by_role("button", name="Tra cứu").click()

    result = page.get_by_role("region", name=f"Hồ sơ {code}")
    expect(result.get_by_role("heading", name=f"Hồ sơ {code}")).to_be_focused()
    expect(result).to_contain_text("Cấp giấy phép lái xe quốc tế")
    expect(result).to_contain_text("Cục Cảnh sát giao thông")
    expect(result).to_contain_text("Yêu cầu bổ sung giấy tờ. Cơ quan yêu cầu bổ sung giấy tờ.")
    due = (datetime.now(UTC) + timedelta(days=5)).date()
    expect(result).to_contain_text(f"{due:%d/%m/%Y}")
    expect(result.get_by_role("heading", name="Việc cần làm tiếp")).to_be_visible()
    expect(result.get_by_role("link", name="Mở Tài khoản của tôi")).to_be_visible()
    steps = result.get_by_role("list").last.get_by_role("listitem")
    expect(steps).to_have_count(2)
    expect(steps.first).to_contain_text("Được tiếp nhận")
    expect(steps.last).to_contain_text("Yêu cầu bổ sung giấy tờ")
    assert DEMO_CITIZEN not in page.url, "the owner's number never goes into the address"
    no_violations(page)


def test_a_code_and_number_that_match_no_dossier_get_a_clear_message_and_a_missing_field_its_own(page, portal_stack):
    page.goto(portal_stack.site_url + "tra-cuu/")
    page.get_by_role("button", name="Tra cứu").click()
    code_field = page.get_by_label("Mã hồ sơ")
    expect(code_field).to_be_focused()
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(code_field).to_have_accessible_description(re.compile("^Lỗi: Hãy nhập mã hồ sơ"))
    no_violations(page)

    code_field.fill("CSGT-250101-9999")
    page.get_by_label(NUMBER_LABEL).fill("079200001234")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy hồ sơ với mã và số định danh này.")
    expect(page.get_by_role("region", name=re.compile("^Hồ sơ"))).to_be_hidden()
    expect(code_field).not_to_have_attribute("aria-invalid", "true")
    no_violations(page)


def test_a_code_locked_after_five_wrong_numbers_says_when_to_try_again(page, portal_stack):
    code = synchronised_dossier(portal_stack)
    for number in range(5):
        wrong = {"code": code, "identifier": f"07920000{number:04d}"}
        assert requests.post(f"{portal_stack.api_url}/dossiers/lookup", json=wrong, timeout=10).status_code == 404
    page.goto(portal_stack.site_url + f"tra-cuu/?ma={code}")
    page.get_by_label(NUMBER_LABEL).fill(DEMO_CITIZEN)
    page.get_by_role("button", name="Tra cứu").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("tạm khoá")
    expect(alert).to_contain_text(re.compile(r"thử lại từ \d{2}:\d{2}"))


# Complaints


def test_a_complaint_is_filed_without_signing_in_answered_published_and_followed(page, portal_stack):
    page.goto(portal_stack.site_url + "phan-anh/")
    no_violations(page)
    page.get_by_label("Nội dung liên quan đến").select_option("thai-do-can-bo")
    page.get_by_label("Cơ quan tiếp nhận").select_option(label="Cục Cảnh sát giao thông")
    page.get_by_label("Tiêu đề", exact=True).fill("Hẹn trả giấy phép lái xe nhiều lần")
    page.get_by_label("Nội dung", exact=True).fill(
        "Tôi nộp hồ sơ đổi giấy phép lái xe, đã quá hẹn hai tuần mà chưa nhận được."
    )
    page.get_by_label("Đồng ý công khai nội dung và câu trả lời").check()
    page.get_by_label("Họ và tên").fill("Trần Thị Phản")
    page.get_by_label("Thư điện tử", exact=True).fill("phan.anh@example.vn")
    no_violations(page)
    page.get_by_role("button", name="Gửi phản ánh").click()

    done = page.get_by_role("region", name="Đã gửi phản ánh, kiến nghị")
    expect(done.get_by_role("heading", name="Đã gửi phản ánh, kiến nghị")).to_be_focused()
    code = done.locator("strong").first.inner_text()
    assert re.fullmatch(r"PA-\d{6}-\d{4,6}", code)
    expect(done).to_contain_text("thư điện tử hoặc số điện thoại đã để lại")
    no_violations(page)

    answer = "Cục Cảnh sát giao thông đã kiểm tra; giấy phép của bà đã được in và gửi qua bưu điện ngày 20/11."
    answer_and_publish(portal_stack, code, answer)

    done.get_by_role("link", name="Theo dõi phản ánh, kiến nghị").click()
    expect(page.get_by_label("Mã phản ánh hoặc câu hỏi")).to_have_value(code)
    no_violations(page)
    page.get_by_label("Thư điện tử hoặc số điện thoại đã để lại").fill("PHAN.ANH@example.vn")
    page.get_by_role("button", name="Tra cứu").click()
    found = page.get_by_role("region", name="Kết quả tra cứu")
    expect(found.get_by_role("heading", name="Kết quả tra cứu")).to_be_focused()
    expect(found).to_contain_text("Đã công khai trả lời")
    expect(found.get_by_role("heading", name="Trả lời của Cục Cảnh sát giao thông")).to_be_visible()
    expect(found).to_contain_text(answer)
    assert "phan.anh" not in page.url.lower(), "the contact never goes into the address"
    no_violations(page)

    page.goto(portal_stack.site_url + "phan-anh/cong-khai/?co-quan=CSGT")
    expect(page.get_by_label("Cơ quan trả lời")).to_have_value("CSGT")
    published = page.locator("article.portal-complaint").filter(has_text=code)
    expect(published.get_by_role("heading", name="Hẹn trả giấy phép lái xe nhiều lần")).to_be_visible()
    expect(published).to_contain_text(answer)
    expect(page.get_by_text("Trần Thị Phản")).to_have_count(0)
    no_violations(page)


def test_a_question_filed_with_the_keyboard_alone_is_refused_then_fixed_then_answered_publicly(page, portal_stack):
    """Keyboard only: tab to each field, Space for choices, Enter to send. A missing title is refused
    next to its field with everything typed kept; once answered, the question is published."""
    page.goto(portal_stack.site_url + "phan-anh/?thu-tuc=3.000353")
    question = page.get_by_label("Câu hỏi về một thủ tục hành chính")
    expect(question).to_be_checked()
    expect(page.get_by_label("Mã thủ tục hành chính")).to_have_value("3.000353")
    content = "Tôi sắp đi nước ngoài, giấy phép lái xe quốc tế có cần dịch công chứng không?"

    page.get_by_label("Nội dung liên quan đến").focus()
    page.keyboard.press("Tab")  # the agency: optional for a question
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mã thủ tục hành chính")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Tiêu đề", exact=True)).to_be_focused()
    page.keyboard.press("Tab")  # the title is left empty
    page.keyboard.type(content)
    page.keyboard.press("Tab")  # attachments
    page.keyboard.press("Tab")
    expect(page.get_by_label("Đồng ý công khai nội dung và câu trả lời")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Lê Văn Hỏi")
    page.keyboard.press("Tab")
    page.keyboard.type("hoi.dap@example.vn")
    page.keyboard.press("Enter")

    title = page.get_by_label("Tiêu đề", exact=True)
    expect(title).to_be_focused()
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(re.compile("^Lỗi: Hãy nhập tiêu đề"))
    expect(page.get_by_role("alert")).to_contain_text("Có 1 mục cần sửa")
    expect(page.get_by_label("Nội dung", exact=True)).to_have_value(content)
    expect(page.get_by_label("Họ và tên")).to_have_value("Lê Văn Hỏi")
    expect(page.get_by_label("Đồng ý công khai nội dung và câu trả lời")).to_be_checked()
    no_violations(page)

    page.keyboard.type("Giấy phép lái xe quốc tế có cần dịch không?")
    page.keyboard.press("Enter")
    done = page.get_by_role("heading", name="Đã gửi câu hỏi")
    expect(done).to_be_focused()
    code = page.get_by_role("region", name="Đã gửi câu hỏi").locator("strong").first.inner_text()
    assert code.startswith("HD-")

    answer_and_publish(portal_stack, code, "Không cần: giấy phép lái xe quốc tế đã in song ngữ theo mẫu của Công ước.")
    page.goto(portal_stack.site_url + "phan-anh/cong-khai/#cau-hoi")
    heading = page.get_by_role("heading", name="Giấy phép lái xe quốc tế có cần dịch không?")
    answered = page.locator("article.portal-complaint").filter(has=heading)
    expect(answered).to_contain_text("Không cần: giấy phép lái xe quốc tế đã in song ngữ")
    expect(answered.get_by_role("link", name="3.000353")).to_have_attribute("href", re.compile("thu-tuc/3-000353/$"))
    no_violations(page)


def test_a_refusal_from_the_api_is_shown_next_to_the_field_it_names(page, portal_stack):
    page.goto(portal_stack.site_url + "phan-anh/?loai=cau-hoi")
    page.get_by_label("Mã thủ tục hành chính").fill("9.999999")
    page.get_by_label("Tiêu đề", exact=True).fill("Hỏi về một thủ tục không có")
    page.get_by_label("Nội dung", exact=True).fill("Thủ tục này cần những giấy tờ gì và nộp ở đâu?")
    page.get_by_label("Họ và tên").fill("Phạm Văn Sai")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_role("button", name="Gửi câu hỏi").click()
    procedure = page.get_by_label("Mã thủ tục hành chính")
    expect(procedure).to_be_focused()
    expect(procedure).to_have_attribute("aria-invalid", "true")
    expect(procedure).to_have_accessible_description(re.compile("^Lỗi: Không tìm thấy thủ tục hành chính với mã này"))
    expect(page.get_by_label("Nội dung", exact=True)).to_have_value("Thủ tục này cần những giấy tờ gì và nộp ở đâu?")
    no_violations(page)


def test_a_signed_in_citizen_files_with_the_accounts_contacts_and_follows_it_in_my_complaints(page, portal_stack):
    sign_in(page, portal_stack, "phan-anh/")
    expect(page.get_by_text("Bạn đang đăng nhập với tên Nguyễn Văn Dân")).to_contain_text("dan@example.vn")
    expect(page.get_by_label("Họ và tên")).to_be_hidden()
    expect(page.get_by_label("Thư điện tử", exact=True)).to_be_hidden()
    page.get_by_label("Cơ quan tiếp nhận").select_option("TTLLTPQG")
    page.get_by_label("Tiêu đề", exact=True).fill("Chưa nhận được phiếu lý lịch tư pháp")
    page.get_by_label("Nội dung", exact=True).fill(
        "Tôi nộp hồ sơ cấp phiếu lý lịch tư pháp số 2 đã ba tuần mà chưa có kết quả."
    )
    page.get_by_role("button", name="Gửi phản ánh").click()
    done = page.get_by_role("region", name="Đã gửi phản ánh, kiến nghị")
    expect(done).to_contain_text("Phản ánh của tôi")
    code = done.locator("strong").first.inner_text()

    done.get_by_role("link", name="Theo dõi phản ánh, kiến nghị").click()
    mine = page.get_by_role("region", name="Phản ánh của tôi")
    item = mine.locator("article.portal-complaint").filter(has_text=code)
    expect(item.get_by_role("heading", name="Chưa nhận được phiếu lý lịch tư pháp")).to_be_visible()
    expect(item).to_contain_text("Đã tiếp nhận")
    expect(item).to_contain_text("Trung tâm Lý lịch tư pháp quốc gia")
    expect(item).to_contain_text("Chưa có câu trả lời.")
    no_violations(page)


def test_the_published_answers_page_asks_for_an_agency_before_searching(page, portal_stack):
    page.goto(portal_stack.site_url + "phan-anh/cong-khai/")
    expect(page.get_by_text("Chọn cơ quan để xem các câu trả lời đã công khai.")).to_be_visible()
    no_violations(page)
    page.get_by_role("button", name="Xem trả lời").click()
    agency = page.get_by_label("Cơ quan trả lời")
    expect(agency).to_be_focused()
    expect(agency).to_have_accessible_description(re.compile("^Lỗi: Hãy chọn cơ quan để xem câu trả lời"))
    no_violations(page)
    agency.select_option("TTLLTPQG")
    page.get_by_label("Từ khóa (có dấu hoặc không dấu)").fill("khong co gi nhu vay")
    page.get_by_role("button", name="Xem trả lời").click()
    page.wait_for_url(re.compile(r"co-quan=TTLLTPQG"))
    expect(page.get_by_role("status").first).to_contain_text(
        "Trung tâm Lý lịch tư pháp quốc gia chưa có câu trả lời nào được công khai khớp với điều kiện lọc."
    )


def test_published_answers_and_answered_questions_are_shown_ten_a_page_with_page_links(page, site_url):
    def published(number: int) -> dict:
        return {
            "code": f"PA-261101-{number:04d}",
            "kind": "complaint",
            "agency_id": "CSGT",
            "topic": "khac",
            "title": f"Phản ánh số {number}",
            "content": "Nội dung phản ánh đã được công khai.",
            "answer": {"text": f"Trả lời số {number}.", "agency_id": "CSGT", "answered_at": "2026-11-02T03:00:00Z"},
            "published_at": "2026-11-03T03:00:00Z",
        }

    replies = {
        "/complaints/published": {"items": [published(n) for n in range(1, 24)]},
        "/questions/answers": {
            "entries": [{"procedure": "3.000353", "question": f"Câu hỏi số {n}", "answer": "Có."} for n in range(1, 13)]
        },
    }
    asked: list[str] = []

    def answer(route) -> None:
        asked.append(route.request.url)
        path = "/" + route.request.url.split("/", 3)[3].split("?")[0]
        headers = {"Access-Control-Allow-Origin": "*"}
        route.fulfill(status=200, content_type="application/json", headers=headers, body=json.dumps(replies[path]))

    page.route(re.compile(r".*/(complaints/published|questions/answers)(\?.*)?$"), answer)
    page.goto(site_url + "phan-anh/cong-khai/?co-quan=CSGT&tu-khoa=giay+phep")
    complaints = page.locator("[data-portal-published-list] > li")
    expect(complaints).to_have_count(10)
    expect(page.get_by_role("status").first).to_have_text("Cục Cảnh sát giao thông: 23 câu trả lời, trang 1/3.")
    assert any("agency=CSGT" in url and "q=giay+phep" in url for url in asked)
    pages = page.get_by_role("navigation", name="Trang trả lời phản ánh")
    expect(pages.get_by_text("Trang 1", exact=True)).to_have_attribute("aria-current", "page")
    pages.get_by_role("link", name="Trang 3").click()
    expect(complaints).to_have_count(3)
    expect(complaints.first.get_by_role("heading", level=3)).to_have_text("Phản ánh số 21")
    expect(page.get_by_label("Từ khóa (có dấu hoặc không dấu)")).to_have_value("giay phep")

    questions = page.locator("[data-portal-questions-list] > li")
    expect(questions).to_have_count(10)
    expect(questions.first.get_by_role("heading", level=3)).to_have_text("Câu hỏi số 12")  # newest first
    page.get_by_role("navigation", name="Trang câu hỏi đã trả lời").get_by_role("link", name="Trang sau").click()
    expect(questions).to_have_count(2)
    assert "trang=3" in page.url and "trang-hoi-dap=2" in page.url, "each list keeps its own page"
    no_violations(page)


@pytest.mark.parametrize(
    ("path", "note"),
    [
        ("tra-cuu/", "Trang này cần JavaScript để hỏi hệ thống về hồ sơ."),
        ("phan-anh/", "Gửi phản ánh trên trang này cần JavaScript."),
        ("phan-anh/theo-doi/", "Trang này cần JavaScript để hỏi hệ thống."),
        ("phan-anh/cong-khai/", "Danh sách trên trang này cần JavaScript để tải."),
    ],
)
def test_without_javascript_each_page_says_what_needs_it_and_sends_nothing_personal(browser, site_url, path, note):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site_url + path)
    expect(page.locator("p.portal-note")).to_be_visible()  # inside <noscript>, which text selectors skip
    expect(page.locator("p.portal-note")).to_contain_text(note)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for button in page.locator("form[method=post] button[type=submit]").all():
        expect(button).to_be_disabled()  # nothing can be posted to the static host, the number least of all
    context.close()
