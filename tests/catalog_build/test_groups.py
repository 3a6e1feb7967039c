"""Linked groups in data/groups/: the model, the graph rules, the page and the export."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from catalog_build.errors import CatalogueInvalid
from catalog_build.groups import find_cycle, layers
from catalog_build.loader import load_catalogue
from catalog_build.render import Renderer, group_context
from tests.factories import make_data_dir, records, write_yaml

REPO = Path(__file__).resolve().parents[2]

GROUP: dict[str, Any] = {
    "id": "nhom-thu",
    "name": "Nhóm liên thông thử nghiệm",
    "summary": "Nộp một lần, ba cơ quan giải quyết.",
    "total_days": 10,
    "fee": {"rule": "free"},
    "fields": [{"key": "ho_ten", "label": "Họ tên"}],
    "steps": [
        {
            "id": "dau",
            "procedure": "1.999001",
            "agency": "UBND-XA",
            "role": "Ủy ban nhân dân cấp xã",
            "days": 1,
            "fields": ["ho_ten"],
            "outputs": [{"key": "so", "label": "Số đăng ký"}],
        },
        {
            "id": "hai",
            "procedure": "1.999002",
            "agency": "CA-XA",
            "role": "Công an cấp xã",
            "after": ["dau"],
            "days": 5,
            "inputs": {"so_dang_ky": "dau.so"},
        },
        {
            "id": "ba",
            "procedure": "1.999003",
            "agency": "BHXH-CS",
            "role": "Bảo hiểm xã hội",
            "after": ["dau"],
            "days": 3,
            "inputs": {"so_dang_ky": "dau.so"},
        },
    ],
}


def data_with(tmp_path: Path, group: dict[str, Any], name: str | None = None) -> Path:
    data = make_data_dir(tmp_path, records(3))
    write_yaml(data / "groups" / f"{name or group['id']}.yaml", group)
    return data


def problems_of(data: Path) -> list[str]:
    """Each problem without the file, once every problem is checked to name the group's file."""
    with pytest.raises(CatalogueInvalid) as caught:
        load_catalogue(data)
    found = [str(problem) for problem in caught.value.problems]
    assert all(p.startswith("data/groups/") for p in found), found
    return [p.split(": ", 1)[1] if p.startswith(FILE) else p for p in found]


FILE = "data/groups/nhom-thu.yaml: "


def changed(**steps: dict[str, Any]) -> dict[str, Any]:
    group = copy.deepcopy(GROUP)
    for index, fields in steps.items():
        group["steps"][int(index.removeprefix("s"))].update(fields)
    return group


def test_a_valid_group_loads_and_its_parallel_steps_share_a_stage(tmp_path):
    catalogue = load_catalogue(data_with(tmp_path, GROUP))
    group = catalogue.groups["nhom-thu"]
    assert [[step.id for step in stage] for stage in layers(group)] == [["dau"], ["hai", "ba"]]


def test_a_cycle_is_an_error_naming_the_file_and_the_steps(tmp_path):
    group = changed(s0={"after": ["hai"]})
    problems = problems_of(data_with(tmp_path, group))
    assert any(p.startswith("steps: the order has a cycle: ") for p in problems), problems


def test_an_unknown_procedure_or_agency_names_the_step_field(tmp_path):
    group = changed(s1={"procedure": "1.888888", "agency": "KHONG-CO"})
    problems = problems_of(data_with(tmp_path, group))
    assert "steps.1.procedure: unknown procedure '1.888888'" in problems
    assert "steps.1.agency: unknown agency 'KHONG-CO'" in problems


def test_a_dangling_data_mapping_is_an_error(tmp_path):
    group = changed(s1={"inputs": {"so_dang_ky": "dau.khong_co"}}, s2={"inputs": {"x": "khong-co.so"}})
    problems = problems_of(data_with(tmp_path, group))
    assert "steps.1.inputs.so_dang_ky: step 'dau' has no output 'khong_co'" in problems
    assert any(p.startswith("steps.2.inputs.x: 'khong-co.so' names no step") for p in problems)


def test_a_mapping_from_a_step_that_does_not_come_before_is_an_error(tmp_path):
    group = changed(s1={"outputs": [{"key": "ma", "label": "Mã"}]}, s2={"inputs": {"ma": "hai.ma"}})
    problems = problems_of(data_with(tmp_path, group))
    assert "steps.2.inputs.ma: step 'hai' does not come before this one (add it to 'after')" in problems


