"""Recover the tables that the national portal's pages flatten into one run of text.

The crawler joined each table's cells with no separator, so rows and cells are found again from
what is known about them: the header words, the channel names, time and money patterns, the
quantity that ends every document row, and the document number that ends every legal-basis row.
Where a boundary cannot be found with confidence the text is returned as a note, never guessed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from catalog_build.importer import cleanup
from catalog_build.importer.legal import LEGAL_NUMBER, issued_date, issuer_of, split_joined_number

CHANNELS_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
DOCUMENTS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
NO_INFO = "Không có thông tin"
GLUED_QUANTITY = "số lượng có thể dính với số ở cuối tên giấy tờ: "

CHANNEL_KINDS = {"Trực tiếp": "direct", "Trực tuyến": "online", "Dịch vụ bưu chính": "postal"}
TIME_UNITS = {"ngày làm việc": "working_days", "ngày": "days", "giờ": "hours", "tháng": "months"}
CURRENCIES = {"vnđ": "VND", "việt nam đồng": "VND", "đồng": "VND", "usd": "USD", "eur": "EUR"}

_ROW_START = re.compile(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\d|Không)")
_TIME = re.compile(r"(\d+(?:[.,]\d+)?) (Ngày làm việc|Ngày|Giờ|Tháng)", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"(\d+)(?=Miễn phí|Không có thông tin)")
_TEXT_TIME = re.compile(r"(Không[^\d()]*?)(?=Miễn phí|Không có thông tin|[\d.,]+ (?:VNĐ|Việt Nam Đồng|Đồng|USD))")
_AMOUNT = re.compile(r"([\d.,]+) (VNĐ|Việt Nam Đồng|Đồng|USD|EUR)", re.IGNORECASE)
_TIME_IN_TEXT = re.compile(r"\b0*(\d+)\s*(?:\([^)]*\)\s*)?(ngày làm việc|ngày|giờ|tháng)", re.IGNORECASE)
_QUANTITY = re.compile(r"(\d+) bản (chính|sao|chụp)(?:,(\d+) bản (chính|sao|chụp))?(?=\S|$)")
_TEMPLATE_EXT = re.compile(r"\.(?:docx?|xlsx?|pdf|odt|ods|rar|zip)(?=\S|$)", re.IGNORECASE)
NOT_A_DOCUMENT = re.compile(r"số lượng hồ sơ\b", re.IGNORECASE)
_RESULT_CODE = re.compile(r"Mã: ?([A-Z0-9][A-Z0-9.\-]*\d)")
_PAGE_LEFTOVERS = ("Từ khóa", "Chọn cơ quan thực hiện", "Hệ thống chỉ hiển thị", "Nộp hồ sơ")


@dataclass
class Recovered:
    """What a table gave: structured values, notes for what could not be recovered, and whether
    every part was recovered structurally (for the mapping rate)."""

    values: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def structural(self) -> bool:
        return bool(self.values) and not self.notes


# -- channels ----------------------------------------------------------------------------------


def channels(text: str, context: str = "") -> Recovered:
    """The channel table: one row per channel (a channel may have several rows, one per phase).

    `context` (steps and other text of the record) confirms the unit of a time given as a bare
    number: "1" is taken as 1 working day only if the record says "01 ngày làm việc" somewhere.
    """
    found = Recovered()
    body = text.removeprefix(CHANNELS_HEADER) if text.startswith(CHANNELS_HEADER) else None
    if body is None:
        found.notes.append(cleanup.normalise(text))
        return found
    starts = list(_ROW_START.finditer(body))
    if not starts or starts[0].start() != 0:
        if cleanup.clean(body):
            found.notes.append(cleanup.normalise(body))
        return found
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        row, problem = _channel_row(start.group(1), body[start.end() : end], context)
        found.values.append(row)
        if problem:
            found.notes.append(f"{start.group(1)}: {problem}")
    return found


def _channel_row(name: str, cells: str, context: str) -> tuple[dict[str, Any], str | None]:
    row: dict[str, Any] = {"kind": CHANNEL_KINDS[name]}
    rest, problem = _time_cell(cells, row, context)
    if problem:
        row["time_note"] = NO_INFO
        return row, problem
    fees, description, problem = _fee_cells(rest)
    if fees:
        row["fees"] = fees
    if description:
        row["description"] = description
    return row, problem


def _time_cell(cells: str, row: dict[str, Any], context: str) -> tuple[str, str | None]:
    if match := _TIME.match(cells):
        row["time_value"] = float(match.group(1).replace(",", "."))
        row["time_unit"] = TIME_UNITS[match.group(2).lower()]
        return cells[match.end() :], None
    if cells.startswith(NO_INFO):
        row["time_note"] = NO_INFO
        return cells[len(NO_INFO) :], None
    if match := _TEXT_TIME.match(cells):  # "Không quy định", "Không phải trả kết quả ..."
        row["time_note"] = match.group(1)
        return cells[match.end() :], None
    if match := _BARE_NUMBER.match(cells):
        value = int(match.group(1))
        units = {TIME_UNITS[m.group(2).lower()] for m in _TIME_IN_TEXT.finditer(context) if int(m.group(1)) == value}
        if len(units) == 1:
            row["time_value"] = float(value)
            row["time_unit"] = units.pop()
        else:
            row["time_note"] = f"{value} (nguồn không ghi đơn vị thời gian)"
        return cells[match.end() :], None
    return "", f"không tách được thời hạn và phí: {cleanup.normalise(cells)}"


def _fee_cells(rest: str) -> tuple[list[dict[str, Any]], str | None, str | None]:
    """The fee cell ("Miễn phí", "Không có thông tin", "120,000 VNĐ", each optionally followed by its
    description in parentheses), then the channel's description."""
    fee: dict[str, Any] | None
    if rest.startswith("Miễn phí"):
        fee, rest = {"kind": "unspecified", "amount": 0}, rest[len("Miễn phí") :]
    elif rest.startswith(NO_INFO):
        fee, rest = None, rest[len(NO_INFO) :]
    elif match := _AMOUNT.match(rest):
        amount = int(re.sub(r"[.,]", "", match.group(1)))
        fee = {"kind": "unspecified", "amount": amount, "currency": CURRENCIES[match.group(2).lower()]}
        if fee["currency"] != "VND":
            fee["unit"] = f"{match.group(2)}/hồ sơ"
        rest = rest[match.end() :]
    else:
        return [], None, f"không nhận ra phí, lệ phí: {cleanup.normalise(rest)}" if cleanup.clean(rest) else None
    problem = None
    if rest.startswith("("):
        close = _matching_paren(rest)
        if close is None:
            problem = f"không tách được mô tả phí và mô tả cách thức: {cleanup.normalise(rest)}"
            rest = ""
        else:
            note = cleanup.one_line(rest[1:close])
            rest = rest[close + 1 :]
            if fee is not None and note:
                fee["description"] = note
                fee["kind"] = _fee_kind(note)
            elif note:  # a description of "no information": keep it as the channel's description
                rest = note + " " + rest
    if fee is not None and fee.get("amount") == 0 and cleanup.names_an_amount(fee.get("description")):
        del fee["amount"]  # "Miễn phí(Nộp trực tiếp: 135.000 đồng/lần)": the figure is missing, not zero
    description = cleanup.clean(rest)
    return ([fee] if fee else []), description, problem


