"""Importing national records (`python -m catalog_build import`): mapping, idempotency, merging with
what we wrote by hand, and refusals that name the record and the field."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog_build.cli import main
from catalog_build.importer.run import ImportInvalid, ImportOptions, run_import
from catalog_build.loader import load_catalogue
from tests.factories import make_data_dir, procedure_record, snapshot, write_yaml

NATIONAL = Path(__file__).with_name("national")
API = NATIONAL / "api"
PAGES = NATIONAL / "pages"
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return make_data_dir(tmp_path, [])


def imported(data: Path, *sources: Path | str, **options: Any):
    return run_import(ImportOptions(sources=[str(s) for s in sources], data_dir=data, today=TODAY, **options))


def record(data: Path, code: str) -> dict[str, Any]:
    return yaml.safe_load((data / "procedures" / f"{code}.yaml").read_text(encoding="utf-8"))


def api_record(code: str = "1.001432", **changes: Any) -> dict[str, Any]:
    raw = json.loads((API / f"{code}.json").read_text(encoding="utf-8"))
    raw.update(changes)
    return raw


# -- mapping: the API format ---------------------------------------------------------------------


def test_an_api_record_maps_channels_fees_documents_and_provenance(data):
    imported(data, API / "1.001432.json")
    p = record(data, "1.001432")
    assert p["levels"] == ["province"] and p["online_level"] == "full" and p["legal_origin"] == "assigned"
    assert [c["kind"] for c in p["channels"]] == ["online", "direct", "postal"]
    fee = p["channels"][0]["fees"][0]
    assert fee["amount"] == 162500 and fee["description"].startswith("Mức giảm áp dụng theo Thông tư số 64/2025")
    [case] = p["cases"]
    photo = next(d for d in case["documents"] if d["code"] == "000.00.00.G16-KQ1168")
    assert (photo.get("originals", 1), photo["copies"]) == (0, 1)
    assert next(d for d in case["documents"] if d["code"] == "G16-KQ001828")["template"] == "Cac mau don.docx"
    assert p["decision"] == "1225/QĐ-BVHTTDL" and p["decision_date"] == dt.date(2026, 5, 26)
    assert p["provenance"]["record_id"] == "019d90c7-0901-71cb-ab99-2f6e20b9ce08"
    assert p["provenance"]["updated_at"].startswith("2026-06-01T")  # 1780300176676 ms, Vietnam time
    assert p["updated"] == dt.date(2026, 6, 1)
    assert {"number": "09/2017/QH14", "title": "Luật 09/2017/QH14", "issuer": "Quốc hội"} in p["legal_basis"]


def test_an_api_record_splits_bullet_steps_and_names_its_vertical_commune_level(data):
    imported(data, API / "1.003677.json")
    p = record(data, "1.003677")
    assert p["levels"] == ["commune", "vertical"]
    steps = p["cases"][0]["steps"]
    assert steps[0] == "Cá nhân, tổ chức chuẩn bị hồ sơ theo quy định của pháp luật."
    assert steps[1] == "Cá nhân, tổ chức nộp hồ sơ đến Công an cấp xã."
    assert p["cases"][0]["name"].startswith("Trường hợp công dân thuộc quy định tại điểm a, điểm b khoản 1")
    assert not p["cases"][0]["documents"][0]["name"].startswith("+")


def test_a_full_process_flag_without_an_online_channel_is_kept_as_a_note_not_believed(data, tmp_path):
    raw = api_record("1.014947")
    raw["executionMethods"] = [m for m in raw["executionMethods"] if m["submissionMethod"] != "ONLINE"]
    (tmp_path / "offline.json").write_text(json.dumps(raw), encoding="utf-8")
    imported(data, tmp_path / "offline.json")
    p = record(data, "1.014947")
    assert p["online_level"] == "offline"
    assert any(n["field"] == "online_level" for n in p["notes"])


def test_capitals_are_sentence_cased_and_agency_groups_become_agencies(data):
    imported(data, API / "1.014947.json")
    p = record(data, "1.014947")
    assert p["online_level"] == "full"
    assert p["name"] == "Thủ tục quỹ tự giải thể (Cấp xã)"  # "THỦ TỤC QUỸ TỰ GIẢI THỂ (Cấp xã)" at the source
    assert p["agencies"]["executing"]  # a generic agency group ("Ủy ban nhân dân cấp xã")


# -- mapping: the portal's pages ------------------------------------------------------------------


def test_a_page_record_recovers_several_rows_per_channel_and_templates_run_into_names(data):
    imported(data, PAGES / "1.000028.json")
    p = record(data, "1.000028")
    kinds = [(c["kind"], c["time_value"]) for c in p["channels"]]
    assert kinds == [
        ("direct", 1.0),
        ("direct", 1.0),
        ("online", 2.0),
        ("online", 1.0),
        ("postal", 2.0),
        ("postal", 1.0),
    ]
    assert p["channels"][2]["description"].startswith("Tiếp nhận và kiểm tra thành phần hồ sơ: 02 ngày")
    documents = p["cases"][0]["documents"]
    assert documents[0] == {"name": "Đơn đề nghị theo mẫu quy định", "template": "văn bản đề nghị.docx"}
    assert p["results"][0] == {"code": "KQ.G17.000329", "name": "Giấy phép lưu hành xe bánh xích tự hành trên đường bộ"}
    assert p["legal_basis"][0]["number"] == "12/2025/TT-BXD" and p["legal_basis"][0]["issuer"] == "Bộ Xây dựng"
    assert p["provenance"] == {
        "source": "pages",
        "record_id": "019d2bfe-03ac-70cd-a6db-636d0bd839e5",
        "url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfe-03ac-70cd-a6db-636d0bd839e5",
    }


def test_a_fee_given_in_prose_keeps_its_amount_and_its_words(data):
    imported(data, PAGES / "1.003917.json")
    postal = record(data, "1.003917")["channels"][0]
    assert postal["kind"] == "postal" and postal["time_unit"] == "days" and postal["time_value"] == 15.0
    assert postal["fees"][0]["amount"] == 250000


def test_document_groups_become_cases_with_their_titles(data):
    imported(data, PAGES / "3.000039.json")
    cases = record(data, "3.000039")["cases"]
    assert [c["name"] for c in cases] == [
        "Thủ tục lập kế hoạch cấp bù lãi suất thực hiện cho vay nhà ở xã hội",
        "Thủ tục quyết toán cấp bù lãi suất thực hiện cho vay nhà ở xã hội",
        "Thủ tục tạm cấp bù thực hiện cho vay nhà ở xã hội",
    ]
    assert cases[0]["documents"][0]["originals"] == 3 and cases[0]["steps"]
    assert not cases[1].get("steps")  # the pages give the steps once


def test_many_legal_documents_run_together_are_split_by_their_numbers(data):
    imported(data, PAGES / "1.009508.json", PAGES / "1.000623.json")
    numbers = [d["number"] for d in record(data, "1.009508")["legal_basis"]]
    assert numbers[:4] == ["245/2025/NĐ-CP", "59/2020/QH14", "25/2022/TT-BTC", "66.7/2025/NQ-CP"]
    assert "76/2025/QH15" in numbers and "54/2019/QH14" in numbers
    basis = record(data, "1.000623")["legal_basis"]
    assert {"number": "32/2024/QH15", "title": "Luật Các tổ chức tín dụng", "issuer": "Quốc hội"} in basis


def test_a_cell_that_cannot_be_split_with_confidence_is_kept_as_a_note_and_reported(data):
    report = imported(data, PAGES / "1.013833.json", PAGES / "2.000942.json")
    notes = record(data, "1.013833")["notes"]
    assert any("Mẫu số 18" in n["text"] for n in notes)  # "Mẫu số 181 bản chính": form 18, 1 original?
    assert report.notes["documents"] >= 1
    agencies = record(data, "2.000942")
    assert any(n["field"] == "agencies" and n["text"].startswith("chứng thực tiến hành") for n in agencies["notes"])
    assert "mapping rate" in report.summary()


def test_agencies_and_sectors_are_created_once_with_stable_codes_and_matched_by_name(data):
    imported(data, PAGES / "1.000623.json")
    created = yaml.safe_load((data / "agencies" / "imported.yaml").read_text(encoding="utf-8")) or []
    code = record(data, "1.000623")["agencies"]["executing"][0]
    again = make_data_dir(data.parent / "again", [])
    (again / "agencies" / "imported.yaml").unlink(missing_ok=True)
    imported(again, PAGES / "1.000623.json")
    assert record(again, "1.000623")["agencies"]["executing"][0] == code  # same name, same code
    names = [entry["name"] for entry in created]
    assert len(names) == len(set(names))
    assert load_catalogue(data).procedures["1.000623"].agencies.executing == (code,)


# -- idempotency, changes and extras ---------------------------------------------------------------


def test_importing_the_same_records_twice_changes_no_byte(data):
    imported(data, API, PAGES)
    before = snapshot(data)
    report = imported(data, API, PAGES)
    assert snapshot(data) == before
    assert report.added == [] and report.changed == [] and report.unchanged == 11
    assert report.superseded == []


def test_the_same_code_from_both_formats_keeps_the_api_record(data, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(NATIONAL / "api" / "1.003677.json", tmp_path / "api.json")
    (pages / "1.003677.json").write_text(
        json.dumps({"ma_thu_tuc": "1.003677", "ten_thu_tuc": "Khác"}), encoding="utf-8"
    )
    report = imported(data, pages, tmp_path / "api.json")
    assert report.superseded == ["1.003677"] and record(data, "1.003677")["provenance"]["source"] == "api"


def test_a_changed_record_is_reported_with_a_field_diff_and_dated_today(data, tmp_path):
    imported(data, API / "1.001432.json")
    changed = tmp_path / "changed.json"
    changed.write_text(
        json.dumps(api_record(name="Cấp đổi thẻ hướng dẫn viên du lịch", updatedAt=None, createdAt=None))
    )
    report = imported(data, changed)
    [(code, diff)] = report.changed
    assert code == "1.001432"
    assert any(line.startswith("name: 'Thủ tục cấp đổi thẻ") and "-> 'Cấp đổi thẻ hướng dẫn" in line for line in diff)
    assert record(data, "1.001432")["updated"] == TODAY


def test_our_keywords_faq_and_description_survive_a_reimport(data):
    ours = procedure_record(
        "1.000028",
        name="Cấp giấy phép lưu hành xe quá tải trọng, xe quá khổ giới hạn",
        sector="duong-bo",
        keywords=["xe quá tải", "giấy phép lưu hành"],
        description="Giấy phép cho xe quá khổ, quá tải đi trên đường bộ.",
    )
    write_yaml(data / "procedures" / "1.000028.yaml", ours)
    write_yaml(data / "faq" / "ours.yaml", [{"procedure": "1.000028", "question": "Bao lâu?", "answer": "Một ngày."}])
    imported(data, PAGES / "1.000028.json")
    p = record(data, "1.000028")
    assert p["name"].startswith("Cấp Giấy phép lưu hành xe quá tải trọng, xe quá khổ giới hạn, xe bánh xích")
    assert p["keywords"][:2] == ["xe quá tải", "giấy phép lưu hành"]
    assert p["description"] == ours["description"]  # the pages carry none: ours stays
    assert p["provenance"]["source"] == "pages"
    assert load_catalogue(data).faq[0].procedure == "1.000028"


def test_a_handwritten_record_under_a_code_the_nation_gives_another_procedure_loses_its_extras(data):
    ours = procedure_record("1.000028", name="Duy trì hiệu lực văn bằng bảo hộ sáng chế", keywords=["sáng chế"])
    write_yaml(data / "procedures" / "1.000028.yaml", ours)
    report = imported(data, PAGES / "1.000028.json")
    assert "sáng chế" not in record(data, "1.000028").get("keywords", [])
    assert "replaced 1.000028" in report.summary()


def test_a_rebuilt_site_shows_a_changed_record(workspace, tmp_path):
    from catalog_build.build import build

    options, docs, _ = workspace
    run_import(ImportOptions(sources=[str(API / "1.001432.json")], data_dir=options.data_dir, today=TODAY))
    build(options)
    page = docs / "thu-tuc" / "1-001432.md"
    assert "162.500 đồng" in page.read_text(encoding="utf-8")
    changed = tmp_path / "changed.json"
    raw = api_record()
    raw["executionMethods"][0]["fees"][0]["value"] = 200000
    changed.write_text(json.dumps(raw), encoding="utf-8")
    run_import(ImportOptions(sources=[str(changed)], data_dir=options.data_dir, today=TODAY))
    report = build(options)
    assert report.rerendered == 1 and "200.000 đồng" in page.read_text(encoding="utf-8")


# -- sources --------------------------------------------------------------------------------------


def test_json_lines_and_an_http_address_are_read_like_a_folder(data, tmp_path):
    lines = tmp_path / "records.jsonl"
    lines.write_text("\n".join(json.dumps(api_record(code)) for code in ("1.001432", "1.003677")) + "\n")
    served = tmp_path / "served"
    served.mkdir()
    (served / "list.json").write_text(json.dumps({"data": [api_record("1.014947")]}), encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        report = imported(data, lines, f"http://127.0.0.1:{server.server_address[1]}/list.json")
    finally:
        server.shutdown()
    assert sorted(report.added) == ["1.001432", "1.003677", "1.014947"]


# -- refusals -------------------------------------------------------------------------------------


def _problems(data: Path, *sources: Path | str, **options: Any) -> list[str]:
    before = snapshot(data)
    with pytest.raises(ImportInvalid) as raised:
        imported(data, *sources, **options)
    assert snapshot(data) == before  # nothing half-written
    return [str(problem) for problem in raised.value.problems]


def test_broken_json_is_reported_with_the_file_and_line(data, tmp_path):
    bad = tmp_path / "1.000001.json"
    bad.write_text('{"code": "1.000001",\n "name": }', encoding="utf-8")
    [problem] = _problems(data, bad, API / "1.001432.json")
    assert problem.startswith(f"{bad}: line 2: invalid JSON")


def test_a_record_without_a_code_and_one_with_wrong_types_name_the_field(data, tmp_path):
    lines = tmp_path / "bad.jsonl"
    no_code = {k: v for k, v in api_record().items() if k != "code"}
    wrong = api_record("1.003677", executionMethods="ONLINE", isMinistry="có")
    lines.write_text(json.dumps(no_code) + "\n" + json.dumps(wrong) + "\n", encoding="utf-8")
    problems = _problems(data, lines)
    assert f"{lines}:1: code: Field required" in problems
    assert any(p.startswith(f"{lines}:2: executionMethods:") for p in problems)
    assert any(p.startswith(f"{lines}:2: isMinistry:") for p in problems)


def test_a_duplicate_code_with_different_content_names_both_records(data, tmp_path):
    other = tmp_path / "other.json"
    other.write_text(json.dumps(api_record(name="Một thủ tục khác")), encoding="utf-8")
    [problem] = _problems(data, API / "1.001432.json", other)
    assert (
        problem == f"{other}: code: duplicate code '1.001432' with different content, also in {API / '1.001432.json'}"
    )


def test_a_repeated_identical_record_is_not_an_error(data, tmp_path):
    shutil.copy(API / "1.001432.json", tmp_path / "1.001432.json")
    report = imported(data, API / "1.001432.json", tmp_path)
    assert report.duplicates == 1 and report.added == ["1.001432"]


def test_strict_refuses_any_field_not_mapped_structurally(data, capsys):
    before = snapshot(data)
    status = main(["import", "--strict", "--quiet", "--data", str(data), str(API / "1.003677.json")])
    assert status == 1 and snapshot(data) == before
    err = capsys.readouterr().err
    assert "serviceGroupsDetails: source field with content that the import does not map" in err
    assert "nothing was written" in err


def test_dry_run_reports_without_writing(data, capsys):
    before = snapshot(data)
    assert main(["import", "--dry-run", "--quiet", "--data", str(data), str(PAGES)]) == 0
    assert snapshot(data) == before
    assert "7 added, 0 changed, 0 unchanged, 0 removed (dry run: nothing written)" in capsys.readouterr().out
