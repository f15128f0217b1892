"""GFMD: summits (with their Civil Society Days, Common Space and Government
Days), preparatory meetings (Troika, Steering Group, Friends of the Forum),
thematic workshops and registration deadlines.

Live pages (the UN Drupal platform): the home page (https://www.gfmd.org/), whose
blocks announce the Summit in one line ("14th GFMD Summit, 23–25 January 2024, CICG
Geneva"); the meeting pages of each chairmanship
(https://www.gfmd.org/meetings/colombia2025/summit, …/preparatory-meetings), found
from the menus, where preparatory meetings sit under dated headings ("Third GFMD
Preparatory Meetings - 24 October 2023") with each meeting, its CET/CEST time and
its venue on the lines below; and the news listing
(https://www.gfmd.org/news-events?page=N, pages counted from 0), whose teaser blocks
may announce a Summit too, with each news item, read by the extraction engine.
A meeting page owns the fields of its meetings (priority 80), then the home page's
blocks (60), the listing's (59 down by page), then news items (50).
"""

from __future__ import annotations

from collections.abc import Iterator

import scrapy

from ventanas.clock import today
from ventanas.domain import EventItem
from ventanas.normalize.extraction import extract_events
from ventanas.normalize.processes import (
    PRIORITY_BLOCK,
    PRIORITY_MEETING_PAGE,
    PRIORITY_NEWS,
    ListedItem,
    NewestAnnouncement,
    chairmanship_from_url,
    gfmd_meeting_page,
    listed_items,
    local_url,
    meeting_page_links,
    next_page_url,
    read_news_page,
    summit_blocks,
)
from ventanas.spiders.base import VentanasSpider

HOME = ""
LISTING = "news-events"
NEWS = "/news/"
# The first pages carry the coming meetings; the live listing goes back years.
MAX_LISTING_PAGES = 3
# Meeting pages of chairmanships older than this many years are history.
CHAIRMANSHIP_YEARS_BACK = 1


class GfmdMeetingsSpider(VentanasSpider):
    name = "gfmd_meetings"
    source = "gfmd"
    min_items = 5  # a summit page alone gives the summit, its segments and the registration deadline
    priority = PRIORITY_MEETING_PAGE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.announcements = NewestAnnouncement(PRIORITY_NEWS)

    async def start(self):
        yield scrapy.Request(self.url(HOME), callback=self.parse_home)
        yield scrapy.Request(self.url(LISTING), callback=self.parse_listing, cb_kwargs={"page": 0})

    def parse_home(self, response) -> Iterator[EventItem | scrapy.Request]:
        """The home page: the Summit its blocks announce, the news it links to, the meeting pages in its menu."""
        live = self.canonical(response.url)
        summits = summit_blocks(response, live, source_name=self.name, priority=PRIORITY_BLOCK)
        if not summits:
            self.count("home_without_summit")  # between chairmanships the home page may announce none
        yield from summits
        for item in listed_items(response, live, NEWS):
            yield scrapy.Request(local_url(self.ventanas, item.url), callback=self.parse_news,
                                 cb_kwargs={"listed": item})
        yield from self._follow_meeting_pages(response, live)

    def parse_listing(self, response, page: int) -> Iterator[EventItem | scrapy.Request]:
        live = self.canonical(response.url)
        news = listed_items(response, live, NEWS)
        if not news:
            self.logger.error("no news items linked from the GFMD listing %s", live)
            self.count("parse_errors")
        # a teaser may announce a Summit; the home page's block (60) outranks it, a newer page an older one
        yield from summit_blocks(response, live, source_name=self.name, priority=PRIORITY_BLOCK - 1 - page)
        for item in news:
            yield scrapy.Request(local_url(self.ventanas, item.url), callback=self.parse_news,
                                 cb_kwargs={"listed": item})
        yield from self._follow_meeting_pages(response, live)
        older = next_page_url(response, live)
        if older and page + 1 < MAX_LISTING_PAGES:
            yield scrapy.Request(local_url(self.ventanas, older), callback=self.parse_listing,
                                 cb_kwargs={"page": page + 1})

    def parse_meeting_page(self, response) -> Iterator[EventItem | scrapy.Request]:
        live = self.canonical(response.url)
        events = gfmd_meeting_page(response, live, source_name=self.name, priority=PRIORITY_MEETING_PAGE)
        if not events:
            self.logger.warning("GFMD meeting page %s lists no dated meeting", live)
            self.count("meeting_pages_without_meetings")
        yield from events
        yield from self._follow_meeting_pages(response, live)

    def parse_news(self, response, listed: ListedItem | None = None) -> Iterator[EventItem | scrapy.Request]:
        page = read_news_page(response, self.canonical(response.url), listed)
        events = extract_events(page.text, lang="en", published=page.published, body="GFMD", session=None,
                                source_url=page.url, source_name=self.name)
        if not events:
            self.count("news_without_meetings")
        for event in events:
            if self.announcements.keep(event, page.published):
                yield event
            else:
                self.owned_elsewhere(response)
        yield from self._follow_meeting_pages(response, page.url)

    def _follow_meeting_pages(self, response, live: str) -> Iterator[scrapy.Request]:
        oldest = today(self.ventanas).year - CHAIRMANSHIP_YEARS_BACK
        for url in meeting_page_links(response, live):
            chair = chairmanship_from_url(url)
            if chair is not None and chair.year >= oldest:
                # Scrapy's duplicate filter drops the pages every menu links to again.
                yield scrapy.Request(local_url(self.ventanas, url), callback=self.parse_meeting_page)
