"""Synthetic procedures for scale tests and benchmarks (never published).

Writes a complete data folder: N procedures built from varied Vietnamese administrative
vocabulary, plus the real agencies and sectors, plus some FAQ. Output is deterministic for a
seed, and files whose content is unchanged are not rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path
from typing import Any

import yaml

from catalog_build.loader import load_catalogue
from catalog_build.writer import WriteReport, remove_stale, write_changed

ACTIONS = [
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Gia hạn",
    "Điều chỉnh",
    "Đăng ký",
    "Thu hồi",
    "Xác nhận",
    "Thẩm định",
    "Phê duyệt",
    "Công nhận",
    "Chấp thuận",
    "Thông báo",
    "Hỗ trợ",
    "Giải quyết",
    "Đăng ký biến động",
    "Bổ sung",
    "Chuyển đổi",
    "Miễn, giảm",
    "Hoàn trả",
    "Tạm ngừng",
    "Chấm dứt",
    "Đề nghị",
    "Khai báo",
]
OBJECTS = [
    "giấy phép kinh doanh",
    "giấy chứng nhận đủ điều kiện",
    "chứng chỉ hành nghề",
    "giấy phép lái xe",
    "giấy chứng nhận quyền sử dụng đất",
    "giấy phép xây dựng",
    "thẻ bảo hiểm y tế",
    "sổ bảo hiểm xã hội",
    "giấy khai sinh",
    "giấy chứng nhận kết hôn",
    "hộ chiếu phổ thông",
    "thẻ căn cước",
    "mã số thuế",
    "giấy chứng nhận xuất xứ hàng hóa",
    "văn bằng bảo hộ nhãn hiệu",
    "giấy phép lao động",
    "trợ cấp thất nghiệp",
    "hợp đồng mua bán điện",
    "giấy phép môi trường",
    "giấy chứng nhận đăng ký doanh nghiệp",
    "lệ phí trước bạ",
    "biển số xe",
    "giấy phép hoạt động khoáng sản",
    "quyết định giao đất",
    "chế độ thai sản",
    "trợ cấp xã hội",
    "giấy phép khai thác nước",
    "giấy chứng nhận an toàn thực phẩm",
    "giấy phép hoạt động giáo dục",
    "chứng nhận cơ sở đủ điều kiện khám bệnh",
    "giấy phép bán lẻ rượu",
    "văn bằng bảo hộ sáng chế",
]
QUALIFIERS = [
    "",
    "",
    "đối với doanh nghiệp",
    "cho hộ kinh doanh",
    "trong trường hợp bị mất",
    "do thay đổi thông tin",
    "đối với người nước ngoài",
    "cho tổ chức kinh tế",
    "do bị hư hỏng",
    "khi hết thời hạn",
    "đối với hợp tác xã",
    "cho cá nhân cư trú ở nước ngoài",
    "tại khu công nghiệp",
    "đối với dự án đầu tư",
    "cho người có công",
    "trên địa bàn xã",
    "đối với tàu cá",
    "cho cơ sở giáo dục mầm non",
    "đối với hàng hóa nhập khẩu",
]
STEP_VERBS = [
    "Nộp hồ sơ",
    "Tiếp nhận và kiểm tra",
    "Thẩm định",
    "Lấy ý kiến cơ quan phối hợp",
    "Trình ký",
    "Trả kết quả",
]
DOC_NAMES = [
    "Đơn đề nghị theo mẫu",
    "Tờ khai",
    "Bản sao giấy tờ tùy thân",
    "Giấy ủy quyền (nếu nộp thay)",
    "Bản vẽ thiết kế",
    "Hợp đồng lao động",
    "Báo cáo tài chính năm gần nhất",
    "Giấy xác nhận của Ủy ban nhân dân cấp xã",
    "Văn bản thỏa thuận đấu nối",
    "Danh sách người lao động",
    "Chứng từ nộp phí",
    "Ảnh chân dung 4x6 cm",
]
LEVELS = ["ministry", "province", "province", "commune", "commune", "vertical"]
ONLINE = ["full", "full", "partial", "offline"]


def _procedure(
    rng: random.Random, index: int, code: str, sectors: list[str], agencies: list[str], codes: list[str]
) -> dict[str, Any]:
    action, obj, qualifier = rng.choice(ACTIONS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)
    name = " ".join(part for part in (action, obj, qualifier) if part)
    online = rng.choice(ONLINE)
    channels: list[dict[str, Any]] = [{"kind": "direct", "time_value": rng.choice([1, 3, 5, 7, 10, 15, 20, 30])}]
    if online != "offline":
        channels.append({"kind": "online", "time_value": channels[0]["time_value"]})
    if rng.random() < 0.5:
        channels.append({"kind": "postal", "time_value": channels[0]["time_value"] + 2})
    for channel in channels:
        amount = rng.choice([0, 0, 50_000, 100_000, 135_000, 200_000, 500_000, 1_000_000])
        channel["fees"] = [{"kind": rng.choice(["fee", "charge"]), "amount": amount, "unit": "đồng/hồ sơ"}]
    steps = [
        f"{verb} {obj} {rng.choice(['tại Bộ phận Một cửa', 'trên Cổng Dịch vụ công', 'theo quy định'])}."
        for verb in STEP_VERBS[: rng.randint(3, 6)]
    ]
    documents = [
        {"name": d, "originals": 1, "copies": rng.randint(0, 2), "e_form": rng.random() < 0.3}
        for d in rng.sample(DOC_NAMES, rng.randint(2, 6))
    ]
    year = rng.choice([2023, 2024, 2025, 2026])
    return {
        "code": code,
        "name": name[0].upper() + name[1:],
        "description": f"Thủ tục {action.lower()} {obj} {qualifier}. Dữ liệu tổng hợp dùng để kiểm thử quy mô.".replace(
            "  ", " "
        ),
        "levels": [rng.choice(LEVELS)],
        "online_level": online,
        "sector": rng.choice(sectors),
        "audiences": rng.sample(["citizen", "business", "organisation"], rng.randint(1, 2)),
        "updated": dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
        "keywords": [obj, f"{action.lower()} {obj}", qualifier or obj],
        "cases": [{"steps": steps, "documents": documents}],
        "channels": channels,
        "agencies": {"executing": rng.sample(agencies, 1), "coordinating": rng.sample(agencies, rng.randint(0, 2))},
        "results": [{"name": obj[0].upper() + obj[1:]}],
        "legal_basis": [
            {
                "number": f"{rng.randint(1, 199)}/{year - rng.randint(1, 8)}/NĐ-CP",
                "title": f"Nghị định quy định chi tiết về {obj}",
                "issuer": "Chính phủ",
            }
        ],
        "requirements": [f"Người đề nghị có nhu cầu {action.lower()} {obj}."],
        "receiving_address": "Bộ phận Một cửa của cơ quan thực hiện.",
        "related": rng.sample(codes[:index], min(index, rng.randint(0, 3))),
    }


def write_synthetic(out: Path, count: int, *, seed: int = 1, base_data: Path = Path("data")) -> WriteReport:
    base = load_catalogue(base_data)
    rng = random.Random(seed)
    codes = [f"9.{i:06d}" for i in range(1, count + 1)]
    sectors, agencies = sorted(base.sectors), sorted(base.agencies)
    files = {}
    faq = []
    for index, code in enumerate(codes):
        record = _procedure(rng, index, code, sectors, agencies, codes)
        files[f"procedures/{code}.yaml"] = yaml.dump(
            record, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False
        )
        if index % 5 == 0:
            faq.append(
                {
                    "procedure": code,
                    "question": f"Bao lâu thì có kết quả {record['name'].lower()}?",
                    "answer": "Thời hạn giải quyết được ghi trong mục Cách thức thực hiện của thủ tục.",
                }
            )
    files["faq/synthetic.yaml"] = yaml.dump(faq, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    report = WriteReport()
    out.mkdir(parents=True, exist_ok=True)
    for folder in ("agencies", "sectors"):
        shutil.copytree(base_data / folder, out / folder, dirs_exist_ok=True)
    write_changed(out, files, report)
    remove_stale(out, ["procedures", "faq"], set(files), report)
    return report


_METHODS = {"direct": "DIRECT", "online": "ONLINE", "postal": "POSTAL"}
_LEVEL_FLAGS = {"ministry": "isMinistry", "province": "isProvince", "commune": "isWard", "vertical": "isVertical"}


def api_record(record: dict[str, Any], agencies: dict[str, str], sectors: dict[str, str], index: int) -> dict[str, Any]:
    """A synthetic procedure in the national API's shape (what `catalog_build import` reads), with
    the same fields, nesting and kinds of text as the real records (bullets, "Bước N:" markers)."""
    uid = f"019d0000-0000-7000-8000-{index:012d}"
    stamp = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() * 1000) + index * 60_000

    def named(code: str, kind: str) -> dict[str, str]:
        return {"id": f"{uid}-{kind}-{code}", "name": agencies.get(code) or sectors.get(code, code), "code": code}

    methods = [
        {
            "submissionMethod": _METHODS[c["kind"]],
            "processingTime": c["time_value"],
            "processingTimeUnit": "WORKING_DAY",
            "description": "Nộp hồ sơ và nhận kết quả theo quy định.",
            "fees": [
                {"type": "FEE", "value": f["amount"], "currencyName": "Việt Nam Đồng", "description": ""}
                for f in c["fees"]
            ],
        }
        for c in record["channels"]
    ]
    steps = "\n".join(f"- Bước {n}: {step}" for n, step in enumerate(record["cases"][0]["steps"], start=1))
    components = [
        {
            "profileComponentId": f"{uid}-{n}",
            "name": f"+ {d['name']};",
            "code": f"G00-KQ{index:06d}{n}",
            "originalQty": d["originals"],
            "copyQty": d["copies"],
            "required": False,
            "hasElectronicForm": d["e_form"],
            "attachments": [{"id": f"{uid}-a{n}", "fileName": f"Mau so {n:02d}.docx"}] if d["e_form"] else [],
        }
        for n, d in enumerate(record["cases"][0]["documents"], start=1)
    ]
    flags = {flag: record["levels"][0] == level for level, flag in _LEVEL_FLAGS.items()}
    return {
        "id": uid,
        "code": record["code"],
        "codeNotation": record["code"],
        "name": record["name"],
        "description": record["description"],
        "executionSteps": [{"name": "", "description": steps}],
        "executionMethods": methods,
        "executionCases": [{"name": "", "profileComponents": components}],
        "formalityType": "ASSIGNED_REGULATION",
        "type": "STANDARD",
        "state": "ACTIVE",
        "isInternal": False,
        **flags,
        "isOtherAgency": False,
        "isUndetermined": False,
        "isFullProcess": record["online_level"] == "full",
        "isOfflineOnly": record["online_level"] == "offline",
        "note": "",
        "keywords": ", ".join(record["keywords"]),
        "categoriesDetails": [named(record["sector"], "c")],
        "departmentsExecuting": [named(code, "d") for code in record["agencies"]["executing"]],
        "departmentsCoordinating": [named(code, "d") for code in record["agencies"]["coordinating"]],
        "legalBasisesDetails": [
            {"id": f"{uid}-l", "name": b["title"], "code": b["number"]} for b in record["legal_basis"]
        ],
        "resultsDetails": [
            {"id": f"{uid}-r", "name": r["name"], "code": f"KQ.G00.{index:06d}"} for r in record["results"]
        ],
        "subjectTypesDetails": [{"id": f"{uid}-s", "name": "Công dân Việt Nam", "code": "ĐT1"}],
        "requirementsAndConditions": "\n".join(f"- {r}" for r in record["requirements"]),
        "dossierReceivingAddresses": record["receiving_address"],
        "procedureProposal": {
            "proposalNumber": f"{index % 900 + 1}/QĐ-BTC",
            "decisionDate": stamp,
            "decisionNumber": None,
        },
        "createdAt": stamp,
        "updatedAt": stamp,
    }


def write_api_records(out: Path, count: int, *, seed: int = 1, base_data: Path = Path("data")) -> list[Path]:
    """`count` synthetic records in the API format, one JSON file each (the national portal's shape),
    with codes 9.000001 upwards. Returns the files."""
    base = load_catalogue(base_data)
    rng = random.Random(seed)
    codes = [f"9.{i:06d}" for i in range(1, count + 1)]
    agencies = {code: agency.name for code, agency in base.agencies.items()}
    sectors = {code: sector.name for code, sector in base.sectors.items()}
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for index, code in enumerate(codes):
        record = _procedure(rng, index, code, sorted(sectors), sorted(agencies), codes)
        path = out / f"{code}.json"
        path.write_text(json.dumps(api_record(record, agencies, sectors, index), ensure_ascii=False, indent=2))
        files.append(path)
    return files
