"""A question answered and checked through the API appears on its procedure's page after the next
catalogue build (`catalog_build import-answers` reads the API's export)."""

from __future__ import annotations

from catalog_build.answers import ANSWERS_FILE, import_answers
from catalog_build.build import BuildOptions, build
from catalog_build.cli import main
from catalog_build.site import derived_config
from tests.api.factories import agency_token, bearer, create_agency_client, json_body, publish_procedure
from tests.factories import REPO, make_data_dir, procedure_record

JSON = {"Content-Type": "application/json"}
QUESTION = {
    "kind": "question",
    "procedure_code": "1.999001",
    "title": "Nộp bản sao có cần chứng thực không?",
    "content": "Khi nộp trực tuyến thủ tục này, bản sao giấy tờ có phải chứng thực không ạ?",
    "consent_to_publish": True,
    "name": "Lê Thị Hỏi",
    "phone": "0912345678",
}
ANSWER = "Không cần chứng thực khi nộp bản điện tử có chữ ký số."


def publish_answered_question(http) -> None:
    publish_procedure()
    office = bearer(agency_token(http, create_agency_client("VPCP", scopes=["complaints:answer"])))
    agency = bearer(agency_token(http, create_agency_client("CA-TINH", scopes=["complaints:answer"])))
    code = http.post("/complaints", body=json_body(QUESTION), headers=JSON).json_body["code"]
    for token, action, body in [
        (office, "decision", {"action": "accept"}),
        (agency, "answer", {"text": ANSWER}),
        (office, "check", {"action": "approve"}),
    ]:
        assert (
            http.post(
                f"/agency/complaints/{code}/{action}", body=json_body(body), headers={**JSON, **token}
            ).status_code
            == 200
        )


def test_an_answered_question_is_on_the_procedure_page_after_the_next_build(http, tmp_path):
    publish_answered_question(http)
    export = tmp_path / "answers.json"
    export.write_text(http.get("/questions/answers").body.decode(), encoding="utf-8")
    data = make_data_dir(tmp_path, [procedure_record("1.999001")])
    assert main(["import-answers", "--source", str(export), "--data", str(data)]) == 0

    config = derived_config(REPO / "mkdocs.yml", tmp_path / "ws")
    build(BuildOptions(data_dir=data, config_file=config, work_dir=tmp_path / "ws" / "work", progress=False))
    page = (tmp_path / "ws" / "site" / "thu-tuc" / "1-999001" / "index.html").read_text(encoding="utf-8")
    assert QUESTION["title"] in page and ANSWER in page


def test_answers_for_unknown_procedures_or_malformed_entries_are_reported_and_skipped(tmp_path):
    data = make_data_dir(tmp_path, [procedure_record("1.999001")])
    entries = [
        {"procedure": "1.999001", "question": "Câu hỏi hợp lệ?", "answer": "Trả lời hợp lệ."},
        {"procedure": "9.999999", "question": "Thủ tục đã bãi bỏ?", "answer": "Có."},
        {"procedure": "1.999001", "question": ""},
    ]
    written, problems = import_answers(entries, data)
    assert written == 1
    assert len(problems) == 2 and "9.999999" in problems[0] and problems[1].startswith("entries.2")
    before = (data / "faq" / ANSWERS_FILE).stat().st_mtime_ns
    import_answers(entries, data)
    assert (data / "faq" / ANSWERS_FILE).stat().st_mtime_ns == before, "an unchanged import rewrites nothing"
