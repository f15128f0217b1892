"""Item pipelines: validate every item against the contract, then hand the run to storage.

Pipelines adapt, storage stores (STYLE 5): no SQL here.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from ventanas.clock import today, utcnow
from ventanas.config import Settings
from ventanas.domain import EventItem, InvalidItem, validate
from ventanas.health import NEW_LABEL_STAT, PAGE_STAT, layout_findings, with_findings
from ventanas.normalize.bodies import body_codes
from ventanas.normalize.states import all_states
from ventanas.spiders.base import NEW_LABEL_STAT as NEW_LABEL
from ventanas.spiders.middlewares import PAGE_OUTPUT_STAT
from ventanas.storage import CrawlReport, Storage, StorageError

log = logging.getLogger(__name__)
# Where the crawl runner finds each spider's CrawlReport after the crawl.
REPORT_STAT = "ventanas/report"
STORAGE_ERROR_STAT = "ventanas/storage_error"  # why a run could not be stored (one line)


class ValidationPipeline:
    """Drops items that break the contract and counts, per field, why."""

    def __init__(self, stats: Any):
        self.stats = stats
        self.bodies = body_codes()
        self.states = set(all_states())

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidationPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any, spider: Any = None) -> EventItem:
        if not isinstance(item, EventItem):
            self.stats.inc_value("ventanas/invalid/type")
            raise DropItem(f"not an EventItem: {type(item).__name__}")
        try:
            validate(item, known_bodies=self.bodies, known_states=self.states)
        except InvalidItem as exc:
            self.stats.inc_value(f"ventanas/invalid/{exc.field}")
            self.stats.inc_value("ventanas/dropped")
            raise DropItem(f"{item.key}: {exc}") from exc
        self.stats.inc_value("ventanas/valid")
        return item


class StoragePipeline:
    """Collects a run's items; when the spider closes, storage judges and stores the run."""

    def __init__(self, crawler: Any, settings: Settings):
        self.crawler = crawler
        self.settings = settings
        self.items: list[EventItem] = []
        self.started_at = utcnow()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        return cls(crawler, crawler.settings.get("VENTANAS"))

    def process_item(self, item: EventItem, spider: Any = None) -> EventItem:
        self.items.append(item)
        return item

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        pages = page_stats(stats)
        errors = (
            stats.get("log_count/ERROR", 0)
            + stats.get("httperror/response_ignored_count", 0)
            + stats.get("ventanas/parse_errors", 0)
            # Every item that broke the contract (a backwards range, a year 1900, an
            # unknown State code): dropped, so the event it stood for was not seen.
            + stats.get("ventanas/dropped", 0)
            + stats.get("ventanas/invalid/type", 0)
            # A row naming a State or treaty nobody knows is skipped: the run must not
            # count as healthy, or that row's events start missing runs and vanish
            # (a State renamed on the page, a page served in the wrong charset).
            + stats.get("ventanas/unknown_state", 0)
            + stats.get("ventanas/unknown_body", 0)
            # The source failed (a 5xx, a timeout) and the HTTP cache answered with the
            # stored page instead: nothing is lost, but the operator must hear of it.
            + stats.get("ventanas/served_stale", 0)
            + stats.get("httpcache/errorrecovery", 0)
        )
        try:
            report = self._store(spider, stats, errors, reason, pages)
        except StorageError as exc:
            # The database is locked past the busy timeout, or unusable: nothing was
            # written (the transaction rolled back), and the next run fetches the same
            # pages again. Said once, as one line, by whoever started the crawl.
            self.crawler.stats.set_value(STORAGE_ERROR_STAT, str(exc))
            log.info("%s: run not stored: %s", spider.name, exc)
            return
        self.crawler.stats.set_value(REPORT_STAT, report)
        log.info("%s: %s (%s)", spider.name, report.health, report.reason)

    def _store(self, spider: Any, stats: dict[str, Any], errors: int, reason: str, pages: dict[str, int]):
        storage = Storage.open(self.settings.resolved_database_url)
        try:
            with storage.session() as session:
                previous = next((run.stats for run in storage.recent_runs(session, spider.name)
                                 if run.health == "ok"), None)
            # A page that yielded before and nothing now, a label no reader knows: a changed
            # page, not a quiet week. Each is an error (so nothing vanishes on its account)
            # and is named in the run's reason, which `status` shows and the operator is mailed.
            findings = layout_findings(pages, previous)
            report = storage.record_crawl(
                spider=spider.name,
                items=self.items,
                stats={
                    "requests": stats.get("ventanas/requests", 0),
                    "wire_bytes": stats.get("ventanas/wire_bytes", 0),
                    "errors": errors + len(findings),
                    "dropped": stats.get("ventanas/dropped", 0),
                    "finish_reason": reason,
                    "not_modified": stats.get("ventanas/status/304", 0),
                    "cache_hits": stats.get("httpcache/hit", 0),
                    **pages,
                },
                min_items=spider.min_items,
                today=today(self.settings),
                started_at=self.started_at,
            )
            if findings:
                report = self._name_findings(storage, report, findings)
            return report
        finally:
            storage.dispose()

    @staticmethod
    def _name_findings(storage: Storage, report: CrawlReport, findings: list[str]) -> CrawlReport:
        """The stored run's reason, with what changed on its pages named (storage judges the run;
        the names are known here)."""
        named = with_findings(report.reason, findings)
        with storage.transaction() as session:
            run = next((r for r in storage.recent_runs(session, report.spider, limit=5) if r.id == report.run_id), None)
            if run is not None:
                run.message = named
        return dataclasses.replace(report, reason=named)


def page_stats(stats: dict[str, Any]) -> dict[str, int]:
    """What each page yielded and the labels no reader knew, as a run keeps them (health.py)."""
    kept: dict[str, int] = {}
    for key, value in stats.items():
        if key.startswith(PAGE_OUTPUT_STAT):
            kept[PAGE_STAT + key[len(PAGE_OUTPUT_STAT):]] = int(value)
        elif key.startswith("ventanas/" + NEW_LABEL):
            kept[NEW_LABEL_STAT + key[len("ventanas/" + NEW_LABEL):]] = int(value)
    return kept
