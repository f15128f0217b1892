"""Health tells a changed page from a quiet week, and names what changed (status, the operator's mail).

Through the real CLI on a loopback copy of the demo site (SQLite, or PostgreSQL with
VENTANAS_TEST_BACKEND=postgresql).
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import DEMO_SITE, run_cli, settings_env
from ventanas.health import layout_findings, with_findings
from ventanas.sitecopy import SiteCopyServer

CALENDAR = "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx@Lang=en"
CALENDAR_URL = "https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx?Lang=en"


# -- the rule --------------------------------------------------------------------------------

def test_a_page_that_yielded_before_and_nothing_now_is_named():
    before = {"page:https://a/1": 12, "page:https://a/2": 3, "requests": 4}
    assert layout_findings({"page:https://a/1": 0, "page:https://a/2": 3}, before) == [
        "https://a/1 yielded nothing (it yielded 12 in the last healthy run)"]


def test_a_quiet_week_is_no_finding():
    before = {"page:https://a/1": 12, "page:https://a/news/old": 2}
    # fewer events from the same page; a news item no longer listed (not fetched at all)
    assert layout_findings({"page:https://a/1": 3}, before) == []
    assert layout_findings({"page:https://a/1": 0}, None) == []  # nothing known yet: a first run


def test_a_label_no_reader_knows_is_named_with_its_rows():
    assert layout_findings({"new_label:document type: Special report": 2}, {}) == [
        "new document type 'Special report' on 2 rows"]
    assert with_findings("1 errors while crawling", ["x"]) == "1 errors while crawling; page changed? x"
    assert with_findings("32 items", []) == "32 items"


# -- through a crawl -------------------------------------------------------------------------

@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(DEMO_SITE, root)
    with SiteCopyServer(root) as server:
        yield server


def env_for(settings, site, **extra):
    overrides = {f"VENTANAS_{k.upper()}": v for k, v in site.source_overrides().items()}
    return settings_env(settings, **overrides, **extra)


def crawl(env):
    result = run_cli("crawl", "--source", "ohchr_master_calendar", "--json", env=env)
    return result.returncode, json.loads(result.stdout)[0]


def edit(site, old: str, new: str) -> None:
    page = site.root / CALENDAR
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new), encoding="utf-8")


def newest_reason(env) -> str:
    status = json.loads(run_cli("status", "--json", env=env).stdout)
    return status["sources"]["ohchr_master_calendar"][0]["reason"]


def test_redesigned_page_is_named_as_yielding_nothing_not_a_quiet_week(settings, site):
    env = env_for(settings, site, VENTANAS_OPERATOR_EMAIL="operator@example.org")
    assert run_cli("run", "--source", "ohchr_master_calendar", env=env).returncode == 0
    edit(site, '<th scope="col">Country</th>', '<th scope="col">State party</th>')  # the table is not found
    result = run_cli("run", "--source", "ohchr_master_calendar", env=env)
    assert result.returncode == 3
    named = f"{CALENDAR_URL} yielded nothing (it yielded 32 in the last healthy run)"
    assert named in newest_reason(env)
    text = run_cli("status", env=env).stdout
    assert f"pages that changed (newest run):\n  ohchr_master_calendar: {named}" in text
    from ventanas.storage import Storage
    from ventanas.storage import outbox as box

    storage = Storage.open(settings.resolved_database_url)
    try:
        with storage.session() as session:
            [alert] = box.messages(session, reason="operator_alert")
            assert named in alert.text_body
    finally:
        storage.dispose()


def test_fewer_rows_is_a_quiet_week(settings, site):
    env = env_for(settings, site)
    assert crawl(env)[1]["health"] == "ok"
    page = site.root / CALENDAR
    text = page.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if "<td>Americas</td><td>Mexico</td>" in line]
    page.write_text("\n".join(line for line in text.splitlines() if line not in rows[1:]), encoding="utf-8")
    code, report = crawl(env)
    assert (code, report["health"], report["items"]) == (0, "ok", 28)
    assert "page changed?" not in newest_reason(env)


def test_a_new_document_label_degrades_the_run_and_is_named(settings, site):
    env = env_for(settings, site)
    assert crawl(env)[1]["health"] == "ok"
    edit(site, "<td>List of issues</td><td>26 Sep 2026</td>", "<td>Mid-term update</td><td>26 Sep 2026</td>")
    code, report = crawl(env)
    assert (code, report["health"], report["items"]) == (1, "degraded", 31)
    assert "new document type 'Mid-term update' on 1 row" in report["reason"]
    assert report["vanished"] == 0  # a degraded run marks nothing vanished: Mexico's CED row stays
    assert "new document type 'Mid-term update'" in newest_reason(env)
