"""Online submission: drafts, attachments through presigned S3 uploads, checks, the national code."""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, date, datetime

import pytest

from chalicelib.core.calendar import VIETNAM, add_working_days, due_date, is_working_day, reception_day
from chalicelib.dossiers import codes
from chalicelib.store.dossiers import Dossier, Draft
from chalicelib.store.outbox import OutboxMessage
from tests.api.factories import (
    PDF,
    attach,
    create_business,
    create_citizen,
    json_body,
    publish_procedure,
    start_draft,
    submit_dossier,
    upload,
    user_token,
)
from tests.factories import procedure_record

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def citizen_headers(http):
    publish_procedure()
    return user_token(http, create_citizen())


def test_a_citizen_submits_online_and_gets_a_national_code(http, citizen_headers, streams):
    dossier = submit_dossier(http, citizen_headers)
    streams.poll()
    vietnam_today = datetime.now(VIETNAM).strftime("%y%m%d")
    assert dossier["code"] == f"CA-TINH-{vietnam_today}-0001"
    assert dossier["status"] == 1 and dossier["status_label"] == "Mới đăng ký"
    assert dossier["due_date"] is not None
    assert [event["status"] for event in dossier["timeline"]] == [1]
    assert list(Draft.scan()) == []
    assert OutboxMessage.scan(OutboxMessage.template == "dossier_status").next().params["code"] == dossier["code"]


def test_the_draft_is_gone_after_submission_and_cannot_be_submitted_twice(http, citizen_headers):
    draft = start_draft(http, citizen_headers).json_body
    attach(http, citizen_headers, draft["draft_id"])
    first = http.post(f"/dossiers/drafts/{draft['draft_id']}/submission", headers=citizen_headers)
    again = http.post(f"/dossiers/drafts/{draft['draft_id']}/submission", headers=citizen_headers)
    assert first.status_code == 201
    assert again.status_code == 404


def test_a_draft_can_be_resumed_with_its_form_and_requirements(http, citizen_headers):
    draft = start_draft(http, citizen_headers).json_body
    updated = http.put(
        f"/dossiers/drafts/{draft['draft_id']}",
        body=json_body({"form": {"ho_ten": "Nguyễn Thị Thử", "dia_chi": "Hà Nội"}}),
        headers={**JSON, **citizen_headers},
    )
    assert updated.status_code == 200
    resumed = http.get(f"/dossiers/drafts/{draft['draft_id']}", headers=citizen_headers).json_body
    assert resumed["form"]["dia_chi"] == "Hà Nội"
    assert [(r["key"], r["required"], r["attached"]) for r in resumed["requirements"]] == [
        ("TK01", True, 0),
        ("tp2", False, 0),
    ]
    listed = http.get("/dossiers/drafts", headers=citizen_headers).json_body["drafts"]
    assert [item["draft_id"] for item in listed] == [draft["draft_id"]]


def test_missing_required_document_is_named_in_the_error(http, citizen_headers):
    draft = start_draft(http, citizen_headers).json_body
    answer = http.post(f"/dossiers/drafts/{draft['draft_id']}/submission", headers=citizen_headers)
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == "attachments"
    assert "Tờ khai đề nghị cấp đổi" in answer.json_body["error"]["message"]


def test_an_attachment_never_uploaded_is_refused_at_submission(http, citizen_headers):
    draft = start_draft(http, citizen_headers).json_body
    request = {"document": "TK01", "file_name": "to-khai.pdf", "content_type": "application/pdf", "size": 100}
    http.post(
        f"/dossiers/drafts/{draft['draft_id']}/attachments",
        body=json_body(request),
        headers={**JSON, **citizen_headers},
    )
    answer = http.post(f"/dossiers/drafts/{draft['draft_id']}/submission", headers=citizen_headers)
    assert answer.status_code == 400
    assert "to-khai.pdf" in answer.json_body["error"]["message"]


