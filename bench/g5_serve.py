"""G5 serve: the same .ics feed from `run.py serve` and from nginx, under wrk on loopback.

A State feed is published the product's way (events stored, then
``publish``) into a temp public directory. nginx (bench/nginx.py, one
worker, no access log) and ``run.py serve`` (a subprocess) both serve that
directory; wrk (``-t2 -c10 -d5s``) asks each for the feed, plainly (200s
with the whole body) and with the server's own ETag in If-None-Match (304s,
headers only), three times each in alternation, keeping each load's best run. Figures: serve's requests per second
against nginx's, and serve's 304s against its own 200s.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.common import Figure
from bench.nginx import Nginx, find_tool, free_port

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.25
FEED = "/feeds/states/MEX.ics"
WRK_ARGS = ["-t2", "-c10", "-d5s", "--latency"]
ROUNDS = 3  # each load runs this many times, alternating; the best run counts


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    transfer: str

    def as_dict(self) -> dict[str, float | int | str]:
        return {"rps": round(self.rps), "p50_ms": self.p50_ms, "p99_ms": self.p99_ms, "errors": self.errors,
                "transfer_per_s": self.transfer}


def _ms(text: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s|m)\b", text)
    if found is None:
        raise ValueError(f"wrk printed a latency this bench cannot read: {text!r}")
    value, unit = found.groups()
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit], 3)


def wrk(url: str, headers: dict[str, str] | None = None) -> Load:
    command = [find_tool("wrk"), *WRK_ARGS]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, timeout=60, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    # the percentile lines of --latency ("     50%    1.23ms"), not a "+/- Stdev" column that ends in 50%
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M)[1]
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)[1]
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|Socket errors: connect|timeout):?\s+(\d+)", out))
    transfer = re.search(r"Transfer/sec:\s+(\S+)", out)[1]
    return Load(rps, _ms(p50), _ms(p99), errors, transfer)


def probe(url: str, etag: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, dict(exc.headers), b""
        raise


def publish_feed(tmp: Path) -> Path:
    """A State feed of realistic size: Mexico's report due dates from G1's rows (about 40), published."""
    from bench.g1_ingest import ingest, raw_rows
    from ventanas.calendar.publisher import publish
    from ventanas.config import Settings
    from ventanas.storage import Storage

    settings = Settings(var_dir=tmp / "var", public_dir=tmp / "public", today=date(2025, 8, 1))
    storage = Storage.open(settings.resolved_database_url)
    try:
        ingest(storage, [row for row in raw_rows() if row["country"] == "Mexico"])
        publish(storage, settings, full=True)
    finally:
        storage.dispose()
    return settings.public_dir


def start_serve(public: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANAS_")}
    env["VENTANAS_PUBLIC_DIR"] = str(public)
    env["VENTANAS_VAR_DIR"] = str(public.parent / "var")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=public.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"run.py serve exited {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        try:
            probe(url + FEED)
            return process, url
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("run.py serve did not answer within 30 s")


def measure(url: str) -> tuple[Load, Load, int, int]:
    status, headers, body = probe(url + FEED)
    etag = headers.get("ETag")
    if status != 200 or not etag or not body.startswith(b"BEGIN:VCALENDAR"):
        raise RuntimeError(f"{url}{FEED}: expected a calendar with an ETag, got {status} {headers}")
    not_modified, _, _ = probe(url + FEED, etag)
    if not_modified != 304:
        raise RuntimeError(f"{url}{FEED}: If-None-Match {etag} answered {not_modified}, not 304")
    # alternate the two loads and keep each one's best run: a shared machine's noise
    # otherwise decides which of two close figures comes out ahead
    plain, conditional = [], []
    for _ in range(ROUNDS):
        plain.append(wrk(url + FEED))
        conditional.append(wrk(url + FEED, {"If-None-Match": etag}))
    best = lambda loads: max(loads, key=lambda load: load.rps)  # noqa: E731
    return best(plain), best(conditional), len(body), not_modified


def run() -> list[Figure]:
    find_tool("nginx")
    find_tool("wrk")
    with tempfile.TemporaryDirectory(prefix="bench-g5-") as tmp_name:
        public = publish_feed(Path(tmp_name))
        feed_bytes = (public / FEED.lstrip("/")).read_bytes()
        nginx = Nginx(public, access_log=False)
        try:
            with nginx:
                nginx_200, nginx_304, nginx_size, _ = measure(nginx.url)
        finally:
            nginx.cleanup()
        serve, url = start_serve(public)
        try:
            serve_200, serve_304, serve_size, _ = measure(url)
        finally:
            serve.terminate()
            serve.wait(timeout=10)
            serve.stderr.close()
    if not nginx_size == serve_size == len(feed_bytes):
        raise RuntimeError(f"the two servers sent different feeds: {nginx_size} vs {serve_size} bytes")
    ratio = serve_200.rps / nginx_200.rps
    faster = serve_304.rps / serve_200.rps
    return [
        Figure(
            "G5 serve", ratio, "x nginx req/s (200s)", f">= {TARGET:g}x", ratio >= TARGET,
            {"feed_bytes": len(feed_bytes), "wrk": " ".join(WRK_ARGS),
             "serve_200": str(serve_200.as_dict()), "nginx_200": str(nginx_200.as_dict())},
        ),
        Figure(
            "G5 serve 304 vs 200", faster, "x the 200s' req/s", "> 1x (304s faster)",
            faster > 1 and serve_304.p50_ms <= serve_200.p50_ms,
            {"serve_304": str(serve_304.as_dict()), "nginx_304": str(nginx_304.as_dict()),
             "serve_304_vs_nginx_304": round(serve_304.rps / nginx_304.rps, 3)},
        ),
    ]
