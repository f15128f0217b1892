"""CSM (South American Conference on Migration): meetings announced in its news.

Live pages: https://csmigraciones.org/es/noticias?page=N (a Drupal listing,
pages counted from 0) and each item at ``/es/noticias/<slug>``. Spanish
prose: "La XXIII Conferencia Suramericana sobre Migraciones (CSM) se realizará
los días 18 y 19 de noviembre de 2025 en Brasília". Every meeting concerns
the 12 members; the pro-tempore presidency is its host.
"""

from __future__ import annotations

from collections.abc import Iterator

import scrapy

from ventanas.domain import EventItem
from ventanas.normalize.extraction import extract_events
from ventanas.normalize.processes import (
    PRIORITY_NEWS,
    ListedItem,
    NewestAnnouncement,
    listed_items,
    local_url,
    next_page_url,
    read_news_page,
)
from ventanas.spiders.base import VentanasSpider

LISTING = "es/noticias?page=0"
ITEMS = "/es/noticias/"
MAX_LISTING_PAGES = 3  # the newest pages carry the coming meetings (see crm_news)


class CsmNewsSpider(VentanasSpider):
    name = "csm_news"
    source = "csm"
    min_items = 2  # the annual Conferencia and at least one technical or intersessional meeting
    priority = PRIORITY_NEWS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.announcements = NewestAnnouncement(PRIORITY_NEWS)

    async def start(self):
        yield scrapy.Request(self.url(LISTING), callback=self.parse_listing, cb_kwargs={"page": 0})

    def parse_listing(self, response, page: int) -> Iterator[scrapy.Request]:
        live = self.canonical(response.url)
        news = listed_items(response, live, ITEMS)
        if not news:
            self.logger.error("no news linked from the CSM listing %s", live)
            self.count("parse_errors")
        for item in news:
            yield scrapy.Request(local_url(self.ventanas, item.url), callback=self.parse_news,
                                 cb_kwargs={"listed": item})
        older = next_page_url(response, live)
        if older and page + 1 < MAX_LISTING_PAGES:
            yield scrapy.Request(local_url(self.ventanas, older), callback=self.parse_listing,
                                 cb_kwargs={"page": page + 1})

    def parse_news(self, response, listed: ListedItem | None = None) -> Iterator[EventItem]:
        page = read_news_page(response, self.canonical(response.url), listed)
        events = extract_events(page.text, lang="es", published=page.published, body="CSM", session=None,
                                source_url=page.url, source_name=self.name)
        if not events:
            self.count("news_without_meetings")
        for event in events:
            if self.announcements.keep(event, page.published):
                yield event
            else:
                self.owned_elsewhere(response)
