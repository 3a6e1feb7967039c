"""The call centre's console through the API: a call logged and linked to a dossier or complaint
found by code, turned into a complaint or a help conversation, handed to a supervisor; the queue
oldest first with the time waited; search while talking."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from chalicelib.core.calendar import VIETNAM
from chalicelib.core.clock import FixedClock
from chalicelib.core.config import get_settings
from chalicelib.support import audit, lookup
from tests.api.factories import create_citizen, create_dossier, publish_procedure, user_token
from tests.api.support_factories import create_staff, post, staff_headers

CALL = {
    "caller_name": "Lê Thị Gọi",
    "caller_phone": "0912000999",
    "topic": "ho-so",
    "notes": "Hỏi tình trạng hồ sơ, đã giải thích các bước tiếp theo.",
    "outcome": "answered",
}


@pytest.fixture
def operator(http, clock: FixedClock) -> dict[str, str]:
    return staff_headers(http, create_staff())


def _log(http, headers, **fields) -> object:
    return post(http, "/console/calls", {**CALL, **fields}, headers)


def test_a_call_is_logged_and_linked_to_a_dossier_found_by_code(http, operator) -> None:
    publish_procedure("1.999001")
    dossier = create_dossier()
    logged = _log(http, operator, dossier_code=dossier.code, procedure_code="1.999001")
    assert logged.status_code == 201, logged.body
    call = logged.json_body
    assert call["code"].startswith("CG-") and call["dossier_code"] == dossier.code
    assert call["created_at"].endswith("+07:00") and not call["waiting"]
    again = http.get(f"/console/calls/{call['code']}", headers=operator).json_body
    assert again["history"][0]["action"] == "logged"
    assert audit.recent()[0].action == "call_logged" and audit.verify().intact


def test_a_mistyped_dossier_or_complaint_code_is_caught_while_the_caller_waits(http, operator) -> None:
    no_dossier = _log(http, operator, dossier_code="CA-TINH-260101-9999")
    assert no_dossier.status_code == 404 and no_dossier.json_body["error"]["field"] == "dossier_code"
    no_complaint = _log(http, operator, complaint_code="PA-260101-9999")
    assert no_complaint.status_code == 404 and no_complaint.json_body["error"]["field"] == "complaint_code"


def test_a_call_needs_a_contact_and_a_callback_needs_its_time(http, operator) -> None:
    no_contact = _log(http, operator, caller_phone=None)
    assert no_contact.status_code == 400 and no_contact.json_body["error"]["field"] == "caller_phone"
    no_time = _log(http, operator, outcome="callback")
    assert no_time.status_code == 400 and no_time.json_body["error"]["field"] == "callback_at"


def test_a_call_is_linked_to_a_complaint_found_by_code(http, operator) -> None:
    complaint = post(
        http,
        "/complaints",
        {
            "agency_id": "CA-TINH",
            "title": "Chậm trả kết quả",
            "content": "Hồ sơ của tôi đã quá hạn mà chưa có kết quả trả lời.",
            "name": "Lê Thị Gọi",
            "phone": "0912000999",
        },
    ).json_body
    logged = _log(http, operator, complaint_code=complaint["code"])
    assert logged.status_code == 201 and logged.json_body["complaint_code"] == complaint["code"]


def test_a_call_becomes_a_complaint_filed_for_the_caller(http, operator) -> None:
    code = _log(http, operator).json_body["code"]
    body = {"agency_id": "CA-TINH", "title": "Cán bộ hẹn nhiều lần", "content": "Người gọi phản ánh bị hẹn lại ba lần."}
    turned = post(http, f"/console/calls/{code}/complaint", body, operator)
    assert turned.status_code == 200, turned.body
    assert turned.json_body["complaint_code"].startswith("PA-") and turned.json_body["outcome"] == "complaint"
    again = post(http, f"/console/calls/{code}/complaint", body, operator)
    assert again.status_code == 409


def test_a_call_becomes_a_help_conversation_whose_link_goes_to_the_caller(http, operator) -> None:
    from chalicelib.store.outbox import OutboxMessage

    code = _log(http, operator).json_body["code"]
    turned = post(http, f"/console/calls/{code}/conversation", {"message": "Người gọi hỏi về lệ phí."}, operator)
    assert turned.status_code == 200
    conversation = turned.json_body["conversation_code"]
    [sent] = [m for m in OutboxMessage.scan() if m.template == "support_opened"]
    assert sent.recipient == CALL["caller_phone"] and f"#ma={conversation}&khoa=" in sent.params["url"]
    staff_view = http.get(f"/console/conversations/{conversation}", headers=operator).json_body
    assert staff_view["source"] == "call"


def test_the_queue_lists_conversations_and_callbacks_due_oldest_first_with_the_time_waited(
    http, operator, clock: FixedClock
) -> None:
    publish_procedure("1.999001")
    due = datetime.fromtimestamp(int(clock.now()) - 1800, VIETNAM)
    later = datetime.fromtimestamp(clock.now(), VIETNAM) + timedelta(hours=2)
    callback = _log(http, operator, outcome="callback", callback_at=due.isoformat()).json_body["code"]
    _log(http, operator, outcome="callback", callback_at=later.isoformat())  # not due yet
    clock.advance(600)
    body = {"message": "Tôi không đăng nhập được vào tài khoản.", "name": "Phạm Hỏi", "phone": "0912000111"}
    conversation = post(http, "/support/conversations", body).json_body["code"]
    clock.advance(300)
    items = http.get("/console/queue", headers=staff_headers(http, create_staff("001099077003"))).json_body["items"]
    assert [(item["kind"], item["code"]) for item in items] == [("callback", callback), ("conversation", conversation)]
    assert [item["waited_minutes"] for item in items] == [45, 5]


def test_a_case_handed_over_waits_for_a_supervisor_and_only_a_supervisor_settles_it(http, operator) -> None:
    code = _log(http, operator).json_body["code"]
    handed = post(http, f"/console/calls/{code}/handover", {"note": "Người gọi đòi gặp cấp trên."}, operator)
    assert handed.status_code == 200 and handed.json_body["outcome"] == "handed_over"
    assert http.get("/console/queue", headers=operator).json_body["items"] == []
    supervisor = staff_headers(http, create_staff("001099077002", "supervisor"))
    [item] = http.get("/console/queue", headers=supervisor).json_body["items"]
    assert (item["kind"], item["code"]) == ("handover", code)
    refused = post(http, f"/console/calls/{code}/resolution", {"note": "Đã xử lý"}, operator)
    assert refused.status_code == 400
    settled = post(http, f"/console/calls/{code}/resolution", {"note": "Đã gọi lại, giải thích xong."}, supervisor)
    assert settled.status_code == 200 and not settled.json_body["waiting"]
    actions = [(entry.action, entry.actor_role) for entry in audit.recent()[:3]]
    assert ("call_resolved", "supervisor") in actions and audit.verify().intact


def test_a_citizen_cannot_log_calls(http) -> None:
    headers = user_token(http, create_citizen())
    assert _log(http, headers).status_code == 403


def test_search_while_talking_finds_procedures_and_faq_without_diacritics(http, operator) -> None:
    export = get_settings().procedures_dir.parent / "tra-cuu-nhanh.json"
    export.parent.mkdir(parents=True, exist_ok=True)
    export.write_text(
        json.dumps(
            {
                "procedures": [
                    {"code": "1.001193", "name": "Đăng ký khai sinh", "sector": "HT", "keywords": ["giấy khai sinh"]},
                    {"code": "1.000894", "name": "Đăng ký kết hôn", "sector": "HT", "keywords": []},
                ],
                "faq": [{"procedure": "1.001193", "question": "Đăng ký khai sinh mất bao lâu?", "answer": "Ngay."}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    lookup.forget()
    found = http.get("/console/search?q=dang+ky+khai+sinh", headers=operator).json_body
    assert [p["code"] for p in found["procedures"]] == ["1.001193"]
    assert [f["procedure_code"] for f in found["faq"]] == ["1.001193"]
    assert http.get("/console/search?q=x", headers=operator).status_code == 400
    lookup.forget()