def _fee_kind(description: str) -> str:
    head = cleanup.normalise(description).lstrip("(-+ ").lower()
    if head.startswith("lệ phí"):
        return "charge"
    if head.startswith("phí"):
        return "fee"
    return "unspecified"


def _matching_paren(text: str) -> int | None:
    depth = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


# -- documents ---------------------------------------------------------------------------------


def documents(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The dossier table(s): a list of cases `{name?, documents}` (one per group title), and notes."""
    notes: list[str] = []
    parts = text.split(DOCUMENTS_HEADER)
    if len(parts) == 1:
        cleaned = cleanup.clean(text)
        return [], [cleaned] if cleaned else []
    cases: list[dict[str, Any]] = []
    title = _group_title(parts[0])
    for part in parts[1:]:
        docs, end = _rows(part, notes)
        case: dict[str, Any] = {"documents": docs}
        if title:
            case["name"] = title
        if docs or title:
            cases.append(case)
        title = _group_title(part[end:])  # the next group's title follows this group's last row
    if title:
        notes.append(title)
    return cases, notes


def _rows(part: str, notes: list[str]) -> tuple[list[dict[str, Any]], int]:
    """The documents of one table, each row ending with its quantity; where the last row ends."""
    docs = []
    position = 0
    for row in _QUANTITY.finditer(part):
        doc, problem = _document(part[position : row.start()], row)
        if doc is not None and NOT_A_DOCUMENT.match(doc["name"]):
            notes.append(doc["name"])  # "Số lượng hồ sơ: 01 (một) bộ.": about the dossier, not a document
            doc = None
        if doc is not None and not _quantity_split(row)[2]:
            problem = GLUED_QUANTITY + cleanup.normalise(part[position : row.end()])
        position = row.end()
        if doc is not None:
            docs.append(doc)
            if problem:
                notes.append(problem)
    return docs, position


def _quantity_split(quantity: re.Match[str]) -> tuple[str, int, bool]:
    """The first count of a quantity whose digits may have run into the name before them:
    "ngày 31/12/20251 bản chính" is the year 2025 and 1 original (certain: years have 4 digits);
    "Mẫu số 181 bản chính" is form 18 and 1 original (the last digit is taken, and reported).
    Returns the digits that belong to the name, the count, and whether the split is certain."""
    digits, before = quantity.group(1), quantity.string[: quantity.start()]
    if re.search(r"\d{1,2}/\d{1,2}/$", before) and len(digits) > 4:
        return digits[:4], int(digits[4:]), True
    if (before.endswith(" ") and len(digits) > 1) or len(digits) > 2:
        return digits[:-1], int(digits[-1]), False
    return "", int(digits), True


def _group_title(text: str) -> str | None:
    text = text.replace("Tên giấy tờ\tMẫu đơn, tờ khai\tSố lượng\tBiểu mẫu điện tử\tKết quả thay thế", "")
    cleaned = cleanup.one_line(text)
    if cleaned is None:
        return None
    return cleaned.strip(" -*:").rstrip(":").strip() or None


def _document(text: str, quantity: re.Match[str]) -> tuple[dict[str, Any] | None, str | None]:
    name, templates, problem = _split_templates(text)
    name_text = cleanup.one_line(name)
    if name_text is None:
        return None, None
    name_text = cleanup.strip_bullet(name_text)
    counts = {"chính": 0, "sao": 0, "chụp": 0}
    glued, first, _ = _quantity_split(quantity)
    if glued:
        space = " " if quantity.string[quantity.start() - len(glued) - 1 : quantity.start()].startswith(" ") else ""
        name_text = f"{name_text}{space}{glued}"
    counts[quantity.group(2)] += first
    if quantity.group(3):
        counts[quantity.group(4)] += int(quantity.group(3))
    doc: dict[str, Any] = {
        "name": name_text,
        "originals": counts["chính"],
        "copies": counts["sao"] + counts["chụp"],
        "required": not cleanup.is_conditional(name_text),
    }
    if templates:
        doc["template"] = "; ".join(templates)
    return doc, problem


def _split_templates(text: str) -> tuple[str, list[str], str | None]:
    """Split "Đơn đề nghị;văn bản đề nghị.docx" into the document's name and its form templates.

    A template's name starts where the cells were joined: right after ";", ":" or ")" with no
    space, or where a lower-case letter runs into an upper-case one ("quy địnhMẫu 01.docx").
    """
    found = list(_TEMPLATE_EXT.finditer(text))
    ends = [m.end() for m in found]
    if not ends or ends[-1] != len(text.rstrip()):
        return text, [], None
    head = text[: found[0].start()]
    start = None
    for index in range(len(head) - 1, 0, -1):
        if _joined_at(head, index):
            start = index
            break
    if start is None:
        return text, [], f"mẫu đơn chưa tách được khỏi tên giấy tờ: {cleanup.normalise(text)}"
    templates = []
    position = start
    for end in ends:
        templates.append(text[position:end].strip())
        position = end
    return text[:start].rstrip(" ;:"), [t for t in templates if t], None


def _joined_at(text: str, index: int) -> bool:
    """Whether two cells were run together at `index`: "định;Mẫu", "sắt.2.4 Mẫu", "quy địnhMẫu",
    "2024Mẫu", "NĐ-CPMẫu" (an abbreviation, then a capitalised word)."""
    before, char = text[index - 1], text[index]
    if char == " ":
        return False
    if before in ";:)":
        return True
    if before == "." and index >= 2 and not text[index - 2].isdigit():
        return True
    if char.isupper() and (before.islower() or before.isdigit()):
        return True
    following = text[index + 1 : index + 2]
    if before.isupper() and char.isupper() and following.islower():
        word = re.match(r"\w+", text[index:])
        return bool(word and cleanup.is_syllable(word.group(0)))
    return False


# -- legal basis -------------------------------------------------------------------------------


def legal_basis(text: str) -> Recovered:
    """Rows of title then document number: a number ends a row when the next row follows with no
    space (or the text ends), and the row's number cell starts where the title's text was joined."""
    found = Recovered()
    if not text.startswith(LEGAL_HEADER):
        if cleanup.clean(text):
            found.notes.append(cleanup.normalise(text))
        return found
    body = _cell_breaks(cleanup.normalise(text[len(LEGAL_HEADER) :]))
    position = 0
    for match in LEGAL_NUMBER.finditer(body):
        if match.start() < position:
            continue
        end = split_joined_number(body, match)
        if end is None:
            continue
        cell_start = _number_cell_start(body, match.start(), position)
        title = body[position:cell_start].strip()
        if not title.replace("\x00", "") or body[cell_start - 1] == " ":
            continue
        number = body[cell_start:end].strip()
        if _suspicious(title, body[:cell_start]):
            found.notes.append(body[position:end].replace("\x00", ""))  # rows run together
        else:
            found.values.append(_legal_document(title.replace("\x00", ""), number))
        position = end
    leftover = body[position:].replace("\x00", "").strip(" ;,.")
    if leftover:
        numbers = list(LEGAL_NUMBER.finditer(leftover))
        if len(numbers) == 1 and numbers[0].end() == len(leftover) and numbers[0].start() > 0:
            found.values.append(_legal_document(leftover, numbers[0].group(0)))  # "Thông tư 47/2019/TT-BTC"
        else:
            found.notes.append(leftover)
    return found


_NUMBER_AHEAD = r"(?=\d{1,5}(?:\.\d+)?\.?/(?:19|20)\d{2}/)"
_YEAR_THEN_NUMBER = re.compile(r"((?:\b|/)(?:19|20)\d{2})" + _NUMBER_AHEAD)
_LINE_THEN_NUMBER = re.compile(r"\n(?=\d{1,5}(?:\.\d+)?\.?/)")
_REPEATED_NUMBER = re.compile(r"(\d{1,5}/(?:19|20)\d{2}/[A-ZĐ]+\d*(?:-[A-ZĐ]+)*)(?=\1)")
_NUMBER_SUFFIX_BEFORE = re.compile(r"[/-][A-ZĐ]+\d*$")


def _cell_breaks(body: str) -> str:
    """Mark with NUL the cell boundaries that are certain before the number search: a year run into
    a number ("năm 202437/2024/QH15"), a number on a line of its own, a title that ends with the
    number its cell repeats ("Luật 51/2019/QH1451/2019/QH14"). Other line breaks are spaces."""
    body = _LINE_THEN_NUMBER.sub("\x00", body)
    body = _YEAR_THEN_NUMBER.sub("\\1\x00", body)
    body = _REPEATED_NUMBER.sub("\\1\x00", body)
    return body.replace("\n", " ")


def _suspicious(title: str, before: str) -> bool:
    """Two rows run together that the number search could not separate: a lower-case letter run
    into a capital inside the title, a number inside it glued to the text before it, or a row's
    number starting right after another number's suffix ("QH1550/2025")."""
    if _has_joined_words(title.replace("\x00", " ")):
        return True
    if any(m.start() > 0 and title[m.start() - 1] not in " (\x00" for m in LEGAL_NUMBER.finditer(title)):
        return True
    return bool(_NUMBER_SUFFIX_BEFORE.search(before))


def _has_joined_words(text: str) -> bool:
    """A lower-case letter run straight into an upper-case one: two cells, not one title."""
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(text))


