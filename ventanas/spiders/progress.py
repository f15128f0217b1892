"""A Scrapy extension that reports each spider's progress to a callback.

``VENTANAS_PROGRESS`` is a plain function ``(spider_name, counts)``; Scrapy
deep-copies settings, and a function is copied by reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured


class ProgressExtension:
    def __init__(self, crawler: Any, callback: Callable[[str, dict[str, Any]], None]):
        self.crawler = crawler
        self.callback = callback
        crawler.signals.connect(self._update, signal=signals.response_received)
        crawler.signals.connect(self._update, signal=signals.item_scraped)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        callback = crawler.settings.get("VENTANAS_PROGRESS")
        if not callback:
            raise NotConfigured
        return cls(crawler, callback)

    def _counts(self) -> dict[str, Any]:
        stats = self.crawler.stats
        return {
            "requests": stats.get_value("ventanas/requests", 0),
            "wire_bytes": stats.get_value("ventanas/wire_bytes", 0),
            "items": stats.get_value("item_scraped_count", 0),
            "errors": stats.get_value("log_count/ERROR", 0),
        }

    def _update(self, *args: Any, spider: Any = None, **kwargs: Any) -> None:
        self.callback(spider.name if spider else "?", self._counts())

    def _closed(self, spider: Any, reason: str) -> None:
        self.callback(spider.name, {**self._counts(), "finished": reason})
