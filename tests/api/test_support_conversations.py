"""Help conversations end to end through the API: a citizen (signed in or not) asks, an operator
answers, the citizen is notified, replies and closes with a rating; spam defences as for complaints;
reusable answers become FAQ candidates the catalogue's import path reads."""

from __future__ import annotations

from chalicelib.core.clock import FixedClock
from chalicelib.store.outbox import OutboxMessage
from tests.api.factories import create_citizen, publish_procedure, user_token
from tests.api.support_factories import create_staff, post, staff_headers

QUESTION = {
    "topic": "thu-tuc",
    "procedure_code": "1.999001",
    "message": "Tôi cần chuẩn bị giấy tờ gì để làm thủ tục này?",
    "name": "Trần Văn Hỏi",
    "email": "hoi@example.vn",
}


def _open(http, body: dict | None = None, headers: dict | None = None) -> object:
    return post(http, "/support/conversations", body or QUESTION, headers)


def _opened(http) -> dict:
    publish_procedure("1.999001")
    answer = _open(http)
    assert answer.status_code == 201, answer.body
    return answer.json_body


def test_a_citizen_asks_an_operator_answers_the_citizen_replies_and_rates(http, clock: FixedClock) -> None:
    opened = _opened(http)
    code, key = opened["code"], opened["key"]
    assert opened["status"] == "waiting" and code.startswith("HT-")
    operator = staff_headers(http, create_staff())
    queue = http.get("/console/queue", headers=operator).json_body["items"]
    assert [item["code"] for item in queue] == [code]

    answered = post(http, f"/console/conversations/{code}/answers", {"text": "Bạn cần tờ khai và CCCD."}, operator)
    assert answered.status_code == 200 and answered.json_body["status"] == "answered"
    told = [m.params for m in OutboxMessage.scan() if m.template == "support_answered"]
    assert told == [{"code": code, "text": "Bạn cần tờ khai và CCCD."}]
    assert http.get("/console/queue", headers=operator).json_body["items"] == []

    seen = post(http, "/support/conversations/lookup", {"code": code, "key": key}).json_body
    assert [m["by"] for m in seen["messages"]] == ["citizen", "operator"]
    assert seen["messages"][1]["author"] == "Cán bộ operator"

    replied = post(http, f"/support/conversations/{code}/messages", {"key": key, "text": "Cảm ơn, còn lệ phí?"})
    assert replied.json_body["status"] == "waiting"
    closed = post(http, f"/support/conversations/{code}/closure", {"key": key, "rating": "very_satisfied"})
    assert closed.status_code == 200 and closed.json_body["status"] == "closed"
    late = post(http, f"/support/conversations/{code}/messages", {"key": key, "text": "Thêm nữa"})
    assert late.status_code == 409


def test_the_confirmation_carries_the_link_with_the_key(http) -> None:
    opened = _opened(http)
    [message] = [m for m in OutboxMessage.scan() if m.template == "support_opened"]
    assert message.recipient == "hoi@example.vn"
    assert message.params["url"].endswith(f"ho-tro/hoi-thoai/#ma={opened['code']}&khoa={opened['key']}")


def test_a_wrong_key_is_answered_like_an_unknown_code(http) -> None:
    opened = _opened(http)
    wrong = post(http, "/support/conversations/lookup", {"code": opened["code"], "key": "x" * 43})
    unknown = post(http, "/support/conversations/lookup", {"code": "HT-260101-9999", "key": "x" * 43})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json_body == unknown.json_body


def test_a_signed_in_citizen_follows_without_the_key(http) -> None:
    publish_procedure("1.999001")
    citizen = create_citizen()
    headers = user_token(http, citizen)
    body = {key: value for key, value in QUESTION.items() if key not in ("name", "email")}
    opened = _open(http, body, headers).json_body
    mine = http.get("/support/conversations/mine", headers=headers).json_body["items"]
    assert [item["code"] for item in mine] == [opened["code"]]
    assert post(http, "/support/conversations/lookup", {"code": opened["code"]}, headers).status_code == 200
    other = user_token(http, create_citizen("001099012399"))
    assert post(http, "/support/conversations/lookup", {"code": opened["code"]}, other).status_code == 404


