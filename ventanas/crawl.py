"""Running spiders: all of them, or some, in one Scrapy process.

The Twisted reactor cannot restart, so one process runs one crawl (of any
number of spiders); the scheduler starts a subprocess per crawl. Within a crawl
the sources that number sessions run first, the others together after them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from scrapy.spiderloader import SpiderLoader
from twisted.internet import defer

from ventanas.config import Settings
from ventanas.spiders.pipelines import REPORT_STAT, STORAGE_ERROR_STAT
from ventanas.spiders.settings import scrapy_settings
from ventanas.storage import CrawlReport, StorageError


class UnknownSource(ValueError):
    pass


def spider_names() -> list[str]:
    loader = SpiderLoader.from_settings(ScrapySettings({"SPIDER_MODULES": ["ventanas.spiders"]}))
    return sorted(loader.list())


# Sources that give sessions their numbers and dates: crawled and stored first, so that an
# announcement that names no number ("its upcoming session from 2 to 23 July") finds the
# session it announces among the stored ones (storage.sessions) in the same crawl.
NUMBERING_SOURCES = ("ohchr_sessions",)


def crawl(
    settings: Settings,
    names: list[str] | None = None,
    *,
    record_dir: Path | None = None,
    log_level: str = "WARNING",
    progress: Callable[[str, dict[str, Any]], None] | None = None,
) -> list[CrawlReport]:
    """Crawl the named sources (default: all) and return one report per source run."""
    available = spider_names()
    names = names or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        raise UnknownSource(f"unknown source {', '.join(unknown)}; known: {', '.join(available)}")
    # Scrapy deep-copies its settings; a plain function is copied by reference, a bound method is not.
    callback = (lambda source, counts: progress(source, counts)) if progress else None
    process = CrawlerProcess(scrapy_settings(settings, record_dir=record_dir, log_level=log_level, progress=callback))
    # In the order they run: the first crawler created installs the reactor the others use.
    names = [n for n in names if n in NUMBERING_SOURCES] + [n for n in names if n not in NUMBERING_SOURCES]
    crawlers = [process.create_crawler(name) for name in names]
    first = [c for name, c in zip(names, crawlers, strict=True) if name in NUMBERING_SOURCES]
    then = [c for c in crawlers if c not in first]

    @defer.inlineCallbacks
    def in_order():  # type: ignore[no-untyped-def]
        for phase in (first, then):
            if phase:
                yield defer.DeferredList([process.crawl(c) for c in phase])

    def stop(_: Any) -> None:
        from twisted.internet import reactor

        with contextlib.suppress(RuntimeError):  # already stopped (a signal)
            reactor.stop()

    in_order().addBoth(stop)
    process.start(stop_after_crawl=False)
    return collect_reports(names, [crawler.stats for crawler in crawlers])


def collect_reports(names: list[str], stats: list[Any]) -> list[CrawlReport]:
    """Each spider's report from its stats; a StorageError (one line) when a run could not be
    stored, naming which runs were; RuntimeError when a spider ended without a report."""
    reports = [s.get_value(REPORT_STAT) for s in stats]
    missing = [name for name, report in zip(names, reports, strict=True) if report is None]
    not_stored = [s.get_value(STORAGE_ERROR_STAT) for s in stats]
    if any(not_stored):
        stored = [r.spider for r in reports if r is not None]
        raise StorageError(next(filter(None, not_stored))
                           + (f" (stored: {', '.join(stored)}; not stored: {', '.join(missing)})" if stored else ""))
    if missing:
        raise RuntimeError(f"no crawl report from {', '.join(missing)}: the spider did not close normally")
    return sorted(reports, key=lambda r: r.spider)
