"""Records as the national portal shows them on its procedure pages (the `procedure-pages` crawl):
22 string fields, tables flattened into text (page_tables.py recovers them)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from catalog_build.importer import cleanup, page_tables
from catalog_build.importer.drafts import Draft, Ref, audiences_of, looks_like_agencies, split_agency_names

FIELDS = (
    "ma_thu_tuc",
    "ten_thu_tuc",
    "detail_url",
    "formality_id",
    "so_quyet_dinh",
    "cap_thuc_hien",
    "loai_thu_tuc",
    "linh_vuc",
    "doi_tuong_thuc_hien",
    "co_quan_co_tham_quyen",
    "dia_chi_tiep_nhan",
    "co_quan_duoc_uy_quyen",
    "co_quan_phoi_hop",
    "thu_tuc_lien_quan",
    "trinh_tu_thuc_hien",
    "cach_thuc_thuc_hien",
    "thanh_phan_ho_so",
    "can_cu_phap_ly",
    "co_quan_thuc_hien",
    "yeu_cau_dieu_kien",
    "ket_qua_xu_ly",
    "raw_text",
)
LEVELS = {"cấp bộ": "ministry", "cấp tỉnh": "province", "cấp xã": "commune", "cấp huyện": "district"}
LEVELS["cơ quan khác"] = "other"
LEGAL_ORIGINS = {
    "tthc được giao luật quy định chi tiết": "assigned",
    "tthc được luật giao quy định chi tiết": "assigned",
    "tthc không được luật giao cho địa phương quy định": "not_assigned",
    "loại khác": "other",
}
ROLES = {
    "co_quan_thuc_hien": "executing",
    "co_quan_co_tham_quyen": "competent",
    "co_quan_duoc_uy_quyen": "authorised",
    "co_quan_phoi_hop": "coordinating",
}
_CODE = re.compile(r"\b\d\.\d{6}\b")
_KEYWORDS = re.compile(r"Từ khóa(.*?)Mô tả(.*?)Chọn cơ quan thực hiện", re.DOTALL)


class PagesRecord(BaseModel):
    """Every field is a string; a missing or non-string field is an error naming it."""

    model_config = ConfigDict(extra="allow", frozen=True)
    ma_thu_tuc: str
    ten_thu_tuc: str
    detail_url: str = ""
    formality_id: str = ""
    so_quyet_dinh: str = ""
    cap_thuc_hien: str = ""
    loai_thu_tuc: str = ""
    linh_vuc: str = ""
    doi_tuong_thuc_hien: str = ""
    co_quan_co_tham_quyen: str = ""
    dia_chi_tiep_nhan: str = ""
    co_quan_duoc_uy_quyen: str = ""
    co_quan_phoi_hop: str = ""
    thu_tuc_lien_quan: str = ""
    trinh_tu_thuc_hien: str = ""
    cach_thuc_thuc_hien: str = ""
    thanh_phan_ho_so: str = ""
    can_cu_phap_ly: str = ""
    co_quan_thuc_hien: str = ""
    yeu_cau_dieu_kien: str = ""
    ket_qua_xu_ly: str = ""
    raw_text: str = ""


def draft(raw: PagesRecord, origin: str, known_agencies: frozenset[str] = frozenset()) -> Draft:
    record: dict[str, Any] = {"code": raw.ma_thu_tuc.strip(), "name": cleanup.sentence_case(_one(raw.ten_thu_tuc))}
    d = Draft(code=record["code"], origin=origin, record=record)
    d.rate("name", True)
    d.unmapped = [name for name, value in (raw.model_extra or {}).items() if value not in ("", None, [], {})]
    _classification(raw, d)
    _agencies(raw, d, known_agencies)
    _cases(raw, d)
    _channels(raw, d)
    _outcome(raw, d)
    _extras(raw, d)
    return d


def _one(text: str) -> str:
    return cleanup.one_line(text) or text.strip()


def _classification(raw: PagesRecord, d: Draft) -> None:
    levels = [LEVELS.get(part.strip().lower()) for part in raw.cap_thuc_hien.split(",") if part.strip()]
    d.record["levels"] = [lv for lv in dict.fromkeys(levels) if lv] or ["other"]
    d.rate("levels", bool(levels) and None not in levels)
    if None in levels:
        d.note("levels", raw.cap_thuc_hien)
    if origin := LEGAL_ORIGINS.get(_one(raw.loai_thu_tuc).lower()):
        d.record["legal_origin"] = origin
        d.rate("legal_origin", True)
    elif cleanup.clean(raw.loai_thu_tuc):
        d.rate("legal_origin", False)
        d.note("legal_origin", raw.loai_thu_tuc)
    if sector := cleanup.one_line(raw.linh_vuc):
        d.sector = Ref(sector)
        d.rate("sector", True)
    details = [part.strip() for part in re.split(r",(?![^()]*\))", raw.doi_tuong_thuc_hien) if part.strip()]
    audiences, recognised = audiences_of(details)
    d.record["audiences"] = audiences or ["citizen"]
    d.record["audience_details"] = details
    d.rate("audiences", recognised)
    if decision := cleanup.one_line(raw.so_quyet_dinh):
        d.record["decision"] = decision
        d.rate("decision", True)
    provenance: dict[str, Any] = {"source": "pages"}
    if record_id := cleanup.one_line(raw.formality_id):
        provenance["record_id"] = record_id
    if url := cleanup.one_line(raw.detail_url):
        provenance["url"] = url
    d.record["provenance"] = provenance
    d.rate("provenance", "record_id" in provenance)


def _agencies(raw: PagesRecord, d: Draft, known: frozenset[str]) -> None:
    plausible = True
    for source_field, role in ROLES.items():
        text = cleanup.clean(getattr(raw, source_field)) or ""
        if text and not looks_like_agencies(text):
            d.note("agencies", text)  # the crawler put other page text in this cell
            plausible = False
            continue
        names = split_agency_names(" ".join(text.split()), known)
        if names:
            d.agencies[role] = [Ref(name) for name in names]
    d.rate("agencies", bool(d.agencies) and plausible)


def _cases(raw: PagesRecord, d: Draft) -> None:
    steps = cleanup.steps(raw.trinh_tu_thuc_hien)
    d.rate("steps", bool(steps))
    cases, found = page_tables.documents(raw.thanh_phan_ho_so)
    about = [text for text in found if page_tables.NOT_A_DOCUMENT.match(text)]  # "Số lượng hồ sơ: 01 bộ"
    notes = [text for text in found if text not in about]
    for text in about:
        d.note("dossier", text)
    for text in notes:
        d.note("documents", text)
    if cleanup.clean(raw.thanh_phan_ho_so):
        d.rate("documents", bool(cases) and not notes)
    if not cases:
        cases = [{"documents": []}]
    cases[0]["steps"] = steps
    d.record["cases"] = [{k: v for k, v in case.items() if v} for case in cases]


def _channels(raw: PagesRecord, d: Draft) -> None:
    context = " ".join((raw.trinh_tu_thuc_hien, raw.cach_thuc_thuc_hien))
    found = page_tables.channels(raw.cach_thuc_thuc_hien, context)
    for text in found.notes:
        d.note("channels", text)
    channels = found.values
    d.record["channels"] = channels
    d.rate("channels", found.structural)
    timed = [c for c in channels if "time_value" in c or c.get("time_note") == page_tables.NO_INFO]
    d.rate("fees", not any("không tách được" in text or "phí" in text for text in found.notes))
    if channels and len(timed) != len(channels):
        d.structural["channels"] = False
    online = any(c["kind"] == "online" for c in channels)
    # The pages do not say whether online submission is full or partial: "partial" is the most the
    # channel table tells, and the import reports the online level as inferred.
    d.record["online_level"] = "partial" if online else "offline"
    d.rate("online_level", False)


def _outcome(raw: PagesRecord, d: Draft) -> None:
    results = page_tables.results(raw.ket_qua_xu_ly)
    d.record["results"] = results
    d.rate("results", bool(results))
    legal = page_tables.legal_basis(raw.can_cu_phap_ly)
    for text in legal.notes:
        d.note("legal_basis", text)
    if cleanup.clean(raw.can_cu_phap_ly) and cleanup.clean(raw.can_cu_phap_ly) != page_tables.LEGAL_HEADER:
        d.rate("legal_basis", legal.structural)
    d.record["legal_basis"] = legal.values
    requirements = cleanup.items(raw.yeu_cau_dieu_kien)
    if requirements:
        d.record["requirements"] = requirements
        d.rate("requirements", True)
    if address := cleanup.clean(raw.dia_chi_tiep_nhan):
        d.record["receiving_address"] = address


def _extras(raw: PagesRecord, d: Draft) -> None:
    """Related procedures, and the keywords and description that only the page's raw text carries."""
    related = cleanup.clean(raw.thu_tuc_lien_quan)
    if related:
        codes = [code for code in _CODE.findall(related) if code != d.code]
        if codes:
            d.record["related"] = list(dict.fromkeys(codes))
        else:
            d.note("related", related)
    match = _KEYWORDS.search(raw.raw_text)
    if match:
        keywords = cleanup.split_list(match.group(1))
        if keywords:
            d.record["keywords"] = keywords
        if description := cleanup.clean(match.group(2)):
            d.record["description"] = description
