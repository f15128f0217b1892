"""Running spiders: all of them, or some, in one Scrapy process.

The Twisted reactor cannot restart, so one process runs one crawl (of any
number of spiders); the scheduler starts a subprocess per crawl.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from scrapy.spiderloader import SpiderLoader

from ventanas.config import Settings
from ventanas.spiders.pipelines import REPORT_STAT, STORAGE_ERROR_STAT
from ventanas.spiders.settings import scrapy_settings
from ventanas.storage import CrawlReport, StorageError


class UnknownSource(ValueError):
    pass


def spider_names() -> list[str]:
    loader = SpiderLoader.from_settings(ScrapySettings({"SPIDER_MODULES": ["ventanas.spiders"]}))
    return sorted(loader.list())


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
    crawlers = [process.create_crawler(name) for name in names]
    for crawler in crawlers:
        process.crawl(crawler)
    process.start()
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
