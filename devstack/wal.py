"""Durability for the local AWS emulation: a write-ahead log of the requests that changed it.

moto's server keeps everything in memory. `DurableApplication` wraps its WSGI application: each
request that changes state (DynamoDB writes, S3 uploads and deletes) runs under one lock, and if
moto accepted it, the request is appended to the log and `fsync`ed *before* the response leaves.
So an acknowledged write is on disk, whatever happens to the process next (`kill -9` included), and
writes are applied one at a time, as DynamoDB applies each request atomically (moto alone lets two
threads pass the same condition).

On start the stack restores the last snapshot and replays the log written after it, in order, into
moto directly (no HTTP); then it takes a new snapshot and starts a new log. Each log file carries
the generation its snapshot names (`wal-<generation>.log`), so a crash between writing a snapshot
and deleting the old log never replays a request twice (an `ADD` to a code counter would then skip
numbers; losing one would hand a code out again). A torn last line (a crash in the middle of an
append, before the fsync, so never acknowledged) is ignored.
"""

from __future__ import annotations

import base64
import io
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

DYNAMODB_WRITES = frozenset(
    {
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "CreateTable",
        "DeleteTable",
        "UpdateTable",
        "UpdateTimeToLive",
        "TagResource",
        "UntagResource",
        "ExecuteStatement",
        "BatchExecuteStatement",
        "ExecuteTransaction",
    }
)
_HEADERS_KEPT = ("CONTENT_TYPE",)


def log_path(folder: Path, generation: int) -> Path:
    return folder / f"wal-{generation}.log"


def changes_state(environ: Environ) -> bool:
    if environ.get("PATH_INFO", "").startswith("/moto-api"):
        return False
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith("DynamoDB_"):
        return target.partition(".")[2] in DYNAMODB_WRITES
    if target:  # another JSON service (Streams and the like): reads only here
        return False
    return environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD", "OPTIONS")  # S3


def tables_written(environ: Environ, body: bytes) -> set[str]:
    """The DynamoDB tables a write request names (for the statistics watcher)."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return set()
    if not isinstance(request, dict):
        return set()
    names = {request["TableName"]} if isinstance(request.get("TableName"), str) else set()
    names.update(request.get("RequestItems") or {})
    for entry in request.get("TransactItems") or []:
        for part in entry.values() if isinstance(entry, dict) else ():
            if isinstance(part, dict) and isinstance(part.get("TableName"), str):
                names.add(part["TableName"])
    return names


class WriteAheadLog:
    def __init__(self, folder: Path, generation: int) -> None:
        self.folder = folder
        self.generation = generation
        self._open()

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = log_path(self.folder, self.generation)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.size = os.fstat(self._fd).st_size

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":")).encode() + b"\n"
        os.write(self._fd, line)
        os.fsync(self._fd)
        self.size += len(line)

    def rotate(self, generation: int) -> None:
        """Continue in a new file; the caller deletes older ones once a snapshot covers them."""
        os.close(self._fd)
        self.generation = generation
        self._open()

    def close(self) -> None:
        os.close(self._fd)


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                return  # torn by a crash mid-append: never acknowledged
            yield json.loads(line)


class DurableApplication:
    """moto's WSGI application, with state-changing requests serialised and logged before answering."""

    def __init__(self, app: WSGIApp, log: WriteAheadLog | None) -> None:
        """`log` None: nothing is logged yet (restoring a snapshot, which the next one will cover)."""
        self.app = app
        self.log = log
        self.lock = threading.Lock()
        self.dirty_tables: set[str] = set()
        self.writes = 0

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if not changes_state(environ):
            return self.app(environ, start_response)
        body = _read_body(environ)
        with self.lock:
            status, headers, chunks = _run(self.app, environ)
            if _code(status) < 300 and self.log is not None:
                self.log.append(_record(environ, body))
                self.writes += 1
                if environ.get("HTTP_X_AMZ_TARGET"):
                    self.dirty_tables |= tables_written(environ, body)
        start_response(status, headers)
        return chunks

    def take_dirty_tables(self) -> set[str]:
        with self.lock:
            dirty, self.dirty_tables = self.dirty_tables, set()
        return dirty

    def replay(self, records: Iterable[dict[str, Any]]) -> int:
        """Apply logged requests again, in order, straight into moto; returns how many were applied."""
        from werkzeug.test import EnvironBuilder

        applied = 0
        for record in records:
            builder = EnvironBuilder(
                path=record["path"],
                method=record["method"],
                query_string=record["query"],
                headers=record["headers"],
                data=base64.b64decode(record["body"]),
            )
            try:
                status, _headers, _chunks = _run(self.app, builder.get_environ())
            finally:
                builder.close()
            applied += _code(status) < 300
        return applied


def _read_body(environ: Environ) -> bytes:
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    body = stream.read(int(length)) if length else (stream.read() if environ.get("wsgi.input_terminated") else b"")
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return body


def _code(status: str) -> int:
    return int(status.split()[0])


def _run(app: WSGIApp, environ: Environ) -> tuple[str, list[tuple[str, str]], list[bytes]]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    result = app(environ, start_response)
    try:
        chunks = list(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return str(captured["status"]), captured["headers"], chunks


def _record(environ: Environ, body: bytes) -> dict[str, Any]:
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_LENGTH", "HTTP_CONNECTION")
    }
    headers.update({key.replace("_", "-").title(): environ[key] for key in _HEADERS_KEPT if environ.get(key)})
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    path = raw.partition("?")[0] if raw.startswith("/") else quote(environ.get("PATH_INFO", "/").encode("latin-1"))
    return {
        "method": environ["REQUEST_METHOD"],
        "path": path,  # as sent (percent-encoded): replay decodes it exactly once, as the server did
        "query": environ.get("QUERY_STRING", ""),
        "headers": headers,
        "body": base64.b64encode(body).decode(),
    }
