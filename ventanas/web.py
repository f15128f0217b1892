"""`run.py serve`: the public directory over HTTP, plus dynamic routes others register.

Static files are served as the publisher wrote them — a feed is never
rendered per request — with the right Content-Type, a strong ETag and
Last-Modified, and 304 answers to If-None-Match / If-Modified-Since, so a
calendar client polling every few hours costs a few hundred bytes.

Dynamic routes (the notifier's subscribe / confirm / unsubscribe endpoints)
plug in without touching the request handling here: pass ``routes``, a
mapping of path prefix → :data:`Handler`, to :func:`make_server`. A handler
receives a :class:`Request` and returns a :class:`Response`::

    def subscribe(request: Request) -> Response:
        if request.method == "POST":
            email = request.form().get("email", "")
            ...
        return Response.html(200, "<p>Thanks</p>")

    server = make_server(public_dir, routes={"/subscribe": subscribe})

The longest matching prefix wins; a prefix matches the path itself and
anything under it (``/subscribe`` matches ``/subscribe`` and ``/subscribe/x``,
not ``/subscribers``). Handlers run in the server's worker threads, so they
must open their own database sessions. An exception in a handler becomes a
500 (logged with its traceback), never a dropped connection. For a HEAD
request the handler is called with method "HEAD" and its body is not sent.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import mimetypes
import os
import posixpath
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger("ventanas.web")

MAX_BODY_BYTES = 64 * 1024  # a subscribe form is a few hundred bytes; refuse anything larger

CONTENT_TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# Calendar clients poll; pages are read by people who expect fresh content.
CACHE_CONTROL = {".ics": "public, max-age=3600", ".html": "public, max-age=300"}
DEFAULT_CACHE_CONTROL = "public, max-age=300"


@dataclass(frozen=True)
class Request:
    method: str  # "GET", "HEAD", "POST", ...
    path: str  # percent-decoded, without the query
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # names lower-cased
    body: bytes = b""

    def form(self) -> dict[str, str]:
        """An application/x-www-form-urlencoded body as name → first value."""
        text = self.body.decode("utf-8", errors="replace")
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def html(cls, status: int, text: str, headers: Mapping[str, str] | None = None) -> Response:
        return cls(status, {"Content-Type": "text/html; charset=utf-8", **(headers or {})}, text.encode("utf-8"))

    @classmethod
    def text(cls, status: int, text: str, headers: Mapping[str, str] | None = None) -> Response:
        return cls(status, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}, text.encode("utf-8"))

    @classmethod
    def redirect(cls, location: str, status: int = 303) -> Response:
        return cls(status, {"Location": location}, b"")


Handler = Callable[[Request], Response]


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class StaticFiles:
    """Files under one root, looked up safely, with validators cached by (mtime, size)."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self._etags: dict[Path, tuple[int, int, str]] = {}
        self._lock = threading.Lock()

    def resolve(self, url_path: str) -> Path | None:
        """The file a URL path names, or None: never anything outside the root."""
        parts = url_path.split("/")
        if any(part in ("..", ".") or "\\" in part or "\x00" in part for part in parts):
            return None
        candidate = (self.root / posixpath.normpath(url_path).lstrip("/")).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return None  # a symlink pointing out of the public directory
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def etag(self, path: Path, stat: os.stat_result) -> str:
        """A strong validator from the bytes: the publisher rewrites a file only when they change."""
        with self._lock:
            cached = self._etags.get(path)
            if cached and cached[:2] == (stat.st_mtime_ns, stat.st_size):
                return cached[2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        tag = f'"{digest}"'
        with self._lock:
            self._etags[path] = (stat.st_mtime_ns, stat.st_size, tag)
        return tag


def _not_modified(headers: Mapping[str, str], etag: str, mtime: int) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since otherwise."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            parsed = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return mtime <= int(parsed.timestamp())
    return False


def _match_route(routes: Mapping[str, Handler], path: str) -> Handler | None:
    """The handler of the longest prefix that is the path or a parent folder of it."""
    matches = [
        prefix for prefix in routes
        if path == (prefix.rstrip("/") or "/") or path.startswith(prefix.rstrip("/") + "/")
    ]
    return routes[max(matches, key=len)] if matches else None


def _make_handler(files: StaticFiles, routes: Mapping[str, Handler]) -> type[BaseHTTPRequestHandler]:
    class VentanasHandler(BaseHTTPRequestHandler):
        server_version = "ventanas"
        sys_version = ""
        protocol_version = "HTTP/1.1"
        # Headers and body leave in separate writes; with Nagle on, the client's delayed
        # ACK held every 200 for ~40 ms (measured by bench G5).
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._dispatch()

        def do_HEAD(self) -> None:
            self._dispatch()

        def do_POST(self) -> None:
            self._dispatch()

        def do_PUT(self) -> None:
            self._dispatch()

        def do_DELETE(self) -> None:
            self._dispatch()

        def do_OPTIONS(self) -> None:
            self._dispatch()

        def _dispatch(self) -> None:
            split = urlsplit(self.path)
            path = unquote(split.path) or "/"
            headers = {k.lower(): v for k, v in self.headers.items()}
            handler = _match_route(routes, path)
            if handler is not None:
                self._dynamic(handler, path, split.query, headers)
            elif self.command in ("GET", "HEAD"):
                self._static(path, headers)
            else:
                self._send(Response.text(405, "Method not allowed\n", {"Allow": "GET, HEAD"}))

        def _dynamic(self, handler: Handler, path: str, query: str, headers: dict[str, str]) -> None:
            try:
                length = int(headers.get("content-length") or 0)
            except ValueError:
                self._send(Response.text(400, "Bad Content-Length\n"))
                return
            if length > MAX_BODY_BYTES:
                self._send(Response.text(413, "Request body too large\n", {"Connection": "close"}))
                self.close_connection = True
                return
            body = self.rfile.read(length) if length > 0 else b""
            request = Request(self.command, path, parse_qs(query, keep_blank_values=True), headers, body)
            try:
                response = handler(request)
            except Exception:  # a broken handler must answer 500, not drop the connection
                log.exception("handler for %s %s failed", self.command, path)
                response = Response.text(500, "Internal server error\n")
            self._send(response)

        def _static(self, path: str, headers: dict[str, str]) -> None:
            target = files.resolve(path)
            if target is not None and not path.endswith("/") and target.name == "index.html" \
                    and not path.endswith("index.html"):
                self._send(Response.redirect(path + "/", 301))  # so relative links in /es/ resolve
                return
            if target is None:
                missing = files.resolve("/404.html")
                body = missing.read_bytes() if missing else b"Not found\n"
                kind = "text/html; charset=utf-8" if missing else "text/plain; charset=utf-8"
                self._send(Response(404, {"Content-Type": kind, "Cache-Control": "no-cache"}, body))
                return
            stat = target.stat()
            etag = files.etag(target, stat)
            mtime = int(stat.st_mtime)
            common = {
                "ETag": etag,
                "Last-Modified": email.utils.formatdate(mtime, usegmt=True),
                "Cache-Control": CACHE_CONTROL.get(target.suffix.lower(), DEFAULT_CACHE_CONTROL),
            }
            if _not_modified(headers, etag, mtime):
                self._send(Response(304, common))
                return
            body = target.read_bytes()
            self._send(Response(200, {"Content-Type": content_type(target), **common}, body))

        def _send(self, response: Response) -> None:
            self.send_response(response.status)
            names = {k.lower() for k in response.headers}
            for name, value in response.headers.items():
                self.send_header(name, value)
            if "x-content-type-options" not in names:
                self.send_header("X-Content-Type-Options", "nosniff")
            if response.status != 304 and response.status >= 200:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD" and response.status not in (204, 304):
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("%s " + format, self.address_string(), *args)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            status = int(code) if str(code).isdigit() else 0
            (log.warning if status >= 500 else log.debug)('"%s" %s', self.requestline, code)

    return VentanasHandler


class PublicServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> PublicServer:
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), name="ventanas-web", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def make_server(public_dir: Path, host: str = "127.0.0.1", port: int = 8000,
                routes: Mapping[str, Handler] | None = None) -> PublicServer:
    """A threaded server for ``public_dir`` and ``routes``; use as a context manager or call serve_forever()."""
    files = StaticFiles(Path(public_dir))
    return PublicServer((host, port), _make_handler(files, dict(routes or {})))


def serve(public_dir: Path, host: str, port: int, routes: Mapping[str, Handler] | None = None,
          *, announce: Callable[[str], None] = print) -> None:
    """Serve until interrupted (the `serve` command)."""
    server = make_server(public_dir, host, port, routes)
    announce(f"serving {Path(public_dir).resolve()} on {server.url}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
