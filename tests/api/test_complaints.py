"""Complaints, feedback and questions through the API: intake, the coordinating office, the
answering agency, publication only with consent and only once checked, and following one."""

from __future__ import annotations

import pytest

from chalicelib.store.outbox import OutboxMessage
from tests.api.factories import (
    agency_token,
    bearer,
    create_agency_client,
    create_citizen,
    json_body,
    publish_procedure,
    user_token,
)

JSON = {"Content-Type": "application/json"}
COMPLAINT = {
    "kind": "complaint",
    "agency_id": "CA-TINH",
    "topic": "thai-do-can-bo",
    "title": "Cán bộ hẹn trả kết quả nhiều lần",
    "content": "Tôi nộp hồ sơ đổi giấy phép lái xe ngày 01/11, đến nay đã quá hẹn mà chưa có kết quả.",
    "consent_to_publish": True,
    "name": "Trần Văn Phản",
    "email": "phan@example.vn",
}


@pytest.fixture
def offices(http):
    """The coordinating office (VPCP) and two answering agencies, each with its token."""
    tokens = {}
    for agency in ("VPCP", "CA-TINH", "SO-TP"):
        client = create_agency_client(agency, scopes=["complaints:answer"])
        tokens[agency] = bearer(agency_token(http, client))
    return tokens


def send(http, body=None, headers=None):
    return http.post("/complaints", body=json_body(body or COMPLAINT), headers={**JSON, **(headers or {})})


def act(http, token, code, action, body):
    return http.post(f"/agency/complaints/{code}/{action}", body=json_body(body), headers={**JSON, **token})


def through_to_answer(http, offices, body=None):
    code = send(http, body).json_body["code"]
    act(http, offices["VPCP"], code, "decision", {"action": "accept"})
    act(http, offices["CA-TINH"], code, "answer", {"text": "Hồ sơ đã có kết quả, mời ông nhận tại bộ phận một cửa."})
    return code


def test_an_anonymous_complaint_gets_a_code_and_waits_for_the_coordinating_office(http, offices):
    answer = send(http)
    assert answer.status_code == 201
    assert answer.json_body["code"].startswith("PA-")
    assert answer.json_body["status"] == "received" and answer.json_body["deadline"] is not None
    queue = http.get("/agency/complaints", headers=offices["VPCP"]).json_body["items"]
    assert [item["code"] for item in queue] == [answer.json_body["code"]]
    assert http.get("/agency/complaints", headers=offices["CA-TINH"]).json_body["items"] == []


def test_the_whole_path_to_a_published_answer(http, offices):
    code = through_to_answer(http, offices)
    checked = act(http, offices["VPCP"], code, "check", {"action": "approve"})
    assert checked.json_body["status"] == "published"
    public = http.get("/complaints/published?agency=CA-TINH").json_body["items"]
    assert [item["code"] for item in public] == [code]
    assert "phan@example.vn" not in str(public) and "Trần Văn Phản" not in str(public)
    assert [e["status"] for e in checked.json_body["history"]] == ["received", "assigned", "answered", "published"]


def test_nothing_is_published_without_consent(http, offices):
    code = through_to_answer(http, offices, {**COMPLAINT, "consent_to_publish": False})
    checked = act(http, offices["VPCP"], code, "check", {"action": "approve"})
    assert checked.json_body["status"] == "closed"
    assert http.get("/complaints/published?agency=CA-TINH").json_body["items"] == []


def test_nothing_is_published_before_the_check(http, offices):
    through_to_answer(http, offices)
    assert http.get("/complaints/published?agency=CA-TINH").json_body["items"] == []


def test_the_office_can_send_an_answer_back(http, offices):
    code = through_to_answer(http, offices)
    sent_back = act(http, offices["VPCP"], code, "check", {"action": "send_back", "note": "Chưa trả lời đúng nội dung"})
    assert sent_back.json_body["status"] == "assigned"
    assert [item["code"] for item in http.get("/agency/complaints", headers=offices["CA-TINH"]).json_body["items"]] == [
        code
    ]


def test_refusal_needs_a_reason_and_ends_it(http, offices):
    code = send(http).json_body["code"]
    no_reason = act(http, offices["VPCP"], code, "decision", {"action": "refuse"})
    assert no_reason.status_code == 400 and no_reason.json_body["error"]["field"] == "reason"
    refused = act(http, offices["VPCP"], code, "decision", {"action": "refuse", "reason": "duplicate"})
    assert refused.json_body["status"] == "refused"


