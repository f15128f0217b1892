"""The OHCHR spiders through the real CLI against a loopback copy of the demo site.

Proves what DESIGN §5 asks of a crawl: the requests are really issued (the ASP.NET
postback included), an unchanged re-crawl costs 304s and changes nothing, and a
session moved by a week changes exactly its own events.
"""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_SITE, run_cli, settings_env
from ventanas.sitecopy import SiteCopyServer
from ventanas.storage import Storage
from ventanas.storage.models import Change

SPIDERS = ("ohchr_sessions", "ohchr_country_status", "ohchr_media_advisories")
EXT = "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/"
CESCR79 = EXT + "SessionDetails1.aspx@SessionID=3190&Lang=en"
CMW42 = EXT + "SessionDetails1.aspx@SessionID=3151&Lang=en"


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(DEMO_SITE, root)
    with SiteCopyServer(root) as server:
        yield server


def crawl(settings, site, *names: str) -> dict[str, dict]:
    env = settings_env(settings, **{f"VENTANAS_{k.upper()}": v for k, v in site.source_overrides().items()})
    args = [a for name in names for a in ("--source", name)]
    result = run_cli("crawl", *args, "--json", env=env)
    assert result.returncode in (0, 1, 3), result.stderr
    return {r["spider"]: r for r in json.loads(result.stdout)}


def changes_after(settings, last_id: int) -> list[Change]:
    storage = Storage.open(settings.resolved_database_url)
    try:
        with storage.session() as session:
            return list(session.scalars(select(Change).where(Change.id > last_id).order_by(Change.id)))
    finally:
        storage.dispose()


def last_change_id(settings) -> int:
    changes = changes_after(settings, 0)
    return changes[-1].id if changes else 0


def edit(site, relative: str, old: str, new: str) -> None:
    page = site.root / relative
    text = page.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    page.write_text(text.replace(old, new), encoding="utf-8")


def test_crawl_issues_its_requests_and_an_unchanged_recrawl_changes_nothing(settings, site):
    first = crawl(settings, site, *SPIDERS)
    assert {name: r["health"] for name, r in first.items()} == dict.fromkeys(SPIDERS, "ok")
    assert all(r["inserted"] > 0 and r["requests"] > 0 for r in first.values())
    asked = {(method, path) for method, path, _status in site.requests}
    # the empty CMW grid was posted back; every committee's list, the details, the note and the advisories fetched
    assert ("POST", "/tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionsList.aspx?Treaty=CMW") in asked
    for body in ("CMW", "CEDAW", "CRC", "CCPR", "CESCR", "CAT", "CERD", "CRPD", "CED"):
        assert ("GET", f"/tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionsList.aspx?Treaty={body}") in asked
    assert ("GET", "/tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx?SessionID=3151&Lang=en") in asked
    assert ("GET", "/tbinternet.ohchr.org/_layouts/15/treatybodyexternal/Download.aspx"
                   "?symbolno=INT%2fCMW%2fINF%2f42%2f41234&Lang=en") in asked
    assert ("GET", "/tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/Countries.aspx?CountryCode=MEX&Lang=EN") in asked
    assert ("GET", "/www.ohchr.org/en/media-advisories/2025/07/committee-elimination-racial-discrimination-review-guatemala") in asked
    # the session outside the window (CMW 30th, 2019) and the Council's advisory are never asked for
    assert not [p for _m, p in asked if "SessionID=1248" in p or "human-rights-council" in p]
    assert not [r for r in site.requests if r[2] not in (200, 404)]
    before = last_change_id(settings)
    site.requests.clear()

    second = crawl(settings, site, *SPIDERS)
    for name in SPIDERS:
        assert (second[name]["inserted"], second[name]["updated"], second[name]["vanished"]) == (0, 0, 0), name
        # what the first run inserted or updated (an advisory adds its page to the session's sources)
        assert second[name]["unchanged"] == first[name]["inserted"] + first[name]["updated"]
        assert second[name]["wire_bytes"] < first[name]["wire_bytes"] / 2, name  # 304s, no bodies
    assert [(c.event_key, c.kind, c.diff) for c in changes_after(settings, before)] == []
    assert any(status == 304 for _m, _p, status in site.requests)


