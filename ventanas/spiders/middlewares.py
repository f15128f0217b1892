"""Downloader middlewares: what crossed the wire, and recordings of live pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import Response

from ventanas.sitecopy import copy_path_for_url

# Above HttpCacheMiddleware (900): process_response sees the network's answer
# (a 304 with no body) before the cache swaps in the stored page. Scrapy's own
# byte counter (DownloaderStats, 850) sits below the cache and counts cached bodies.
WIRE_BYTES_ORDER = 950
# Below the cache: sees the final page, cached or fresh, which is what a recording needs.
RECORD_ORDER = 890


class WireBytesMiddleware:
    """Counts requests that reached the network and the bytes they brought back."""

    def __init__(self, stats: Any):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> WireBytesMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if "cached" not in response.flags:  # a fresh cache hit never left the machine
            header_bytes = sum(len(k) + len(v) + 4 for k, vs in response.headers.items() for v in vs)
            self.stats.inc_value("ventanas/requests")
            self.stats.inc_value("ventanas/wire_bytes", len(response.body) + header_bytes)
            self.stats.inc_value(f"ventanas/status/{response.status}")
        return response


class RecordMiddleware:
    """``crawl --record DIR``: saves every page fetched, in the layout of ventanas/demo_site/."""

    def __init__(self, directory: Path):
        self.directory = directory

    @classmethod
    def from_crawler(cls, crawler: Any) -> RecordMiddleware:
        from scrapy.exceptions import NotConfigured

        directory = crawler.settings.get("VENTANAS_RECORD_DIR")
        if not directory:
            raise NotConfigured
        return cls(Path(directory))

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status == 200:
            target = self.directory / copy_path_for_url(response.url)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(response.body)
        return response
