"""Linked processing end to end on the local stack. The birth group on a phone: the citizen submits once; the
commune, the police and social insurance act through the agency API (their one-stop systems); the
local stack's stream stand-in releases each step; the citizen sees the three results on one page. The
worker-support list the stack seeds goes through its chain of three agencies to the payment export."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.accessibility import no_violations
from tests.browser.stack import PortalStack
from tests.browser.test_sign_in_through_site import DEMO_CITIZEN, sign_in

pytestmark = pytest.mark.browser
START = "nop-ho-so/lien-thong/?nhom=khai-sinh"
FORM = {
    "Họ, chữ đệm và tên của trẻ": "Nguyễn Minh An",
    "Ngày sinh của trẻ": "2026-11-20",
    "Giới tính": "Nam",
    "Nơi sinh": "Bệnh viện Phụ sản Hà Nội",
    "Họ, chữ đệm và tên của mẹ": "Nguyễn Thị Mẹ",
    "Số định danh cá nhân của mẹ": "001099012345",
    "Nơi đăng ký thường trú của trẻ": "Số 1 phố Tràng Tiền, Hoàn Kiếm, Hà Nội",
    "Họ tên chủ hộ nơi trẻ đăng ký thường trú": "Nguyễn Văn Dân",
}
STREAM_WAIT = 30  # seconds: the stand-in for DynamoDB Streams scans every two seconds


def released(stack: PortalStack, agency: str, code: str) -> dict[str, Any]:
    """The step's dossier as its agency reads it, once the stream has released it."""
    deadline = time.monotonic() + STREAM_WAIT
    while True:
        answer = stack.as_agency(agency, "GET", f"/agency/dossiers/{code}")
        if answer.status_code == 200 or time.monotonic() > deadline:
            assert answer.status_code == 200, f"{code} was not released to {agency}: {answer.text}"
            return answer.json()
        time.sleep(0.25)


def finish(stack: PortalStack, agency: str, code: str, fields: dict[str, str] | None = None) -> None:
    for status in (2, 4):
        assert stack.as_agency(agency, "POST", f"/agency/dossiers/{code}/status", json={"status": status}).ok
    document: dict[str, Any] = {"name": f"Kết quả của {agency}", "number": f"{agency}-01"}
    if fields:
        document["fields"] = fields
    assert stack.as_agency(agency, "POST", f"/agency/dossiers/{code}/results", json={"documents": [document]}).ok
    for status in (9, 10):
        assert stack.as_agency(agency, "POST", f"/agency/dossiers/{code}/status", json={"status": status}).ok


def test_the_group_page_explains_the_steps_and_leads_to_the_form(page: Page, portal_stack: PortalStack):
    page.goto(portal_stack.site_url + "lien-thong/khai-sinh/")
    expect(page.get_by_text("(các bước chạy song song)")).to_be_visible()
    no_violations(page)
    page.get_by_role("link", name="Nộp hồ sơ liên thông").click()
    expect(page.get_by_role("heading", name="Cần đăng nhập")).to_be_visible()
    page.goto(portal_stack.site_url + "thu-tuc/1-004222/")  # a member procedure links to its group
    page.get_by_role("link", name="Liên thông đăng ký khai sinh, đăng ký thường trú").click()
    expect(page).to_have_url(portal_stack.site_url + "lien-thong/khai-sinh/")


def test_the_birth_group_end_to_end(page: Page, portal_stack: PortalStack):
    sign_in(page, portal_stack, START)
    for label, value in FORM.items():
        page.get_by_label(label, exact=True).fill(value)
    page.locator("#linked-doc-gt5").set_input_files(  # the birth certificate (Giấy chứng sinh)
        files=[{"name": "chung-sinh.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n" + b"0" * 512}]
    )
    page.get_by_role("button", name="Nộp hồ sơ liên thông").click()
    title = page.get_by_role("heading", name="Hồ sơ liên thông LT-")
    expect(title).to_be_focused()
    no_violations(page)
    group_code = title.inner_text().split()[-1]
    steps = {
        step: page.locator(f"[data-portal-step={step}] .portal-code").inner_text()
        for step in ("khai-sinh", "thuong-tru", "bhyt")
    }

    birth = released(portal_stack, "UBND-XA", steps["khai-sinh"])
    assert birth["form"]["ho_ten_tre"] == "Nguyễn Minh An"
    assert [a["file_name"] for a in birth["attachments"]] == ["chung-sinh.pdf"]
    finish(portal_stack, "UBND-XA", steps["khai-sinh"], {"so_dang_ky": "15/2026", "so_dinh_danh": "001226000777"})
    residence = released(portal_stack, "CA-XA", steps["thuong-tru"])
    card = released(portal_stack, "BHXH-CS", steps["bhyt"])
    assert residence["form"]["so_dinh_danh_tre"] == card["form"]["so_dinh_danh_tre"] == "001226000777"
    assert residence["attachments"] == card["attachments"] == []  # they get the data, not the registrar's file
    finish(portal_stack, "CA-XA", steps["thuong-tru"])
    finish(portal_stack, "BHXH-CS", steps["bhyt"])

    page.goto(portal_stack.site_url + f"ho-so/?ma={group_code}")
    timeline = page.locator("[data-portal-group-steps]")
    expect(timeline.get_by_text("Đã có kết quả")).to_have_count(3)
    for agency in ("UBND-XA", "CA-XA", "BHXH-CS"):
        expect(timeline.get_by_text(f"số {agency}-01")).to_be_visible()
    no_violations(page)

    # The public lookup by the group code shows every step with its agency and status.
    page.goto(portal_stack.site_url + "tra-cuu/")
    page.get_by_label("Mã hồ sơ").fill(group_code)
    page.get_by_label("Số định danh cá nhân hoặc mã số thuế của chủ hồ sơ").fill(DEMO_CITIZEN)
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator("[data-portal-group-steps] li")).to_have_count(3)
    expect(page.get_by_text("Công an cấp xã đăng ký thường trú cho trẻ")).to_be_visible()


def test_the_seeded_worker_list_goes_through_the_chain_on_the_local_stack(portal_stack: PortalStack):
    import requests

    group = "ho-tro-tam-hoan-hop-dong"
    found = portal_stack.as_agency("BHXH-CS", "GET", f"/agency/linked-lists?group={group}").json()["lists"]
    code = next(item["code"] for item in found if item["name"].startswith("Danh sách mẫu"))

    def decide(agency: str, step: str, **body: Any) -> dict[str, Any]:
        answer = portal_stack.as_agency(
            agency, "POST", f"/agency/linked-lists/{code}/decisions", json={"step": step, **body}
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    refusal = [{"identity_number": "001090000101", "decision": "refuse", "reason": "Không đóng BHXH tháng trước"}]
    assert decide("BHXH-CS", "xac-nhan-bhxh", rows=refusal, confirm_rest=True)["confirmed"] == 5
    assert decide("UBND-XA", "tham-dinh", confirm_rest=True)["confirmed"] == 5
    assert decide("UBND-TINH", "phe-duyet", confirm_rest=True)["confirmed"] == 5
    exported = portal_stack.as_agency("UBND-TINH", "GET", f"/agency/linked-lists/{code}/export").json()
    assert exported["rows"] == 5 and exported["total_amount"] == 5 * 3_710_000
    lookup = requests.post(
        f"{portal_stack.api_url}/linked-lists/lookup",
        json={"list_code": code, "identity_number": "001090000101"},
        timeout=10,
    ).json()
    assert lookup["status"] == "refused" and lookup["reason"] == "Không đóng BHXH tháng trước"
