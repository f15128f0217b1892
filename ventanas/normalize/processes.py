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
    title = article_title(selector)
    year = chair.year if chair else _first_year(title)
    page = _GfmdPage(live_url, source_name, priority, host, year)
    events = page.summit(title, facts, table_rows(selector, ["segment", "date"]))
    events += page.meeting_rows(table_rows(selector, ["meeting", "date"]))
    events += page.dated_sections(text_lines(_main(selector)))
    return events


def _first_year(text: str) -> int | None:
    """The chairmanship a page's title names ("GFMD 2023-2024 preparatory meetings" → 2023)."""
    match = re.search(r"\b(20\d\d)\b", text or "")
    return int(match[1]) if match else None


def _main(selector):
    for xpath in ("//main", "//article", "//body"):
        found = selector.xpath(xpath)
        if found:
            return found[0]
    return selector


# -- a page as lines ------------------------------------------------------------

_BLOCK_TAGS = frozenset({"address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "footer", "form",
                         "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
                         "section", "table", "tbody", "td", "th", "thead", "tr", "ul"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP = frozenset({"script", "style", "noscript", "template"})


@dataclass(frozen=True)
class Line:
    text: str
    heading: bool  # the line is (part of) a heading


def text_lines(node) -> list[Line]:
    """A page part as the lines a reader sees: one per block element, split at ``<br>``,
    inline markup (``<strong>``, ``<a>``) kept within its line; headings marked."""
    lines: list[Line] = []
    parts: list[str] = []
    in_heading = [False]

    def flush() -> None:
        text = clean_text(" ".join(parts))
        parts.clear()
        if text:
            lines.append(Line(text, in_heading[0]))

    def walk(element, heading: bool) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag in _SKIP:
            return
        if tag in _BLOCK_TAGS or tag == "br":
            flush()
        here = heading or tag in _HEADINGS
        in_heading[0] = here
        if tag and element.text:
            parts.append(element.text)
        for child in element:
            walk(child, here)
            in_heading[0] = here
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK_TAGS:
            flush()

    root = getattr(node, "root", node)
    if hasattr(root, "tag"):
        walk(root, False)
        flush()
    return lines


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


    def dated_sections(self, lines: list[Line]) -> list[EventItem]:
        """Preparatory meetings as the GFMD's site lists them: a dated heading ("Third GFMD Preparatory
        Meetings - 24 October 2023"), then each meeting (Steering Group, Friends of the Forum, Troika,
        a thematic workshop) on its own line with its CET/CEST time and its venue on the lines below.

        The edition is ``<chair year>-<n>``, n the heading's ordinal ("Third") or else the round's
        place among the page's rounds; a workshop's is ``<chair year>-<subject>``. A meeting line that
        gives its own date ("Friends of the Forum - 25 October 2023") keeps it.
        """
        if self.chair_year is None:
            return []
        events: list[EventItem] = []
        rounds = 0
        heading: Line | None = None
        day = ""
        n: int | None = None
        meeting: list[str] = []

        def close() -> None:
            if heading is not None and meeting:
                event = self._listed_meeting(meeting, day, n, heading.text)
                if event is not None:
                    events.append(event)
            meeting.clear()

        for line in lines:
            if line.heading:
                close()
                heading = line if _PREPARATORY.search(line.text) or _meeting_type(line.text) else None
                if heading is not None:
                    spans = find_dates(line.text)
                    day = spans[0].text if spans else ""  # "Thematic workshops - July 2025": each line dates its own
                    words = line.text.split()
                    n = read_number(words[0]) if words else None
                    if _ROUND.search(line.text) and day:  # a dated round, not the page title
                        rounds += 1
                        n = n or rounds
                continue
            if heading is None:
                continue
            if _meeting_type(line.text) is not None:
                close()
            if meeting or _meeting_type(line.text) is not None:
                meeting.append(line.text)
        close()
        return events

    def _listed_meeting(self, lines: list[str], day: str, n: int | None, heading: str) -> EventItem | None:
        label = lines[0]
        mtype, match = _meeting_type(label)  # type: ignore[misc]
        own = find_dates(label)
        when = own[0].text if own else day
        time_text = next((line for line in lines[1:] if find_times(line)), "")
        status_text = " ".join(line for line in lines[1:] if meeting_status(line) != Status.CONFIRMED)
        venue = next((line for line in lines[1:] if line != time_text and meeting_status(line) == Status.CONFIRMED),
                     "")
        venue = re.sub(r"^(venue|location|place)\s*:\s*", "", venue, flags=re.I)
        if mtype.edition == "topic" and (topic := meeting_topic(label[match.end():])):
            edition, title = f"{self.chair_year}-{topic[0]}", mtype.titles["en"].format(n=topic[1])
        else:
            edition, title = f"{self.chair_year}-{n}", mtype.titles["en"].format(n=n)
        return self.event(key=ids.process_meeting("GFMD", mtype.slug, edition), kind=mtype.kind, title=title,
                          when=when, time_text=time_text, location=venue, status=status_text,
                          evidence=" | ".join([heading, *lines]), session=edition)


# "Third GFMD Preparatory Meetings - 24 October 2023": the heading of a round of meetings.
_PREPARATORY = re.compile(r"preparatory\s+meetings?|thematic\s+workshops?", re.I)
_ROUND = re.compile(r"preparatory\s+meetings?", re.I)


def _meeting_type(text: str) -> tuple[MeetingType, re.Match] | None:
    """The GFMD meeting a line names (Steering Group, Friends of the Forum, Troika, a thematic workshop)."""
    return next(((t, m) for t in MEETING_TYPES if t.body == "GFMD" and t.edition in ("chair", "topic")
                 and t.slug != "preparatory-meeting" and (m := t.pattern.search(text))), None)


# -- the summit in the home page's and news listings' blocks ---------------------

PRIORITY_BLOCK = 60  # the site's own short announcement: below its meeting page, above a news item's prose

_BLOCK_XPATH = ("//*[contains(concat(' ', normalize-space(@class), ' '), ' block ') "
                "or contains(@class, 'views-row') or contains(@class, 'card') or self::article or self::li]")


def summit_blocks(selector, live_url: str, *, source_name: str, priority: int = PRIORITY_BLOCK) -> list[EventItem]:
    """The GFMD summits the blocks of a home page or a news listing announce, as
    "14th GFMD Summit, 23–25 January 2024, CICG Geneva" (on one line or several): the number,
    the dates and the venue after them. The smallest block that says it all is read, once."""
    summit = _gfmd_type("summit")
    found: dict[str, EventItem] = {}
    blocks = [b for b in selector.xpath(_BLOCK_XPATH) if "summit" in fold(" ".join(b.xpath(".//text()").getall()))]
    inner = [b for b in blocks if not any(other is not b and _contains(b, other) for other in blocks)]
    for block in inner:
        text = "\n".join(line.text for line in text_lines(block))
        match = summit.pattern.search(text)
        if not match:
            continue
        words = re.split(r"[\s,]+", text[:match.start()].strip())
        number = next((n for word in reversed(words[-3:]) if word and (n := read_number(word)) is not None), None)
        spans = [span for span in find_dates(text[match.end():]) if span.start.year >= 2000]
        if number is None or not spans:
            continue
        span = spans[0]
        # the venue: what follows the dates on their line, else the next line ("CICG Geneva")
        rest = text[match.end() + span.pos + len(span.text):].lstrip(" ,.;–-")
        rest = rest[1:] if rest.startswith("\n") else rest
        venue = clean_text(re.split(r"[|•:\n]|\s[-–—]\s", rest)[0]).strip(" ,.;")
        key = ids.process_meeting("GFMD", "summit", number)
        if key in found:
            continue
        nth = ordinal_suffix_en(number)
        found[key] = EventItem(
            key=key, body="GFMD", kind=Kind.SUMMIT, title=summit.titles["en"].format(n=number, nth=nth, r=number),
            start=span.start, end=span.end, location=venue[:120] or None, confidence=span.confidence,
            session=str(number), states=process_states("GFMD", Kind.SUMMIT), evidence=text.replace("\n", " | ")[:300],
            source_url=live_url, source_name=source_name, priority=priority,
        )
    return list(found.values())


def _contains(outer, inner) -> bool:
    node = inner.root
    return any(parent is outer.root for parent in node.iterancestors())


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
