from pathlib import Path

import pytest

from catalog_build.errors import CatalogueInvalid
from catalog_build.loader import load_catalogue
from tests.factories import make_data_dir, procedure_record, write_yaml


def problems_of(data: Path) -> list[str]:
    with pytest.raises(CatalogueInvalid) as caught:
        load_catalogue(data)
    return [str(p) for p in caught.value.problems]


def test_a_complete_record_loads_with_every_field(tmp_path):
    catalogue = load_catalogue(make_data_dir(tmp_path))
    procedure = catalogue.procedures["1.999001"]
    assert procedure.channels[1].fees[0].description.startswith("Theo mức")
    assert procedure.agencies.authorised == ("SO-XD",)
    assert procedure.slug == "1-999001"


def test_the_shipped_catalogue_is_valid_and_large_enough():
    catalogue = load_catalogue(Path(__file__).resolve().parents[2] / "data")
    assert len(catalogue.procedures) >= 60
    levels = {p.level.value for p in catalogue.procedures.values()}
    audiences = {a.value for p in catalogue.procedures.values() for a in p.audiences}
    assert {"ministry", "province", "commune"} <= levels
    assert {"citizen", "business"} <= audiences


@pytest.mark.parametrize(
    ("override", "field", "reason"),
    [
        ({"code": 1.999001}, "code", 'quote codes in YAML: "1.000358"'),
        ({"levels": ["galaxy"]}, "levels.0", "'ministry'"),
        ({"audiences": []}, "audiences", "at least 1"),
        (
            {
                "online_level": "offline",
                "channels": [{"kind": "direct", "time_value": 1, "fees": [{"kind": "fee", "amount": -5}]}],
            },
            "channels.0.fees.0.amount",
            "greater than or equal to 0",
        ),
        ({"online_level": "offline", "channels": [{"kind": "direct"}]}, "channels.0", "time_value or time_note"),
        ({"online_level": "offline"}, "(record)", "online channel is listed"),
        ({"colour": "blue"}, "colour", "unknown field"),
        (
            {"cases": [{"steps": ["Nộp."], "documents": [{"name": "Tờ khai", "copise": 1}]}]},
            "cases.0.documents.0.copise",
            "unknown field",
        ),
        ({"updated": "hôm qua"}, "updated", "date"),
    ],
)
def test_a_bad_field_is_reported_with_file_and_field(tmp_path, override, field, reason):
    data = make_data_dir(tmp_path, [procedure_record(**override)])
    [problem] = problems_of(data)
    assert problem.startswith(f"data/procedures/1.999001.yaml: {field}: ")
    assert reason in problem


def test_every_problem_in_every_file_is_listed_at_once(tmp_path):
    data = make_data_dir(
        tmp_path,
        [
            procedure_record("1.999001", levels=["galaxy"], sector="khong-co"),
            procedure_record("1.999002", agencies={"executing": ["KHONG-CO"]}, related=["1.999009"]),
        ],
    )
    problems = problems_of(data)
    assert "data/procedures/1.999001.yaml: levels.0: " in problems[0]
    assert "data/procedures/1.999002.yaml: agencies.executing.0: unknown agency 'KHONG-CO'" in problems
    assert "data/procedures/1.999002.yaml: related.0: unknown procedure '1.999009'" in problems
    assert len(problems) == 3  # the unknown sector of 1.999001 is not checked: that record is already invalid


def test_cross_references_are_checked(tmp_path):
    data = make_data_dir(tmp_path, [procedure_record(sector="khong-co", related=["1.999001"])])
    assert problems_of(data) == [
        "data/procedures/1.999001.yaml: related.0: a procedure cannot be related to itself",
        "data/procedures/1.999001.yaml: sector: unknown sector 'khong-co'",
    ]


def test_the_file_name_must_be_the_code(tmp_path):
    data = make_data_dir(tmp_path, [])
    write_yaml(data / "procedures" / "wrong.yaml", procedure_record())
    assert problems_of(data) == [
        "data/procedures/wrong.yaml: code: file name must be the code: rename to 1.999001.yaml"
    ]


def test_yaml_syntax_errors_give_the_line(tmp_path):
    data = make_data_dir(tmp_path, [])
    (data / "procedures" / "1.999001.yaml").write_text('code: "1.999001"\nname: [không đóng\n', encoding="utf-8")
    [problem] = problems_of(data)
    assert problem.startswith("data/procedures/1.999001.yaml: line ")
    assert "YAML syntax error" in problem


def test_faq_and_agency_lists_are_validated(tmp_path):
    data = make_data_dir(tmp_path, faq=[{"procedure": "1.888888", "question": "Hỏi?", "answer": "Đáp."}])
    write_yaml(data / "agencies" / "extra.yaml", [{"code": "BCA", "name": "Trùng mã", "level": "ministry"}])
    problems = problems_of(data)
    assert "data/agencies/extra.yaml: 0.code: duplicate code 'BCA'" in problems
    assert "data/faq/test.yaml: 0.procedure: unknown procedure '1.888888'" in problems


def test_cached_records_are_reparsed_when_their_file_changes(tmp_path):
    data = make_data_dir(tmp_path)
    cache = tmp_path / "cache.pickle"
    assert load_catalogue(data, cache).procedures["1.999001"].name == "Cấp đổi giấy phép thử nghiệm"
    write_yaml(data / "procedures" / "1.999001.yaml", procedure_record(name="Tên đã sửa đổi"))
    assert load_catalogue(data, cache).procedures["1.999001"].name == "Tên đã sửa đổi"
    write_yaml(data / "procedures" / "1.999001.yaml", procedure_record(levels=["galaxy"]))
    with pytest.raises(CatalogueInvalid):
        load_catalogue(data, cache)


def test_featured_procedures_must_exist(tmp_path):
    data = make_data_dir(tmp_path)
    write_yaml(data / "featured.yaml", ["1.999001", "1.888888"])
    assert problems_of(data) == ["data/featured.yaml: 1: unknown procedure '1.888888'"]
    write_yaml(data / "featured.yaml", ["1.999001"])
    assert load_catalogue(data).featured == ["1.999001"]
