"""G3 re-crawl bytes and G4 change detection: the demo site behind nginx, crawled three times.

A copy of ventanas/demo_site/ is served by nginx (Debian's package, see
bench/nginx.py) on loopback, one address per live host so that Scrapy keeps
one politeness slot per source as on the live sites. ``run.py crawl`` runs in
a subprocess with every spider there is, on the demo's settings (the demo
clock, the feeds it reads) pointed at nginx, with a download delay of
``DELAY`` seconds:

1. cold: an empty database and HTTP cache;
2. unchanged: the same site again; every page should cost a 304;
3. changed: ``CHANGED_PAGES`` pages fetched in the cold crawl get a few bytes
   appended (spread over the hosts), then a third crawl.

Wire bytes are what nginx sent (``$bytes_sent``: headers and body), summed
over each crawl; the crawl's own count (WireBytesMiddleware) is printed next
to it. Politeness: per host, the shortest time between the arrival of two
requests, from nginx's log. G4 counts a changed page as detected when the
third crawl fetched it whole (a 200, not a 304): the HTTP-level detection the
whole pipeline rests on (a page never re-downloaded cannot yield its change).
The crawl's stats are cross-checked: requests minus the 304s it counted
(``ventanas/status/304``) must equal the fresh answers nginx gave.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import Figure
from bench.nginx import LogEntry, Nginx, find_tool
from ventanas.config import LIVE_BASE_URLS, Settings, describe
from ventanas.sitecopy import copy_path

ROOT = Path(__file__).resolve().parent.parent
DEMO_SITE = ROOT / "ventanas" / "demo_site"
DELAY = 0.2  # seconds between two requests to one host: at most 5 requests/s per host
CHANGED_PAGES = 10
# nginx logs to the millisecond: two arrivals a delay apart may read 1 ms closer.
JITTER = 0.002
TEXT_SUFFIXES = {"", ".html", ".htm", ".xml", ".rss", ".atom", ".txt", ".aspx", ".json", ".ics"}


def merged_robots(site: Path) -> str:
    """Each host's robots.txt rules, under that host's prefix, as one /robots.txt.

    The copy is served under /<host>/..., and a crawler asks /robots.txt of the
    server, so the rules must be rewritten to keep the live sites' meaning.
    """
    lines = ["# Merged from the site copy's <host>/robots.txt files by bench/g3_recrawl.py", "User-agent: *"]
    for robots in sorted(site.glob("*/robots.txt")):
        host = robots.parent.name
        for raw in robots.read_text(encoding="utf-8", errors="replace").splitlines():
            field, _, value = raw.partition(":")
            if field.strip().lower() in ("allow", "disallow") and value.strip():
                lines.append(f"{field.strip().capitalize()}: /{host}{value.strip()}")
    return "\n".join(lines) + "\n"


def feed_files(site: Path, server: Nginx) -> tuple[str, ...]:
    """URLs of every feed-like file in the copy: used when the demo configures none."""
    urls = []
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site)
        if path.is_file() and (path.suffix in (".xml", ".rss", ".atom") or "feed" in relative.parts[1:-1]):
            host, rest = relative.parts[0], "/".join(relative.parts[1:]).removesuffix("index.html")
            urls.append(f"{server.base_url('https://' + host)}/{rest}")
    return tuple(urls)


def crawl_settings(tmp: Path, server: Nginx, site: Path) -> Settings:
    from ventanas.demo import demo_settings

    base = Settings(var_dir=tmp / "var", public_dir=tmp / "public")
    settings = demo_settings(base, server)  # the demo clock and whatever else the demo sets
    feeds = tuple(on_own_address(url, server) for url in settings.feeds) or feed_files(site, server)
    return dataclasses.replace(settings, download_delay=DELAY, feeds=feeds)


def on_own_address(url: str, server: Nginx) -> str:
    """A feed of the copy (``<server>/<host>/…``) on its host's address, as on the live site."""
    prefix = server.url + "/"
    if not url.startswith(prefix):
        return url
    host, _, rest = url[len(prefix):].partition("/")
    return f"{server.base_url('https://' + host)}/{rest}"


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a `run.py` subprocess exactly these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANAS_")}
    defaults = Settings()
    for name, variable, _default, _doc in describe():
        value = getattr(settings, name)
        if value != getattr(defaults, name):
            env[variable] = ",".join(value) if isinstance(value, tuple) else str(value)
    return env