_CELL_PREFIXES = ("Luật số ", "Bộ luật số ", "Luật ", "Nghị định số ", "Nghị định ", "Thông tư số ", "Thông tư ")
_CELL_PREFIXES += ("Quyết định số ", "Quyết định ", "Nghị quyết số ", "Nghị quyết ", "Văn bản hợp nhất ", "số ", "Số ")


def _number_cell_start(body: str, number_start: int, row_start: int) -> int:
    """Where the number cell begins: the number itself, or a prefix ("Luật số ") joined to the title."""
    for prefix in _CELL_PREFIXES:
        start = number_start - len(prefix)
        if start > row_start and body[start:number_start] == prefix and body[start - 1] != " ":
            return start
    return number_start


def _legal_document(title: str, number_cell: str) -> dict[str, Any]:
    number = LEGAL_NUMBER.search(number_cell)
    bare = number.group(0) if number else number_cell
    document: dict[str, Any] = {"number": bare, "title": title}
    if issuer := issuer_of(bare):
        document["issuer"] = issuer
    if issued := issued_date(title, bare):
        document["issued"] = issued
    return document


# -- results -----------------------------------------------------------------------------------


def results(text: str) -> list[dict[str, Any]]:
    """Result names, each optionally followed by "Mã: KQ...", before the page's leftover text."""
    for marker in _PAGE_LEFTOVERS:
        text = text.split(marker, 1)[0]
    found: list[dict[str, Any]] = []
    position = 0
    for match in _RESULT_CODE.finditer(text):
        name = cleanup.one_line(text[position : match.start()])
        if name:
            found.append({"name": cleanup.strip_bullet(name), "code": match.group(1).rstrip(".")})
        position = match.end()
    tail = cleanup.one_line(text[position:])
    if tail:
        found.append({"name": cleanup.strip_bullet(tail)})
    return found
