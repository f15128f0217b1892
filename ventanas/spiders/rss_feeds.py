"""Announcements from the RSS/Atom feeds listed in ``Settings.feeds`` (VENTANAS_FEEDS).

Scrapy fetches each feed (polite, cached, size-capped like every page);
feedparser only parses the bytes, so it never opens a connection itself.
Each entry's title and summary go through the extraction engine; an entry
with no dated event in it is kept as a news link (``Kind.NEWS``, dated by its
publication date) so that nothing a feed says is dropped silently.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import scrapy
from parsel import Selector

from ventanas.config import LIVE_BASE_URLS
from ventanas.domain import EventItem, Kind, Role, StateLink
from ventanas.normalize.extraction import extract_events
from ventanas.normalize.ids import news_item
from ventanas.normalize.meetings import BODY_PATTERNS
from ventanas.normalize.processes import PRIORITY_FEED, NewestAnnouncement
from ventanas.normalize.statefind import find_states
from ventanas.normalize.text import clean_multiline, clean_text
from ventanas.spiders.base import VentanasSpider

# A feed on a process's own site speaks about that process.
BODY_OF_SOURCE = {"gfmd": "GFMD", "crm": "CRM", "csm": "CSM"}


class RssFeedsSpider(VentanasSpider):
    name = "rss_feeds"
    source = ""  # not one site: the configured list of feed URLs
    priority = PRIORITY_FEED

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.feeds = tuple(self.ventanas.feeds)
        # Every configured feed has at least one entry on a healthy day; with no
        # feed configured there is nothing to expect (and nothing to fail).
        self.min_items = len(self.feeds)
        hosts = {urlsplit(url).hostname for url in self.feeds} - {None}
        self.allowed_domains = sorted(set(self.allowed_domains) | hosts)
        self.announcements = NewestAnnouncement(PRIORITY_FEED)

    async def start(self):
        for url in self.feeds:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response) -> Iterator[EventItem]:
        feed_url = self.canonical(response.url)
        parsed = feedparser.parse(
            io.BytesIO(response.body),  # bytes in a stream: feedparser never treats them as a URL or a path
            response_headers={"content-location": feed_url,
                              "content-type": response.headers.get("Content-Type", b"").decode("latin-1")},
        )
        if parsed.bozo:
            # Real feeds are often slightly broken (a bare "&", a wrong encoding):
            # feedparser's loose parser still reads them. Count and log; only a
            # feed that gives nothing at all is a parse error.
            self.count("feed_bozo")
            self.logger.warning("feed %s is not well-formed: %s", feed_url, parsed.get("bozo_exception"))
        if not parsed.entries:
            self.logger.error("feed %s has no entries", feed_url)
            self.count("parse_errors")
            return
        lang = _language(parsed.feed.get("language"))
        default_body = self._body_of(feed_url)
        for entry in parsed.entries:
            yield from self._parse_entry(entry, feed_url=feed_url, lang=lang, default_body=default_body)

    def _parse_entry(self, entry: Any, *, feed_url: str, lang: str, default_body: str | None
                     ) -> Iterator[EventItem]:
        title = clean_text(entry.get("title"))
        link = self.canonical(entry.get("link") or feed_url)
        summary = _plain_text(entry.get("summary") or "")
        text = "\n".join(part for part in (title, summary) if part)
        published = _published(entry)
        body = self._body_of(link) or default_body or _body_named_in(text)
        if body is None:
            self.logger.info("feed entry %s names no body ventanas follows; skipped", link)
            self.count("feed_entries_without_body")
            return
        lang = _language(entry.get("language")) or lang or "en"
        events = extract_events(text, lang=lang, published=published, body=body,
                                session=None, source_url=link, source_name=self.name)
        for event in events:
            if self.announcements.keep(event, published):
                yield event
        if events:
            return
        if published is None:
            self.logger.warning("feed entry %s has neither a dated event nor a publication date", link)
            self.count("feed_entries_undated")
            return
        self.count("feed_news_links")
        yield self.make_item(
            key=news_item(_host(link), urlsplit(link).path.strip("/") or entry.get("id") or title),
            body=body,
            kind=Kind.NEWS,
            title=title or link,
            start=published,
            end=published,
            # A news link concerns the States it names, not every member: it would
            # otherwise fill eleven or 193 per-State calendars with bulletins.
            states=tuple(dict.fromkeys(StateLink(m.code, Role.CONCERNED) for m in find_states(text))),
            description=summary or None,
            evidence=title or None,
            details={"feed": feed_url},
            source_url=link,
        )

    def _body_of(self, url: str) -> str | None:
        live = self.canonical(url)
        for name, body in BODY_OF_SOURCE.items():
            host = urlsplit(LIVE_BASE_URLS[name]).hostname or ""
            if (urlsplit(live).hostname or "").removeprefix("www.") == host.removeprefix("www."):
                return body
        return None


def _language(value: str | None) -> str:
    code = (value or "").strip().lower()[:2]
    return code if code in ("en", "es", "fr") else ""


def _plain_text(html: str) -> str:
    if "<" not in html:
        return clean_multiline(html)
    blocks = Selector(text=f"<div>{html}</div>").xpath("//div//text()").getall()
    return clean_multiline(" ".join(blocks))


def _published(entry: Any) -> date | None:
    parsed: time.struct_time | None = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime(*parsed[:6], tzinfo=UTC).date()


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "feed").removeprefix("www.")


def _body_named_in(text: str) -> str | None:
    """The body an entry names first, by code or name in any of the three languages."""
    found = [(m.start(), code) for code, pattern in BODY_PATTERNS.items() if (m := pattern.search(text))]
    return min(found)[1] if found else None
