"""Chains over a list (worker support): upload with row/column errors (CSV and XLSX), per-row and bulk
decisions by the next agency, refusals of agencies outside the chain or out of turn, export of the
approved list, a worker's lookup with its lockout, and two agencies deciding at once."""

from __future__ import annotations

import base64
import io
import threading
from typing import Any

import pytest
from chalice.local import LambdaEventConverter

from chalicelib.linked import lists
from chalicelib.store.linked import LinkedList, ListRow
from tests.api.factories import agency_token, bearer, create_agency_client, create_business, create_citizen, user_token
from tests.api.linked_support import post, publish_group

GROUP = "ho-tro-tam-hoan-hop-dong"
HEADER = "so_dinh_danh,ho_ten,ngay_sinh,so_so_bhxh,tu_ngay,so_thang,muc_ho_tro,so_tai_khoan"


def worker(n: int) -> str:
    return f"0010900{n:05d}"


def csv_of(count: int, extra: list[str] | None = None) -> str:
    lines = [HEADER] + [
        f'{worker(i)},Người lao động {i},1990-01-{1 + i % 28:02d},SO{i:06d},01/07/2021,2,"3.710.000",{i}'
        for i in range(count)
    ]
    return "\n".join(lines + (extra or [])) + "\n"


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


@pytest.fixture(autouse=True)
def group() -> None:
    publish_group(GROUP)


@pytest.fixture
def employer(http: Any) -> dict[str, str]:
    return user_token(http, create_business())


@pytest.fixture
def agencies(http: Any) -> dict[str, dict[str, str]]:
    codes = ("BHXH-CS", "UBND-XA", "UBND-TINH", "CA-XA")
    return {code: bearer(agency_token(http, create_agency_client(code))) for code in codes}


def upload(http: Any, employer: dict[str, str], content: str, fmt: str = "csv") -> Any:
    body = {"group": GROUP, "name": "Công ty Dữ liệu Mẫu, đợt 1", "format": fmt, "content": content}
    return post(http, "/linked-lists", body, employer)


@pytest.fixture
def uploaded(http: Any, employer: dict[str, str]) -> str:
    answer = upload(http, employer, b64(csv_of(5)))
    assert answer.status_code == 201, answer.body
    return answer.json_body["code"]


def decide(http: Any, agency: dict[str, str], code: str, step: str, **body: Any) -> Any:
    return post(http, f"/agency/linked-lists/{code}/decisions", {"step": step, **body}, agency)


def test_a_valid_csv_list_is_stored_row_by_row_waiting_at_the_first_step(http, employer, uploaded):
    answer = http.get(f"/linked-lists/{uploaded}", headers=employer).json_body
    assert answer["rows"] == 5 and answer["approved"] == 0
    assert answer["steps"][0] == {"step": "xac-nhan-bhxh", "agency_id": "BHXH-CS", "pending": 5, "refused": 0}
    row = ListRow.get(uploaded, worker(0))
    assert row.row == 2 and row.values["muc_ho_tro"] == "3710000" and row.values["tu_ngay"] == "2021-07-01"


