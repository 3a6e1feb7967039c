"""Reading an uploaded list (CSV or XLSX) into rows, every problem named by row and column.

The first row holds the column names (the group's keys, or their labels). Rows are numbered as a
spreadsheet shows them (the header is row 1), so an employer can find each problem in the file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.linked.definitions import Column
from chalicelib.sso.identifiers import check_identity_number

MAX_ROWS = 20_000
MAX_PROBLEMS = 200
MAX_CELL = 300


@dataclass
class Parsed:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row number, values by key)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column key, message)


class UnreadableFile(ValueError):
    pass


def read_table(content: bytes, kind: str) -> list[list[str]]:
    """The file's cells as text, row by row."""
    if kind == "xlsx":
        return _xlsx(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("Tệp CSV phải được mã hoá UTF-8.") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx(content: bytes) -> list[list[str]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile("Không đọc được tệp XLSX.") from None
    sheet = book.worksheets[0]
    table = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_rows(table: list[list[str]], columns: tuple[Column, ...]) -> Parsed:
    parsed = Parsed()
    if not table:
        parsed.problems.append((1, "", "Tệp không có dòng nào."))
        return parsed
    positions = _header(table[0], columns, parsed)
    if parsed.problems:
        return parsed
    body = [(number, row) for number, row in enumerate(table[1:], start=2) if any(cell.strip() for cell in row)]
    if len(body) > MAX_ROWS:
        parsed.problems.append((len(body) + 1, "", f"Danh sách có tối đa {MAX_ROWS} dòng."))
        return parsed
    key = next(column.key for column in columns if column.kind == "identity")
    seen: dict[str, int] = {}
    for number, row in body:
        values = {}
        for column in columns:
            index = positions.get(column.key)
            raw = row[index].strip() if index is not None and index < len(row) else ""
            value, problem = check_cell(column, raw)
            if problem:
                parsed.problems.append((number, column.key, problem))
            elif value:
                values[column.key] = value
        identity = values.get(key)
        if identity in seen:
            parsed.problems.append((number, key, f"Trùng số định danh với dòng {seen[identity]}."))
        elif identity:
            seen[identity] = number
        parsed.rows.append((number, values))
    return parsed


def _header(header: list[str], columns: tuple[Column, ...], parsed: Parsed) -> dict[str, int]:
    names = [cell.strip().casefold() for cell in header]
    positions = {}
    for column in columns:
        for index, name in enumerate(names):
            if name in (column.key.casefold(), column.label.casefold()):
                positions[column.key] = index
        if column.key not in positions and column.required:
            parsed.problems.append((1, column.key, f"Thiếu cột “{column.key}” ({column.label})."))
    return positions


def check_cell(column: Column, raw: str) -> tuple[str, str | None]:
    """The cell's value as stored, or a problem in Vietnamese."""
    if not raw:
        return "", ("Ô bắt buộc đang trống." if column.required else None)
    if len(raw) > MAX_CELL:
        return "", f"Tối đa {MAX_CELL} ký tự."
    if column.kind == "identity":
        try:
            return check_identity_number(raw), None
        except ValueError:
            return "", "Số định danh cá nhân phải gồm 12 chữ số, bắt đầu bằng mã tỉnh hợp lệ."
    if column.kind == "date":
        return _date(raw)
    if column.kind in ("integer", "money"):
        digits = re.sub(r"[.,\s]", "", raw) if column.kind == "money" else raw
        if not digits.isdigit():
            return "", "Phải là số nguyên không âm." if column.kind == "integer" else "Phải là số tiền (đồng)."
        return str(int(digits)), None
    return raw, None


def _date(raw: str) -> tuple[str, str | None]:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, pattern).date().isoformat(), None
        except ValueError:
            continue
    return "", "Ngày phải có dạng YYYY-MM-DD hoặc DD/MM/YYYY."
