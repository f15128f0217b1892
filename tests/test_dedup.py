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
from ventanas.normalize.processes import NewestAnnouncement
from ventanas.spiders.crm_news import CrmNewsSpider
from ventanas.spiders.gfmd_meetings import GfmdMeetingsSpider
from ventanas.spiders.rss_feeds import RssFeedsSpider
from ventanas.storage.models import Change, Event

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
        assert {(s.source_name, s.source_url) for s in summit.sources} == {
            ("gfmd_meetings", SUMMIT_PAGE), ("gfmd_meetings", SUMMIT_NEWS), ("rss_feeds", SUMMIT_NEWS)}
        assert (summit.source_url, summit.priority) == (SUMMIT_PAGE, 80)  # the meeting page owns the fields
        assert (summit.start_date, summit.end_date) == (date(2025, 9, 2), date(2025, 9, 4))
        assert summit.location == "Riohacha, La Guajira, Colombia"


def test_meeting_page_takes_over_an_event_a_feed_stored_first(storage, gfmd_items, feed_items):
    crawl(storage, "rss_feeds", feed_items)
    assert stored(storage, "gfmd/summit/15").source_name == "rss_feeds"
    report = crawl(storage, "gfmd_meetings", gfmd_items)
    assert report.updated == 2  # the summit and its registration deadline: the page's fields replace the feed's
    assert stored(storage, "gfmd/registration/15").source_name == "gfmd_meetings"
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


def test_a_workshop_in_a_feed_and_on_its_meeting_page_is_one_event(storage, feed_items):
    # the feed says "thematic workshop on climate change and human mobility", the page's row
    # "Thematic workshop: Climate change and human mobility": one subject, one key
    key = "gfmd/thematic-workshop/2025-climate-change-human-mobility"
    assert [i.key for i in feed_items].count(key) == 1
    spider = GfmdMeetingsSpider(ventanas_settings=Settings(today=TODAY))
    url = "https://www.gfmd.org/meetings/colombia2025/preparatory-meetings"
    page = events(spider.parse_meeting_page(file_response("www.gfmd.org/meetings/colombia2025/preparatory-meetings",
                                                          url)))
    crawl(storage, "rss_feeds", feed_items)
    crawl(storage, "gfmd_meetings", page)
    with storage.session() as session:
        [row] = session.scalars(select(Event).where(Event.key == key))
        assert {s.source_name for s in row.sources} == {"rss_feeds", "gfmd_meetings"}
        assert (row.source_url, row.status) == (url, "postponed")


CRM_POSTS = ("panama-convoca-xxx-reunion-viceministerial", "crm-aprueba-calendario-2025-2026",
             "concluye-xxvi-reunion-viceministerial")


def crm_run(order) -> list[EventItem]:
    spider = CrmNewsSpider(ventanas_settings=Settings(today=TODAY))
    items = []
    for slug in order:
        items += events(spider.parse_post(file_response(f"crmsv.org/noticias/{slug}/index.html",
                                                        f"https://crmsv.org/noticias/{slug}/")))
    return items


def test_same_meeting_in_two_news_posts_is_one_event_whatever_the_order(storage):
    first = crawl(storage, "crm_news", crm_run(CRM_POSTS))
    assert first.inserted == 3  # XXX Viceministerial, mid-term GRCM, XXVI Viceministerial
    assert first.merged == first.items - 3 > 0  # the XXX is announced twice: the counts add up to the items
    assert f"{first.merged} merged into another item's event" in first.counts_line()
    assert first.as_dict()["merged"] == first.merged
    vice = stored(storage, "crm/viceministerial/30")
    assert vice.source_url == "https://crmsv.org/noticias/crm-aprueba-calendario-2025-2026/"  # the newest post
    assert stored(storage, "crm/viceministerial/25") is None  # only mentioned: "como se acordó en la XXV …"
    again = crawl(storage, "crm_news", crm_run(CRM_POSTS[::-1]))  # responses may arrive in any order
    assert (again.inserted, again.updated) == (0, 0)


def test_every_post_that_announces_a_meeting_is_kept_as_its_source(storage):
    crawl(storage, "crm_news", crm_run(CRM_POSTS))
    posts = {f"https://crmsv.org/noticias/{slug}/" for slug in CRM_POSTS[:2]}  # both announce the XXX
    assert {s.source_url for s in stored(storage, "crm/viceministerial/30").sources} == posts
    crawl(storage, "crm_news", crm_run(CRM_POSTS[1:]))  # the older post scrolled off the listing
    vice = stored(storage, "crm/viceministerial/30")
    assert {s.source_url for s in vice.sources} == posts  # where it was announced stays known
    assert {s.missed_runs for s in vice.sources} == {0}


