"""Public dialogues of the treaty bodies with each State, with their Geneva times.

Live pages:
  https://www.ohchr.org/en/media-advisories?page=0 (the newest advisories), each
    https://www.ohchr.org/en/media-advisories/YYYY/MM/<slug>;
  https://www.ungeneva.org/en/news-media/meeting-summaries (the newest summaries), each
    https://www.ungeneva.org/en/news-media/meeting-summary/YYYY/MM/<slug>.
The advisories list, per State, the dialogue meetings ("28 March 10:00 - 13:00
(Geneva time)"); the summaries say when the committee next meets in public.
Both are prose, read by the extraction engine; this spider keeps the dialogue
slots (``ohchr/CMW/36/dialogue/SLV/1``) as timed events in Europe/Zurich.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import urljoin

import scrapy

from ventanas.domain import EventItem, Kind
from ventanas.normalize.extraction import extract_events
from ventanas.normalize.ohchr import article_text, page_published
from ventanas.normalize.processes import local_url
from ventanas.normalize.states import fold
from ventanas.spiders.base import VentanasSpider

# (source, listing path, article link pattern, priority). An advisory gives each slot with its end;
# a summary only "will next meet at 10 a.m.": for the same dialogue the advisory wins.
LISTINGS = (
    ("ohchr_www", "en/media-advisories?page=0", re.compile(r"/en/media-advisories/\d{4}/\d{2}/[^/?#]+$"), 60),
    ("ungeneva", "en/news-media/meeting-summaries",
     re.compile(r"/en/news-media/meeting-summary/\d{4}/\d{2}/[^/?#]+$"), 55),
)


class OhchrMediaAdvisoriesSpider(VentanasSpider):
    name = "ohchr_media_advisories"
    source = "ohchr_www"
    # Committees meet most weeks of the year and every session has an advisory on the
    # listing's first page for weeks: a run with no dialogue at all means broken pages.
    min_items = 1
    priority = 60

    async def start(self):
        for source, path, _pattern, _priority in LISTINGS:
            base = self.ventanas.source_base_urls()[source].rstrip("/")
            yield scrapy.Request(f"{base}/{path}", callback=self.parse_listing, cb_kwargs={"source": source})

    def parse_listing(self, response, source: str) -> Iterator[scrapy.Request]:
        pattern, priority = next((p, rank) for s, _path, p, rank in LISTINGS if s == source)
        links = 0
        live = self.canonical(response.url)
        for link in response.xpath("//a[@href]"):
            url = urljoin(live, link.attrib["href"])
            if not pattern.search(url.split("?")[0]):
                continue
            links += 1
            # Treaty bodies are all "Committee ..."; the listings also carry Council and other news.
            if "committee" in fold(" ".join(link.xpath(".//text()").getall()) + " " + url):
                yield scrapy.Request(local_url(self.ventanas, url), callback=self.parse_page,
                                     cb_kwargs={"priority": priority})
        if not links:
            self.logger.error("no advisory or summary links at %s", response.url)
            self.count("parse_errors")

    def parse_page(self, response, priority: int) -> Iterator[EventItem]:
        published = page_published(response) or _date_in_url(response.url)
        events = extract_events(
            article_text(response), lang="en", published=published, body=None, session=None,
            source_url=self.canonical(response.url), source_name=self.name,
        )
        dialogues = [e for e in events if e.kind == Kind.DIALOGUE]
        if not dialogues:
            self.count("pages_without_dialogues")
        for item in dialogues:
            item.priority = priority
            yield item
        # The session and its reviews too, one step below the sessions spider (same base priority): it owns
        # their fields, the advisory adds its page to their sources, creates a review the session page
        # lacks, and an advisory naming no session number is placed on the stored session as a whole.
        for item in events:
            if item.kind in (Kind.SESSION, Kind.REVIEW):
                item.priority = priority - 1
                yield item


def _date_in_url(url: str) -> date | None:
    match = re.search(r"/(\d{4})/(\d{2})/", url)
    return date(int(match[1]), int(match[2]), 1) if match else None
