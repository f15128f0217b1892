"""The foundation's vertical slice through the real CLI: crawl a loopback copy, publish, status."""

from __future__ import annotations

import json
import shutil

import icalendar
import pytest

from tests.conftest import DEMO_SITE, run_cli, settings_env
from ventanas.sitecopy import SiteCopyServer


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(DEMO_SITE, root)
    with SiteCopyServer(root) as server:
        yield server


def env_for(settings, site):
    return settings_env(settings, **{f"VENTANAS_{k.upper()}": v for k, v in site.source_overrides().items()})


def test_crawl_publish_status_and_idempotent_rerun(settings, site):
    env = env_for(settings, site)
    first = run_cli("crawl", "--source", "ohchr_master_calendar", "--json", env=env)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)[0]
    assert report["health"] == "ok" and report["inserted"] == 32

    published = run_cli("publish", env=env)
    assert published.returncode == 0, published.stderr
    feed = settings.public_dir / "feeds" / "states" / "MEX.ics"
    calendar = icalendar.Calendar.from_ical(feed.read_bytes())
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    assert "ohchr/CMW/report-due/MEX/next@ventanas" in uids
    # every event links to the live page, never to the loopback copy
    assert all("127.0.0.1" not in str(e["URL"]) for e in calendar.walk("VEVENT"))
    before = feed.read_bytes()

    second = run_cli("crawl", "--source", "ohchr_master_calendar", "--json", env=env)
    rerun = json.loads(second.stdout)[0]
    assert (rerun["inserted"], rerun["updated"], rerun["unchanged"]) == (0, 0, 32)
    assert rerun["wire_bytes"] < report["wire_bytes"] / 5  # the cache revalidated: 304s, no bodies

    status = json.loads(run_cli("status", "--json", env=env).stdout)
    assert status["counts"]["changes"] == 32
    runs = status["sources"]["ohchr_master_calendar"]
    assert [r["inserted"] for r in runs] == [0, 32]
    assert run_cli("publish", "--json", env=env).stdout.strip().startswith('{"changes": 0, "written": 0')
    assert feed.read_bytes() == before


def test_moved_due_date_is_one_update(settings, site):
    env = env_for(settings, site)
    assert run_cli("crawl", "--source", "ohchr_master_calendar", env=env).returncode == 0
    page = site.root / "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx@Lang=en"
    page.write_text(page.read_text().replace("01 Sep 2026", "08 Sep 2026"))
    result = json.loads(run_cli("crawl", "--source", "ohchr_master_calendar", "--json", env=env).stdout)[0]
    assert (result["inserted"], result["updated"], result["unchanged"]) == (0, 1, 31)


def test_broken_page_fails_and_keeps_data(settings, site):
    env = env_for(settings, site)
    assert run_cli("crawl", "--source", "ohchr_master_calendar", env=env).returncode == 0
    page = site.root / "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx@Lang=en"
    page.write_text("<html><body>Service unavailable</body></html>")
    broken = run_cli("crawl", "--source", "ohchr_master_calendar", "--json", env=env)
    assert broken.returncode == 3
    assert json.loads(broken.stdout)[0]["health"] == "failed"
    status = json.loads(run_cli("status", "--json", env=env).stdout)
    assert status["counts"]["events"] == 32


def test_unknown_source_is_a_usage_error(settings):
    result = run_cli("crawl", "--source", "nope", env=settings_env(settings))
    assert result.returncode == 2
    assert "unknown source nope" in result.stderr


def test_corrupt_database_gives_one_line(settings, tmp_path):
    if not settings.resolved_database_url.startswith("sqlite"):
        pytest.skip("a corrupt file is a SQLite matter")
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    (settings.var_dir / "ventanas.db").write_bytes(b"garbage" * 50)
    result = run_cli("status", env=settings_env(settings))
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_bad_setting_gives_one_line(settings):
    result = run_cli("status", env=settings_env(settings, VENTANAS_DOWNLOAD_DELAY="soon"))
    assert result.returncode == 2
    assert "VENTANAS_DOWNLOAD_DELAY" in result.stderr and "Traceback" not in result.stderr
