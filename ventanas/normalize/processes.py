"""What the migration processes (GFMD, CRM, CSM) publish, read from their pages.

The extraction engine (``normalize/extraction.py``) reads the prose; this
module reads what is around it: which meetings a page lists, where a news
item's text and publication date are, which page comes next, and which States
a process meeting concerns (DESIGN §4):

- GFMD: the host (role ``host``); for a summit and its parts (Civil Society
  Days, Common Space, Government Days, registration) every UN Member State
  (role ``concerned``), because GFMD is open to all of them;
- CRM, CSM: every member (role ``member``), and the pro-tempore presidency
  (role ``host``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

from ventanas.config import LIVE_BASE_URLS, Settings
from ventanas.domain import EventItem, Kind, Role, StateLink, Status
from ventanas.normalize import ids
from ventanas.normalize.bodies import BODIES, UN_MEMBER_STATES
from ventanas.normalize.dates import find_dates
from ventanas.normalize.meetings import MEETING_TYPES, MeetingType, meeting_topic, ordinal_suffix_en
from ventanas.normalize.numerals import read_number
from ventanas.normalize.ohchr import meeting_status
from ventanas.normalize.states import fold, resolve_state
from ventanas.normalize.tables import column, table_rows
from ventanas.normalize.text import clean_text
from ventanas.normalize.times import GENEVA, find_times

# The parts of a GFMD summit: every UN Member State is invited to them.
SUMMIT_KINDS = frozenset({Kind.SUMMIT, Kind.CIVIL_SOCIETY_DAYS, Kind.REGISTRATION})

# Which item of a source owns an event's fields when several list it
# (storage keeps the highest): a meeting's own page, then a news item, then a feed.
PRIORITY_MEETING_PAGE = 80
PRIORITY_NEWS = 50
PRIORITY_FEED = 20


# -- States a meeting concerns --------------------------------------------------


def process_states(body: str, kind: Kind | str, host: str | None = None,
                   mentioned: Iterable[str] = ()) -> tuple[StateLink, ...]:
    """The States of a process meeting, each with its role (the host once, as host).

    ``mentioned`` are States the text names (a joint plenary names the other
    process's members): they are ``concerned`` unless they already have a role.
    """
    links: list[StateLink] = []
    if host:
        links.append(StateLink(host, Role.HOST))
    info = BODIES.get(body)
    if info is not None and info.members:
        links += [StateLink(code, Role.MEMBER) for code in info.members if code != host]
    elif info is not None and info.open_to_all and Kind(kind) in SUMMIT_KINDS:
        links += [StateLink(code, Role.CONCERNED) for code in UN_MEMBER_STATES if code != host]
    have = {link.code for link in links}
    links += [StateLink(code, Role.CONCERNED) for code in dict.fromkeys(mentioned) if code not in have]
    return tuple(links)


_PRO_TEMPORE = re.compile(
    r"Presidencia\s+Pro\s+T[eé]mpore\s*(?:\(PPT\)\s*)?(?:de(?:l)?|ejercida\s+por)\s+(?:la\s+|el\s+|los\s+)?"
    r"(?P<state>[A-ZÁÉÍÓÚÑ][\w'’]*(?:\s+(?:de(?:l)?\s+|la\s+)?[A-ZÁÉÍÓÚÑ][\w'’]*)*)",
)


def pro_tempore_presidency(text: str) -> str | None:
    """The State holding the pro-tempore presidency named in Spanish prose
    ("bajo la Presidencia Pro Tempore de Panamá" → PAN), or None."""
    for m in _PRO_TEMPORE.finditer(text or ""):
        words = m["state"].split()
        # "de Panamá, Presidencia…" or "de México la XXVI…": try the longest name first
        for n in range(len(words), 0, -1):
            code = resolve_state(" ".join(words[:n]).strip(",.;:"))
            if code:
                return code
    return None


# -- GFMD meeting pages ---------------------------------------------------------

_CHAIR_URL = re.compile(r"/meetings/(?P<chair>[a-z-]+?)-?(?P<year>\d{4})(?:-\d{4})?(?:/|$)")


@dataclass(frozen=True)
class Chairmanship:
    state: str | None  # alpha-3 of the chair, when its slug names a State
    year: int


def chairmanship_from_url(url: str) -> Chairmanship | None:
    """``/meetings/colombia2025/summit`` → Colombia's chairmanship of 2025."""
    m = _CHAIR_URL.search(urlsplit(url).path)
    if not m:
        return None
    return Chairmanship(resolve_state(m["chair"].replace("-", " ")), int(m["year"]))


def gfmd_meeting_page(selector, live_url: str, *, source_name: str,
                      priority: int = PRIORITY_MEETING_PAGE) -> list[EventItem]:
    """The meetings a GFMD meeting page lists.

    A summit page (``/meetings/colombia2025/summit``) gives the summit (its
    number from the heading, "15th GFMD Summit"; dates and venue from the
    labelled facts), its programme segments and the registration deadline. A
    list page (``…/preparatory-meetings``) gives one meeting per table row
    (Meeting, Date, Time, Venue, Status). Times are Geneva time: the GFMD
    Support Unit is in Geneva and writes CET/CEST, so they become aware
    datetimes in Europe/Zurich, the zone DESIGN §6 uses for Geneva.
    """
    chair = chairmanship_from_url(live_url)
    facts = labelled_facts(selector)
    host = resolve_state(fact(facts, "chairmanship", "chair")) or (chair.state if chair else None)
    page = _GfmdPage(live_url, source_name, priority, host, chair.year if chair else None)
    events = page.summit(article_title(selector), facts, table_rows(selector, ["segment", "date"]))
    events += page.meeting_rows(table_rows(selector, ["meeting", "date"]))
    return events


# Programme segments of a summit that the prose vocabulary (normalize/meetings.py) has no type
# for: they are parts of the summit, so every UN Member State is concerned.
SUMMIT_SEGMENTS = {
    "common space": ("common-space", "GFMD Common Space ({nth} Summit)"),
    "government days": ("government-days", "GFMD Government Days ({nth} Summit)"),
}


@dataclass
class _GfmdPage:
    url: str
    source_name: str
    priority: int
    host: str | None
    chair_year: int | None

    def event(self, *, key: str, kind: Kind, title: str, when: str, time_text: str = "", location: str = "",
              status: str = "", evidence: str, session: str | None = None) -> EventItem | None:
        spans = find_dates(when)
        if not spans:
            return None
        span = spans[0]
        start, end, zone = span.start, span.end, None
        times = find_times(time_text, default_zone=GENEVA) if time_text else []
        if times and span.start == span.end:
            start, end = times[0].on(span.start)
            end = end or start
            zone = times[0].zone
        return EventItem(
            key=key, body="GFMD", kind=kind, title=title, start=start, end=end, timezone=zone,
            location=clean_text(location) or None, status=meeting_status(status) if status else Status.CONFIRMED,
            confidence=span.confidence, session=session, states=process_states("GFMD", kind, self.host),
            evidence=evidence, source_url=self.url, source_name=self.source_name, priority=self.priority,
        )

    def summit(self, heading: str, facts: dict[str, str], programme: list[dict]) -> list[EventItem]:
        summit_type = _gfmd_type("summit")
        match = summit_type.pattern.search(heading)
        words_before = heading[:match.start()].split() if match else []
        # "15th GFMD Summit", "XV GFMD Summit": the number is the nearest word before that reads as one
        number = next((n for word in reversed(words_before) if (n := read_number(word)) is not None), None)
        when = fact(facts, "dates", "date")
        if number is None or not when:
            return []
        nth = ordinal_suffix_en(number)
        venue = fact(facts, "venue", "place", "location")
        events = [self.event(key=ids.process_meeting("GFMD", "summit", number), kind=Kind.SUMMIT,
                             title=summit_type.titles["en"].format(n=number, nth=nth, r=number), when=when,
                             location=venue, evidence=f"{heading}: {when}, {venue}", session=str(number))]
        for row in programme:
            label = column(row, "segment")
            segment = SUMMIT_SEGMENTS.get(fold(label))
            csd = _gfmd_type("civil-society-days")
            if segment:
                key, kind, title = ids.process_meeting("GFMD", segment[0], number), Kind.SUMMIT, segment[1]
            elif csd.pattern.search(label):
                key, kind, title = ids.process_meeting("GFMD", csd.slug, number), csd.kind, csd.titles["en"]
            else:
                continue
            events.append(self.event(key=key, kind=kind, title=title.format(n=number, nth=nth, r=number),
                                     when=column(row, "date"), location=column(row, "venue") or venue,
                                     evidence=" | ".join(v for k, v in row.items() if not k.startswith("_")),
                                     session=str(number)))
        if deadline := fact(facts, "registration"):
            events.append(self.event(key=ids.process_meeting("GFMD", "registration", number), kind=Kind.REGISTRATION,
                                     title=f"{nth} GFMD Summit: registration deadline", when=deadline,
                                     evidence=f"Registration deadline: {deadline}", session=str(number)))
        return [e for e in events if e is not None]

    def meeting_rows(self, rows: list[dict]) -> list[EventItem]:
        """Preparatory meetings and workshops. The edition is ``<chair year>-<n>``, n the ordinal
        the row writes ("Third Steering Group meeting") or else its place among rows of its type;
        a workshop's is ``<chair year>-<subject>`` ("Thematic workshop: Climate change and
        human mobility"), the key a news item about it finds too."""
        events, seen = [], defaultdict(int)
        for row in rows:
            label = column(row, "meeting")
            found = next(((t, m) for t in MEETING_TYPES if t.body == "GFMD" and t.edition in ("chair", "topic")
                          and (m := t.pattern.search(label))), None)
            if found is None or self.chair_year is None:
                continue
            mtype, match = found
            seen[mtype.slug] += 1
            first_word = label.split()[0] if label.split() else ""
            n = read_number(first_word) if fold(first_word) not in ("thematic", "troika") else None
            topic = meeting_topic(label[match.end():]) if mtype.edition == "topic" else None
            edition = f"{self.chair_year}-{topic[0] if topic else n or seen[mtype.slug]}"
            event = self.event(key=ids.process_meeting("GFMD", mtype.slug, edition), kind=mtype.kind,
                               title=f"GFMD {label}", when=column(row, "date"), time_text=column(row, "time"),
                               location=column(row, "venue"), status=column(row, "status"),
                               evidence=" | ".join(v for k, v in row.items() if not k.startswith("_")),
                               session=edition)
            if event is not None:
                events.append(event)
        return events


def _gfmd_type(slug: str) -> MeetingType:
    return next(t for t in MEETING_TYPES if t.body == "GFMD" and t.slug == slug)


def labelled_facts(selector) -> dict[str, str]:
    """``<dt>Dates</dt><dd>2–4 September 2025</dd>`` pairs, by folded label."""
    facts: dict[str, str] = {}
    for dt in selector.xpath("//dl/dt"):
        label = fold(clean_text(" ".join(dt.xpath(".//text()").getall())))
        value = clean_text(" ".join(dt.xpath("following-sibling::dd[1]//text()").getall()))
        if label and value:
            facts.setdefault(label, value)
    return facts


def fact(facts: dict[str, str], *labels: str) -> str:
    """The first fact whose label contains one of ``labels`` ('' if none)."""
    for label in labels:
        key = fold(label)
        for name, value in facts.items():
            if key in name:
                return value
    return ""


# -- news pages and listings ----------------------------------------------------

_MAIN_TEXT_XPATHS = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' field--name-body ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
    "//article",
    "//main",
)