def test_session_moved_by_a_week_changes_exactly_its_events(settings, site):
    assert crawl(settings, site, "ohchr_sessions")["ohchr_sessions"]["health"] == "ok"
    before = last_change_id(settings)
    edit(site, CESCR79, "16 Feb 2026 - 06 Mar 2026", "23 Feb 2026 - 13 Mar 2026")
    edit(site, EXT + "SessionsList.aspx@Treaty=CESCR", "<td>16 Feb 2026</td><td>06 Mar 2026</td>",
         "<td>23 Feb 2026</td><td>13 Mar 2026</td>")

    report = crawl(settings, site, "ohchr_sessions")["ohchr_sessions"]
    changes = changes_after(settings, before)
    # the session, its two reviews and the estimate anchored on the session; not the working group
    # (same dates) nor the estimate anchored on the working group
    assert sorted((c.event_key, c.kind) for c in changes) == [
        ("ohchr/CESCR/79", "updated"),
        ("ohchr/CESCR/79/deadline/cso-submission", "updated"),
        ("ohchr/CESCR/79/review/MEX", "updated"),
        ("ohchr/CESCR/79/review/PER", "updated"),
    ]
    assert report["updated"] == 4 and report["inserted"] == 0
    moved = {c.event_key: c.diff for c in changes}
    assert moved["ohchr/CESCR/79"]["start"] == ["2026-02-16", "2026-02-23"]
    assert moved["ohchr/CESCR/79"]["end"] == ["2026-03-06", "2026-03-13"]
    assert moved["ohchr/CESCR/79/deadline/cso-submission"]["start"] == ["2026-01-26", "2026-02-02"]
    assert all(change.sequence == 1 for change in changes)  # a material change: feeds raise SEQUENCE


def test_announced_deadline_supersedes_the_estimate(settings, site):
    original = (site.root / CMW42).read_text(encoding="utf-8")
    # before the note is published: no link to it, so the 42nd session has only estimates
    (site.root / CMW42).write_text(original.replace(
        "https://tbinternet.ohchr.org/_layouts/15/treatybodyexternal/Download.aspx"
        "?symbolno=INT%2fCMW%2fINF%2f42%2f41234&amp;Lang=en", "#"), encoding="utf-8")
    assert crawl(settings, site, "ohchr_sessions")["ohchr_sessions"]["health"] == "ok"
    before = last_change_id(settings)

    (site.root / CMW42).write_text(original, encoding="utf-8")  # the note is published
    crawl(settings, site, "ohchr_sessions")
    changes = {c.event_key: c for c in changes_after(settings, before)}
    assert {key: c.kind for key, c in changes.items()} == {
        "ohchr/CMW/42": "updated",  # its details now list the note
        "ohchr/CMW/42/deadline/cso-submission": "superseded",
        "ohchr/CMW/42/deadline/accreditation": "superseded",
        "ohchr/CMW/42/deadline/nhri-submission": "created",
        "ohchr/CMW/42/deadline/ngo-briefing": "created",
    }
    superseded = changes["ohchr/CMW/42/deadline/cso-submission"].diff
    assert superseded["basis"] == ["derived", "announced"]
    assert superseded["rule"] == ["cmw-written-information-3w", None]
    assert "start" not in superseded  # the practice held: three weeks before, 23 March 2026

    # the estimate that the note does not announce stays an estimate, and nothing flips back on a re-run
    before = last_change_id(settings)
    crawl(settings, site, "ohchr_sessions")
    assert [(c.event_key, c.kind, c.diff) for c in changes_after(settings, before)] == []


def test_spider_yielding_nothing_fails_and_keeps_the_data(settings, site):
    assert crawl(settings, site, "ohchr_sessions")["ohchr_sessions"]["health"] == "ok"
    before = last_change_id(settings)
    for page in (site.root / EXT).glob("SessionsList.aspx@*"):
        page.write_text("<html><body>Service unavailable</body></html>", encoding="utf-8")
    report = crawl(settings, site, "ohchr_sessions")["ohchr_sessions"]
    assert report["health"] == "failed" and report["items"] == 0
    assert changes_after(settings, before) == []
