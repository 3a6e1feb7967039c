"""Helpers for linked-processing tests: publish a group of data/groups/ where the backend reads
groups (as `catalog_build` exports it), and drive steps through the real agency routes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from catalog_build.groups import Group, group_json
from tests.api.factories import json_body

REPO = Path(__file__).resolve().parents[2]
JSON = {"Content-Type": "application/json"}
BIRTH_FORM = {
    "ho_ten_tre": "Nguyễn Minh An",
    "ngay_sinh": "2026-11-20",
    "gioi_tinh": "Nam",
    "noi_sinh": "Bệnh viện Phụ sản Hà Nội",
    "ho_ten_me": "Nguyễn Thị Thử",
    "so_dinh_danh_me": "001099012345",
    "noi_thuong_tru": "Số 1 phố Tràng Tiền, phường Hoàn Kiếm, Hà Nội",
    "chu_ho": "Nguyễn Văn Chủ",
}
BIRTH_OUTPUTS = {"so_dang_ky": "123/2026", "so_dinh_danh": "001226000001"}


def publish_group(group_id: str) -> dict[str, Any]:
    from catalog_build.models import Procedure
    from chalicelib.core.config import get_settings
    from chalicelib.linked.definitions import clear_cache

    group = Group.model_validate(yaml.safe_load((REPO / "data" / "groups" / f"{group_id}.yaml").read_text()))
    codes = {step.procedure for step in group.steps if step.procedure}
    procedures = {
        code: Procedure.model_validate(yaml.safe_load((REPO / "data" / "procedures" / f"{code}.yaml").read_text()))
        for code in codes
    }
    folder = get_settings().procedures_dir.parent / "lien-thong"
    folder.mkdir(parents=True, exist_ok=True)
    text = group_json(group, procedures, {})
    (folder / f"{group_id}.json").write_text(text, encoding="utf-8")
    clear_cache()
    return json.loads(text)


def post(http: Any, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return http.post(path, body=json_body(body), headers={**JSON, **headers})


def finish(http: Any, agency: dict[str, str], code: str, fields: dict[str, str] | None = None) -> None:
    """What an agency system does: accept, attach the result (with the values later steps need), finish."""
    for status in (2, 4):
        answer = post(http, f"/agency/dossiers/{code}/status", {"status": status}, agency)
        assert answer.status_code == 200, answer.body
    document: dict[str, Any] = {"name": "Kết quả", "number": "KQ-1"}
    if fields:
        document["fields"] = fields
    answer = post(http, f"/agency/dossiers/{code}/results", {"documents": [document]}, agency)
    assert answer.status_code == 200, answer.body
    for status in (9, 10):
        answer = post(http, f"/agency/dossiers/{code}/status", {"status": status}, agency)
        assert answer.status_code == 200, answer.body
