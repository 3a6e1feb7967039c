"""Serve the built site on loopback the way the CDN would: compressed, with its headers.

    .venv/bin/python bench/serve_site.py [--root build/site] [--port 0] [--port-file PATH]

Text files are compressed (brotli, else gzip) when the client accepts it, as `make run` does
(devstack/static.py); other text-like types are gzipped on the fly (as CloudFront does for
objects between 1 KB and 10 MB); both kept in memory. `Content-Type`
and `Cache-Control` come from `infra.caching`, the definition the publisher uses. Directories
answer with their `index.html`, unknown paths with `404.html` and status 404. Used by `bench/lighthouse.sh`.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from devstack.static import accepted_encodings, compressed_body  # noqa: E402
from infra import caching  # noqa: E402

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/xml", "application/atom+xml")
COMPRESSIBLE_EXACT = {"image/svg+xml", "application/manifest+json", "application/wasm"}
MIN_SIZE, MAX_SIZE = 1024, 10 * 1024 * 1024
_gzipped: dict[tuple[Path, int], bytes] = {}  # compressed on the fly, by file and modification time
_gzipped_lock = threading.Lock()


def compressible(content_type: str) -> bool:
    base = content_type.split(";")[0].strip()
    return base.startswith(COMPRESSIBLE) or base in COMPRESSIBLE_EXACT


class CompressingHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a CDN edge would (every answer has a Content-Length)
    root: Path

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _respond(self, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        target = (self.root / path.lstrip("/")).resolve()
        if target.is_dir() and not path.endswith("/"):
            self.send_response(301)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if target.is_dir():
            target = target / "index.html"
        if target.is_relative_to(self.root) and target.is_file():
            self._send(200, target, send_body)
        else:
            self._send(404, self.root / "404.html", send_body)

    def _send(self, status: int, file: Path, send_body: bool) -> None:
        key = file.relative_to(self.root).as_posix()
        content_type = caching.content_type(key)
        body, encoding = self._body(file, content_type, accepted_encodings(self.headers.get("Accept-Encoding", "")))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", caching.cache_control(key) if status == 200 else "no-cache")
        self.send_header("Vary", "Accept-Encoding")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _body(self, file: Path, content_type: str, accepted: set[str]) -> tuple[bytes, str | None]:
        compressed = compressed_body(self.root, file, accepted)
        if compressed is not None:
            return compressed
        raw = file.read_bytes()
        if "gzip" not in accepted or not compressible(content_type) or not MIN_SIZE <= len(raw) <= MAX_SIZE:
            return raw, None
        key = (file, file.stat().st_mtime_ns)
        with _gzipped_lock:
            if key not in _gzipped:
                _gzipped[key] = gzip.compress(raw, 6, mtime=0)
            return _gzipped[key], "gzip"


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # Chromium drops connections it no longer needs
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--root", type=Path, default=REPO / "build" / "site")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", type=Path, help="write the port chosen here once listening")
    args = parser.parse_args(argv)
    handler = type("Handler", (CompressingHandler,), {"root": args.root.resolve()})
    server = QuietServer((args.host, args.port), handler)
    port = server.server_address[1]
    if args.port_file:
        args.port_file.write_text(f"{port}\n")
    print(f"serving {args.root} on http://{args.host}:{port}/", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