def test_unknown_predecessors_fields_and_keys_are_errors(tmp_path):
    group = changed(s1={"after": ["khong-co"], "fields": ["khong_co"]})
    problems = problems_of(data_with(tmp_path, group))
    assert "steps.1.after.0: unknown step 'khong-co'" in problems
    assert "steps.1.fields.0: unknown field 'khong_co' (not in the group's fields)" in problems


def test_the_file_must_be_named_by_the_id(tmp_path):
    problems = problems_of(data_with(tmp_path, GROUP, name="ten-khac"))
    assert "data/groups/ten-khac.yaml: id: file name must be the id: rename to nhom-thu.yaml" in problems


def test_a_list_group_needs_an_identity_column_and_a_chain(tmp_path):
    group = {**changed(s2={"after": ["dau"]}), "kind": "list", "columns": [{"key": "ten", "label": "Tên"}]}
    problems = problems_of(data_with(tmp_path, group))
    assert any("columns: a list group needs an 'identity' column" in p for p in problems)
    assert any("steps.2.after: a list's steps form one chain" in p for p in problems)


def test_find_cycle_returns_the_closed_path():
    assert find_cycle({"a": ("c",), "b": ("a",), "c": ("b",)}) in (["a", "c", "b", "a"], ["c", "b", "a", "c"])
    assert find_cycle({"a": (), "b": ("a",), "c": ("a", "b")}) == []


@pytest.fixture(scope="module")
def shipped() -> Any:
    return load_catalogue(REPO / "data")


def test_the_shipped_groups_load_birth_death_and_worker_support(shipped):
    catalogue = shipped
    assert {"khai-sinh", "khai-tu", "ho-tro-tam-hoan-hop-dong"} <= set(catalogue.groups)
    birth = catalogue.groups["khai-sinh"]
    assert [step.agency for step in birth.steps] == ["UBND-XA", "CA-XA", "BHXH-CS"]


def test_the_group_page_explains_steps_agencies_data_and_refusals(shipped):
    catalogue = shipped
    pages = Renderer(catalogue)._group_pages()
    page = pages["lien-thong/khai-sinh.md"]
    assert "Công an cấp xã đăng ký thường trú cho trẻ" in page
    assert "(các bước chạy song song)" in page
    assert "Nhận tự động từ bước trước: Số đăng ký khai sinh; Số định danh cá nhân của trẻ." in page
    assert "Nếu bước này bị từ chối: Giấy khai sinh và thẻ bảo hiểm y tế vẫn có giá trị." in page
    assert "nop-ho-so/lien-thong/?nhom=khai-sinh" in page
    assert "(khai-sinh/)" in pages["lien-thong/index.md"]
    assert "(ho-tro-tam-hoan-hop-dong/)" in pages["lien-thong/index.md"]
    context = group_context(catalogue.groups["khai-sinh"], catalogue)
    names = [d["name"] for d in context["documents"]]
    assert len(names) == len({name.casefold() for name in names})  # each document asked once


def test_a_document_two_members_ask_for_is_asked_once_and_goes_to_both_steps(shipped):
    from catalog_build.groups import documents

    birth = shipped.groups["khai-sinh"]
    procedures = dict(shipped.procedures)
    registration = procedures["1.001193"]
    certificate = next(d for d in registration.cases[0].documents if d.name.startswith("Giấy chứng sinh"))
    card = procedures["1.001939"]
    first_case = card.cases[0].model_copy(update={"documents": [certificate]})
    procedures["1.001939"] = card.model_copy(update={"cases": [first_case, *card.cases[1:]]})
    asked = [d for d in documents(birth, procedures) if d["name"] == certificate.name]
    assert [d["steps"] for d in asked] == [["khai-sinh", "bhyt"]]


def test_a_build_writes_the_group_page_and_its_json(tmp_path):
    from catalog_build.build import build
    from tests.factories import scratch_build

    options = scratch_build(tmp_path)
    write_yaml(options.data_dir / "groups" / "nhom-thu.yaml", GROUP)
    build(options)
    site = tmp_path / "ws" / "site"
    record = json.loads((site / "du-lieu" / "lien-thong" / "nhom-thu.json").read_text())
    assert record["steps"][1]["inputs"] == {"so_dang_ky": "dau.so"}
    assert record["steps"][0]["agency_name"] == "Ủy ban nhân dân cấp xã"
    assert "Nhóm liên thông thử nghiệm" in (site / "lien-thong" / "nhom-thu" / "index.html").read_text()
    member = (site / "thu-tuc" / "1-999002" / "index.html").read_text()
    assert "thuộc nhóm liên thông" in member and "lien-thong/nhom-thu/" in member
