"""One meeting announced by a meeting page, a news item and a feed item is one event,
through real storage (SQLite, or PostgreSQL with VENTANAS_TEST_BACKEND=postgresql)."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from scrapy.http import Request, TextResponse
from sqlalchemy import select

from tests.conftest import DEMO_SITE, TODAY, file_response
from ventanas.clock import utcnow
from ventanas.config import Settings
from ventanas.domain import EventItem
from ventanas.spiders.crm_news import CrmNewsSpider
from ventanas.spiders.gfmd_meetings import GfmdMeetingsSpider
from ventanas.spiders.rss_feeds import RssFeedsSpider
from ventanas.storage.models import Event

SUMMIT_PAGE = "https://www.gfmd.org/meetings/colombia2025/summit"
SUMMIT_NEWS = "https://www.gfmd.org/news/registration-open-15th-gfmd-summit"
GFMD_FEED = "https://www.gfmd.org/rss.xml"


def events(output) -> list[EventItem]:
    return [o for o in output if isinstance(o, EventItem)]


@pytest.fixture
def gfmd_items() -> list[EventItem]:
    spider = GfmdMeetingsSpider(ventanas_settings=Settings(today=TODAY))
    page = events(spider.parse_meeting_page(file_response("www.gfmd.org/meetings/colombia2025/summit", SUMMIT_PAGE)))
    news = events(spider.parse_news(file_response("www.gfmd.org/news/registration-open-15th-gfmd-summit",
                                                  SUMMIT_NEWS)))
    return news + page  # the news item first: the page must still win


@pytest.fixture
def feed_items() -> list[EventItem]:
    spider = RssFeedsSpider(ventanas_settings=Settings(feeds=(GFMD_FEED,), today=TODAY))
    body = (DEMO_SITE / "www.gfmd.org/rss.xml").read_bytes()
    return list(spider.parse(TextResponse(url=GFMD_FEED, request=Request(GFMD_FEED), body=body)))


def crawl(storage, spider: str, items: list[EventItem]):
    return storage.record_crawl(spider=spider, items=copy.deepcopy(items), stats={"finish_reason": "finished"},
                                min_items=1, today=TODAY, started_at=utcnow())


def stored(storage, key: str) -> Event:
    with storage.session() as session:
        return session.scalar(select(Event).where(Event.key == key))


def test_page_news_and_feed_give_one_summit_with_every_source(storage, gfmd_items, feed_items):
    assert sum(i.key == "gfmd/summit/15" for i in gfmd_items + feed_items) == 3
    crawl(storage, "gfmd_meetings", gfmd_items)
    crawl(storage, "rss_feeds", feed_items)
    with storage.session() as session:
        rows = list(session.scalars(select(Event).where(Event.key == "gfmd/summit/15")))
        assert len(rows) == 1
        summit = rows[0]
        assert {s.source_name: s.source_url for s in summit.sources} == {
            "gfmd_meetings": SUMMIT_PAGE, "rss_feeds": SUMMIT_NEWS}
        assert (summit.source_url, summit.priority) == (SUMMIT_PAGE, 80)  # the meeting page owns the fields
        assert (summit.start_date, summit.end_date) == (date(2025, 9, 2), date(2025, 9, 4))
        assert summit.location == "Riohacha, La Guajira, Colombia"


def test_meeting_page_takes_over_an_event_a_feed_stored_first(storage, gfmd_items, feed_items):
    crawl(storage, "rss_feeds", feed_items)
    assert stored(storage, "gfmd/summit/15").source_name == "rss_feeds"
    report = crawl(storage, "gfmd_meetings", gfmd_items)
    assert report.updated == 1  # the summit: the page's fields replace the feed's
    summit = stored(storage, "gfmd/summit/15")
    assert (summit.source_name, summit.source_url, summit.location) == (
        "gfmd_meetings", SUMMIT_PAGE, "Riohacha, La Guajira, Colombia")
    again = [crawl(storage, "rss_feeds", feed_items), crawl(storage, "gfmd_meetings", gfmd_items)]
    assert [(r.inserted, r.updated) for r in again] == [(0, 0), (0, 0)]  # re-running changes nothing


def test_a_feed_cannot_move_a_meeting_its_page_dates(storage, gfmd_items, feed_items):
    crawl(storage, "gfmd_meetings", gfmd_items)
    moved = copy.deepcopy(feed_items)
    summit = next(i for i in moved if i.key == "gfmd/summit/15")
    summit.start, summit.end = date(2025, 10, 1), date(2025, 10, 3)
    report = crawl(storage, "rss_feeds", moved)
    assert report.updated == 0
    row = stored(storage, "gfmd/summit/15")
    assert (row.start_date, row.end_date) == (date(2025, 9, 2), date(2025, 9, 4))
    assert {s.source_name for s in row.sources} == {"gfmd_meetings", "rss_feeds"}


def test_same_meeting_in_two_news_posts_is_one_event(storage):
    spider = CrmNewsSpider(ventanas_settings=Settings(today=TODAY))
    items = []
    for slug in ("crm-aprueba-calendario-2025-2026", "panama-convoca-xxx-reunion-viceministerial",
                 "concluye-xxvi-reunion-viceministerial"):
        items += events(spider.parse_post(file_response(f"crmsv.org/noticias/{slug}/index.html",
                                                        f"https://crmsv.org/noticias/{slug}/")))
    assert sum(i.key == "crm/viceministerial/30" for i in items) == 2
    report = crawl(storage, "crm_news", items)
    assert report.inserted == 3  # XXX Viceministerial, mid-term GRCM, XXVI Viceministerial
    assert stored(storage, "crm/viceministerial/30") is not None
    assert stored(storage, "crm/viceministerial/25") is None  # only mentioned: "como se acordó en la XXV …"
