"""`run.py serve`: the public directory over HTTP, plus dynamic routes others register.

Static files are served as the publisher wrote them — a feed is never
rendered per request — with the right Content-Type, a strong ETag and
Last-Modified, and 304 answers to If-None-Match / If-Modified-Since, so a
calendar client polling every few hours costs a few hundred bytes. The
transport is aiohttp's server on one event loop; files are answered from
memory while their (mtime, size) are unchanged (bench G5).

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
not ``/subscribers``). Handlers are plain functions run in worker threads, never
on the event loop (so a slow database never stalls the files), and must open
their own database sessions. GET and HEAD handlers only read (links in mail are
prefetched: no GET changes anything), so they have a pool of their own: a POST
waiting for a database another writer holds never keeps a reader waiting. Each
pool takes a bounded number of requests at once; past it, 503 with Retry-After.
An exception in a handler becomes a 500 (logged with its traceback), never a
dropped connection. For a HEAD
request the handler is called with method "HEAD" and its body is not sent.
A handler is called only with the whole body: one over MAX_BODY_BYTES is
refused with 413, one cut short with 400, one slower than ``body_timeout``
with 408.

Pages published without a base URL (``VENTANAS_BASE_URL`` unset) follow the
address they are served at: pass ``published_base``, the placeholder base
URL they were written with. Pages are static, and their subscribe links must
be absolute (a ``webcal://`` link cannot be relative), so ``serve --port
8080`` would hand out links to port 8000. Instead, an HTML answer has that
base replaced by the address the client reached: its Host header when that
names this very server (a loopback name, or the address the connection
came in on, at the listening port), else that address itself, so a forged
Host header cannot make a page, or a confirmation mail, point elsewhere.
Handlers get the same address as ``Request.served_base``. A site published
with its base URL set is served byte for byte.

Background jobs run in the server's event loop for as long as it serves:
pass ``background``, coroutine functions started with the server and
cancelled when it stops (`serve` sends its confirmation mail this way:
ventanas/notifier/instant.py).

Hostile clients cost a bounded time each: a connection that has not sent a
whole request header within ``idle_timeout`` (idle, or sending its headers a
byte at a time) is closed, and running out of file descriptors is logged
once per burst.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import hashlib
import ipaddress
import logging
import math
import mimetypes
import os
import posixpath
import socket
import stat
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from aiohttp import StreamReader, web
from aiohttp.http import HttpProcessingError

from ventanas.config import Settings

log = logging.getLogger("ventanas.web")

MAX_BODY_BYTES = 64 * 1024  # a subscribe form is a few hundred bytes; refuse anything larger
CACHE_FILE_BYTES = 4 * 1024 * 1024  # files up to this size are kept in memory (a State feed is tens of KB)
CACHE_TOTAL_BYTES = 128 * 1024 * 1024  # past this the cache starts over
RESOLVED_PATHS = 20_000  # URL paths remembered with the file they name
LINGERING_SECONDS = 5.0  # after answering a refused body early, read and drop the rest this long at most
READ_WORKERS = 8  # threads for GET/HEAD handlers (reads)
WRITE_WORKERS = 4  # threads for the other methods' handlers (writes: a sign-up, a confirmation)
WAITING_PER_POOL = 32  # requests a pool holds beyond its busy threads; more are answered 503 at once
POOL_FULL_RETRY_AFTER = 5  # seconds, in that 503's Retry-After

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
    client: str = ""  # who sent it, as client_key() counts clients (behind a trusted proxy: who sent it there)
    served_base: str = ""  # "http://host:port" as the client reached it, when following it (published_base)

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
Background = Callable[[], Awaitable[None]]


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class StaticFiles:
    """Files under one root, looked up safely; bytes and validators cached by (mtime, size).

    Where a URL path led is remembered with the identity (device, inode, ctime) of the
    file it was confined to. Each request stats the path as asked, through whatever
    folders and symlinks are there now, and uses the remembered file only when that
    path still leads to the very same file: a folder swapped for a symlink out of the
    root (or to another folder inside it) leads elsewhere and is looked up anew. One
    ``stat`` per request, like the ``lstat`` it replaces; ``realpath`` on every request
    would cost about 16 µs, a quarter of a request at bench G5's rate.
    """

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self._cache: dict[Path, tuple[int, int, str, bytes]] = {}
        self._resolved: dict[str, tuple[str, Path, tuple[int, int, int]]] = {}
        self._cached_bytes = 0
        self._lock = threading.Lock()

    def resolve(self, url_path: str) -> Path | None:
        """The file a URL path names, or None: never anything outside the root."""
        found = self._resolve(url_path)
        return found[1] if found is not None else None

    def _resolve(self, url_path: str) -> tuple[str, Path] | None:
        """The path as asked (under the root, not resolved) and the confined file it names."""
        parts = url_path.split("/")
        if any(part in ("..", ".") or "\\" in part or "\x00" in part for part in parts):
            return None
        asked = self.root / posixpath.normpath(url_path).lstrip("/")
        candidate = asked.resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return None  # a symlink pointing out of the public directory
        if candidate.is_dir():
            candidate = candidate / "index.html"
            asked = asked / "index.html"
        return (str(asked), candidate) if candidate.is_file() else None

    def lookup(self, url_path: str) -> tuple[Path, os.stat_result] | None:
        """``resolve`` and ``stat`` in one, remembering where a URL path led: a served file
        then costs one ``stat`` of the path as asked, which must reach the same file."""
        with self._lock:
            known = self._resolved.get(url_path)
        if known is not None:
            asked, target, identity = known
            try:
                found = os.stat(asked)
            except OSError:
                found = None
            if found is not None and (found.st_dev, found.st_ino, found.st_ctime_ns) == identity:
                return target, found
        resolved = self._resolve(url_path)
        if resolved is None:
            return None
        asked, target = resolved
        try:
            info = target.stat()
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        with self._lock:
            if len(self._resolved) >= RESOLVED_PATHS:
                self._resolved.clear()
            self._resolved[url_path] = (asked, target, (info.st_dev, info.st_ino, info.st_ctime_ns))
        return target, info

    def read(self, path: Path, info: os.stat_result) -> tuple[str, bytes] | None:
        """The file's strong validator (from its bytes: the publisher rewrites a file only
        when they change) and its bytes, kept in memory while (mtime, size) say unchanged.
        None when the file opened is not the one ``info`` describes (its path changed
        between the two): the caller looks it up again."""
        with self._lock:
            cached = self._cache.get(path)
        if cached and cached[:2] == (info.st_mtime_ns, info.st_size):
            return cached[2], cached[3]
        try:
            with open(path, "rb") as f:
                opened = os.fstat(f.fileno())
                if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
                    return None
                body = f.read()
        except FileNotFoundError:
            return None
        tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        if len(body) <= CACHE_FILE_BYTES:
            with self._lock:
                self._cached_bytes += len(body) - (len(cached[3]) if cached else 0)
                if self._cached_bytes > CACHE_TOTAL_BYTES:
                    self._cache.clear()
                    self._cached_bytes = len(body)
                self._cache[path] = (info.st_mtime_ns, info.st_size, tag, body)
        return tag, body


@lru_cache(maxsize=4096)
def _url_path(target: str) -> str:
    """The decoded path of a request target (origin form "/a/b", or absolute form "http://h/a/b")."""
    if not target.startswith("/"):
        target = urlsplit(target).path
    return unquote(target) or "/"


@lru_cache(maxsize=4096)
def _http_date(seconds: int) -> str:
    return email.utils.formatdate(seconds, usegmt=True)


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


def client_key(address: str) -> str:
    """A client, for counting requests: an IPv4 address, or an IPv6 address's /64 (one household or
    server owns a whole /64, so its addresses are one client). An IPv4 address mapped into IPv6 is
    the IPv4 address; anything that is not an address is kept as it is."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