def article_title(selector) -> str:
    for xpath in ("//article//h1//text()", "//h1//text()", "//title/text()"):
        title = clean_text(" ".join(selector.xpath(xpath).getall()))
        if title:
            return title
    return ""


def article_text(selector) -> str:
    """The body of a news item, one paragraph per line, without menus and footers."""
    for xpath in _MAIN_TEXT_XPATHS:
        nodes = selector.xpath(xpath)
        if not nodes:
            continue
        blocks = nodes[0].xpath(".//p|.//li|.//td|.//h2|.//h3")
        lines = [clean_text(" ".join(b.xpath(".//text()").getall())) for b in blocks]
        if not blocks:
            lines = [clean_text(" ".join(nodes[0].xpath(".//text()").getall()))]
        text = "\n".join(line for line in lines if line)
        if text:
            return text
    return ""


def published_on(selector) -> date | None:
    """A page's publication date, from its first ``<time datetime=…>`` (machine-readable, so no prose parsing)."""
    for value in selector.xpath(".//article//time/@datetime|.//time/@datetime").getall():
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class ListedItem:
    url: str  # the live URL
    title: str
    published: date | None


def listed_items(selector, page_url: str, path_prefix: str) -> list[ListedItem]:
    """The news items a listing page links to: links whose path starts with ``path_prefix``,
    once each, in page order, with the date the listing shows next to them."""
    found: dict[str, ListedItem] = {}
    for container in selector.xpath("//*[contains(@class, 'views-row')]|//main//article"):
        for href in container.xpath(".//a/@href").getall():
            url = urljoin(page_url, href.strip())
            path = urlsplit(url).path
            if not path.startswith(path_prefix) or path.rstrip("/") == path_prefix.rstrip("/") or url in found:
                continue
            title = clean_text(" ".join(container.xpath(".//h2//text()|.//h3//text()").getall()))
            found[url] = ListedItem(url, title, published_on(container))
            break
    return list(found.values())


