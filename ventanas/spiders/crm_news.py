"""CRM (Proceso Puebla): meetings announced in the news of the Conference's site.

Live pages: https://crmsv.org/noticias/ (a WordPress category, older posts at
``/noticias/page/N/``) and each post, among them the host government's press
releases the CRM republishes. Spanish prose: "La XXX Reunión Viceministerial
… se llevará a cabo los días 4 y 5 de diciembre de 2025 en la Ciudad de Panamá".
Every meeting concerns the 11 members; the pro-tempore presidency is its host.
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

LISTING = "noticias/"
POSTS = "/noticias/"
# The newest pages carry the coming meetings; older pages are history the
# first crawls already stored. A bound keeps a run small on a site with years of posts.
MAX_LISTING_PAGES = 3


class CrmNewsSpider(VentanasSpider):
    name = "crm_news"
    source = "crm"
    min_items = 2  # a Viceministerial and a Grupo Regional de Consulta meeting are announced every year
    priority = PRIORITY_NEWS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.announcements = NewestAnnouncement(PRIORITY_NEWS)

    async def start(self):
        yield scrapy.Request(self.url(LISTING), callback=self.parse_listing, cb_kwargs={"page": 1})

    def parse_listing(self, response, page: int) -> Iterator[scrapy.Request]:
        live = self.canonical(response.url)
        posts = listed_items(response, live, POSTS)
        if not posts:
            self.logger.error("no posts linked from the CRM news listing %s", live)
            self.count("parse_errors")
        for post in posts:
            yield scrapy.Request(local_url(self.ventanas, post.url), callback=self.parse_post,
                                 cb_kwargs={"listed": post})
        older = next_page_url(response, live)
        if older and page < MAX_LISTING_PAGES:
            yield scrapy.Request(local_url(self.ventanas, older), callback=self.parse_listing,
                                 cb_kwargs={"page": page + 1})

    def parse_post(self, response, listed: ListedItem | None = None) -> Iterator[EventItem]:
        page = read_news_page(response, self.canonical(response.url), listed)
        events = extract_events(page.text, lang="es", published=page.published, body="CRM", session=None,
                                source_url=page.url, source_name=self.name)
        if not events:
            self.count("posts_without_meetings")
        for event in events:
            if self.announcements.keep(event, page.published):
                yield event
            else:
                self.owned_elsewhere(response)
