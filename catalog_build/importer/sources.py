"""Where imported records come from: a folder of JSON files, a JSON or JSON Lines file, or an
HTTP(S) address that answers the API format. Each record keeps its origin for messages."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog_build.errors import Problem

_RECORD_FILE = re.compile(r"^\d\.\d{6}")
_WRAPPERS = ("data", "items", "content", "result", "results", "procedures")
HTTP_TIMEOUT = 60


@dataclass(frozen=True)
class SourceRecord:
    origin: str
    raw: Any


@dataclass
class Reading:
    records: list[SourceRecord]
    problems: list[Problem]
    skipped: list[str]  # files in a folder that are not procedure records (README, SOURCE.json)


def read(sources: list[str]) -> Reading:
    reading = Reading([], [], [])
    for source in sources:
        if re.match(r"^https?://", source):
            _read_url(source, reading)
            continue
        path = Path(source)
        if path.is_dir():
            for file in sorted(path.glob("*.json")):
                if _RECORD_FILE.match(file.name):
                    _read_json_file(file, reading)
                else:
                    reading.skipped.append(str(file))
        elif path.suffix == ".jsonl" and path.is_file():
            _read_json_lines(path, reading)
        elif path.is_file():
            _read_json_file(path, reading)
        else:
            reading.problems.append(Problem(source, "(source)", "no such file, folder or URL"))
    return reading


def _records_of(value: Any) -> Iterator[tuple[str, Any]]:
    """A record, a list of records, or a list wrapped in an object ({"data": [...]})."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield f"[{index}]", item
        return
    if isinstance(value, dict):
        for key in _WRAPPERS:
            if isinstance(value.get(key), list | dict) and "code" not in value and "ma_thu_tuc" not in value:
                yield from ((f".{key}{where}", item) for where, item in _records_of(value[key]))
                return
    yield "", value


def _decode(data: bytes, origin: str, reading: Reading) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        reading.problems.append(Problem(origin, "(file)", "not valid UTF-8"))
    except json.JSONDecodeError as error:
        reading.problems.append(Problem(origin, f"line {error.lineno}", f"invalid JSON: {error.msg}"))
    except RecursionError:
        reading.problems.append(Problem(origin, "(file)", "invalid JSON: nested too deeply"))
    return None


def _read_json_file(path: Path, reading: Reading) -> None:
    value = _decode(path.read_bytes(), str(path), reading)
    if value is not None:
        reading.records += [SourceRecord(f"{path}{where}", item) for where, item in _records_of(value)]


def _read_json_lines(path: Path, reading: Reading) -> None:
    for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not line.strip():
            continue
        origin = f"{path}:{number}"
        value = _decode(line, origin, reading)
        if value is not None:
            reading.records.append(SourceRecord(origin, value))


def _read_url(url: str, reading: Reading) -> None:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            data = response.read()
    except urllib.error.HTTPError as error:
        reading.problems.append(Problem(url, "(source)", f"the server answered {error.code} {error.reason}"))
        return
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reading.problems.append(Problem(url, "(source)", f"could not fetch: {getattr(error, 'reason', error)}"))
        return
    value = _decode(data, url, reading)
    if value is not None:
        reading.records += [SourceRecord(f"{url}{where}", item) for where, item in _records_of(value)]
