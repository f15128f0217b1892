"""Robustness, pages: real crawls (`run.py crawl`) of a loopback server that misbehaves.

The master-calendar page is served by tests/faultserver.py, with one fault at
a time, after its 32 events were stored by an earlier healthy run. Every case
must end the same way for the data: a clear outcome in the crawl report
(failed or degraded, never ok), and the stored events exactly as they were (no
change row, no event moved, none marked as missing a run). Each row of the
table also says what the crawler must have done on the wire.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import faultserver as fs
from tests.conftest import DEMO_SITE, TODAY, file_response, run_cli, settings_env
from ventanas.clock import utcnow
from ventanas.spiders.ohchr_master_calendar import PATH, OhchrMasterCalendarSpider
from ventanas.storage.models import Change, Event, EventSource

LIVE_URL = "https://tbinternet.ohchr.org/" + PATH
DEMO_PAGE = "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx@Lang=en"
SPIDER = "ohchr_master_calendar"
EXIT_DEGRADED, EXIT_FAILED = 1, 3
RETRY_TIMES = 2  # ventanas/spiders/settings.py: every failing page is asked 1 + 2 times
DELAY = 0.2


def seed(storage) -> None:
    """The page's 32 events, stored as a healthy crawl stores them (no network needed)."""
    items = list(OhchrMasterCalendarSpider().parse(file_response(DEMO_PAGE, LIVE_URL)))
    report = storage.record_crawl(spider=SPIDER, items=items, stats={"requests": 1}, min_items=10, today=TODAY,
                                  started_at=utcnow())
    assert (str(report.health), report.inserted) == ("ok", 32)


def stored(storage) -> tuple[int, dict]:
    with storage.session() as session:
        changes = session.scalar(select(func.count(Change.id)))
        events = {
            e.key: (e.content_hash, e.last_changed, e.sequence, e.vanished_at,
                    tuple((s.source_name, s.missed_runs) for s in e.sources))
            for e in session.scalars(select(Event))
        }
    return changes, events


@dataclass
class Case:
    id: str
    fault: Callable[[fs.FaultServer], fs.Fault | None]  # given the server, what answers the page
    health: str
    why: str
    env: dict[str, str] = field(default_factory=dict)
    robots_txt: str | None = None
    check: Callable[[list[fs.Seen], dict], None] = lambda requests, report: None


def asked_times(n: int):
    def check(requests: list[fs.Seen], report: dict) -> None:
        assert len(requests) == n, [(r.status, r.path) for r in requests]

    return check


def retried_politely(min_gap: float):
    def check(requests: list[fs.Seen], report: dict) -> None:
        assert len(requests) == 1 + RETRY_TIMES
        gaps = [b.at - a.at for a, b in zip(requests, requests[1:], strict=False)]
        assert min(gaps) >= min_gap - 0.02, gaps  # 20 ms: the server's clock against the crawler's
        assert report["errors"] >= 1

    return check


def stopped_reading(limit: int):
    def check(requests: list[fs.Seen], report: dict) -> None:
        assert requests and all(r.body_bytes < limit for r in requests), [r.body_bytes for r in requests]
        assert report["errors"] >= 1

    return check


def never_asked(requests: list[fs.Seen], report: dict) -> None:
    assert requests == []


