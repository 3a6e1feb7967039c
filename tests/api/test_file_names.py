"""Attachment file names are cleaned before they are stored, and downloads name the file in a
`Content-Disposition` that no name can break: path parts, NUL, CR/LF, bidirectional overrides,
quotes and separators never survive."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from chalicelib.core.filenames import FALLBACK, clean, content_disposition
from tests.api.factories import (
    agency_token,
    bearer,
    create_agency_client,
    create_citizen,
    json_body,
    publish_procedure,
    start_draft,
    user_token,
)

HOSTILE = {
    "../../etc/passwd": "passwd",
    "C:\\Users\\dan\\Giấy tờ.pdf": "Giấy tờ.pdf",
    "to-khai\x00.pdf": "to-khai.pdf",
    "a\r\nSet-Cookie: phien=1.pdf": "a Set-Cookie_ phien=1.pdf",
    "hoa-don\u202efdp.exe": "hoa-donfdp.exe",
    'Tờ khai "đăng ký"; x.pdf': "Tờ khai _đăng ký__ x.pdf",
    "...": FALLBACK,
    " .an.pdf ": "an.pdf",
    "Tờ khai.pdf": "Tờ khai.pdf",  # NFD (as macOS sends it) becomes NFC
}


@pytest.mark.parametrize(("sent", "kept"), HOSTILE.items())
def test_a_file_name_keeps_only_what_is_safe_to_show_and_send_back(sent, kept):
    assert clean(sent) == kept


def test_a_long_name_keeps_its_extension():
    cleaned = clean("giấy-tờ-" * 40 + ".pdf")
    assert len(cleaned) <= 200 and cleaned.endswith(".pdf")


@pytest.mark.parametrize("sent", HOSTILE)
def test_content_disposition_cannot_be_split_or_escaped(sent):
    header = content_disposition(sent)
    assert "\r" not in header and "\n" not in header and "\x00" not in header
    assert header.startswith('attachment; filename="') and header.count('"') == 2
    assert header.isascii()
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == clean(sent)


def test_a_draft_attachment_is_stored_under_its_cleaned_name(http):
    publish_procedure("1.999001")
    headers = user_token(http, create_citizen())
    draft_id = start_draft(http, headers).json_body["draft_id"]
    request = {"document": "TK01", "file_name": "../..\\x\r\n\x00tờ khai.pdf", "content_type": "application/pdf"}
    ticket = http.post(
        f"/dossiers/drafts/{draft_id}/attachments",
        body=json_body({**request, "size": 100}),
        headers={"Content-Type": "application/json", **headers},
    )
    assert ticket.status_code == 201, ticket.body
    assert ticket.json_body["attachment"]["file_name"] == "x tờ khai.pdf"
    stored = http.get(f"/dossiers/drafts/{draft_id}", headers=headers).json_body["attachments"]
    assert [item["file_name"] for item in stored] == ["x tờ khai.pdf"]


def test_a_complaint_attachments_download_link_names_the_cleaned_file(http):
    complaint = {
        "agency_id": "CA-TINH",
        "title": "Biên nhận sai",
        "content": "Biên nhận hồ sơ ghi sai ngày hẹn trả kết quả, mong cơ quan kiểm tra lại.",
        "name": "Trần Văn Phản",
        "email": "phan@example.vn",
        "attachments": [{"file_name": 'bien"nhan\r\n.pdf', "content_type": "application/pdf", "size": 2048}],
    }
    received = http.post("/complaints", body=json_body(complaint), headers={"Content-Type": "application/json"})
    assert received.status_code == 201, received.body
    assert received.json_body["attachments"][0]["file_name"] == "bien_nhan .pdf"
    office = bearer(agency_token(http, create_agency_client("VPCP", scopes=["complaints:answer"])))
    [link] = http.get(f"/agency/complaints/{received.json_body['code']}", headers=office).json_body["attachments"]
    query = parse_qs(urlsplit(link["url"]).query)
    assert query["response-content-disposition"] == [content_disposition("bien_nhan .pdf")]
    assert query["response-content-type"] == ["application/pdf"]
