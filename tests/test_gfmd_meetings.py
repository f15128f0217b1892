"""The GFMD spider on saved pages (offline, frozen clock): meeting pages by structure,
news items through the extraction engine, the listing followed with a bound."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from scrapy import Request
from scrapy.utils.test import get_crawler

from tests.conftest import TODAY, file_response
from ventanas.config import Settings
from ventanas.domain import EventItem, Kind, Role, Status, validate
from ventanas.normalize.bodies import UN_MEMBER_STATES, body_codes
from ventanas.normalize.processes import (
    PRIORITY_BLOCK,
    chairmanship_from_url,
    gfmd_meeting_page,
    summit_blocks,
)
from ventanas.normalize.states import all_states
from ventanas.spiders.gfmd_meetings import MAX_LISTING_PAGES, GfmdMeetingsSpider

LIVE = "https://www.gfmd.org"
COPY = "http://127.0.0.1:9/www.gfmd.org"
ZURICH = ZoneInfo("Europe/Zurich")
PAGES = ["meetings/colombia2025/summit", "meetings/colombia2025/preparatory-meetings"]
NEWS = ["registration-open-15th-gfmd-summit", "thematic-workshop-climate-mobility-postponed",
        "chair-presents-concept-note-2025", "gfmd-annual-report-2024", "colombia-assumes-chairmanship",
        "14th-gfmd-summit-concludes-geneva", "civil-society-mechanism-call-2024"]


def make_spider(base: str = LIVE):
    crawler = get_crawler(GfmdMeetingsSpider, {"VENTANAS": Settings(gfmd_url=base, today=TODAY)})
    return GfmdMeetingsSpider.from_crawler(crawler), crawler.stats


def split(output):
    output = list(output)
    return [o for o in output if isinstance(o, EventItem)], [o for o in output if isinstance(o, Request)]


@pytest.fixture(scope="module")
def page_items():
    spider, _ = make_spider()
    items = []
    with freeze_time(TODAY.isoformat()):
        for path in PAGES:
            items += split(spider.parse_meeting_page(file_response(f"www.gfmd.org/{path}", f"{LIVE}/{path}")))[0]
    return items


@pytest.fixture(scope="module")
def news_items():
    spider, _ = make_spider()
    items = {}
    with freeze_time(TODAY.isoformat()):
        for slug in NEWS:
            response = file_response(f"www.gfmd.org/news/{slug}", f"{LIVE}/news/{slug}")
            items[slug] = split(spider.parse_news(response))[0]
    return items


def by_key(items, key):
    return next(i for i in items if i.key == key)


def test_summit_dates_place_and_host(page_items):
    summit = by_key(page_items, "gfmd/summit/15")
    assert (summit.start, summit.end) == (date(2025, 9, 2), date(2025, 9, 4))
    assert summit.location == "Riohacha, La Guajira, Colombia"
    assert summit.kind == Kind.SUMMIT and summit.priority == 80
    assert summit.source_url == f"{LIVE}/meetings/colombia2025/summit"


def test_summit_concerns_every_un_member_state(page_items):
    summit = by_key(page_items, "gfmd/summit/15")
    roles = {s.code: s.role for s in summit.states}
    assert roles["COL"] == Role.HOST
    assert set(roles) == set(UN_MEMBER_STATES)  # the host once, as host; everyone else concerned
    assert roles["MEX"] == roles["BRA"] == Role.CONCERNED


def home_items():
    spider, stats = make_spider()
    with freeze_time(TODAY.isoformat()):
        items, requests = split(spider.parse_home(file_response("www.gfmd.org/index.html", f"{LIVE}/")))
    return items, requests, stats


def test_home_page_blocks_announce_the_summits():
    items, _, _ = home_items()
    summits = {i.key: i for i in items}
    assert set(summits) == {"gfmd/summit/15", "gfmd/summit/14"}
    # the hero block: title, dates and place on three lines
    coming = summits["gfmd/summit/15"]
    assert (coming.start, coming.end, coming.location) == (date(2025, 9, 2), date(2025, 9, 4),
                                                           "Riohacha, La Guajira, Colombia")
    # a news card: "14th GFMD Summit, 23–25 January 2024, CICG Geneva" on one line
    past = summits["gfmd/summit/14"]
    assert (past.start, past.end, past.location) == (date(2024, 1, 23), date(2024, 1, 25), "CICG Geneva")
    assert past.title == "14th GFMD Summit" and past.priority == PRIORITY_BLOCK
    assert past.source_url == f"{LIVE}/" and len(past.states) == 193


def test_home_page_is_followed_to_its_news_and_meeting_pages():
    _, requests, stats = home_items()
    urls = {r.url for r in requests}
    assert f"{LIVE}/news/14th-gfmd-summit-concludes-geneva" in urls
    assert {f"{LIVE}/meetings/colombia2025/summit", f"{LIVE}/meetings/colombia2025/preparatory-meetings"} <= urls
    assert stats.get_value("ventanas/home_without_summit") is None


def test_listing_teaser_block_announces_a_summit_below_the_home_page():
    spider, _ = make_spider()
    with freeze_time(TODAY.isoformat()):
        items, _ = split(spider.parse_listing(file_response("www.gfmd.org/news-events@page=1",
                                                            f"{LIVE}/news-events?page=1"), page=1))
    [summit] = items
    assert summit.key == "gfmd/summit/14" and summit.location == "CICG Geneva"
    assert summit.priority == PRIORITY_BLOCK - 2  # below the home page's block: one owner, whatever the order


def test_summit_block_of_a_listing_teaser_reads_only_its_own_block():
    from scrapy.http import HtmlResponse

    body = b"""<html><body><main>
      <div class="views-row"><h3>Annual report</h3><p>A year of the Forum, 2024.</p></div>
      <div class="block"><p>The 16th GFMD Summit</p><p>12-14 October 2026</p><p>Venue: to be confirmed</p></div>
      <div class="views-row"><h3>GFMD Summit</h3><p>No number, no summit.</p></div>
    </main></body></html>"""
    response = HtmlResponse(url=f"{LIVE}/", body=body, encoding="utf-8")
    [summit] = summit_blocks(response, f"{LIVE}/", source_name="gfmd_meetings")
    assert (summit.key, summit.start, summit.end) == ("gfmd/summit/16", date(2026, 10, 12), date(2026, 10, 14))
    assert summit.location == "Venue"  # the line after the dates, cut at its colon


@pytest.mark.parametrize("key,kind,start,end", [
    ("gfmd/civil-society-days/15", Kind.CIVIL_SOCIETY_DAYS, date(2025, 9, 2), date(2025, 9, 2)),
    ("gfmd/common-space/15", Kind.SUMMIT, date(2025, 9, 3), date(2025, 9, 3)),
    ("gfmd/government-days/15", Kind.SUMMIT, date(2025, 9, 3), date(2025, 9, 4)),
    ("gfmd/registration/15", Kind.REGISTRATION, date(2025, 8, 15), date(2025, 8, 15)),
], ids=["civil-society-days", "common-space", "government-days", "registration"])
def test_summit_segments_and_registration(page_items, key, kind, start, end):
    item = by_key(page_items, key)
    assert (item.kind, item.start, item.end) == (kind, start, end)
    assert len(item.states) == 193


@pytest.mark.parametrize("key,start,end", [
    ("gfmd/troika/2025-1", datetime(2025, 2, 12, 9, tzinfo=ZURICH), datetime(2025, 2, 12, 10, tzinfo=ZURICH)),
    ("gfmd/steering-group/2025-3", datetime(2025, 8, 18, 14, tzinfo=ZURICH), datetime(2025, 8, 18, 16, tzinfo=ZURICH)),
    ("gfmd/friends-of-the-forum/2025-3", datetime(2025, 8, 18, 16, 30, tzinfo=ZURICH),
     datetime(2025, 8, 18, 18, 30, tzinfo=ZURICH)),
    ("gfmd/thematic-workshop/2025-regular-pathways-labour-mobility", datetime(2025, 7, 8, 10, tzinfo=ZURICH), datetime(2025, 7, 8, 12, 30, tzinfo=ZURICH)),
], ids=["troika-cet", "steering-group-cest", "friends-of-the-forum", "workshop"])
def test_preparatory_meetings_in_geneva_time(page_items, key, start, end):
    item = by_key(page_items, key)
    assert (item.start, item.end, item.timezone) == (start, end, "Europe/Zurich")
    assert item.kind == Kind.PREPARATORY_MEETING


def test_cet_and_cest_are_the_geneva_offsets(page_items):
    # "14:00 CET" in February is 13:00 UTC; "14:00 CEST" in August is 12:00 UTC
    assert by_key(page_items, "gfmd/troika/2025-1").start.utcoffset().total_seconds() == 3600
    assert by_key(page_items, "gfmd/steering-group/2025-3").start.utcoffset().total_seconds() == 7200


def test_preparatory_meetings_under_dated_headings(page_items):
    # "Second GFMD Preparatory Meetings - 3 June 2025", then "Steering Group", "14:00 – 16:00 CEST", the venue
    item = by_key(page_items, "gfmd/steering-group/2025-2")
    assert (item.start, item.end) == (datetime(2025, 6, 3, 14, tzinfo=ZURICH), datetime(2025, 6, 3, 16, tzinfo=ZURICH))
    assert item.location == "Palais des Nations, Geneva" and item.session == "2025-2"
    assert item.title == "GFMD Steering Group meeting 2"
    assert item.evidence.startswith("Second GFMD Preparatory Meetings - 3 June 2025 | Steering Group")
    rounds = sorted(i.key for i in page_items if i.key.startswith(("gfmd/steering-group/", "gfmd/friends-of-the-forum/")))
    assert rounds == ["gfmd/friends-of-the-forum/2025-1", "gfmd/friends-of-the-forum/2025-2",
                      "gfmd/friends-of-the-forum/2025-3", "gfmd/steering-group/2025-1",
                      "gfmd/steering-group/2025-2", "gfmd/steering-group/2025-3"]


def test_a_meeting_line_with_its_own_date_keeps_it(page_items):
    # under "GFMD Thematic Workshops - July 2025": "Thematic workshop: … - 8 July 2025"
    item = by_key(page_items, "gfmd/thematic-workshop/2025-regular-pathways-labour-mobility")
    assert item.location == "Online" and item.start.date() == date(2025, 7, 8)


def test_dated_heading_without_an_ordinal_counts_its_rounds():
    from scrapy.http import HtmlResponse

    body = """<html><body><main><h1>GFMD 2023-2024 preparatory meetings</h1>
      <h3>GFMD Preparatory Meetings - 24 October 2023</h3>
      <p>Steering Group</p><p>10:00–12:00 CEST</p><p>CICG, Geneva</p>
      <h3>GFMD Preparatory Meetings - 5 December 2023</h3>
      <p>Friends of the Forum</p><p>14:00–17:00 CET</p><p>Venue: CICG, Geneva</p>
      <h3>Other news - 1 November 2023</h3><p>Steering Group members met informally.</p>
    </main></body></html>""".encode()
    url = f"{LIVE}/preparatory-meetings"
    response = HtmlResponse(url=url, body=body, encoding="utf-8")
    items = {i.key: i for i in gfmd_meeting_page(response, url, source_name="gfmd_meetings")}
    assert set(items) == {"gfmd/steering-group/2023-1", "gfmd/friends-of-the-forum/2023-2"}  # the title's year
    fof = items["gfmd/friends-of-the-forum/2023-2"]
    assert fof.start == datetime(2023, 12, 5, 14, tzinfo=ZURICH) and fof.location == "CICG, Geneva"
    # summer time in October, winter time in December: both are Geneva time
    assert items["gfmd/steering-group/2023-1"].start.utcoffset().total_seconds() == 7200


def test_preparatory_meetings_concern_the_chair_only(page_items):
    item = by_key(page_items, "gfmd/steering-group/2025-3")
    assert [(s.code, s.role) for s in item.states] == [("COL", Role.HOST)]


def test_postponed_workshop_keeps_its_date_and_says_postponed(page_items):
    item = by_key(page_items, "gfmd/thematic-workshop/2025-climate-change-human-mobility")
    assert item.status == Status.POSTPONED
    assert item.start.date() == date(2025, 7, 24)


def test_summit_in_news_has_the_same_key_as_on_its_page(news_items):
    summit = by_key(news_items["registration-open-15th-gfmd-summit"], "gfmd/summit/15")
    assert (summit.start, summit.end) == (date(2025, 9, 2), date(2025, 9, 4))
    assert summit.priority == 50  # the meeting page (80) owns the fields


def test_registration_deadline_in_news_has_the_same_key_as_on_its_page(news_items, page_items):
    # "Registration closes on 15 August 2025": the news item is about the 15th Summit
    from_news = by_key(news_items["registration-open-15th-gfmd-summit"], "gfmd/registration/15")
    from_page = by_key(page_items, "gfmd/registration/15")
    assert from_news.start == from_page.start == date(2025, 8, 15)
    assert from_news.kind == Kind.REGISTRATION and len(from_news.states) == 193


def test_workshop_news_and_its_table_row_share_a_key(news_items, page_items):
    [item] = news_items["thematic-workshop-climate-mobility-postponed"]
    row = by_key(page_items, item.key)
    assert item.status == row.status == Status.POSTPONED
    assert item.start == row.start


def test_news_recap_of_a_past_summit(news_items):
    summit = by_key(news_items["14th-gfmd-summit-concludes-geneva"], "gfmd/summit/14")
    assert (summit.start, summit.end) == (date(2024, 1, 23), date(2024, 1, 25))


def test_news_that_only_mentions_an_earlier_summit_makes_no_event(news_items):
    # "Building on the outcomes of the 14th GFMD Summit, held in Geneva in January 2024, …"
    assert news_items["chair-presents-concept-note-2025"] == []
    assert news_items["colombia-assumes-chairmanship"] == []  # "later in the year": no date, no event


def test_news_without_meetings_yields_nothing(news_items):
    assert news_items["gfmd-annual-report-2024"] == []
    assert news_items["civil-society-mechanism-call-2024"] == []


def test_listing_follows_news_meeting_pages_and_the_next_page_on_the_copy():
    spider, _ = make_spider(COPY)
    with freeze_time(TODAY.isoformat()):
        _, requests = split(spider.parse_listing(file_response("www.gfmd.org/news-events", f"{COPY}/news-events"),
                                                 page=0))
    urls = [r.url for r in requests]
    assert f"{COPY}/news/registration-open-15th-gfmd-summit" in urls  # root-relative links stay on the copy
    assert f"{COPY}/meetings/colombia2025/summit" in urls
    assert f"{COPY}/news-events?page=1" in urls
    assert all(u.startswith(COPY) for u in urls)


def test_listing_pagination_is_bounded():
    spider, _ = make_spider()
    last = MAX_LISTING_PAGES - 1
    response = file_response("www.gfmd.org/news-events@page=2", f"{LIVE}/news-events?page={last}")
    _, requests = split(spider.parse_listing(response, page=last))
    assert not any("page=" in r.url for r in requests)  # page 2 links to page 3: not followed


def test_old_chairmanships_are_not_followed():
    spider, _ = make_spider()
    page = "meetings/colombia2025/summit"
    response = file_response(f"www.gfmd.org/{page}", f"{LIVE}/{page}")
    response = response.replace(body=response.body.replace(b"/meetings/colombia2025/preparatory",
                                                           b"/meetings/sweden2014/preparatory"))
    _, requests = split(spider.parse_meeting_page(response))
    assert requests and not any("2014" in r.url for r in requests)


def test_maintenance_page_instead_of_listing_is_an_error():
    spider, stats = make_spider()
    items, requests = split(spider.parse_listing(file_response("gfmd/listing_without_items.html",
                                                               f"{LIVE}/news-events"), page=0))
    assert (items, requests) == ([], [])
    assert stats.get_value("ventanas/parse_errors") == 1


def test_meeting_page_without_dates_is_reported_not_guessed():
    spider, stats = make_spider()
    items, _ = split(spider.parse_meeting_page(file_response("gfmd/summit_redesigned.html",
                                                             f"{LIVE}/meetings/colombia2025/summit")))
    assert items == []
    assert stats.get_value("ventanas/meeting_pages_without_meetings") == 1


def test_chairmanship_from_url():
    assert chairmanship_from_url(f"{LIVE}/meetings/colombia2025/summit") == (chairmanship_from_url(
        f"{LIVE}/meetings/colombia2025/preparatory-meetings"))
    chair = chairmanship_from_url(f"{LIVE}/meetings/united-arab-emirates2020/summit")
    assert (chair.state, chair.year) == ("ARE", 2020)
    assert chairmanship_from_url(f"{LIVE}/news/some-story") is None


def test_start_issues_the_listing_request_to_the_configured_site():
    spider, _ = make_spider(COPY)

    async def first():
        return [r async for r in spider.start()]

    assert [r.url for r in asyncio.run(first())] == [f"{COPY}/", f"{COPY}/news-events"]


@pytest.mark.parametrize("index", range(14))
def test_every_item_meets_the_contract(page_items, index):
    assert len(page_items) == 14
    item = page_items[index]
    validate(item, known_bodies=body_codes(), known_states=set(all_states()))
    assert item.body == "GFMD" and item.source_name == "gfmd_meetings"
    assert item.key.startswith("gfmd/") and not re.search(r"\d{4}-\d{2}", item.key)  # an edition, never a date
    assert item.states and item.evidence
    if not item.all_day:
        assert item.timezone == "Europe/Zurich" and item.start.tzinfo is not None