def test_a_file_removed_from_a_draft_is_neither_checked_nor_kept_with_the_dossier(http, citizen_headers):
    draft_id = start_draft(http, citizen_headers).json_body["draft_id"]
    request = {"document": "TK01", "file_name": "sai-tep.pdf", "content_type": "application/pdf", "size": 100}
    never = http.post(
        f"/dossiers/drafts/{draft_id}/attachments", body=json_body(request), headers={**JSON, **citizen_headers}
    ).json_body
    wrong = attach(http, citizen_headers, draft_id)
    for ticket in (never, wrong):
        path = f"/dossiers/drafts/{draft_id}/attachments/{ticket['attachment']['attachment_id']}"
        answer = http.delete(path, headers=citizen_headers)
        assert answer.status_code == 200, answer.body
    assert answer.json_body["attachments"] == [] and answer.json_body["requirements"][0]["attached"] == 0
    kept = attach(http, citizen_headers, draft_id)
    submitted = http.post(f"/dossiers/drafts/{draft_id}/submission", headers=citizen_headers)
    assert submitted.status_code == 201, submitted.body
    assert [item["attachment_id"] for item in submitted.json_body["attachments"]] == [
        kept["attachment"]["attachment_id"]
    ]


def test_removing_an_unknown_attachment_or_from_another_persons_draft_is_not_found(http, citizen_headers):
    draft_id = start_draft(http, citizen_headers).json_body["draft_id"]
    attachment_id = attach(http, citizen_headers, draft_id)["attachment"]["attachment_id"]
    other = user_token(http, create_citizen("079200001234"))
    assert http.delete(f"/dossiers/drafts/{draft_id}/attachments/{attachment_id}", headers=other).status_code == 404
    unknown = http.delete(f"/dossiers/drafts/{draft_id}/attachments/khong-co", headers=citizen_headers)
    assert unknown.status_code == 404 and unknown.json_body["error"]["field"] == "attachment_id"
    draft = http.get(f"/dossiers/drafts/{draft_id}", headers=citizen_headers).json_body
    assert [item["attachment_id"] for item in draft["attachments"]] == [attachment_id]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"MZ\x90\x00 not a pdf at all", "application/pdf"), (PDF, "application/x-msdownload"), (PDF + b"extra", None)],
    ids=["wrong bytes", "wrong type", "wrong size"],
)
def test_a_file_that_is_not_what_was_declared_is_refused(http, citizen_headers, body, content_type):
    draft = start_draft(http, citizen_headers).json_body
    request = {"document": "TK01", "file_name": "to-khai.pdf", "content_type": "application/pdf", "size": len(PDF)}
    ticket = http.post(
        f"/dossiers/drafts/{draft['draft_id']}/attachments",
        body=json_body(request),
        headers={**JSON, **citizen_headers},
    ).json_body
    upload(ticket, body, content_type)
    answer = http.post(f"/dossiers/drafts/{draft['draft_id']}/submission", headers=citizen_headers)
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == "attachments"