CASES = [
    Case("connection-cut-mid-body", lambda s: fs.cut_connection(0.5), "failed",
         "Content-Length promised more than arrived: data loss, retried, then an error",
         check=asked_times(1 + RETRY_TIMES)),
    Case("html-cut-under-half-the-rows", lambda s: fs.cut_markup(14), "degraded",
         "a complete answer whose table stops early: the rows before the cut are the same events, "
         "the drop from 32 makes the run degraded, so no event starts missing runs"),
    Case("html-cut-near-the-top", lambda s: fs.cut_markup(5), "failed",
         "too few rows for a healthy run: nothing is written"),
    Case("utf8-declared-latin1", lambda s: fs.declared_charset("iso-8859-1"), "degraded",
         "'Türkiye' decodes as 'TÃ¼rkiye', an unknown State: reported, never guessed, and the "
         "Türkiye event stays (the run is degraded, not ok)"),
    Case("latin1-declared-utf8", lambda s: fs.declared_charset("utf-8", body_encoding="latin-1"), "degraded",
         "the ü byte is invalid UTF-8: same outcome as above"),
    Case("100-mb-with-length", lambda s: fs.endless(100_000_000, announce_length=True), "failed",
         "the size cap refuses a body announced above it, without reading it",
         env={"VENTANAS_MAX_PAGE_BYTES": "1000000"}, check=stopped_reading(10_000_000)),
    Case("100-mb-streamed", lambda s: fs.endless(100_000_000, announce_length=False), "failed",
         "the size cap stops a body with no length once it passes the cap",
         env={"VENTANAS_MAX_PAGE_BYTES": "1000000"}, check=stopped_reading(10_000_000)),
    Case("redirect-to-file-url", lambda s: fs.redirect("file:///etc/passwd"), "failed",
         "only http(s) is ever fetched, even through a redirect", check=asked_times(1)),
    Case("500", lambda s: fs.status(500), "failed",
         "a server error is retried at the download delay, then counted as an error",
         env={"VENTANAS_DOWNLOAD_DELAY": str(DELAY)}, check=retried_politely(DELAY)),
    Case("429-retry-after-1s", lambda s: fs.status(429, {"Retry-After": "1"}), "failed",
         "Too Many Requests: each retry waits what the server asked, then an error",
         env={"VENTANAS_DOWNLOAD_DELAY": str(DELAY)}, check=retried_politely(1.0)),
    Case("429-retry-after-1h", lambda s: fs.status(429, {"Retry-After": "3600"}), "failed",
         "a pause longer than a crawl can wait: not retried in this run, counted as an error",
         check=asked_times(1)),
    Case("timeout", lambda s: fs.stall(8), "failed",
         "no answer within download_timeout: abandoned, retried, then an error",
         env={"VENTANAS_DOWNLOAD_TIMEOUT": "1"}, check=asked_times(1 + RETRY_TIMES)),
    Case("robots-txt-disallows-the-page", lambda s: None, "failed",
         "robots.txt is obeyed: the page is never asked for, and an empty run is not trusted",
         robots_txt="User-agent: *\nDisallow: /tbinternet.ohchr.org/_layouts/\n", check=never_asked),
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(DEMO_SITE, root)
    return root


def crawl(settings, server: fs.FaultServer, **extra: str):
    env = settings_env(settings, **{f"VENTANAS_{k.upper()}": v for k, v in server.source_overrides().items()},
                       **extra)
    result = run_cli("crawl", "--source", SPIDER, "--json", env=env, timeout=120)
    assert result.stdout.strip(), result.stderr
    return result, json.loads(result.stdout)[0]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_page_fault_keeps_the_stored_events(case: Case, settings, storage, site):
    seed(storage)
    before = stored(storage)
    with fs.FaultServer(site) as server:
        page = server.page_path(LIVE_URL)
        fault = case.fault(server)
        if fault is not None:
            server.faults[page] = fault
        server.robots_txt = case.robots_txt
        result, report = crawl(settings, server, **case.env)
        requests = server.seen(page)
    assert report["health"] == case.health, (case.why, report)
    assert result.returncode == (EXIT_FAILED if case.health == "failed" else EXIT_DEGRADED)
    assert "Traceback" not in result.stderr
    assert stored(storage) == before, case.why
    case.check(requests, report)


def test_redirect_to_another_domain_is_not_followed(settings, storage, site):
    """The other domain is a second server of ours (as 'localhost'): it must hear nothing."""
    seed(storage)
    before = stored(storage)
    with fs.FaultServer(site) as server, fs.FaultServer(site) as elsewhere:
        other = elsewhere.url.replace("127.0.0.1", "localhost") + "/tbinternet.ohchr.org/" + PATH
        server.faults[server.page_path(LIVE_URL)] = fs.redirect(other)
        result, report = crawl(settings, server)
        assert elsewhere.requests == []
    assert (report["health"], result.returncode) == ("failed", EXIT_FAILED)
    assert stored(storage) == before


def test_unknown_state_row_degrades_the_run_so_its_event_does_not_vanish(settings, storage, site):
    """Regression: a row whose State did not resolve was skipped in an ok run, so its event
    missed runs and vanished after two (a State renamed on the page, a page in the wrong charset)."""
    seed(storage)
    page = site / DEMO_PAGE
    page.write_text(page.read_text(encoding="utf-8").replace("Türkiye", "Türkiye (Republic of Nowhere)"),
                    encoding="utf-8")
    with fs.FaultServer(site) as server:
        for _ in range(2):  # two healthy runs without an event would mark it vanished
            result, report = crawl(settings, server)
            assert (report["health"], report["items"], result.returncode) == ("degraded", 31, EXIT_DEGRADED)
    with storage.session() as session:
        turkiye = session.scalar(select(Event).where(Event.key == "ohchr/CMW/report-due/TUR/next"))
        assert turkiye is not None and turkiye.vanished_at is None
        assert session.scalar(select(EventSource.missed_runs).where(EventSource.event_id == turkiye.id)) == 0


@pytest.mark.parametrize(
    ("fault", "env"),
    # 2 s, not less: on a loaded machine the crawler's own event loop can pause long enough
    # to time out requests to healthy pages too.
    [(fs.status(500), {}), (fs.stall(8), {"VENTANAS_DOWNLOAD_TIMEOUT": "2"})],
    ids=["500", "timeout"],
)
def test_failing_page_with_a_cached_copy_degrades_the_run_and_keeps_its_events(
        fault, env, settings, storage, site):
    """Regression: when one country page failed (500, timeout) on a later run, Scrapy's cache
    answered with the stored page, no retry or error followed, and the run said ok: a source
    down for weeks looked healthy. Now: degraded (the operator hears), the stored page is
    parsed (nothing lost), and Mexico's events stay as they were over two such runs."""
    country = "ohchr_country_status"
    with fs.FaultServer(site) as server:
        overrides = {f"VENTANAS_{k.upper()}": v for k, v in server.source_overrides().items()}
        first = json.loads(run_cli("crawl", "--source", country, "--json",
                                   env=settings_env(settings, **overrides)).stdout)[0]
        assert first["health"] == "ok"
        mexico_before = {k: v for k, v in stored(storage)[1].items() if "/MEX/" in k}
        assert mexico_before
        mexico = server.page_path(
            "https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/Countries.aspx?CountryCode=MEX&Lang=EN")
        server.faults[mexico] = fault
        for _ in range(2):  # two healthy runs without an event would mark it vanished
            result = run_cli("crawl", "--source", country, "--json", env=settings_env(settings, **overrides, **env))
            report = json.loads(result.stdout)[0]
            assert (report["health"], result.returncode) == ("degraded", EXIT_DEGRADED), report
            assert report["items"] == first["items"]
        assert len(server.seen(mexico)) == 1 + 2  # the first run, then once per run: the cache answers
    assert {k: v for k, v in stored(storage)[1].items() if "/MEX/" in k} == mexico_before


def test_spiders_sharing_a_host_keep_its_delay_together(settings, site):
    """Regression: politeness was per spider (Scrapy's download slots belong to one crawler), so
    the OHCHR spiders of one crawl asked tbinternet.ohchr.org at the same instant. Now one
    request at a time per host, the delay apart, whichever spider asks."""
    delay = 0.1
    with fs.FaultServer(site) as server:
        env = settings_env(settings, VENTANAS_DOWNLOAD_DELAY=str(delay),
                           **{f"VENTANAS_{k.upper()}": v for k, v in server.source_overrides().items()})
        result = run_cli("crawl", "--source", "ohchr_master_calendar", "--source", "ohchr_country_status",
                         "--json", env=env)
        arrivals = sorted(r.at for r in server.requests)
    assert [r["health"] for r in json.loads(result.stdout)] == ["ok", "ok"]
    assert len(arrivals) > 20
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= delay - 0.005, sorted(gaps)[:5]
