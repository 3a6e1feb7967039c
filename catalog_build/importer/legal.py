"""Vietnamese legal document numbers ("08/2025/TT-BTP", "59/2020/QH14", "01/QĐ-BCT"): finding them
in text, telling who issued them from the suffix, and the issue date a title gives beside them."""

from __future__ import annotations

import datetime as dt
import re

from catalog_build.importer.cleanup import is_syllable

_SUFFIX = r"(?:(?:UBTVQH|QH)\d{1,2}(?!\d)|[A-ZĐ]{1,8}(?:-(?:TTg|HĐND|UBND|[A-ZĐ]{1,12}))*)"
LEGAL_NUMBER = re.compile(r"(?<![\d/])\d{1,5}(?:\.\d{1,3})?\.?/(?:(?:19|20)\d{2}/)?" + _SUFFIX)

ISSUERS = {
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "CTN": "Chủ tịch nước",
    "BTC": "Bộ Tài chính",
    "BCA": "Bộ Công an",
    "BXD": "Bộ Xây dựng",
    "BTP": "Bộ Tư pháp",
    "NHNN": "Ngân hàng Nhà nước Việt Nam",
    "BNNMT": "Bộ Nông nghiệp và Môi trường",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BTNMT": "Bộ Tài nguyên và Môi trường",
    "BGTVT": "Bộ Giao thông vận tải",
    "BCT": "Bộ Công Thương",
    "BYT": "Bộ Y tế",
    "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BNV": "Bộ Nội vụ",
    "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BQP": "Bộ Quốc phòng",
    "BNG": "Bộ Ngoại giao",
    "BKHCN": "Bộ Khoa học và Công nghệ",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "TANDTC": "Tòa án nhân dân tối cao",
    "HĐTP": "Hội đồng Thẩm phán Tòa án nhân dân tối cao",
    "VKSNDTC": "Viện kiểm sát nhân dân tối cao",
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "VPCP": "Văn phòng Chính phủ",
    "UBCKNN": "Ủy ban Chứng khoán Nhà nước",
}
_DATE_NUMERIC = re.compile(r"ngày (\d{1,2})[/-](\d{1,2})[/-](\d{4})")
_DATE_WORDS = re.compile(r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})")


def split_joined_number(text: str, match: re.Match[str]) -> int | None:
    """Where a number found in run-together cells ends, or None when it sits inside a title.

    A number that ends a row is followed by the next row with no space, or by the end of the text.
    When the next row starts with a capital ("QH14Thông tư", "NHNNThông tư"), the suffix pattern
    has swallowed that capital: it is given back when it starts a Vietnamese syllable with what
    follows. A digit right after the number ("QH1550/2025") cannot be split with confidence.
    """
    end = match.end()
    if end == len(text):
        return end
    after = text[end]
    if after.isspace() or after in ",.;:)]\"'”\x00":
        return None
    if after.isdigit():
        # "NĐ-CP37/2025/TT-BNNMT": the next row's number, unless the suffix itself ends in digits
        # ("QH1573/2025" could be QH15 + 73 or QH1 + 573).
        ahead = LEGAL_NUMBER.match(text, end)
        dated = ahead is not None and "/" in ahead.group(0).split("/", 1)[1]
        return end if dated and not match.group(0)[-1].isdigit() else None
    if after.islower() and match.group(0)[-1].isupper():
        word = re.match(r"\w+", text[end - 1 :])
        if word and is_syllable(word.group(0)) and len(match.group(0).rsplit("-", 1)[-1]) > 1:
            return end - 1
    return end


def issuer_of(number: str) -> str | None:
    """The issuing body from a number's suffix: QH -> Quốc hội, NĐ-CP -> Chính phủ, TT-BTC -> Bộ Tài chính."""
    suffix = number.rsplit("/", 1)[-1]
    if re.fullmatch(r"UBTVQH\d+", suffix):
        return "Ủy ban Thường vụ Quốc hội"
    if re.fullmatch(r"QH\d+", suffix):
        return "Quốc hội"
    parts = suffix.split("-")[1:]
    names = [ISSUERS[part] for part in parts if part in ISSUERS]
    if not names or len(names) != len(parts):
        return None
    return ", ".join(names)


def issued_date(title: str, number: str) -> str | None:
    """The issue date when the title gives it right after the number ("54/2025/TT-BCA ngày 01/7/2025")."""
    at = title.find(number)
    if at < 0:
        return None
    window = title[at + len(number) : at + len(number) + 40]
    match = _DATE_NUMERIC.search(window) or _DATE_WORDS.search(window)
    if not match or match.start() > 6:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def clean_number(value: str) -> str:
    """A number as the API gives it, without stray spaces or brackets ("95/2023/NĐ-CP ]")."""
    found = LEGAL_NUMBER.search(value)
    return found.group(0) if found else value.strip(" []().;,")