def test_a_transfer_moves_it_to_the_competent_agency(http, offices):
    code = send(http).json_body["code"]
    act(http, offices["VPCP"], code, "decision", {"action": "accept"})
    moved = act(http, offices["CA-TINH"], code, "transfer", {"agency_id": "SO-TP", "note": "Thuộc lĩnh vực tư pháp"})
    assert moved.json_body["agency_id"] == "SO-TP"
    late = act(http, offices["CA-TINH"], code, "answer", {"text": "Chúng tôi đã chuyển cơ quan khác."})
    assert late.status_code == 404
    assert (
        act(http, offices["SO-TP"], code, "answer", {"text": "Sở Tư pháp đã tiếp nhận và trả lời."}).status_code == 200
    )


def test_only_the_coordinating_office_decides_and_checks(http, offices):
    code = send(http).json_body["code"]
    assert act(http, offices["CA-TINH"], code, "decision", {"action": "accept"}).status_code == 403
    act(http, offices["VPCP"], code, "decision", {"action": "accept"})
    act(http, offices["CA-TINH"], code, "answer", {"text": "Đã giải quyết xong hồ sơ cho công dân."})
    assert act(http, offices["CA-TINH"], code, "check", {"action": "approve"}).status_code == 403


def test_another_agency_cannot_read_or_answer_it(http, offices):
    code = send(http).json_body["code"]
    act(http, offices["VPCP"], code, "decision", {"action": "accept"})
    assert http.get(f"/agency/complaints/{code}", headers=offices["SO-TP"]).status_code == 404
    assert act(http, offices["SO-TP"], code, "answer", {"text": "Không phải việc của chúng tôi."}).status_code == 404


def test_an_action_out_of_turn_is_refused(http, offices):
    code = send(http).json_body["code"]
    answer = act(http, offices["VPCP"], code, "check", {"action": "approve"})
    assert answer.status_code == 400 and answer.json_body["error"]["field"] == "status"


def test_a_signed_in_citizen_follows_their_own(http, offices):
    citizen = create_citizen()
    headers = user_token(http, citizen)
    body = {key: value for key, value in COMPLAINT.items() if key not in ("name", "email")}
    code = send(http, body, headers).json_body["code"]
    mine = http.get("/complaints/mine", headers=headers).json_body["items"]
    assert [item["code"] for item in mine] == [code]
    stranger = user_token(http, create_citizen("079200001234"))
    assert http.get("/complaints/mine", headers=stranger).json_body["items"] == []


def test_an_anonymous_submitter_follows_it_with_code_and_contact(http, offices):
    code = through_to_answer(http, offices)
    act(http, offices["VPCP"], code, "check", {"action": "approve"})
    found = http.post("/complaints/lookup", body=json_body({"code": code, "contact": "PHAN@example.vn"}), headers=JSON)
    assert found.status_code == 200 and found.json_body["answer"]["text"].startswith("Hồ sơ đã có kết quả")
    wrong = http.post("/complaints/lookup", body=json_body({"code": code, "contact": "khac@example.vn"}), headers=JSON)
    assert wrong.status_code == 404


def test_the_submitter_sees_the_answer_only_once_the_coordinating_office_has_checked_it(http, offices):
    code = through_to_answer(http, offices)

    def followed() -> dict:
        body = json_body({"code": code, "contact": "phan@example.vn"})
        return http.post("/complaints/lookup", body=body, headers=JSON).json_body

    assert followed()["status"] == "answered" and "answer" not in followed()
    act(http, offices["VPCP"], code, "check", {"action": "send_back", "note": "Chưa trả lời đúng nội dung"})
    assert followed()["status"] == "assigned" and "answer" not in followed(), "a sent-back answer stays unseen"
    assert http.get(f"/agency/complaints/{code}", headers=offices["CA-TINH"]).json_body["answer"] is not None
    act(http, offices["CA-TINH"], code, "answer", {"text": "Hồ sơ của ông đã có kết quả từ ngày 20/11."})
    act(http, offices["VPCP"], code, "check", {"action": "approve"})
    assert followed()["answer"]["text"] == "Hồ sơ của ông đã có kết quả từ ngày 20/11."


def test_anonymous_intake_needs_a_name_and_a_contact(http):
    body = {key: value for key, value in COMPLAINT.items() if key != "email"}
    answer = send(http, body)
    assert answer.status_code == 400 and answer.json_body["error"]["field"] == "email"


def test_the_honeypot_field_stops_bots(http, offices):
    answer = send(http, {**COMPLAINT, "website": "http://spam.example"})
    assert answer.status_code == 400
    assert http.get("/agency/complaints", headers=offices["VPCP"]).json_body["items"] == []


def test_a_sixth_complaint_in_an_hour_from_one_account_is_throttled(http, clock):
    citizen = create_citizen()
    headers = user_token(http, citizen)
    body = {key: value for key, value in COMPLAINT.items() if key not in ("name", "email")}
    statuses = [send(http, body, headers).status_code for _ in range(6)]
    assert statuses == [201] * 5 + [429]
    clock.advance(3600)
    assert send(http, body, user_token(http, citizen)).status_code == 201