def run_crawl(env: dict[str, str], cwd: Path) -> list[dict]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "crawl", "--json"], env=env, cwd=cwd, capture_output=True,
        text=True, timeout=900, check=False,
    )
    if result.returncode not in (0, 1, 3):  # ok, degraded, failed are crawl outcomes; anything else broke
        raise RuntimeError(f"run.py crawl exited {result.returncode}: {result.stderr.strip()[-2000:]}")
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"run.py crawl printed no JSON: {result.stdout[-500:]} {result.stderr[-2000:]}") from exc


def page_file(site: Path, uri: str) -> Path | None:
    split = urlsplit(uri)
    parts = [p for p in split.path.split("/") if p]
    if len(parts) < 1 or parts[0] not in {p.name for p in site.iterdir()}:
        return None
    relative = copy_path(parts[0], "/" + "/".join(parts[1:]) + ("/" if split.path.endswith("/") else ""), split.query)
    path = site / relative
    return path if path.is_file() else None


def pick_changed(site: Path, cold: list[LogEntry], n: int) -> list[tuple[str, Path]]:
    """n text pages the cold crawl fetched with a GET, taken in turn from each host."""
    by_host: dict[str, list[tuple[str, Path]]] = defaultdict(list)
    seen = set()
    for entry in cold:
        if entry.method != "GET" or entry.status != 200 or entry.uri in seen or entry.uri == "/robots.txt":
            continue
        path = page_file(site, entry.uri)
        if path is not None and Path(path.name.split("@")[0]).suffix.lower() in TEXT_SUFFIXES:
            seen.add(entry.uri)
            by_host[entry.uri.split("/")[1]].append((entry.uri, path))
    picked: list[tuple[str, Path]] = []
    queues = [list(pages) for _, pages in sorted(by_host.items())]
    while len(picked) < n and any(queues):
        for queue in queues:
            if queue and len(picked) < n:
                picked.append(queue.pop(0))
    return picked


def politeness(entries: list[LogEntry]) -> dict[str, float]:
    """Shortest time between two request arrivals, per host (seconds)."""
    by_host: dict[str, list[float]] = defaultdict(list)
    for entry in entries:
        by_host[entry.host].append(entry.started)
    gaps = {}
    for host, times in by_host.items():
        times.sort()
        if len(times) > 1:
            gaps[host] = min(b - a for a, b in zip(times, times[1:], strict=False))
    return gaps


def crawl_stats(settings: Settings) -> dict[str, int]:
    """Requests and 304s the crawl itself counted, over the last run of every spider."""
    from sqlalchemy import func, select

    from ventanas.storage import Storage
    from ventanas.storage.models import Change, CrawlRun

    storage = Storage.open(settings.resolved_database_url, migrate=False)
    try:
        with storage.session() as session:
            last = session.scalars(
                select(CrawlRun).where(CrawlRun.id.in_(select(func.max(CrawlRun.id)).group_by(CrawlRun.spider)))
            ).all()
            changes = session.scalar(select(func.count(Change.id)))
        return {
            "requests": sum(r.requests for r in last),
            "not_modified": sum(int((r.stats or {}).get("not_modified", 0)) for r in last),
            "changes": changes or 0,
        }
    finally:
        storage.dispose()


def summary(reports: list[dict]) -> dict[str, str]:
    return {r["spider"]: f"{r['health']} {r['items']} items" for r in reports}