class _Clients:
    """Who sent a request: the connection's address, or, when that is a trusted proxy, the last
    address of X-Forwarded-For that is not a trusted proxy (what the nearest proxy saw). Entries
    further left were written by the client itself and prove nothing."""

    def __init__(self, trusted_proxies: Iterable[str] = ()):
        self.trusted = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def _is_trusted(self, address: str) -> bool:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
            parsed = parsed.ipv4_mapped
        return any(parsed in network for network in self.trusted)

    def __call__(self, peer: str | None, forwarded_for: str | None) -> str:
        client = peer or ""
        if not self.trusted or not self._is_trusted(client) or not forwarded_for:
            return client_key(client)
        for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                break  # not an address: what the proxy saw is the last valid one before it
            client = hop
            if not self._is_trusted(hop):
                break
        return client_key(client)


def _match_route(routes: Mapping[str, Handler], path: str) -> Handler | None:
    """The handler of the longest prefix that is the path or a parent folder of it."""
    matches = [
        prefix for prefix in routes
        if path == (prefix.rstrip("/") or "/") or path.startswith(prefix.rstrip("/") + "/")
    ]
    return routes[max(matches, key=len)] if matches else None


class _Pool:
    """Worker threads for handlers, and how many requests they hold (admitted on the event loop)."""

    def __init__(self, name: str, workers: int, waiting: int = WAITING_PER_POOL):
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"ventanas-{name}")
        self.limit = workers + waiting
        self.held = 0

    async def run(self, handler: Handler, request: Request) -> Response:
        if self.held >= self.limit:
            return Response.text(503, "Server busy, try again shortly\n",
                                 {"Retry-After": str(POOL_FULL_RETRY_AFTER)})
        self.held += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, handler, request)
        finally:
            self.held -= 1

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class _App:
    """One request in, one :class:`Response` out: static files, or a route's handler."""

    def __init__(self, files: StaticFiles, routes: Mapping[str, Handler], body_timeout: float,
                 trusted_proxies: Iterable[str] = (), published_base: str | None = None):
        self.files = files
        self.routes = routes
        self.body_timeout = body_timeout
        self.clients = _Clients(trusted_proxies)
        self.reads = _Pool("read", READ_WORKERS)
        self.writes = _Pool("write", WRITE_WORKERS)
        self.address: tuple[str, int] = ("127.0.0.1", 0)  # set by PublicServer once bound
        self.published = urlsplit(published_base).netloc if published_base else None

    def close(self) -> None:
        self.reads.close()
        self.writes.close()

    def served_authority(self, raw: web.BaseRequest) -> str:
        """host[:port] of this server as this client reached it (see the module's docstring)."""
        local = raw.transport.get_extra_info("sockname") if raw.transport is not None else None
        host, port = (local[0], local[1]) if local else self.address
        try:
            asked = urlsplit("//" + raw.headers.get("Host", ""))
            name, asked_port = asked.hostname, asked.port or 80
        except ValueError:
            name = None
        if name and asked_port == port and (name == "localhost" or name == host or _is_loopback(name)):
            host, port = name, asked.port  # rebuilt from its parts: nothing else of the header gets through
        host = f"[{host}]" if ":" in host else host
        return f"{host}:{port}" if port else host

    def _rewrite(self, body: bytes, etag: str, served: str) -> tuple[bytes, str]:
        """An HTML page's links to the published placeholder base, pointed at ``served``."""
        assert self.published is not None
        if served == self.published:
            return body, etag
        for scheme in (b"http://", b"webcal://"):
            body = body.replace(scheme + self.published.encode() + b"/", scheme + served.encode() + b"/")
        return body, f'{etag[:-1]}-{hashlib.sha256(served.encode()).hexdigest()[:8]}"'

    async def __call__(self, raw: web.BaseRequest) -> web.StreamResponse:
        target, _, query = raw.raw_path.partition("#")[0].partition("?")
        path = _url_path(target)
        handler = _match_route(self.routes, path)
        if handler is not None:
            headers = {k.lower(): v for k, v in raw.headers.items()}
            response = await self._dynamic(raw, handler, path, query, headers)
        elif raw.method in ("GET", "HEAD"):
            response = self._static(path, raw.headers, raw)  # headers: case-insensitive already
        else:
            response = Response.text(405, "Method not allowed\n", {"Allow": "GET, HEAD"})
        status = response.status
        (log.warning if status >= 500 else log.debug)('"%s %s" %s', raw.method, raw.raw_path, status)
        return _wire(response)

    async def _dynamic(self, raw: web.BaseRequest, handler: Handler, path: str, query: str,
                       headers: dict[str, str]) -> Response:
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            return Response.text(400, "Bad Content-Length\n")
        if length > MAX_BODY_BYTES:
            return Response.text(413, "Request body too large\n", {"Connection": "close"})
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await _read_body(raw.content, length if "content-length" in headers else None)
        except TimeoutError:
            return Response.text(408, "Request body too slow\n", {"Connection": "close"})
        if isinstance(body, Response):
            return body
        client = self.clients(raw.remote, headers.get("x-forwarded-for"))
        served = f"http://{self.served_authority(raw)}" if self.published is not None else ""
        request = Request(raw.method, path, parse_qs(query, keep_blank_values=True), headers, body, client,
                          served)
        try:
            # handlers talk to the database: in a worker thread, so the loop keeps serving files
            pool = self.reads if raw.method in ("GET", "HEAD") else self.writes
            return await pool.run(handler, request)
        except Exception:  # a broken handler must answer 500, not drop the connection
            log.exception("handler for %s %s failed", raw.method, path)
            return Response.text(500, "Internal server error\n")

    def _static(self, path: str, headers: Mapping[str, str], raw: web.BaseRequest | None = None) -> Response:
        read = None
        for _ in range(2):  # a file replaced between its stat and its open is looked up once more
            found = self.files.lookup(path)
            if found is None:
                break
            target, info = found
            if not path.endswith("/") and target.name == "index.html" and not path.endswith("index.html"):
                return Response.redirect(path + "/", 301)  # so relative links in /es/ resolve
            read = self.files.read(target, info)
            if read is not None:
                break
        if read is None:
            missing = self.files.resolve("/404.html")
            body = missing.read_bytes() if missing else b"Not found\n"
            kind = "text/html; charset=utf-8" if missing else "text/plain; charset=utf-8"
            return Response(404, {"Content-Type": kind, "Cache-Control": "no-cache"}, body)
        etag, body = read
        if self.published is not None and raw is not None and target.suffix.lower() == ".html":
            body, etag = self._rewrite(body, etag, self.served_authority(raw))  # feeds cost nothing more
        mtime = int(info.st_mtime)
        common = {
            "ETag": etag,
            "Last-Modified": _http_date(mtime),
            "Cache-Control": CACHE_CONTROL.get(target.suffix.lower(), DEFAULT_CACHE_CONTROL),
        }
        if _not_modified(headers, etag, mtime):
            return Response(304, common)
        return Response(200, {"Content-Type": content_type(target), **common}, body)