def next_page_url(selector, page_url: str) -> str | None:
    """The listing's next (older) page: ``rel="next"`` or WordPress's "older entries"."""
    for xpath in ("//a[@rel='next']/@href", "//*[contains(@class, 'nav-previous')]//a/@href",
                  "//li[contains(@class, 'pager__item--next')]//a/@href"):
        href = selector.xpath(xpath).get()
        if href:
            return urljoin(page_url, href.strip())
    return None


def meeting_page_links(selector, page_url: str) -> list[str]:
    """Links to GFMD meeting pages (``/meetings/<chair><year>/<section>``) on any page, once each."""
    links: dict[str, None] = {}
    for href in selector.xpath("//a/@href").getall():
        url = urljoin(page_url, href.strip())
        if _CHAIR_URL.search(urlsplit(url).path) and urlsplit(url).path.count("/") >= 3:
            links.setdefault(url.split("#")[0], None)
    return list(links)


@dataclass(frozen=True)
class NewsPage:
    url: str  # live URL
    title: str
    text: str  # title, then the body, one paragraph per line
    published: date | None


def read_news_page(selector, live_url: str, listed: ListedItem | None = None) -> NewsPage:
    title = article_title(selector) or (listed.title if listed else "")
    body = article_text(selector)
    published = published_on(selector) or (listed.published if listed else None)
    return NewsPage(live_url, title, "\n".join(part for part in (title, body) if part), published)


