"""Dialogue slots from OHCHR media advisories and UN Geneva meeting summaries (offline pages)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import file_response
from ventanas.config import Settings
from ventanas.domain import Kind, Role, validate
from ventanas.normalize.bodies import body_codes
from ventanas.normalize.states import all_states
from ventanas.spiders.ohchr_media_advisories import OhchrMediaAdvisoriesSpider

GENEVA = ZoneInfo("Europe/Zurich")
CMW36 = "en/media-advisories/2023/03/un-committee-migrant-workers-review-morocco-nigeria-philippines-and-el-salvador"
CERD116 = "en/media-advisories/2025/07/committee-elimination-racial-discrimination-review-guatemala"
SUMMARY = "en/news-media/meeting-summary/2023/03/committee-migrant-workers-opens-thirty-sixth-session"


def page_items(host: str, path: str, priority: int = 60):
    response = file_response(f"{host}/{path}", f"https://{host}/{path}")
    return {item.key: item for item in OhchrMediaAdvisoriesSpider().parse_page(response, priority=priority)}


@pytest.fixture(scope="module")
def cmw36():
    return page_items("www.ohchr.org", CMW36)


def test_start_reads_both_listings():
    spider = OhchrMediaAdvisoriesSpider(ventanas_settings=Settings(
        ohchr_www_url="http://127.0.0.1:9/www.ohchr.org", ungeneva_url="http://127.0.0.1:9/www.ungeneva.org"))

    async def first():
        return [r async for r in spider.start()]

    assert [r.url for r in asyncio.run(first())] == [
        "http://127.0.0.1:9/www.ohchr.org/en/media-advisories?page=0",
        "http://127.0.0.1:9/www.ungeneva.org/en/news-media/meeting-summaries",
    ]


def test_listing_follows_committee_advisories_only():
    response = file_response("www.ohchr.org/en/media-advisories@page=0", "https://www.ohchr.org/en/media-advisories?page=0")
    requests = list(OhchrMediaAdvisoriesSpider().parse_listing(response, source="ohchr_www"))
    assert [r.url for r in requests] == [f"https://www.ohchr.org/{CERD116}", f"https://www.ohchr.org/{CMW36}"]
    assert {r.cb_kwargs["priority"] for r in requests} == {60}


def test_listing_links_are_fetched_from_the_configured_copy():
    # root-relative links ("/en/...") name the live host; a copy served under a path prefix must get them
    spider = OhchrMediaAdvisoriesSpider(ventanas_settings=Settings(ungeneva_url="http://127.0.0.1:9/www.ungeneva.org"))
    response = file_response("www.ungeneva.org/en/news-media/meeting-summaries",
                             "http://127.0.0.1:9/www.ungeneva.org/en/news-media/meeting-summaries")
    requests = list(spider.parse_listing(response, source="ungeneva"))
    assert [r.url for r in requests] == [f"http://127.0.0.1:9/www.ungeneva.org/{SUMMARY}"]
    assert requests[0].cb_kwargs["priority"] == 55


def test_every_slot_of_every_state(cmw36):
    slots = sorted(key.split("/dialogue/")[1] for key in cmw36 if "/dialogue/" in key)
    assert slots == ["MAR/1", "MAR/2", "NGA/1", "NGA/2", "PHL/1", "PHL/2", "SLV/1", "SLV/2", "SLV/3"]


def test_slot_times_are_geneva_times(cmw36):
    slot = cmw36["ohchr/CMW/36/dialogue/SLV/3"]
    assert slot.kind == Kind.DIALOGUE and slot.timezone == "Europe/Zurich"
    assert slot.start == datetime(2023, 4, 3, 15, 0, tzinfo=GENEVA)
    assert slot.end == datetime(2023, 4, 3, 17, 0, tzinfo=GENEVA)
    assert [(s.code, s.role) for s in slot.states] == [("SLV", Role.REVIEWED)]
    assert slot.session == "36" and slot.body == "CMW"


def test_the_session_page_owns_the_session_and_reviews(cmw36):
    # The advisory gives the slots (at its page's priority) and the session and its reviews one step
    # below the sessions spider's, which owns their fields: the advisory adds its page to their sources
    # and a review the session page lacks, and a re-crawl of both changes nothing (test_ohchr_crawl).
    from ventanas.spiders.ohchr_sessions import OhchrSessionsSpider

    kinds = {item.kind for item in cmw36.values()}
    assert kinds == {Kind.DIALOGUE, Kind.SESSION, Kind.REVIEW}
    assert all(i.priority < OhchrSessionsSpider.priority for i in cmw36.values() if i.kind != Kind.DIALOGUE)
    assert {i.priority for i in cmw36.values() if i.kind == Kind.DIALOGUE} == {60}


def test_an_advisory_as_live_ones_are_written_names_no_session():
    # "its upcoming session from 4 to 22 August", the State on its own line, its slots below: the page
    # gives no number, so the items say so; storage places them on the stored session (test_sessions_placement)
    items = page_items("www.ohchr.org", CERD116)
    assert sorted(items) == ["ohchr/CERD/unnumbered", "ohchr/CERD/unnumbered/dialogue/GTM/1",
                             "ohchr/CERD/unnumbered/dialogue/GTM/2", "ohchr/CERD/unnumbered/review/GTM"]
    assert (items["ohchr/CERD/unnumbered"].start, items["ohchr/CERD/unnumbered"].end) == (date(2025, 8, 4),
                                                                                          date(2025, 8, 22))
    assert items["ohchr/CERD/unnumbered/dialogue/GTM/2"].start == datetime(2025, 8, 7, 10, 0, tzinfo=GENEVA)
    assert {item.session for item in items.values()} == {None}


def test_meeting_summary_gives_the_next_public_meeting():
    items = page_items("www.ungeneva.org", SUMMARY, priority=55)
    first = items["ohchr/CMW/36/dialogue/MAR/1"]
    assert first.start == datetime(2023, 3, 28, 10, 0, tzinfo=GENEVA)
    assert first.priority == 55  # below the advisory, which knows when the meeting ends


@pytest.mark.parametrize("path", [CMW36, CERD116])
def test_items_meet_the_contract(path):
    for item in page_items("www.ohchr.org", path).values():
        validate(item, known_bodies=body_codes(), known_states=set(all_states()))
        assert item.source_url == f"https://www.ohchr.org/{path}"
        assert item.all_day == (item.kind != Kind.DIALOGUE)