async def _read_body(content: StreamReader, declared: int | None) -> bytes | Response:
    """The whole body, or the answer that refuses it. One ``read`` returns only what has arrived
    so far (a form split over two TCP segments would be handled half-read): read until the
    body ends, the cap is passed, or the client goes away before sending what it announced."""
    body = bytearray()
    try:
        while chunk := await content.read(MAX_BODY_BYTES + 1 - len(body)):
            body += chunk
            if len(body) > MAX_BODY_BYTES:  # a chunked body says no length up front
                return Response.text(413, "Request body too large\n", {"Connection": "close"})
    except (ConnectionError, asyncio.IncompleteReadError, HttpProcessingError):
        return Response.text(400, "Request body cut short\n", {"Connection": "close"})
    if declared is not None and len(body) < declared:
        return Response.text(400, "Request body cut short\n", {"Connection": "close"})
    return bytes(body)


def _wire(response: Response) -> web.Response:
    headers = {"Server": "ventanas", "X-Content-Type-Options": "nosniff", **response.headers}
    if response.status in (204, 304) or response.status < 200:
        return web.Response(status=response.status, headers=headers)
    return web.Response(status=response.status, headers=headers, body=response.body)


class _AcceptErrors:
    """The event loop's exception handler: a failed ``accept()`` (out of file descriptors,
    memory or buffers) is logged once per burst, not with a traceback per retry.

    asyncio stops accepting for a second after such an error and tries again, so a server
    out of descriptors reports it every second for as long as that lasts. A burst is a run
    of these errors less than ``quiet`` seconds apart: its first is logged, and a line says
    when it is over and how many accepts failed. Anything else goes to asyncio's handler.
    """

    RESOURCES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)

    def __init__(self, quiet: float = 10.0):
        self.quiet = quiet
        self.failed = 0
        self.first = self.last = -math.inf

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        exc = context.get("exception")
        if not (isinstance(exc, OSError) and exc.errno in self.RESOURCES
                and "accept" in context.get("message", "")):
            loop.default_exception_handler(context)
            return
        now = loop.time()
        if now - self.last >= self.quiet:
            log.error("cannot accept connections: %s (retried every second; "
                      "the next ones are not logged until this is over)", exc)
            self.failed, self.first = 0, now
            loop.call_later(self.quiet, self._over, loop)
        self.failed += 1
        self.last = now

    def _over(self, loop: asyncio.AbstractEventLoop) -> None:
        waited = loop.time() - self.last
        if waited < self.quiet:
            loop.call_later(self.quiet - waited, self._over, loop)
            return
        log.warning("accepting connections again: %d accept attempts failed over %.0f s",
                    self.failed, self.last - self.first)


