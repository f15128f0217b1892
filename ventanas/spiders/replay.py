"""A recorded page, replayed through the spider that reads it: what turns a recording into a test.

``crawl --record DIR`` saves every page a crawl fetched under the live URL it stands for,
in the layout of ventanas/demo_site/ (sitecopy.copy_path: ``<host>/<path>@<query>``, a
POST's answer as ``….post``). :func:`replay` takes one such file, rebuilds its URL, finds
the spider and the callback that read that kind of page, and runs the callback offline,
with the spider's own stats: so a recorded live page copied into tests/files/recorded/
is a test fixture as it is (tests/test_recorded_pages.py replays every file there).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from ventanas.config import Settings
from ventanas.domain import EventItem
from ventanas.normalize.ohchr import OhchrPageError, SessionListRow, parse_session_page
from ventanas.spiders.base import VentanasSpider
from ventanas.spiders.crm_news import CrmNewsSpider
from ventanas.spiders.csm_news import CsmNewsSpider
from ventanas.spiders.gfmd_meetings import GfmdMeetingsSpider
from ventanas.spiders.ohchr_country_status import OhchrCountryStatusSpider
from ventanas.spiders.ohchr_master_calendar import OhchrMasterCalendarSpider
from ventanas.spiders.ohchr_media_advisories import OhchrMediaAdvisoriesSpider
from ventanas.spiders.ohchr_sessions import OhchrSessionsSpider


def url_of(path: Path | PurePosixPath) -> tuple[str, str]:
    """(method, live URL) of a recorded file, from its path relative to the recording's root:
    ``tbinternet.ohchr.org/_layouts/15/X.aspx@Lang=en`` → GET ``https://tbinternet.ohchr.org/_layouts/15/X.aspx?Lang=en``."""
    text = PurePosixPath(path).as_posix()
    method = "POST" if text.endswith(".post") else "GET"
    text = text.removesuffix(".post")
    text, _, query = text.partition("@")
    if text.endswith("/index.html"):
        text = text[: -len("index.html")]
    url = "https://" + text.replace(" ", "%20")
    return method, url + (f"?{query}" if query else "")


@dataclass
class Replayed:
    spider: str
    callback: str
    items: list[EventItem] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """What the crawl would count against the page's health: parse errors, unknown States or
        treaties, labels no reader knows."""
        return sum(v for k, v in self.stats.items() if k in (
            "ventanas/parse_errors", "ventanas/unknown_state", "ventanas/unknown_body") or k.startswith(
            "ventanas/new_label/"))


def _session_row(response: HtmlResponse, url: str) -> dict[str, Any]:
    """A session page replayed alone: its grid row rebuilt from the page itself."""
    try:
        page = parse_session_page(response, url)
    except OhchrPageError:
        return {"row": SessionListRow("?", 0, None, None, "confirmed", url)}  # the callback reports it
    return {"row": SessionListRow(page.body or "?", page.number or 0, page.start, page.end, page.status, url)}


# (URL pattern, spider, callback, keyword arguments from the response and URL)
Route = tuple[re.Pattern[str], type[VentanasSpider], str, Callable[[HtmlResponse, str], dict[str, Any]]]
_NONE: Callable[[HtmlResponse, str], dict[str, Any]] = lambda _response, _url: {}  # noqa: E731
ROUTES: list[Route] = [
    (re.compile(r"//tbinternet\.ohchr\.org/.*/MasterCalendar\.aspx", re.I), OhchrMasterCalendarSpider, "parse", _NONE),
    (re.compile(r"//tbinternet\.ohchr\.org/.*/Countries\.aspx\?.*CountryCode=(\w{3})", re.I), OhchrCountryStatusSpider,
     "parse_country", lambda _r, url: {"code": re.search(r"CountryCode=(\w{3})", url, re.I)[1].upper()}),
    (re.compile(r"//tbinternet\.ohchr\.org/.*/SessionsList\.aspx\?.*Treaty=(\w+)", re.I), OhchrSessionsSpider,
     "parse_list", lambda r, url: {"body": re.search(r"Treaty=(\w+)", url, re.I)[1].upper(),
                                   "posted_back": r.request.method == "POST"}),
    (re.compile(r"//tbinternet\.ohchr\.org/.*/SessionDetails1\.aspx", re.I), OhchrSessionsSpider, "parse_session",
     _session_row),
    (re.compile(r"//www\.ohchr\.org/en/media-advisories\?"), OhchrMediaAdvisoriesSpider, "parse_listing",
     lambda _r, _u: {"source": "ohchr_www"}),
    (re.compile(r"//www\.ungeneva\.org/en/news-media/meeting-summaries"), OhchrMediaAdvisoriesSpider, "parse_listing",
     lambda _r, _u: {"source": "ungeneva"}),
    (re.compile(r"//www\.ohchr\.org/en/media-advisories/\d{4}/"), OhchrMediaAdvisoriesSpider, "parse_page",
     lambda _r, _u: {"priority": 60}),
    (re.compile(r"//www\.ungeneva\.org/en/news-media/meeting-summary/"), OhchrMediaAdvisoriesSpider, "parse_page",
     lambda _r, _u: {"priority": 55}),
    (re.compile(r"//www\.gfmd\.org/$"), GfmdMeetingsSpider, "parse_home", _NONE),
    (re.compile(r"//www\.gfmd\.org/news-events(\?page=\d+)?$"), GfmdMeetingsSpider, "parse_listing",
     lambda _r, url: {"page": int(m[1]) if (m := re.search(r"page=(\d+)", url)) else 0}),
    (re.compile(r"//www\.gfmd\.org/meetings/"), GfmdMeetingsSpider, "parse_meeting_page", _NONE),
    (re.compile(r"//www\.gfmd\.org/news/"), GfmdMeetingsSpider, "parse_news", _NONE),
    (re.compile(r"//crmsv\.org/noticias/(page/\d+/)?$"), CrmNewsSpider, "parse_listing", lambda _r, _u: {"page": 1}),
    (re.compile(r"//crmsv\.org/noticias/[^/]+/$"), CrmNewsSpider, "parse_post", _NONE),
    (re.compile(r"//csmigraciones\.org/es/noticias\?page="), CsmNewsSpider, "parse_listing", lambda _r, _u: {"page": 0}),
    (re.compile(r"//csmigraciones\.org/es/noticias/[^/?]+$"), CsmNewsSpider, "parse_news", _NONE),
]


def route_for(url: str) -> Route | None:
    return next((route for route in ROUTES if route[0].search(url)), None)


def replay(path: Path, root: Path, *, today: date | None = None) -> Replayed | None:
    """Run the callback that reads the recorded file ``path`` (under ``root``, the recording's
    folder) offline; None for a file no callback reads (robots.txt, a feed, a document)."""
    method, url = url_of(path.relative_to(root))
    route = route_for(url)
    if route is None:
        return None
    _pattern, spider_class, callback, arguments = route
    crawler = get_crawler(spider_class, {"VENTANAS": Settings(today=today)})
    spider = spider_class.from_crawler(crawler)
    crawler.spider = spider
    # No encoding given: Scrapy reads the page's own declaration (or its BOM), as in a crawl.
    response = HtmlResponse(url=url, body=path.read_bytes(), request=Request(url, method=method))
    result = Replayed(spider_class.name, callback)
    for output in getattr(spider, callback)(response, **arguments(response, url)) or ():
        (result.items if isinstance(output, EventItem) else result.requests).append(output)
    result.stats = dict(crawler.stats.get_stats())
    return result