class NewestAnnouncement:
    """Within one run, the most recently published post owns a meeting that several posts announce.

    Storage keeps one item per key, the highest priority first and, between
    equals, whichever came first: with posts parsed in whatever order their
    responses arrive, two announcements of one meeting would take turns and
    every re-run would "update" it. So a post is kept only if it is newer
    (publication date, then URL, so that ties are settled too) than every post
    kept before it for that key, one priority step above the last: the newest
    post wins whatever the order. A postponement notice published after the
    announcement is newer, as it should be. Steps stay within the band of
    ``base`` (a news item never outranks a meeting page).
    """

    BAND = 9

    def __init__(self, base: int):
        self.base = base
        self._kept: dict[str, tuple[tuple[date, str], int]] = {}

    def keep(self, event: EventItem, published: date | None) -> bool:
        rank = (published or date.min, event.source_url)
        kept = self._kept.get(event.key)
        if kept is not None and rank <= kept[0]:
            return False
        step = 0 if kept is None else min(kept[1] + 1, self.BAND)
        event.priority = self.base + step
        self._kept[event.key] = (rank, step)
        return True


# -- live URLs and the configured copy -----------------------------------------


def local_url(settings: Settings, live_url: str) -> str:
    """Where to fetch a live URL: the same path under the source's configured base URL.

    Pages link with live URLs (WordPress writes them absolute) or with
    root-relative paths, which mean the live host; a copy served under a path
    prefix (the demo's ``http://127.0.0.1:PORT/www.gfmd.org``) needs them
    moved under its base. Joining relative links against the page's live URL
    first (``Settings.canonical_url``) and then calling this covers both.
    """
    for name, base in settings.source_base_urls().items():
        live = LIVE_BASE_URLS[name]
        if base != live and (live_url == live or live_url.startswith(live + "/")):
            return base.rstrip("/") + live_url[len(live):]
    return live_url