class PublicServer:
    """The listening socket (bound at once, so a taken port fails here) and an aiohttp
    server on it: ``serve_forever()`` in this thread, or ``with`` for a background thread.

    ``idle_timeout`` closes a connection that has not sent a whole request header in that
    time, from its start or from the last answer: aiohttp's keep-alive timer covers both a
    connection left idle and headers sent a byte at a time. A slow body is the app's
    ``body_timeout``. Without them aiohttp keeps a silent connection for an hour, and a
    few hundred of them take every file descriptor."""

    def __init__(self, address: tuple[str, int], app: _App, idle_timeout: float,
                 background: Sequence[Background] = ()):
        self.socket = socket.create_server(address)
        self._background = tuple(background)
        self.server_address = self.socket.getsockname()[:2]
        app.address = self.server_address
        self._app = app
        self._idle_timeout = idle_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address
        return f"http://{host}:{port}"

    async def _run(self, stop: asyncio.Event) -> None:
        server = web.Server(
            self._app, access_log=None, keepalive_timeout=self._idle_timeout,
            # after a refused body, drain the rest at most this long so the answer is read
            lingering_time=min(LINGERING_SECONDS, self._app.body_timeout),
        )
        runner = web.ServerRunner(server, shutdown_timeout=1.0)
        await runner.setup()
        jobs = [asyncio.create_task(job()) for job in self._background]
        for job in jobs:
            job.add_done_callback(_report_job_end)
        try:
            await web.SockSite(runner, self.socket).start()
            self._started.set()
            await stop.wait()
        finally:
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
            await runner.cleanup()
            self._app.close()

    def serve_forever(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(_AcceptErrors())
        self._stop = asyncio.Event()
        main = self._loop.create_task(self._run(self._stop))
        try:
            self._loop.run_until_complete(main)
        except KeyboardInterrupt:
            self._stop.set()  # Ctrl-C: stop the background jobs and close the connections, then stop
            self._loop.run_until_complete(main)
            raise
        finally:
            self._loop.close()
            self._started.set()

    def shutdown(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def server_close(self) -> None:
        self.socket.close()

    def __enter__(self) -> PublicServer:
        self._thread = threading.Thread(target=self.serve_forever, name="ventanas-web", daemon=True)
        self._thread.start()
        self._started.wait(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def _is_loopback(name: str) -> bool:
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _report_job_end(job: asyncio.Task) -> None:
    if not job.cancelled() and job.exception() is not None:
        log.error("background job stopped", exc_info=job.exception())


def make_server(public_dir: Path, host: str = "127.0.0.1", port: int = 8000,
                routes: Mapping[str, Handler] | None = None, *,
                idle_timeout: float = Settings.serve_idle_timeout,
                body_timeout: float = Settings.serve_body_timeout,
                trusted_proxies: Iterable[str] = (), background: Sequence[Background] = (),
                published_base: str | None = None) -> PublicServer:
    """A server for ``public_dir`` and ``routes``; use as a context manager or call serve_forever().
    ``trusted_proxies``: addresses or networks whose X-Forwarded-For names the client (Request.client);
    ``background``: coroutine functions run in the server's loop while it serves; ``published_base``:
    the placeholder base URL pages were published with, pointed at the address each client reached."""
    files = StaticFiles(Path(public_dir))
    app = _App(files, dict(routes or {}), body_timeout, trusted_proxies, published_base)
    return PublicServer((host, port), app, idle_timeout, background)


def serve(public_dir: Path, host: str, port: int, routes: Mapping[str, Handler] | None = None,
          *, idle_timeout: float = Settings.serve_idle_timeout,
          body_timeout: float = Settings.serve_body_timeout,
          trusted_proxies: Iterable[str] = (), background: Sequence[Background] = (),
          published_base: str | None = None, announce: Callable[[str], None] = print) -> None:
    """Serve until interrupted (the `serve` command)."""
    server = make_server(public_dir, host, port, routes, idle_timeout=idle_timeout, body_timeout=body_timeout,
                         trusted_proxies=trusted_proxies, background=background, published_base=published_base)
    announce(f"serving {Path(public_dir).resolve()} on {server.url}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