def test_the_presigned_upload_fixes_type_and_maximum_size(http, citizen_headers):
    draft = start_draft(http, citizen_headers).json_body
    ticket = attach(http, citizen_headers, draft["draft_id"])
    policy = json.loads(base64.b64decode(ticket["upload"]["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, len(PDF)] in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert ticket["upload"]["fields"]["key"].startswith(f"drafts/{draft['draft_id']}/")


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        (
            {"document": "TK01", "file_name": "a.exe", "content_type": "application/x-msdownload", "size": 10},
            "content_type",
        ),
        (
            {
                "document": "TK01",
                "file_name": "lon.pdf",
                "content_type": "application/pdf",
                "size": 10 * 1024 * 1024 + 1,
            },
            "size",
        ),
        ({"document": "KHONG-CO", "file_name": "a.pdf", "content_type": "application/pdf", "size": 10}, "document"),
    ],
    ids=["type", "size", "unknown document"],
)
def test_attachment_requests_outside_the_limits_are_refused(http, citizen_headers, request_body, field):
    draft = start_draft(http, citizen_headers).json_body
    answer = http.post(
        f"/dossiers/drafts/{draft['draft_id']}/attachments",
        body=json_body(request_body),
        headers={**JSON, **citizen_headers},
    )
    assert answer.status_code == 400
    assert answer.json_body["error"]["field"] == field


def test_unknown_procedure_and_offline_procedure_are_refused(http, citizen_headers):
    direct_only = [channel for channel in procedure_record()["channels"] if channel["kind"] == "direct"]
    publish_procedure("1.999002", online_level="offline", channels=direct_only)
    unknown = start_draft(http, citizen_headers, code="9.999999")
    offline = start_draft(http, citizen_headers, code="1.999002")
    assert unknown.status_code == 404 and unknown.json_body["error"]["field"] == "procedure_code"
    assert offline.status_code == 400 and "trực tuyến" in offline.json_body["error"]["message"]


def test_an_agency_that_does_not_handle_the_procedure_is_refused(http, citizen_headers):
    answer = start_draft(http, citizen_headers, agency_id="BTP")
    assert answer.status_code == 400 and answer.json_body["error"]["field"] == "agency_id"


def test_a_procedure_for_citizens_only_refuses_a_business(http):
    publish_procedure("1.999003", audiences=["citizen"])
    business = create_business()
    answer = start_draft(http, user_token(http, business), code="1.999003")
    assert answer.status_code == 400 and "doanh nghiệp" in answer.json_body["error"]["message"]


def test_another_persons_draft_is_not_found(http, citizen_headers):
    draft = start_draft(http, citizen_headers).json_body
    other = user_token(http, create_citizen("079200001234"))
    assert http.get(f"/dossiers/drafts/{draft['draft_id']}", headers=other).status_code == 404
    assert http.post(f"/dossiers/drafts/{draft['draft_id']}/submission", headers=other).status_code == 404


def test_drafts_need_a_signed_in_person(http):
    publish_procedure()
    assert start_draft(http, {}).status_code == 401


def test_concurrent_submissions_never_share_a_code(atomic_requests):
    numbers: list[str] = []
    barrier = threading.Barrier(12)

    def take() -> None:
        barrier.wait()
        numbers.append(codes.next_code("CA-TINH", datetime(2026, 11, 23, 9, tzinfo=UTC).timestamp()))

    threads = [threading.Thread(target=take) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [f"CA-TINH-261123-{n:04d}" for n in range(1, 13)]


def test_the_counter_starts_again_each_day_in_vietnam_time():
    evening_utc = datetime(2026, 11, 23, 16, 59, tzinfo=UTC).timestamp()  # 23:59 in Vietnam
    after_midnight = datetime(2026, 11, 23, 17, 1, tzinfo=UTC).timestamp()  # 00:01 on the 24th
    assert codes.next_code("CA-TINH", evening_utc) == "CA-TINH-261123-0001"
    assert codes.next_code("CA-TINH", after_midnight) == "CA-TINH-261124-0001"


def test_working_days_skip_weekends_and_vietnamese_holidays():
    assert not is_working_day(date(2026, 2, 17))  # Tết
    assert not is_working_day(date(2026, 11, 24))  # Vietnam Cultural Day, from 2026
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)  # Friday before Tết -> after it
    assert add_working_days(date(2026, 4, 29), 2) == date(2026, 5, 5)  # 30/4, 1/5, weekend


def test_a_dossier_received_after_office_hours_counts_from_the_next_working_day():
    friday_evening = datetime(2026, 11, 20, 11, 30, tzinfo=UTC)  # 18:30 in Vietnam
    assert reception_day(friday_evening) == date(2026, 11, 23)
    assert due_date(friday_evening, 3, "working_days") == date(2026, 11, 27)  # 24/11 is a holiday


def test_the_due_date_of_a_submission_follows_the_online_processing_time(http, citizen_headers, clock):
    clock._now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC).timestamp()  # Monday 09:00 in Vietnam
    dossier = submit_dossier(http, citizen_headers)
    assert dossier["due_date"] == "2026-11-27"  # 3 working days, skipping 24/11
    stored = Dossier.get(dossier["code"])
    assert stored.open_shard is not None


def test_submitted_files_are_kept_under_the_dossier_code(http, citizen_headers):
    import boto3

    from chalicelib.core.config import get_settings

    dossier = submit_dossier(http, citizen_headers)
    stored = Dossier.get(dossier["code"]).attachments
    assert [item["key"].rsplit("/", 1)[0] for item in stored] == [f"dossiers/{dossier['code']}"]
    body = (
        boto3.client("s3", region_name=get_settings().region)
        .get_object(Bucket=get_settings().attachments_bucket, Key=stored[0]["key"])["Body"]
        .read()
    )
    assert body == PDF


def test_a_number_an_agency_already_synchronised_is_skipped_not_refused(http, citizen_headers, clock):
    clock._now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC).timestamp()
    from tests.api.factories import create_dossier

    create_dossier("CA-TINH-261123-0001", agency_id="CA-TINH", source="agency")
    dossier = submit_dossier(http, citizen_headers)
    assert dossier["code"] == "CA-TINH-261123-0002"
