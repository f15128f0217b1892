"""Downloader middlewares: what crossed the wire, and recordings of live pages; and the spider
middleware that counts what each page yielded (health tells a changed page from a quiet week)."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from ventanas.sitecopy import copy_path_for_url

# Above HttpCacheMiddleware (900): process_response sees the network's answer
# (a 304 with no body) before the cache swaps in the stored page. Scrapy's own
# byte counter (DownloaderStats, 850) sits below the cache and counts cached bodies.
WIRE_BYTES_ORDER = 950
# Below the cache: sees the final page, cached or fresh, which is what a recording needs.
RECORD_ORDER = 890
# Above RetryMiddleware (550): holds the host before the retry is even scheduled.
RETRY_AFTER_ORDER = 560
# Closest to the network, below the cache (900): only requests that leave the machine wait.
HOST_PACING_ORDER = 970
# A server asking for a longer pause is not retried in this run (it counts as an error).
MAX_RETRY_AFTER = 120.0


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
            if response.status >= 500 and request.meta.get("cached_response") is not None:
                # The cache (below) will answer this server error with the stored page, and
                # no retry follows: the data is stale, and the run must not look healthy.
                self.stats.inc_value("ventanas/served_stale")
        return response


# A site copy on loopback answers robots.txt for all its hosts at once: not a page of any of them.
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

# Crawler stat of what one page yielded: ``ventanas/page/<live url>`` → items and requests.
PAGE_OUTPUT_STAT = "ventanas/page/"


class PageOutputMiddleware:
    """Counts, per page (its live URL), the items and requests its callback yielded, zero included.

    A page that yielded events or links in the last healthy run and yields nothing now has
    changed its layout (ventanas/health.py); one that yields less has had a quiet week.
    """

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageOutputMiddleware:
        return cls(crawler)

    def _key(self, response: Response) -> str:
        settings = self.crawler.settings.get("VENTANAS")
        url = settings.canonical_url(response.url) if settings is not None else response.url
        return PAGE_OUTPUT_STAT + url

    def process_spider_output(self, response: Response, result: Any, spider: Any = None) -> Any:
        key = self._key(response)
        self.crawler.stats.inc_value(key, 0)
        for output in result:
            self.crawler.stats.inc_value(key)
            yield output

    async def process_spider_output_async(self, response: Response, result: Any, spider: Any = None) -> Any:
        key = self._key(response)
        self.crawler.stats.inc_value(key, 0)
        async for output in result:
            self.crawler.stats.inc_value(key)
            yield output


class RecordMiddleware:
    """``crawl --record DIR``: saves every page fetched, in the layout of ventanas/demo_site/.

    Each page is saved under the live URL it stands for (a crawl of a copy, such as the
    demo, records the live layout too), a POST's answer (an ASP.NET postback) beside the
    page as ``….post``, as the site copy serves it: a recording replaces the demo site, or
    becomes a test fixture (ventanas/spiders/replay.py), as it is.
    """

    def __init__(self, directory: Path, canonical: Any = None):
        self.directory = directory
        self.canonical = canonical or (lambda url: url)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RecordMiddleware:
        from scrapy.exceptions import NotConfigured

        directory = crawler.settings.get("VENTANAS_RECORD_DIR")
        if not directory:
            raise NotConfigured
        settings = crawler.settings.get("VENTANAS")
        return cls(Path(directory), settings.canonical_url if settings is not None else None)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        url = self.canonical(response.url)
        if response.status == 200 and urlparse_cached(response).hostname not in _LOOPBACK | {None} or (
                response.status == 200 and url != response.url):
            relative = copy_path_for_url(url)
            if request.method == "POST":
                relative = relative.with_name(relative.name + ".post")
            target = self.directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(response.body)
        return response


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """A 429 or 503 with Retry-After: no request to that host before the time the server asked.

    Scrapy's RetryMiddleware retries 429 and 503 after the usual download delay
    and ignores Retry-After; a polite crawler waits. The host's download slot is
    held (its last request time moved forward, as AutoThrottle adjusts slots) so
    that no other page of that host is fetched meanwhile, and the response is
    handed to the retry middleware only after the wait, so the retry cannot come
    sooner even with no download delay. A wait over MAX_RETRY_AFTER is not taken:
    the request is not retried and counts as an error.
    """

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status not in (429, 503):
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            return response
        stats = self.crawler.stats
        stats.inc_value("ventanas/retry_after")
        if wait > MAX_RETRY_AFTER:
            stats.inc_value("ventanas/retry_after_too_long")
            request.meta["dont_retry"] = True
            return response
        slot = self.crawler.engine.downloader.slots.get(request.meta.get("download_slot"))
        if slot is not None:
            slot.lastseen = max(slot.lastseen, time.monotonic() + wait - slot.delay)
        HostPacingMiddleware.hold(request, wait)  # the other spiders of this host wait too
        retries = request.meta.get("max_retry_times", self.crawler.settings.getint("RETRY_TIMES"))
        if request.meta.get("dont_retry") or request.meta.get("retry_times", 0) >= retries:
            return response  # no retry follows: nothing to wait for
        await _sleep(wait)
        return response


class HostPacingMiddleware:
    """One request at a time and DOWNLOAD_DELAY apart, per host, across every spider of the process.

    Scrapy's politeness belongs to one crawler: each spider's downloader has its
    own slot per host. ``crawl`` runs all spiders in one process, so the three
    OHCHR spiders asked tbinternet.ohchr.org three times as often as configured,
    and a feed's articles were fetched beside the site's own spider. Here a
    request leaving the machine waits until no other request to its host is in
    flight and the host's next free time has come, in tables shared by every
    crawler of the process; its answer (or failure) frees the host.
    """

    _next_free: ClassVar[dict[str, float]] = {}  # host -> time.monotonic() of its next request
    _in_flight: ClassVar[dict[str, set[int]]] = {}  # host -> tokens of requests on the wire
    _tokens: ClassVar[itertools.count] = itertools.count()
    META = "ventanas_pacing"
    POLL = 0.01  # seconds between looks at a busy host

    def __init__(self, delay: float):
        self.delay = delay

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostPacingMiddleware:
        return cls(crawler.settings.getfloat("DOWNLOAD_DELAY"))

    @classmethod
    def hold(cls, request: Request, seconds: float) -> None:
        """Nothing more to the request's host for ``seconds`` (a server asked for a pause)."""
        host = urlparse_cached(request).hostname or ""
        cls._next_free[host] = max(cls._next_free.get(host, 0.0), time.monotonic() + seconds)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if self.delay <= 0:
            return None
        host = urlparse_cached(request).hostname or ""
        busy = self._in_flight.setdefault(host, set())
        # The turn is taken when the request actually goes, not booked ahead: timers
        # that fire late together (a busy event loop) must not release a burst.
        while busy or (wait := self._next_free.get(host, 0.0) - time.monotonic()) > 0:
            await _sleep(self.POLL if busy else wait)
        token = next(self._tokens)
        busy.add(token)
        request.meta[self.META] = (host, token)
        self._next_free[host] = time.monotonic() + self.delay
        return None

    def _done(self, request: Request) -> None:
        host, token = request.meta.pop(self.META, ("", -1))
        busy = self._in_flight.get(host, set())
        if token in busy:  # a copy of a request (a retry) holds no token
            busy.discard(token)
            # The delay runs from the end of the answer as well: a request that left late
            # (a busy event loop) must not bring the next one closer than the delay.
            self._next_free[host] = max(self._next_free.get(host, 0.0), time.monotonic() + self.delay)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        self._done(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        self._done(request)
        return None


async def _sleep(seconds: float) -> None:
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor, task

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))
