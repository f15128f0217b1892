"""The RSS/Atom reader on saved feeds (offline, frozen clock): events through the engine,
news links for the rest, bozo feeds counted, feedparser never fetching by itself."""

from __future__ import annotations

import asyncio
from datetime import date

import feedparser
import pytest
from freezegun import freeze_time
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from tests.conftest import DEMO_SITE, FILES, TODAY
from ventanas.config import Settings
from ventanas.domain import Kind, Role, Status, validate
from ventanas.normalize.bodies import body_codes
from ventanas.normalize.states import all_states
from ventanas.spiders.rss_feeds import RssFeedsSpider

GFMD_FEED = "https://www.gfmd.org/rss.xml"
CRM_FEED = "https://crmsv.org/feed/"
CSM_FEED = "https://csmigraciones.org/es/feed.atom"
DEMO_FEEDS = {
    GFMD_FEED: DEMO_SITE / "www.gfmd.org/rss.xml",
    CRM_FEED: DEMO_SITE / "crmsv.org/feed/index.html",
    CSM_FEED: DEMO_SITE / "csmigraciones.org/es/feed.atom",
}


def feed_response(path, url: str, content_type: bytes = b"application/rss+xml") -> TextResponse:
    return TextResponse(url=url, request=Request(url), body=path.read_bytes(), headers={"Content-Type": content_type})


def make_spider(*feeds: str):
    crawler = get_crawler(RssFeedsSpider, {"VENTANAS": Settings(feeds=feeds, today=TODAY)})
    return RssFeedsSpider.from_crawler(crawler), crawler.stats


def parse(path, url: str, content_type: bytes = b"application/rss+xml"):
    spider, stats = make_spider(url)
    with freeze_time(TODAY.isoformat()):
        items = list(spider.parse(feed_response(path, url, content_type)))
    return items, stats.get_stats()


@pytest.fixture(scope="module")
def demo_items():
    items = []
    for url, path in DEMO_FEEDS.items():
        items += parse(path, url)[0]
    return items


def by_key(items, key):
    return next(i for i in items if i.key == key)


def test_summit_announced_in_a_feed_is_the_summit_event(demo_items):
    summit = by_key(demo_items, "gfmd/summit/15")
    assert (summit.start, summit.end) == (date(2025, 9, 2), date(2025, 9, 4))
    assert summit.kind == Kind.SUMMIT and summit.priority == 20
    assert summit.source_url == "https://www.gfmd.org/news/registration-open-15th-gfmd-summit"
    assert {"COL", "MEX", "BRA"} <= {s.code for s in summit.states}


def test_crm_and_csm_meetings_from_rss_and_atom(demo_items):
    vice = by_key(demo_items, "crm/viceministerial/30")
    assert (vice.start, vice.end) == (date(2025, 12, 4), date(2025, 12, 5))
    assert {s.code for s in vice.states if s.role == Role.MEMBER} >= {"MEX", "USA", "CAN"}
    conference = by_key(demo_items, "csm/conference/23")
    assert (conference.start, conference.end) == (date(2025, 11, 18), date(2025, 11, 19))
    assert "MEX" not in {s.code for s in conference.states}


def test_entry_without_dated_event_is_kept_as_a_news_link(demo_items):
    news = by_key(demo_items, "news/gfmd.org/news-gfmd-annual-report-2024")
    assert news.kind == Kind.NEWS and news.body == "GFMD"
    assert news.start == news.end == date(2025, 4, 10)  # the publication date
    assert news.source_url == "https://www.gfmd.org/news/gfmd-annual-report-2024"
    assert news.details["feed"] == GFMD_FEED


def test_one_news_link_per_undated_entry(demo_items):
    # every feed has entries without a meeting date; none is dropped
    keys = {i.key for i in demo_items if i.kind == Kind.NEWS}
    assert keys == {
        "news/gfmd.org/news-call-for-side-events-15th-summit",
        "news/gfmd.org/news-gfmd-annual-report-2024",
        "news/crmsv.org/noticias-boletin-informativo-julio-2025",
        "news/csmigraciones.org/es-noticias-nuevo-sitio-web",
    }


