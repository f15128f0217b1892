"""nginx (Debian's package) on a loopback port with a temp config, for G3 and G5.

It serves a site copy in the layout of ventanas/sitecopy.py: the URL
``/<host>/<path>?<query>`` answers the file ``<root>/<host>/<path>@<query>``,
with nginx's own ETag and Last-Modified, so conditional requests get 304s just
as from the live sites. A POST answers ``<file>.post`` (ASP.NET postbacks),
like SiteCopyServer: nginx's static module refuses POST, so a POST is passed
back to nginx itself as a GET of the ``/__post/`` prefix.

Not a module of the harness (no ``g`` prefix): g3_recrawl and g5_serve use it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ventanas.sitecopy import _TYPES as SITE_TYPES  # the types the loopback SiteCopyServer sends

INSTALL_HINT = "install Debian's packages: `sudo apt-get install nginx wrk` (`make bench` does it as root)"


class ToolMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class LogEntry:
    started: float  # when nginx read the request (epoch seconds, ms resolution)
    finished: float
    host: str  # the live host whose loopback address was asked (or the address itself)
    status: int
    bytes_sent: int  # headers and body, as sent on the wire
    body_bytes: int  # the body alone
    method: str
    uri: str


def find_tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not found:
        raise ToolMissing(f"{name} not found: {INSTALL_HINT}")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _type_locations() -> str:
    """A site-copy file is named ``page.xml@q=1``: nginx's types go by the URI's extension instead."""
    blocks = []
    for suffix, mime in sorted(SITE_TYPES.items()):
        blocks.append(
            f"        location ~* \\{suffix}$ {{ default_type \"{mime}\"; "
            f"try_files $uri@$args $uri =404; }}"
        )
    return "\n".join(blocks)


CONFIG = """\
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    # $msec: when the answer was sent; minus $request_time, when the request arrived.
    log_format bench '$msec $request_time $server_addr $status $bytes_sent $body_bytes_sent $request_method "$request_uri"';
    access_log {access_log};
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    etag on;
    server_tokens off;
    types {{ }}
    default_type "text/html; charset=utf-8";
    server {{
{listen}
        root {root};{robots}
        error_page 418 = @post;
        if ($request_method = POST) {{ return 418; }}
{type_locations}
        location / {{
            try_files $uri@$args $uri ${{uri}}index.html@$args ${{uri}}index.html =404;
        }}
        location @post {{
            proxy_method GET;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_pass http://$server_addr:{port}/__post$request_uri;
        }}
        location ^~ /__post/ {{
            rewrite ^/__post(/.*)$ $1 break;
            try_files $uri@$args.post $uri.post =404;
        }}
    }}
}}
"""


class Nginx:
    """``with Nginx(root) as server:`` nginx serves ``root`` until the block ends.

    It answers on 127.0.0.1 and, with ``hosts``, on one more loopback address
    per live host: Scrapy keeps one download slot (delay, concurrency) per
    host name, so giving each source its own address makes the crawl polite
    per source as on the live sites, instead of one slot for all of them.
    ``robots_txt`` is served at ``/robots.txt`` of every address (where a
    crawler looks for it).
    """

    def __init__(self, root: Path, *, hosts: list[str] = (), access_log: bool = True, robots_txt: str | None = None):
        self.root = Path(root).resolve()
        self.binary = find_tool("nginx")
        self.port = free_port()
        self.addresses = {host: f"127.0.0.{10 + i}" for i, host in enumerate(sorted(set(hosts)))}
        self.work = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        self.access_log = self.work / "access.log"
        self.robots_txt = robots_txt
        self.process: subprocess.Popen | None = None
        self._log_access = access_log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base_url(self, live_base: str) -> str:
        """Where the copy of a live base URL (https://www.gfmd.org) is served (as SiteCopyServer.base_url)."""
        from urllib.parse import urlsplit

        host = urlsplit(live_base).hostname or ""
        return f"http://{self.addresses.get(host, '127.0.0.1')}:{self.port}/{host}"

    def source_overrides(self) -> dict[str, str]:
        """Settings that point every source at this copy (as SiteCopyServer.source_overrides)."""
        from ventanas.config import LIVE_BASE_URLS

        return {f"{name}_url": self.base_url(live) for name, live in LIVE_BASE_URLS.items()}

    def host_of(self, address: str) -> str:
        return {a: h for h, a in self.addresses.items()}.get(address, address)

    def __enter__(self) -> Nginx:
        # As root, nginx's workers run as an unprivileged user: they must be able to
        # read the site. Only directories under the temp dir are opened up.
        temp = Path(tempfile.gettempdir()).resolve()
        if os.geteuid() == 0:
            for directory in (self.work, self.root, *self.root.parents):
                if directory.is_relative_to(temp) and directory != temp:
                    directory.chmod(directory.stat().st_mode | 0o755)
        config = self.work / "nginx.conf"
        robots = ""
        if self.robots_txt is not None:
            (self.work / "robots.txt").write_text(self.robots_txt)
            robots = f"\n        location = /robots.txt {{ default_type text/plain; alias {self.work}/robots.txt; }}"
        addresses = ["127.0.0.1", *self.addresses.values()]
        config.write_text(CONFIG.format(
            work=self.work, port=self.port, root=self.root, type_locations=_type_locations(), robots=robots,
            listen="\n".join(f"        listen {address}:{self.port};" for address in addresses),
            access_log=f"{self.access_log} bench" if self._log_access else "off",
        ))
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.work), "-c", str(config), "-e", str(self.work / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx did not start: {self.process.stderr.read().decode(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("nginx did not open its port within 10 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()

    def log_lines(self) -> list[LogEntry]:
        """Every request answered so far, except nginx's own hop for a POST (``/__post/``)."""
        entries = []
        for line in self.access_log.read_text().splitlines():
            sent_at, took, address, status, sent, body, method, uri = line.split(" ", 7)
            uri = uri.strip('"')
            if uri.startswith("/__post/"):
                continue
            entries.append(LogEntry(float(sent_at) - float(took), float(sent_at), self.host_of(address),
                                    int(status), int(sent), int(body), method, uri))
        return entries

    def cleanup(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
