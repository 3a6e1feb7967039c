"""Vietnamese text helpers: folding for search, alphabetical order, and display labels."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

from catalog_build.models import (
    Audience,
    ChannelKind,
    FeeKind,
    LegalOrigin,
    Level,
    OnlineLevel,
    ProcedureType,
    Status,
    TimeUnit,
)

# NFD strips tone marks and hats but leaves đ alone: it is a letter of its own, not d + mark.
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


class _WithoutMarks(dict[int, int | None]):
    """A str.translate table that drops combining marks (category Mn), learning each character's
    category once: a catalogue's names are folded at C speed, not a Python call per character."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)) == "Mn" else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _WithoutMarks()


def fold(text: str) -> str:
    """'Đăng ký khai sinh' -> 'Dang ky khai sinh': what people type on a phone without diacritics."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return unicodedata.normalize("NFC", decomposed.translate(_WITHOUT_MARKS))


_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_BASE_LETTER = {c: c for c in _ALPHABET}
# Telex spelling gives each Vietnamese letter an ASCII name people already know.
_LETTER_SLUG = {"ă": "aw", "â": "aa", "đ": "dd", "ê": "ee", "ô": "oo", "ơ": "ow", "ư": "uw"}
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def _letter_of(char: str) -> str:
    """Strip the tone but keep the letter's own marks: 'ấ' -> 'â', 'ờ' -> 'ơ'."""
    decomposed = unicodedata.normalize("NFD", char.lower())
    kept = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", kept)


def _collation_table() -> dict[int, str]:
    """Every Vietnamese letter, any case and tone, to a private-use character in alphabet order."""
    table = {}
    for rank, letter in enumerate(_ALPHABET):
        for tone in ("", *_TONES):
            composed = unicodedata.normalize("NFC", letter + tone)
            if len(composed) != 1:  # consonants take no tone marks
                continue
            for char in (composed, composed.upper()):
                table[ord(char)] = chr(0xE000 + rank)
    return table


_COLLATION = _collation_table()


def sort_key(text: str) -> tuple[str, str]:
    """Vietnamese dictionary order: by letter first (a < ă < â < b ... đ after d), tones last.

    A translate table keeps this in C: building the browse pages sorts every name several times.
    """
    return text.translate(_COLLATION), text


def initial(text: str) -> str:
    """The A–Z group a name belongs to: its first letter without tone, upper case ('Ứng' -> 'Ư')."""
    for char in text:
        letter = _letter_of(char)
        if letter.isalpha():
            return letter.upper() if letter in _BASE_LETTER else fold(letter).upper()[:1]
    return "#"


def letter_slug(letter: str) -> str:
    lower = letter.lower()
    return _LETTER_SLUG.get(lower, lower if lower.isascii() and lower.isalnum() else "khac")


def vnd(amount: int) -> str:
    """135000 -> '135.000 đồng' (Vietnamese groups thousands with dots)."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def date_vn(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def number_vn(value: float) -> str:
    text = f"{value:g}"
    return text.replace(".", ",")


def levels(values: Iterable[Level]) -> str:
    """Several levels in one label: 'Cấp Bộ, Cấp Tỉnh'."""
    return ", ".join(LEVEL[value] for value in values)


PROCEDURE_TYPE = {
    ProcedureType.assigned: "Thủ tục được luật giao quy định chi tiết",
    ProcedureType.specific: "Thủ tục đặc thù",
    ProcedureType.standard: "Thủ tục chuẩn hóa",
    ProcedureType.interconnected: "Thủ tục liên thông",
    ProcedureType.internal: "Thủ tục nội bộ",
}
LEVEL = {
    Level.ministry: "Cấp Bộ",
    Level.province: "Cấp Tỉnh",
    Level.commune: "Cấp Xã",
    Level.vertical: "Cơ quan ngành dọc",
    Level.other: "Cơ quan khác",
    Level.district: "Cấp Huyện (trước 01/7/2025)",
}
LEVEL_SLUG = {
    Level.ministry: "cap-bo",
    Level.province: "cap-tinh",
    Level.commune: "cap-xa",
    Level.vertical: "nganh-doc",
    Level.other: "khac",
    Level.district: "cap-huyen",
}
ONLINE_LEVEL = {
    OnlineLevel.full: "Dịch vụ công trực tuyến toàn trình",
    OnlineLevel.partial: "Dịch vụ công trực tuyến một phần",
    OnlineLevel.offline: "Chưa cung cấp trực tuyến",
}
ONLINE_SHORT = {OnlineLevel.full: "Toàn trình", OnlineLevel.partial: "Một phần", OnlineLevel.offline: "Trực tiếp"}
AUDIENCE = {Audience.citizen: "Công dân", Audience.business: "Doanh nghiệp", Audience.organisation: "Tổ chức"}
AUDIENCE_SLUG = {Audience.citizen: "cong-dan", Audience.business: "doanh-nghiep", Audience.organisation: "to-chuc"}
CHANNEL = {ChannelKind.direct: "Trực tiếp", ChannelKind.online: "Trực tuyến", ChannelKind.postal: "Dịch vụ bưu chính"}
TIME_UNIT = {
    TimeUnit.working_days: "ngày làm việc",
    TimeUnit.days: "ngày",
    TimeUnit.hours: "giờ",
    TimeUnit.months: "tháng",
}
FEE_KIND = {FeeKind.fee: "Phí", FeeKind.charge: "Lệ phí", FeeKind.unspecified: "Phí, lệ phí"}
STATUS = {Status.active: "Đang áp dụng", Status.suspended: "Tạm dừng áp dụng", Status.repealed: "Đã bãi bỏ"}
LEGAL_ORIGIN = {
    LegalOrigin.assigned: "Thủ tục hành chính được luật giao quy định chi tiết",
    LegalOrigin.not_assigned: "Thủ tục hành chính không được luật giao cho địa phương quy định",
    LegalOrigin.local: "Thủ tục hành chính do địa phương quy định",
    LegalOrigin.central: "Thủ tục hành chính do trung ương quy định",
    LegalOrigin.other: "Loại khác",
}
NOTE_FIELD = {
    "channels": "Cách thức thực hiện",
    "fees": "Phí, lệ phí",
    "documents": "Thành phần hồ sơ",
    "dossier": "Số lượng hồ sơ",
    "legal_basis": "Căn cứ pháp lý",
    "agencies": "Cơ quan thực hiện",
    "levels": "Cấp thực hiện",
    "legal_origin": "Loại thủ tục",
    "online_level": "Mức độ trực tuyến",
    "sector": "Lĩnh vực",
    "related": "Thủ tục liên quan",
    "results": "Kết quả thực hiện",
}
AGENCY_ROLE = {
    "executing": "Cơ quan thực hiện",
    "competent": "Cơ quan có thẩm quyền",
    "authorised": "Cơ quan được ủy quyền",
    "coordinating": "Cơ quan phối hợp",
}