def test_a_new_page_announcing_a_meeting_is_a_change_that_feeds_show(storage):
    from ventanas.calendar.events import load_events
    from ventanas.calendar.feeds import description_of

    crawl(storage, "crm_news", crm_run(CRM_POSTS[1:]))
    before = stored(storage, "crm/viceministerial/30").last_changed
    report = crawl(storage, "crm_news", crm_run(CRM_POSTS))  # the older post is read for the first time
    assert (report.inserted, report.updated) == (0, 1)
    posts = sorted(f"https://crmsv.org/noticias/{slug}/" for slug in CRM_POSTS[:2])
    with storage.session() as session:
        change = session.scalars(select(Change).order_by(Change.id.desc())).first()
        assert (change.event_key, change.kind, change.diff) == (
            "crm/viceministerial/30", "updated", {"sources": [posts[:1], posts]})
        assert change.sequence == 0  # not material: calendars need not re-alert
        (view,) = [v for v in load_events(session) if v.key == "crm/viceministerial/30"]
    assert view.last_changed >= before and view.sources == tuple(posts)
    assert view.fingerprint().endswith("|2")  # the stored renderings of it are stale, even within one second
    newest, older = posts  # "crm-aprueba-calendario…" (the newest post, the source), "panama-convoca…"
    assert view.source_url == newest and f"Also announced at: {older}" in description_of(view)
    again = crawl(storage, "crm_news", crm_run(CRM_POSTS))
    assert (again.inserted, again.updated) == (0, 0)


def test_an_event_listed_at_two_urls_vanishes_once(storage):
    crawl(storage, "crm_news", crm_run(CRM_POSTS))
    others = [i for i in crm_run(CRM_POSTS) if i.key != "crm/viceministerial/30"]
    reports = [crawl(storage, "crm_news", others) for _ in range(2)]
    assert [r.vanished for r in reports] == [0, 1]
    with storage.session() as session:
        kinds = session.scalars(select(Change.kind).where(Change.event_key == "crm/viceministerial/30"))
        assert sorted(kinds) == ["created", "vanished"]
    assert stored(storage, "crm/viceministerial/30").sequence == 1


def announcement(url: str) -> EventItem:
    return EventItem(key="crm/viceministerial/30", body="CRM", kind="vice_ministerial", title="XXX",
                     start=date(2025, 12, 4), source_url=url, source_name="crm_news")


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0), (0, 2, 1)], ids=lambda o: "-".join(map(str, o)))
def test_newest_announcement_wins_in_any_order(order):
    posts = [(date(2025, 7, 1), "https://crmsv.org/a/"), (date(2025, 7, 10), "https://crmsv.org/b/"),
             (date(2025, 7, 10), "https://crmsv.org/c/")]  # the same day: the URL settles it
    newest = NewestAnnouncement(50)
    kept = []
    for i in order:
        item = announcement(posts[i][1])
        if newest.keep(item, posts[i][0]):
            kept.append(item)
    winner = max(kept, key=lambda item: item.priority)
    assert winner.source_url == "https://crmsv.org/c/"
    assert len({item.priority for item in kept}) == len(kept)  # never a tie among what was kept


def test_newest_announcement_stays_in_its_band():
    newest = NewestAnnouncement(20)
    priorities = []
    for day in range(1, 30):
        item = announcement(f"https://crmsv.org/{day:02d}/")
        assert newest.keep(item, date(2025, 7, day))
        priorities.append(item.priority)
    assert priorities[0] == 20 and max(priorities) == 20 + NewestAnnouncement.BAND


def test_pages_link_every_page_that_announced_a_meeting(storage, settings):
    from ventanas.calendar.publisher import publish

    crawl(storage, "crm_news", crm_run(CRM_POSTS))
    publish(storage, settings)
    older = "https://crmsv.org/noticias/panama-convoca-xxx-reunion-viceministerial/"
    body_page = (settings.public_dir / "es" / "bodies" / "CRM.html").read_text(encoding="utf-8")
    assert f'href="{older}" rel="noopener" title="También anunciado en esta página">2</a>' in body_page
