"""A loopback HTTP server that serves a site copy and misbehaves on request (robustness tests).

Like :class:`ventanas.sitecopy.SiteCopyServer`, ``/<host>/<path>?<query>``
answers the file ``<root>/<host>/<path>@<query>`` (with an ETag, and a 304
to a matching If-None-Match). A :class:`Fault` registered for a path
replaces that answer: a status with headers, a body cut short, a body that
never ends, a redirect, a wrong charset, a stall. ``robots_txt`` is served at
``/robots.txt``, where a crawler asks for it. Every request is recorded with
what was answered and how many body bytes went out, so a test can assert
what the crawler did (how often, how far apart, whether it stopped reading).
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from ventanas.config import LIVE_BASE_URLS
from ventanas.sitecopy import copy_path


@dataclass
class Seen:
    method: str
    path: str
    status: int
    at: float  # time.monotonic() when the request arrived
    body_bytes: int = 0  # body bytes the server managed to send
    headers: dict[str, str] = field(default_factory=dict)


# A fault answers instead of the file: (handler, the file's bytes or None) -> (status, body bytes sent).
Fault = Callable[["_Handler", bytes | None], tuple[int, int]]


def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"error\n") -> Fault:
    def answer(handler: _Handler, _page: bytes | None) -> tuple[int, int]:
        handler.send(code, {"Content-Type": "text/plain", **(headers or {})}, body)
        return code, len(body)

    return answer


def cut_connection(fraction: float) -> Fault:
    """Announce the whole page, send ``fraction`` of it, close the connection."""

    def answer(handler: _Handler, page: bytes | None) -> tuple[int, int]:
        assert page is not None
        part = page[: int(len(page) * fraction)]
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(page)))
        handler.end_headers()
        handler.wfile.write(part)
        handler.wfile.flush()
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_RDWR)
        return 200, len(part)

    return answer


def cut_markup(rows: int) -> Fault:
    """A complete HTTP answer whose HTML stops inside the table row after ``rows`` rows."""

    def answer(handler: _Handler, page: bytes | None) -> tuple[int, int]:
        assert page is not None
        end = -1
        for _ in range(rows):
            end = page.index(b"</tr>", end + 1)
        part = page[: end + len(b"</tr>") + 30]  # into the next row's cells
        handler.send(200, {"Content-Type": "text/html; charset=utf-8"}, part)
        return 200, len(part)

    return answer


def declared_charset(charset: str, *, body_encoding: str = "utf-8") -> Fault:
    """The page (UTF-8 on disk) re-encoded as ``body_encoding``, under a Content-Type naming ``charset``."""

    def answer(handler: _Handler, page: bytes | None) -> tuple[int, int]:
        assert page is not None
        body = page.decode("utf-8").encode(body_encoding)
        handler.send(200, {"Content-Type": f"text/html; charset={charset}"}, body)
        return 200, len(body)

    return answer


def endless(total: int, *, announce_length: bool, chunk: int = 64 * 1024) -> Fault:
    """Stream ``total`` bytes of filler without ever holding them: stops when the client hangs up."""
    filler = (b"<p>" + b"x" * (chunk - 8) + b"</p>\n")[:chunk]

    def answer(handler: _Handler, _page: bytes | None) -> tuple[int, int]:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if announce_length:
            handler.send_header("Content-Length", str(total))
        else:
            handler.send_header("Connection", "close")  # the body ends when the connection does
        handler.end_headers()
        handler.close_connection = True
        sent = 0
        try:
            while sent < total:
                handler.wfile.write(filler[: min(chunk, total - sent)])
                sent += min(chunk, total - sent)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return 200, sent

    return answer


def redirect(location: str, code: int = 302) -> Fault:
    def answer(handler: _Handler, _page: bytes | None) -> tuple[int, int]:
        handler.send(code, {"Location": location, "Content-Type": "text/plain"}, b"moved\n")
        return code, 6

    return answer


def stall(seconds: float) -> Fault:
    """Answer nothing for ``seconds`` (longer than the crawler's timeout), then the page."""

    def answer(handler: _Handler, page: bytes | None) -> tuple[int, int]:
        time.sleep(seconds)
        try:
            handler.send(200, {"Content-Type": "text/html; charset=utf-8"}, page or b"")
        except (BrokenPipeError, ConnectionResetError):
            return 200, 0
        return 200, len(page or b"")

    return answer


class FaultServer:
    """``with FaultServer(root) as server:`` a site copy on 127.0.0.1 with faults per path."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.faults: dict[str, Fault] = {}
        self.robots_txt: str | None = None
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def base_url(self, live_base: str) -> str:
        return f"{self.url}/{urlsplit(live_base).hostname}"

    def source_overrides(self) -> dict[str, str]:
        return {f"{name}_url": self.base_url(live) for name, live in LIVE_BASE_URLS.items()}

    def page_path(self, live_url: str) -> str:
        """The path (with query) under which this server answers a live URL."""
        parts = urlsplit(live_url)
        return f"/{parts.hostname}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    def seen(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.requests if s.path == path]

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _file(self, raw_path: str) -> bytes | None:
        split = urlsplit(raw_path)
        parts = [p for p in split.path.split("/") if p]
        if not parts:
            return None
        relative = copy_path(parts[0], "/" + "/".join(parts[1:]) + ("/" if split.path.endswith("/") else ""),
                             split.query)
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            return None
        return target.read_bytes()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_ref: FaultServer

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests read server.requests
        return

    def send(self, code: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        server = self.server_ref
        seen = Seen("GET", self.path, 0, time.monotonic(), 0, {k.lower(): v for k, v in self.headers.items()})
        with server._lock:  # recorded on arrival: a stalled answer is still a request made
            server.requests.append(seen)
        page = server._file(self.path)
        fault = server.faults.get(self.path)
        if fault is not None:
            seen.status, seen.body_bytes = fault(self, page)
        elif self.path == "/robots.txt" and server.robots_txt is not None:
            body = server.robots_txt.encode()
            self.send(200, {"Content-Type": "text/plain"}, body)
            seen.status, seen.body_bytes = 200, len(body)
        elif page is None:
            self.send(404, {"Content-Type": "text/plain"}, b"not found\n")
            seen.status, seen.body_bytes = 404, 10
        else:
            etag = '"' + hashlib.sha256(page).hexdigest()[:32] + '"'
            if seen.headers.get("if-none-match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                seen.status = 304
            else:
                self.send(200, {"Content-Type": "text/html; charset=utf-8", "ETag": etag}, page)
                seen.status, seen.body_bytes = 200, len(page)


def _make_handler(server: FaultServer) -> type[_Handler]:
    return type("FaultHandler", (_Handler,), {"server_ref": server})