def test_signed_in_people_behind_one_network_address_each_have_their_own_five(http):
    body = {key: value for key, value in COMPLAINT.items() if key not in ("name", "email")}
    for identity_number in ("001099012345", "079200001234", "001088000123"):
        headers = user_token(http, create_citizen(identity_number))
        assert [send(http, body, headers).status_code for _ in range(5)] == [201] * 5  # all from 127.0.0.1


def test_anonymous_senders_share_their_addresss_five_but_not_the_signed_in_ones(http):
    assert [send(http).status_code for _ in range(6)] == [201] * 5 + [429]
    body = {key: value for key, value in COMPLAINT.items() if key not in ("name", "email")}
    assert send(http, body, user_token(http, create_citizen())).status_code == 201


def test_the_submitter_is_told_when_the_answer_is_published(http, offices):
    code = through_to_answer(http, offices)
    act(http, offices["VPCP"], code, "check", {"action": "approve"})
    told = [m.params for m in OutboxMessage.scan() if m.template == "complaint_status"]
    assert {"code": code, "status": "Đã công khai trả lời"} in told


def test_published_answers_are_searchable_without_diacritics(http, offices):
    code = through_to_answer(http, offices)
    act(http, offices["VPCP"], code, "check", {"action": "approve"})
    assert [
        i["code"] for i in http.get("/complaints/published?agency=CA-TINH&q=giay phep lai xe").json_body["items"]
    ] == [code]
    assert http.get("/complaints/published?agency=CA-TINH&q=dat dai").json_body["items"] == []


def test_a_question_about_a_procedure_goes_to_its_agency_and_into_the_faq_export(http, offices):
    publish_procedure()
    question = {
        "kind": "question",
        "procedure_code": "1.999001",
        "title": "Nộp bản sao có cần chứng thực không?",
        "content": "Khi nộp trực tuyến thủ tục này, bản sao giấy tờ có phải chứng thực không ạ?",
        "consent_to_publish": True,
        "name": "Lê Thị Hỏi",
        "phone": "0912345678",
    }
    code = send(http, question).json_body["code"]
    assert code.startswith("HD-")
    act(http, offices["VPCP"], code, "decision", {"action": "accept"})
    act(http, offices["CA-TINH"], code, "answer", {"text": "Không cần chứng thực khi nộp bản điện tử."})
    assert http.get("/questions/answers").json_body["entries"] == []
    act(http, offices["VPCP"], code, "check", {"action": "approve"})
    assert http.get("/questions/answers").json_body["entries"] == [
        {"procedure": "1.999001", "question": question["title"], "answer": "Không cần chứng thực khi nộp bản điện tử."}
    ]


def test_a_complaint_left_past_its_deadline_is_flagged_overdue(http, offices, clock):
    from chalicelib.complaints.overdue import flag_overdue

    code = send(http).json_body["code"]
    assert flag_overdue() == 0
    clock.advance(10 * 24 * 3600)  # well past two working days
    assert flag_overdue() == 1
    assert flag_overdue() == 0, "flagged once"
    office = bearer(agency_token(http, create_agency_client("VPCP", scopes=["complaints:answer"])))
    assert http.get(f"/agency/complaints/{code}", headers=office).json_body["overdue"] is True


def test_attachments_upload_straight_to_s3_and_only_agencies_get_download_links(http, offices):
    import base64
    import json

    with_file = {
        **COMPLAINT,
        "attachments": [{"file_name": "bien-nhan.pdf", "content_type": "application/pdf", "size": 2048}],
    }
    received = send(http, with_file).json_body
    [upload] = received["uploads"]
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    assert ["content-length-range", 1, 2048] in policy["conditions"]
    assert received["attachments"] == [
        {"file_name": "bien-nhan.pdf", "content_type": "application/pdf", "size": 2048}
    ], "the submitter's view has no download link"
    seen = http.get(f"/agency/complaints/{received['code']}", headers=offices["VPCP"]).json_body["attachments"]
    assert seen[0]["url"].startswith("https://") and "X-Amz-Signature" in seen[0]["url"]


def test_more_than_three_attachments_or_a_big_file_is_refused(http):
    meta = {"file_name": "a.pdf", "content_type": "application/pdf", "size": 10}
    assert send(http, {**COMPLAINT, "attachments": [meta] * 4}).status_code == 400
    big = send(http, {**COMPLAINT, "attachments": [{**meta, "size": 6 * 1024 * 1024}]})
    assert big.status_code == 400 and big.json_body["error"]["field"] == "attachments.0.size"