def test_an_xlsx_list_is_read_like_a_csv(http, employer):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for line in csv_of(3).splitlines():
        sheet.append(line.replace('"', "").split(",")[:7] if line != HEADER else line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    answer = upload(http, employer, b64(buffer.getvalue()), "xlsx")
    assert answer.status_code == 201, answer.body
    assert answer.json_body["rows"] == 3


def test_row_problems_are_named_by_row_and_column_and_nothing_is_written(http, employer):
    bad = [
        "123,Sai số,1990-01-01,SO1,01/07/2021,2,100",  # row 4: identity
        f"{worker(90)},,1990-13-01,SO2,01/07/2021,hai,100",  # row 5: name, date, months
        f"{worker(0)},Trùng,1990-01-01,SO3,01/07/2021,2,100",  # row 6: duplicate of row 2
    ]
    answer = upload(http, employer, b64(csv_of(2, bad)))
    assert answer.status_code == 400
    error = answer.json_body["error"]
    assert error["code"] == "invalid_rows" and error["field"] == "content"
    where = {(p["row"], p["column"]) for p in error["problems"]}
    assert {(4, "so_dinh_danh"), (5, "ho_ten"), (5, "ngay_sinh"), (5, "so_thang"), (6, "so_dinh_danh")} <= where
    assert "dòng 2" in next(p["message"] for p in error["problems"] if p["row"] == 6)
    assert LinkedList.count() == 0 and ListRow.count() == 0
    import jsonschema  # the answer is what the OpenAPI document says an error is

    document = http.get("/openapi.json").json_body
    jsonschema.validate(answer.json_body, {"$ref": "#/components/schemas/ErrorReply", **document})


def test_a_missing_column_is_named_in_the_header_row(http, employer):
    answer = upload(http, employer, b64("so_dinh_danh,ho_ten\n001090000001,A\n"))
    problems = answer.json_body["error"]["problems"]
    assert answer.status_code == 400 and {k: problems[0][k] for k in ("row", "column")} == {
        "row": 1,
        "column": "ngay_sinh",
    }


def test_content_that_is_not_base64_or_not_a_workbook_is_refused(http, employer):
    assert upload(http, employer, "không phải base64!").json_body["error"]["field"] == "content"
    assert upload(http, employer, b64("PK không phải xlsx"), "xlsx").status_code == 400


def test_a_citizen_account_cannot_upload_an_employers_list(http):
    citizen = user_token(http, create_citizen())
    assert upload(http, citizen, b64(csv_of(1))).json_body["error"]["field"] == "group"


def test_the_chain_runs_row_by_row_and_the_approved_list_is_exported(http, uploaded, agencies):
    refuse = [{"identity_number": worker(1), "decision": "refuse", "reason": "Không đóng BHXH tháng liền kề"}]
    answer = decide(http, agencies["BHXH-CS"], uploaded, "xac-nhan-bhxh", rows=refuse, confirm_rest=True)
    assert answer.json_body == {"confirmed": 4, "refused": 1, "skipped": 0, "remaining": 0}
    one = [{"identity_number": worker(0), "decision": "confirm"}]
    assert decide(http, agencies["UBND-XA"], uploaded, "tham-dinh", rows=one).json_body["confirmed"] == 1
    assert decide(http, agencies["UBND-XA"], uploaded, "tham-dinh", confirm_rest=True).json_body["confirmed"] == 3
    assert decide(http, agencies["UBND-TINH"], uploaded, "phe-duyet", confirm_rest=True).json_body["confirmed"] == 4
    exported = http.get(f"/agency/linked-lists/{uploaded}/export", headers=agencies["UBND-TINH"]).json_body
    assert exported["rows"] == 4 and exported["total_amount"] == 4 * 3710000
    assert worker(1) not in exported["csv"] and exported["csv"].startswith("so_dinh_danh,ho_ten")
    pending = http.get(f"/agency/linked-lists/{uploaded}/rows?step=phe-duyet", headers=agencies["UBND-TINH"])
    assert pending.json_body["rows"] == []


def test_decisions_out_of_turn_or_outside_the_chain_are_refused(http, uploaded, agencies):
    one = [{"identity_number": worker(0), "decision": "confirm"}]
    assert decide(http, agencies["UBND-XA"], uploaded, "xac-nhan-bhxh", rows=one).json_body["error"]["field"] == "step"
    assert decide(http, agencies["CA-XA"], uploaded, "xac-nhan-bhxh", rows=one).status_code == 404
    assert http.get(f"/agency/linked-lists/{uploaded}", headers=agencies["CA-XA"]).status_code == 404
    # A row not yet confirmed by social insurance cannot be appraised: it is skipped, not moved.
    assert decide(http, agencies["UBND-XA"], uploaded, "tham-dinh", rows=one).json_body["skipped"] == 1
    assert http.get(f"/agency/linked-lists/{uploaded}/export", headers=agencies["BHXH-CS"]).status_code == 400
    refusal = [{"identity_number": worker(0), "decision": "refuse"}]
    assert decide(http, agencies["BHXH-CS"], uploaded, "xac-nhan-bhxh", rows=refusal).status_code == 400


def test_another_employer_cannot_read_the_list(http, uploaded):
    other = user_token(http, create_business("0300000000", email="khac@example.vn"))
    assert http.get(f"/linked-lists/{uploaded}", headers=other).status_code == 404


def test_a_worker_sees_his_own_row_and_five_misses_lock_the_list_for_that_address(
    http, uploaded, agencies, monkeypatch
):
    refuse = [{"identity_number": worker(1), "decision": "refuse", "reason": "Không đóng BHXH"}]
    decide(http, agencies["BHXH-CS"], uploaded, "xac-nhan-bhxh", rows=refuse)
    answer = post(http, "/linked-lists/lookup", {"list_code": uploaded, "identity_number": worker(1)}, {})
    assert answer.status_code == 200
    assert answer.json_body["status"] == "refused" and answer.json_body["reason"] == "Không đóng BHXH"
    waiting = post(http, "/linked-lists/lookup", {"list_code": uploaded, "identity_number": worker(2)}, {})
    assert waiting.json_body["status"] == "pending" and "Bảo hiểm xã hội" in waiting.json_body["stage_role"]
    for _ in range(5):
        miss = post(http, "/linked-lists/lookup", {"list_code": uploaded, "identity_number": worker(99)}, {})
        assert miss.status_code == 404
    locked = post(http, "/linked-lists/lookup", {"list_code": uploaded, "identity_number": worker(2)}, {})
    assert locked.status_code == 429
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", "203.0.113.7")  # another worker's phone
    elsewhere = post(http, "/linked-lists/lookup", {"list_code": uploaded, "identity_number": worker(2)}, {})
    assert elsewhere.status_code == 200 and elsewhere.json_body["status"] == "pending"


def test_two_officers_deciding_at_once_decide_each_row_once(http, employer, agencies, atomic_requests, monkeypatch):
    # 40 rows in transactions of 15, not 150 in DynamoDB's 100: still several transactions per
    # request, a chunk refused whole and redone row by row, threads overlapping on every row (9 s -> 2 s)
    monkeypatch.setattr(lists, "TRANSACTION_ROWS", 15)
    code = upload(http, employer, b64(csv_of(40))).json_body["code"]
    refusals = [
        {"identity_number": worker(i), "decision": "refuse", "reason": "Không đủ điều kiện"} for i in range(0, 40, 7)
    ]
    replies: list[dict[str, int]] = []

    def bulk(rows: list[dict[str, str]]) -> None:
        replies.append(decide(http, agencies["BHXH-CS"], code, "xac-nhan-bhxh", rows=rows, confirm_rest=True).json_body)

    threads = [threading.Thread(target=bulk, args=(rows,)) for rows in ([], refusals, [])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = list(ListRow.query(code))
    assert all(len(row.decisions) == 1 for row in rows)  # nobody decided a row twice
    assert sum(reply["confirmed"] + reply["refused"] for reply in replies) == 40
    refused = sum(1 for row in rows if row.refused_at_stage is not None)
    assert refused + sum(1 for row in rows if row.stage == 1) == 40


def test_an_agency_of_the_chain_may_upload_a_list_and_another_agency_may_not(http, agencies):
    body = {"group": GROUP, "name": "Danh sách do xã lập", "format": "csv", "content": b64(csv_of(2))}
    answer = post(http, "/agency/linked-lists", body, agencies["UBND-XA"])
    assert answer.status_code == 201 and answer.json_body["rows"] == 2
    refused = post(http, "/agency/linked-lists", body, agencies["CA-XA"])
    assert refused.status_code == 400 and refused.json_body["error"]["field"] == "group"


def test_the_agencies_of_the_chain_find_new_lists_and_others_cannot(http, uploaded, agencies):
    found = http.get(f"/agency/linked-lists?group={GROUP}", headers=agencies["BHXH-CS"]).json_body
    assert [item["code"] for item in found["lists"]] == [uploaded] and found["lists"][0]["rows"] == 5
    refused = http.get(f"/agency/linked-lists?group={GROUP}", headers=agencies["CA-XA"])
    assert refused.status_code == 400 and refused.json_body["error"]["field"] == "group"


def test_two_agencies_of_the_chain_working_at_once_keep_every_row_in_order(http, employer, agencies, atomic_requests):
    code = upload(http, employer, b64(csv_of(40))).json_body["code"]

    def social_insurance() -> None:  # four requests, as the commune's four: they interleave at any size
        for start in range(0, 40, 10):
            rows = [{"identity_number": worker(i), "decision": "confirm"} for i in range(start, start + 10)]
            decide(http, agencies["BHXH-CS"], code, "xac-nhan-bhxh", rows=rows)

    def commune() -> None:
        for _ in range(4):  # appraises whatever social insurance has confirmed so far
            decide(http, agencies["UBND-XA"], code, "tham-dinh", confirm_rest=True)

    threads = [threading.Thread(target=social_insurance), threading.Thread(target=commune)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    decide(http, agencies["UBND-XA"], code, "tham-dinh", confirm_rest=True)
    for row in ListRow.query(code):
        assert row.stage == 2
        assert [entry["step"] for entry in row.decisions] == ["xac-nhan-bhxh", "tham-dinh"]  # never out of turn
