"""`crawl --record DIR` saves pages as the site copy serves them; a recorded page replays as a test.

Every file under tests/files/recorded/ (copied there from a recording, as it is) and
every page of the demo site goes through the callback that reads its kind of page.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import DEMO_SITE, FILES, TODAY, run_cli, settings_env
from ventanas.sitecopy import SiteCopyServer
from ventanas.spiders.replay import replay, route_for, url_of

RECORDED = FILES / "recorded"


def pages(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and route_for(url_of(p.relative_to(root))[1]))


@pytest.mark.parametrize("page", pages(RECORDED), ids=lambda p: p.relative_to(RECORDED).as_posix())
def test_recorded_page_replays_cleanly(page):
    result = replay(page, RECORDED, today=TODAY)
    assert result.items or result.requests, f"{result.spider}.{result.callback} yielded nothing"
    assert result.errors == 0, {k: v for k, v in result.stats.items() if k.startswith("ventanas/")}


@pytest.mark.parametrize("page", pages(DEMO_SITE), ids=lambda p: p.relative_to(DEMO_SITE).as_posix())
def test_every_demo_page_replays_cleanly(page):
    result = replay(page, DEMO_SITE, today=TODAY)
    errors = {k: v for k, v in result.stats.items() if k.startswith("ventanas/")}
    assert result.errors == 0, errors
    if not result.items and not result.requests:  # news with no meeting in it: the demo has some, on purpose
        assert result.callback in ("parse_news", "parse_post"), errors


def test_url_of_a_recorded_file():
    assert url_of(Path("tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionsList.aspx@Treaty=CMW.post")) == (
        "POST", "https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionsList.aspx?Treaty=CMW")
    assert url_of(Path("www.gfmd.org/index.html")) == ("GET", "https://www.gfmd.org/")
    assert url_of(Path("tbinternet.ohchr.org/Treaties/CCPR/Shared Documents/1_Global/x.pdf"))[1] == (
        "https://tbinternet.ohchr.org/Treaties/CCPR/Shared%20Documents/1_Global/x.pdf")


def test_a_recording_of_the_demo_crawl_is_the_demo_site(settings, tmp_path):
    """Recorded under the live URLs (not the loopback copy's), a postback beside its page as .post:
    the recording of a crawl of the copy is the copy, byte for byte."""
    root = tmp_path / "site"
    shutil.copytree(DEMO_SITE, root)
    recorded = tmp_path / "recorded"
    with SiteCopyServer(root) as site:
        env = settings_env(settings, **{f"VENTANAS_{k.upper()}": v for k, v in site.source_overrides().items()})
        result = run_cli("crawl", "--source", "ohchr_sessions", "--source", "gfmd_meetings", "--record",
                         str(recorded), "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert {r["health"] for r in json.loads(result.stdout)} == {"ok"}
    files = sorted(p.relative_to(recorded).as_posix() for p in recorded.rglob("*") if p.is_file())
    assert "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionsList.aspx@Treaty=CMW.post" in files
    assert "www.gfmd.org/index.html" in files
    assert not [f for f in files if f.startswith("127.0.0.1")]
    for name in files:
        assert (recorded / name).read_bytes() == (DEMO_SITE / name).read_bytes(), name
    # and each recorded page replays as a fixture would
    for page in pages(recorded):
        assert replay(page, recorded, today=TODAY).errors == 0, page
