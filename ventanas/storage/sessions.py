"""Announcements without a session number, placed on the session they announce.

A media advisory says "the Committee will hold its upcoming session from 27 March
to 6 April" and never gives the number; the extraction engine keys what it reads
``ohchr/CMW/unnumbered/…`` and leaves ``session`` empty (it never invents a
number). Before a crawl's items are stored, each such announcement is matched by
body and dates against the sessions already stored (the sessions list spider
knows their numbers and dates) or numbered in the same run: one match, and its
items take that session's keys, number and title, so the advisory's reviews and
dialogue slots land on the session the list gave and no duplicate appears. No
match, or two, and the items are held back and said so: an unmatched key would
be an invented one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ventanas.domain import EventItem, Kind
from ventanas.normalize import ids
from ventanas.normalize import meetings as vocab
from ventanas.storage.models import Event

# How far apart the announced and the stored first days may be: an advisory gives the
# session's dates, a list may show the week of the pre-sessional group too.
MAX_START_GAP_DAYS = 14


@dataclass(frozen=True)
class Placed:
    items: list[EventItem]
    held_back: list[str]  # one line per announcement that matched no stored session


def place_unnumbered(session: Session, items: list[EventItem]) -> Placed:
    groups: dict[tuple[str, str], list[EventItem]] = defaultdict(list)
    out: list[EventItem] = []
    for item in items:
        if _unnumbered(item.key):
            groups[(item.body, item.source_url)].append(item)
        else:
            out.append(item)
    if not groups:
        return Placed(items, [])
    held: list[str] = []
    for (body, url), group in groups.items():
        start, end = _span(group)
        number = _match(session, body, start, end, out)
        if number is None:
            held.append(f"{body} session of {start:%Y-%m-%d}..{end:%Y-%m-%d} announced at {url}: "
                        f"no stored {body} session matches these dates; {len(group)} items held back")
            continue
        out += [_numbered(item, number) for item in group]
    return Placed(out, held)


def _unnumbered(key: str) -> bool:
    parts = key.split("/")
    return len(parts) >= 3 and parts[0] == "ohchr" and parts[2] == ids.UNNUMBERED


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _span(group: list[EventItem]) -> tuple[date, date]:
    sessions = [i for i in group if i.kind == Kind.SESSION]
    chosen = sessions or group
    return min(_day(i.start) for i in chosen), max(_day(i.end or i.start) for i in chosen)


def _match(session: Session, body: str, start: date, end: date, batch: list[EventItem]) -> str | None:
    candidates: dict[str, tuple[date, date]] = {}
    rows = session.execute(
        select(Event.session, Event.start_date, Event.end_date)
        .where(Event.body_code == body, Event.kind == str(Kind.SESSION), Event.session.is_not(None))
    )
    for number, first, last in rows:
        candidates[str(number)] = (first, last)
    for item in batch:  # a session numbered in this very run
        if item.body == body and item.kind == Kind.SESSION and item.session:
            candidates[item.session] = (_day(item.start), _day(item.end or item.start))
    scored = []
    for number, (first, last) in candidates.items():
        overlap = (min(end, last) - max(start, first)).days + 1
        if overlap > 0 and abs((first - start).days) <= MAX_START_GAP_DAYS:
            scored.append((overlap, number))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


def _numbered(item: EventItem, number: str) -> EventItem:
    item.key = ids.with_session(item.key, number)
    item.session = number
    n = int(number) if number.isdigit() else number
    for lang, unnumbered in vocab.UNNUMBERED_SESSION_TITLES.items():
        prefix = unnumbered.format(body=item.body)
        if item.title.startswith(prefix):
            numbered = vocab.SESSION_TITLES[lang].format(
                body=item.body, n=n, nth=vocab.ordinal_suffix_en(n) if isinstance(n, int) else n)
            item.title = numbered + item.title[len(prefix):]
            break
    return item
