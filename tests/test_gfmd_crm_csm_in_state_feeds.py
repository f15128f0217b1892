"""Through the real CLI on a loopback copy of the snapshot site: the process meetings land
in the feeds of their States (Mexico: CRM and GFMD, not CSM; Brazil: CSM and GFMD), and a
second crawl changes nothing."""

from __future__ import annotations

import json
import shutil
from datetime import date

import icalendar
import pytest

from tests.conftest import DEMO_SITE, run_cli, settings_env
from ventanas.demo import DEMO_FEEDS
from ventanas.sitecopy import SiteCopyServer

SPIDERS = ("gfmd_meetings", "crm_news", "csm_news", "rss_feeds")


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(DEMO_SITE, root)
    with SiteCopyServer(root) as server:
        yield server


def env_for(settings, site):
    overrides = {f"VENTANAS_{k.upper()}": v for k, v in site.source_overrides().items()}
    overrides["VENTANAS_FEEDS"] = ",".join(f"{site.url}/{path}" for path in DEMO_FEEDS)
    return settings_env(settings, **overrides)


def crawl(env):
    args = ["crawl", "--json"] + [a for name in SPIDERS for a in ("--source", name)]
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    return {r["spider"]: r for r in json.loads(result.stdout)}


def feed_events(settings, state: str) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical((settings.public_dir / "feeds" / "states" / f"{state}.ics").read_bytes())
    return {str(e["UID"]).removesuffix("@ventanas"): e for e in calendar.walk("VEVENT")}


def bodies(events: dict[str, icalendar.Event]) -> set[str]:
    return {uid.split("/")[0] for uid in events if not uid.startswith(("news/", "ohchr/"))}


def test_process_meetings_reach_their_states_and_a_rerun_changes_nothing(settings, site):
    env = env_for(settings, site)
    first = crawl(env)
    assert {name: r["health"] for name, r in first.items()} == dict.fromkeys(SPIDERS, "ok")
    assert run_cli("publish", env=env).returncode == 0

    mexico, brazil = feed_events(settings, "MEX"), feed_events(settings, "BRA")
    assert bodies(mexico) == {"crm", "gfmd"}
    assert bodies(brazil) >= {"csm", "gfmd"}

    vice = mexico["crm/viceministerial/30"]
    assert (vice.decoded("DTSTART"), vice.decoded("DTEND")) == (date(2025, 12, 4), date(2025, 12, 6))  # exclusive end
    assert "Panamá" in str(vice["LOCATION"])
    summit = brazil["gfmd/summit/15"]
    assert (summit.decoded("DTSTART"), summit.decoded("DTEND")) == (date(2025, 9, 2), date(2025, 9, 5))
    assert str(summit["URL"]) == "https://www.gfmd.org/meetings/colombia2025/summit"
    conference = brazil["csm/conference/23"]
    assert (conference.decoded("DTSTART"), conference.decoded("DTEND")) == (date(2025, 11, 18), date(2025, 11, 20))
    assert "crm/viceministerial/26" in mexico  # the real past meeting, hosted by Mexico
    assert all("127.0.0.1" not in str(e.get("URL", "")) for e in [*mexico.values(), *brazil.values()])

    second = crawl(env)
    assert {name: (r["inserted"], r["updated"]) for name, r in second.items()} == dict.fromkeys(SPIDERS, (0, 0))


def test_broken_listing_fails_the_source_and_keeps_its_meetings(settings, site):
    env = env_for(settings, site)
    first = run_cli("crawl", "--source", "csm_news", "--json", env=env)
    assert json.loads(first.stdout)[0]["inserted"] == 3
    listing = site.root / "csmigraciones.org/es/noticias@page=0"
    listing.write_text("<html><body><h1>Sitio en mantenimiento</h1></body></html>")
    broken = run_cli("crawl", "--source", "csm_news", "--json", env=env)
    assert broken.returncode == 3  # below the spider's min_items: failed, like the OHCHR sources
    report = json.loads(broken.stdout)[0]
    assert (report["health"], report["items"]) == ("failed", 0)
    status = json.loads(run_cli("status", "--json", env=env).stdout)
    assert status["counts"]["events"] == 3  # nothing vanished or cancelled on a failed run
