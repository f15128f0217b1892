"""What every ventanas spider shares: its settings, its source's base URL, and
how it builds items. Parsing helpers live in ventanas/normalize/, never here."""

from __future__ import annotations

from typing import Any, ClassVar

import scrapy

from ventanas.config import Settings
from ventanas.domain import EventItem
from ventanas.normalize.text import clean_text

# Stats under ventanas/ that name a label no reader knows: ``new_label/document type: Annex``.
NEW_LABEL_STAT = "new_label/"


class VentanasSpider(scrapy.Spider):
    """A spider for one source.

    Subclasses set ``name``, ``source`` (a key of config.LIVE_BASE_URLS: which
    base URL setting they read), ``min_items`` (the fewest items a healthy run
    yields: below it the run fails and stored data stays as it was) and
    ``priority`` (when several sources list one event, the higher owns it).
    """

    source: ClassVar[str] = ""
    min_items: ClassVar[int] = 1
    priority: ClassVar[int] = 50

    def __init__(self, *args: Any, ventanas_settings: Settings | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ventanas = ventanas_settings or Settings()
        self.allowed_domains = self.ventanas.allowed_domains()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> VentanasSpider:
        kwargs.setdefault("ventanas_settings", crawler.settings.get("VENTANAS"))
        return super().from_crawler(crawler, *args, **kwargs)

    @property
    def base_url(self) -> str:
        return self.ventanas.source_base_urls()[self.source].rstrip("/")

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    def canonical(self, url: str) -> str:
        return self.ventanas.canonical_url(url)

    def owned_elsewhere(self, response: Any) -> None:
        """A page read an event that a newer post of this run owns (processes.NewestAnnouncement):
        it still yielded what it announced, so health must not take it for a page whose layout
        changed because the order the answers arrived in let the other post go first."""
        from ventanas.spiders.middlewares import PAGE_OUTPUT_STAT

        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            crawler.stats.inc_value(PAGE_OUTPUT_STAT + self.canonical(response.url))

    def make_item(self, *, source_url: str, **fields: Any) -> EventItem:
        fields.setdefault("priority", self.priority)
        return EventItem(source_url=self.canonical(source_url), source_name=self.name, **fields)

    def count(self, what: str, n: int = 1) -> None:
        """A stats counter under ventanas/, e.g. parse errors that make a run degraded."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            crawler.stats.inc_value(f"ventanas/{what}", n)

    def new_label(self, what: str, label: str, where: str = "") -> None:
        """A label no reader here knows (a document type, a review type): the row is skipped or read
        without it, and the run's health names the label, so that a changed page is told from a quiet week."""
        label = clean_text(label)[:80] or "(empty)"
        self.logger.warning("new %s %r%s", what, label, f" ({where})" if where else "")
        self.count(f"{NEW_LABEL_STAT}{what}: {label}")