def test_feed_items_about_a_workshop_and_a_registration_deadline_are_events(demo_items):
    workshop = by_key(demo_items, "gfmd/thematic-workshop/2025-climate-change-human-mobility")
    assert (workshop.status, workshop.start.date()) == (Status.POSTPONED, date(2025, 7, 24))
    registration = by_key(demo_items, "gfmd/registration/15")
    assert (registration.kind, registration.start) == (Kind.REGISTRATION, date(2025, 8, 15))


def test_news_links_do_not_fill_every_member_calendar(demo_items):
    bulletin = by_key(demo_items, "news/crmsv.org/noticias-boletin-informativo-julio-2025")
    assert bulletin.states == ()


def test_bozo_feed_is_read_and_counted():
    items, stats = parse(FILES / "rss/bozo.xml", GFMD_FEED)
    assert stats["ventanas/feed_bozo"] == 1
    assert "ventanas/parse_errors" not in stats  # the loose parser still read both entries
    assert {i.key for i in items} == {"gfmd/summit/15", "news/gfmd.org/news-reading-list"}


def test_a_page_that_is_no_feed_is_a_parse_error():
    items, stats = parse(FILES / "rss/not_a_feed.html", GFMD_FEED, b"text/html")
    assert items == []
    assert stats["ventanas/parse_errors"] == 1


def test_entry_without_any_date_is_counted_not_stored():
    items, stats = parse(FILES / "rss/undated_entry.xml", CSM_FEED, b"application/atom+xml")
    assert items == []
    assert stats["ventanas/feed_entries_undated"] == 1


def test_feed_of_another_site_finds_the_body_in_the_text():
    items, stats = parse(FILES / "rss/other_site.xml", "https://www.gob.pa/comunicados/feed")
    assert [i.key for i in items] == ["crm/viceministerial/30"]
    assert next(s for s in items[0].states if s.role == Role.HOST).code == "PAN"
    assert stats["ventanas/feed_entries_without_body"] == 1


def test_feedparser_never_fetches(monkeypatch):
    # A body that is itself a URL must be parsed as text, never opened.
    def no_network(*args, **kwargs):
        raise AssertionError("feedparser tried to fetch")

    monkeypatch.setattr(feedparser.api.http, "get", no_network)
    spider, stats = make_spider(GFMD_FEED)
    response = TextResponse(url=GFMD_FEED, request=Request(GFMD_FEED), body=b"http://127.0.0.1:9/feed.xml")
    assert list(spider.parse(response)) == []
    assert stats.get_value("ventanas/parse_errors") == 1


def test_start_issues_one_request_per_configured_feed():
    spider, _ = make_spider(GFMD_FEED, "https://www.gob.pa/comunicados/feed")

    async def requests():
        return [r async for r in spider.start()]

    assert [r.url for r in asyncio.run(requests())] == [GFMD_FEED, "https://www.gob.pa/comunicados/feed"]
    assert "www.gob.pa" in spider.allowed_domains  # a configured feed is on-site by definition
    assert spider.min_items == 2


def test_no_feeds_configured_expects_nothing():
    spider, _ = make_spider()

    async def requests():
        return [r async for r in spider.start()]

    assert asyncio.run(requests()) == []
    assert spider.min_items == 0  # an empty list is a choice, not a broken source


@pytest.mark.parametrize("index", range(9))
def test_every_item_meets_the_contract(demo_items, index):
    assert len(demo_items) == 9
    item = demo_items[index]
    validate(item, known_bodies=body_codes(), known_states=set(all_states()))
    assert item.priority == 20 and item.source_name == "rss_feeds"
    assert item.source_url.startswith("https://") and "127.0.0.1" not in item.source_url
    assert item.status in (Status.CONFIRMED, Status.POSTPONED)
    if item.kind == Kind.NEWS:
        assert item.all_day and item.start == item.end