def run() -> list[Figure]:
    find_tool("nginx")
    with tempfile.TemporaryDirectory(prefix="bench-g3-") as tmp_name:
        tmp = Path(tmp_name)
        site = tmp / "site"
        shutil.copytree(DEMO_SITE, site)
        hosts = [urlsplit(url).hostname for url in LIVE_BASE_URLS.values()]
        server = Nginx(site, hosts=hosts, robots_txt=merged_robots(site))
        try:
            with server:
                settings = crawl_settings(tmp, server, site)
                env = settings_env(settings)
                crawls: list[tuple[list[dict], list[LogEntry], dict[str, int]]] = []
                changed: list[tuple[str, Path]] = []
                changed_cold_bytes = 0
                for step in ("cold", "unchanged", "changed"):
                    if step == "changed":
                        changed = pick_changed(site, crawls[0][1], CHANGED_PAGES)
                        for uri, path in changed:
                            changed_cold_bytes += max(e.bytes_sent for e in crawls[0][1] if e.uri == uri)
                            with path.open("ab") as handle:
                                handle.write(b"\n<!-- changed by bench/g3_recrawl.py -->\n")
                    before = len(server.log_lines())
                    reports = run_crawl(env, tmp)
                    crawls.append((reports, server.log_lines()[before:], crawl_stats(settings)))
        finally:
            server.cleanup()
        pages_in_site = sum(1 for p in site.rglob("*") if p.is_file() and p.name != "robots.txt"
                            and not p.name.endswith(".post"))

    (cold_reports, cold_log, cold_stats), (warm_reports, warm_log, warm_stats), (third_reports, third_log, third_stats) = crawls
    wire = [sum(e.bytes_sent for e in log) for _, log, _ in crawls]
    product_wire = [sum(r["wire_bytes"] for r in reports) for reports, _, _ in crawls]
    warm_share = 100 * wire[1] / wire[0]
    third_share = 100 * wire[2] / wire[0]
    changed_share = 100 * changed_cold_bytes / wire[0]

    gaps = politeness(cold_log + warm_log + third_log)
    worst_gap = min(gaps.values()) if gaps else float("inf")
    max_rate = 1 / worst_gap if worst_gap > 0 else float("inf")

    changed_uris = {uri for uri, _ in changed}
    refetched = {e.uri for e in third_log if e.uri in changed_uris and e.status == 200}
    fresh_nginx = sum(1 for e in third_log if e.status != 304)
    fresh_crawl = third_stats["requests"] - third_stats["not_modified"]
    detection = len(refetched) / len(changed) if changed else 0.0
    fetched_pages = len({e.uri for e in cold_log if e.status == 200 and e.uri != "/robots.txt"})

    return [
        Figure(
            "G3 unchanged re-crawl", warm_share, "% of cold bytes", "<= 2%", warm_share <= 2,
            {"cold_bytes": wire[0], "unchanged_bytes": wire[1], "cold_requests": len(cold_log),
             "unchanged_requests": len(warm_log), "unchanged_304": sum(e.status == 304 for e in warm_log),
             "unchanged_body_bytes": sum(e.body_bytes for e in warm_log),
             "bytes_per_304": round(sum(e.bytes_sent for e in warm_log if e.status == 304)
                                    / max(1, sum(e.status == 304 for e in warm_log))),
             "cold_bytes_per_request": round(wire[0] / max(1, len(cold_log))),
             "crawl_counted_bytes": f"{product_wire[0]} / {product_wire[1]}",
             "pages_fetched": fetched_pages, "files_in_site": pages_in_site,
             "spiders": json.dumps(summary(cold_reports))},
        ),
        Figure(
            "G3 changed re-crawl", third_share, "% of cold bytes", f"<= {changed_share + 2:.1f}% "
            f"(changed share {changed_share:.1f}% + 2)", third_share <= changed_share + 2,
            {"changed_bytes": wire[2], "crawl_counted_bytes": product_wire[2], "pages_changed": len(changed),
             "changed_pages_cold_bytes": changed_cold_bytes, "changes_rows_after": third_stats["changes"],
             "changes_rows_before": warm_stats["changes"], "spiders": json.dumps(summary(third_reports))},
        ),
        Figure(
            "G3 politeness", max_rate, " req/s per host (max)", f"<= {1 / DELAY:g}/s (delay {DELAY}s)",
            worst_gap >= DELAY - JITTER,
            {"min_gap_s_per_host": json.dumps({h: round(g, 3) for h, g in sorted(gaps.items())})},
        ),
        Figure(
            "G4 change detection", detection, " (changed pages re-fetched / changed)", "= 1.0",
            bool(changed) and detection == 1.0 and fresh_crawl == fresh_nginx,
            {"pages_changed": len(changed), "refetched": len(refetched), "fresh_answers_nginx": fresh_nginx,
             "fresh_answers_crawl_stats": fresh_crawl, "unchanged_rerun_changes": warm_stats["changes"] - cold_stats["changes"],
             "missed": json.dumps(sorted(changed_uris - refetched))},
        ),
    ]
