"""Test data factories: valid records to start from, overridden per test."""

from __future__ import annotations

import copy
import hashlib
import shutil
from pathlib import Path
from typing import Any

import yaml

from catalog_build.build import BuildOptions
from catalog_build.site import derived_config

REPO = Path(__file__).resolve().parents[1]


def procedure_record(code: str = "1.999001", **overrides: Any) -> dict[str, Any]:
    """A procedure with every field filled in, so rendering tests can look for each value."""
    record: dict[str, Any] = {
        "code": code,
        "name": "Cấp đổi giấy phép thử nghiệm",
        "description": "Mô tả thủ tục dùng cho kiểm thử.",
        "type": "specific",
        "levels": ["province"],
        "online_level": "full",
        "sector": "duong-bo",
        "audiences": ["citizen", "business"],
        "status": "active",
        "decision": "123/QĐ-BXD",
        "updated": "2025-05-20",
        "keywords": ["đổi giấy phép", "thử nghiệm"],
        "cases": [
            {
                "name": "Trường hợp bị mất",
                "steps": ["Nộp tờ khai đề nghị.", "Cơ quan kiểm tra hồ sơ.", "Trả kết quả cho người nộp."],
                "documents": [
                    {
                        "code": "TK01",
                        "name": "Tờ khai đề nghị cấp đổi",
                        "originals": 1,
                        "copies": 2,
                        "required": True,
                        "e_form": True,
                        "template": "Mẫu số 01 kèm Thông tư 99/2025/TT-BXD",
                    },
                    {"name": "Giấy tờ chứng minh nơi cư trú", "originals": 0, "copies": 1, "required": False},
                ],
            }
        ],
        "channels": [
            {"kind": "direct", "time_value": 5, "fees": [{"kind": "charge", "amount": 135000, "unit": "đồng/lần"}]},
            {
                "kind": "online",
                "time_value": 3,
                "time_note": "Kể từ khi nhận đủ hồ sơ hợp lệ",
                "fees": [{"kind": "fee", "description": "Theo mức do Hội đồng nhân dân cấp tỉnh quy định"}],
            },
            {
                "kind": "postal",
                "time_value": 7.5,
                "time_unit": "days",
                "description": "Cước bưu chính do người nộp trả",
            },
        ],
        "agencies": {
            "executing": ["CA-TINH"],
            "competent": ["BCA"],
            "authorised": ["SO-XD"],
            "coordinating": ["UBND-XA"],
        },
        "results": [{"code": "KQ01", "name": "Giấy phép thử nghiệm"}],
        "legal_basis": [
            {
                "number": "36/2024/QH15",
                "title": "Luật Trật tự, an toàn giao thông đường bộ",
                "issuer": "Quốc hội",
                "issued": "2024-06-27",
                "effective": "2025-01-01",
            }
        ],
        "requirements": ["Người đề nghị đủ 18 tuổi."],
        "receiving_address": "Bộ phận Một cửa Công an cấp tỉnh",
        "related": [],
    }
    record.update(copy.deepcopy(overrides))
    return record


def write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def make_data_dir(root: Path, procedures: list[dict[str, Any]] | None = None, faq: list[dict] | None = None) -> Path:
    """A data folder with the real agencies and sectors and the given procedures."""
    data = root / "data"
    for folder in ("agencies", "sectors"):
        shutil.copytree(REPO / "data" / folder, data / folder, dirs_exist_ok=True)
    (data / "faq").mkdir(parents=True, exist_ok=True)
    (data / "procedures").mkdir(parents=True, exist_ok=True)
    for record in procedures if procedures is not None else [procedure_record()]:
        write_yaml(data / "procedures" / f"{record['code']}.yaml", record)
    if faq:
        write_yaml(data / "faq" / "test.yaml", faq)
    return data


def records(count: int) -> list[dict[str, Any]]:
    """`count` small valid procedures, 1.999001 upwards."""
    return [procedure_record(f"1.99900{i}", name=f"Thủ tục thử nghiệm số {i}") for i in range(1, count + 1)]


def snapshot(*folders: Path) -> dict[str, tuple[int, str]]:
    """Every file under the folders with its modification time and content hash, to prove what changed."""
    return {
        str(p): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def scratch_build(tmp_path: Path, count: int = 3) -> BuildOptions:
    """Build options for a throwaway catalogue of `count` procedures under `tmp_path`, with the
    real mkdocs.yml: data in `tmp_path`, Markdown in `ws/docs`, the site in `ws/site`."""
    config = derived_config(REPO / "mkdocs.yml", tmp_path / "ws")
    data = make_data_dir(tmp_path, records(count))
    return BuildOptions(data_dir=data, config_file=config, work_dir=tmp_path / "ws" / "work", progress=False)
