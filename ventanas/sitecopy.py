"""Where a page of a source lives in a copy of the site on disk.

The same mapping serves the offline demo site (ventanas/demo_site/), the
recordings of ``crawl --record DIR`` and the test fixtures, so that a recorded
live page can replace a reconstruction by copying one file.

``https://tbinternet.ohchr.org/_layouts/15/X.aspx?Lang=en`` is stored as
``tbinternet.ohchr.org/_layouts/15/X.aspx@Lang=en``; a path ending in ``/``
as ``…/index.html``.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit


def copy_path(host: str, path: str, query: str = "") -> PurePosixPath:
    path = unquote(path or "/")
    if path.endswith("/"):
        path += "index.html"
    parts = [p for p in PurePosixPath(path).parts if p not in ("/", "..", ".")]
    name = "/".join([host, *parts])
    if query:
        name += "@" + query
    return PurePosixPath(name)


def copy_path_for_url(url: str) -> PurePosixPath:
    parts = urlsplit(url)
    return copy_path(parts.hostname or "unknown-host", parts.path, parts.query)


# -- serving a site copy on loopback ---------------------------------------------


class SiteCopyServer:
    """Serves a site copy on 127.0.0.1 so spiders can crawl it like the live sites.

    ``http://127.0.0.1:PORT/<host>/<path>?<query>`` answers the file
    ``<root>/<host>/<path>@<query>``, with ETag and Last-Modified so that
    conditional requests get a 304. A POST answers ``<file>.post`` when it
    exists (ASP.NET postbacks). ``<host>/robots.txt`` is served like any file.
    Each source's base URL is then ``http://127.0.0.1:PORT/<host>``.
    """

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0):
        import threading
        from http.server import ThreadingHTTPServer

        self.root = Path(root)
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status): what was asked, for tests
        handler = _make_handler(self)
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="site-copy", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def base_url(self, live_base: str) -> str:
        """Where the copy of a live base URL (https://www.gfmd.org) is served."""
        return f"{self.url}/{urlsplit(live_base).hostname}"

    def source_overrides(self) -> dict[str, str]:
        """Settings overrides that point every source at this copy."""
        from ventanas.config import LIVE_BASE_URLS

        return {f"{name}_url": self.base_url(live) for name, live in LIVE_BASE_URLS.items()}

    def __enter__(self) -> SiteCopyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def combined_robots(self) -> bytes:
        """``/robots.txt`` of the copy: every host's rules under its own path prefix.

        All hosts share one loopback origin, so a crawler asks the root for
        robots.txt; rewriting ``Disallow: /x`` of host H as ``Disallow: /H/x``
        keeps each site's rules in force for its pages.
        """
        lines = ["# robots.txt of the site copy: each host's rules under /<host>/", "User-agent: *"]
        for robots in sorted(self.root.glob("*/robots.txt")):
            host = robots.parent.name
            applies = False
            for raw in robots.read_text(encoding="utf-8", errors="replace").splitlines():
                field_name, _, value = raw.split("#", 1)[0].partition(":")
                field_name, value = field_name.strip().lower(), value.strip()
                if field_name == "user-agent":
                    applies = value == "*"
                elif applies and field_name in ("allow", "disallow") and value:
                    lines.append(f"{field_name.capitalize()}: /{host}{value if value.startswith('/') else '/' + value}")
        return ("\n".join(lines) + "\n").encode()

    def resolve(self, raw_path: str, method: str) -> Path | None:
        split = urlsplit(raw_path)
        parts = [p for p in split.path.split("/") if p]
        if not parts:
            return None
        relative = copy_path(parts[0], "/" + "/".join(parts[1:]) + ("/" if split.path.endswith("/") else ""),
                             split.query)
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root.resolve()):
            return None
        if method == "POST" and target.with_name(target.name + ".post").is_file():
            return target.with_name(target.name + ".post")
        return target if target.is_file() else None


_TYPES = {".ics": "text/calendar; charset=utf-8", ".xml": "application/xml", ".rss": "application/rss+xml",
          ".atom": "application/atom+xml", ".txt": "text/plain; charset=utf-8", ".pdf": "application/pdf",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".doc": "application/msword", ".json": "application/json"}


def _content_type(path: Path) -> str:
    name = path.name.split("@")[0].removesuffix(".post")
    return _TYPES.get(Path(name).suffix.lower(), "text/html; charset=utf-8")


def _make_handler(server: SiteCopyServer):
    import hashlib
    from email.utils import formatdate
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet: tests read server.requests
            return

        def _answer(self, method: str) -> None:
            if method == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
            if urlsplit(self.path).path == "/robots.txt":
                body = server.combined_robots()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                server.requests.append((method, self.path, 200))
                return
            path = server.resolve(self.path, method)
            if path is None:
                body = b"not found"
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                server.requests.append((method, self.path, 404))
                return
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            last_modified = formatdate(int(path.stat().st_mtime), usegmt=True)
            if method == "GET" and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
                self.end_headers()
                server.requests.append((method, self.path, 304))
                return
            self.send_response(200)
            self.send_header("Content-Type", _content_type(path))
            self.send_header("Content-Length", str(len(body)))
            if method == "GET":
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
            self.end_headers()
            self.wfile.write(body)
            server.requests.append((method, self.path, 200))

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

    return Handler