def test_an_anonymous_citizen_must_leave_a_name_and_a_contact(http) -> None:
    publish_procedure("1.999001")
    no_contact = _open(http, {**QUESTION, "email": None})
    assert no_contact.status_code == 400 and no_contact.json_body["error"]["field"] == "email"
    no_name = _open(http, {key: value for key, value in QUESTION.items() if key != "name"})
    assert no_name.status_code == 400 and no_name.json_body["error"]["field"] == "name"


def test_the_honeypot_field_stops_bots(http) -> None:
    publish_procedure("1.999001")
    assert _open(http, {**QUESTION, "website": "http://spam.example"}).status_code == 400


def test_a_sixth_request_in_an_hour_from_one_account_is_throttled(http, clock: FixedClock) -> None:
    publish_procedure("1.999001")
    headers = user_token(http, create_citizen())
    body = {key: value for key, value in QUESTION.items() if key not in ("name", "email")}
    assert [_open(http, body, headers).status_code for _ in range(6)] == [201] * 5 + [429]


def test_an_unknown_procedure_is_refused(http) -> None:
    answer = _open(http, {**QUESTION, "procedure_code": "9.999999"})
    assert answer.status_code == 404 and answer.json_body["error"]["field"] == "procedure_code"


def test_a_citizen_cannot_answer_a_conversation(http) -> None:
    opened = _opened(http)
    headers = user_token(http, create_citizen("001099012399"))
    answer = post(http, f"/console/conversations/{opened['code']}/answers", {"text": "Tự trả lời"}, headers)
    assert answer.status_code == 403


def test_a_reusable_answer_becomes_an_faq_candidate_the_import_path_reads(http, clock: FixedClock) -> None:
    opened = _opened(http)
    operator = staff_headers(http, create_staff())
    body = {
        "text": "Bạn cần tờ khai theo mẫu và bản sao giấy tờ tuỳ thân.",
        "reusable": True,
        "faq_question": "Làm thủ tục này cần những giấy tờ gì?",
    }
    assert post(http, f"/console/conversations/{opened['code']}/answers", body, operator).status_code == 200
    [candidate] = http.get("/support/faq-candidates").json_body["entries"]
    assert candidate == {"procedure": "1.999001", "question": body["faq_question"], "answer": body["text"]}


def test_a_reusable_answer_needs_a_general_question(http, clock: FixedClock) -> None:
    opened = _opened(http)
    operator = staff_headers(http, create_staff())
    body = {"text": "Bạn cần tờ khai.", "reusable": True}
    answer = post(http, f"/console/conversations/{opened['code']}/answers", body, operator)
    assert answer.status_code == 400 and answer.json_body["error"]["field"] == "faq_question"
    assert http.get(f"/console/conversations/{opened['code']}", headers=operator).json_body["status"] == "waiting"


def test_faq_candidates_are_imported_into_their_own_faq_file(http, clock: FixedClock, tmp_path) -> None:
    import json

    import yaml

    from catalog_build.answers import import_answers, read_export

    opened = _opened(http)
    body = {"text": "Bạn cần tờ khai theo mẫu.", "reusable": True, "faq_question": "Cần giấy tờ gì để làm thủ tục?"}
    post(http, f"/console/conversations/{opened['code']}/answers", body, staff_headers(http, create_staff()))
    export = tmp_path / "candidates.json"
    export.write_text(json.dumps(http.get("/support/faq-candidates").json_body), encoding="utf-8")
    (tmp_path / "data" / "procedures").mkdir(parents=True)
    (tmp_path / "data" / "procedures" / "1.999001.yaml").write_text("code: '1.999001'\n", encoding="utf-8")
    written, problems = import_answers(read_export(str(export)), tmp_path / "data", "ho-tro-truc-tuyen.yaml")
    assert (written, problems) == (1, [])
    faq = yaml.safe_load((tmp_path / "data" / "faq" / "ho-tro-truc-tuyen.yaml").read_text(encoding="utf-8"))
    assert faq == [{"procedure": "1.999001", "question": body["faq_question"], "answer": body["text"]}]
