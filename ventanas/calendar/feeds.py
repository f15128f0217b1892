"""iCalendar feeds from stored events (DESIGN §8), with icalendar 7's factories.

Nothing here reads the clock or makes random ids: the same events give the
same bytes, so an unchanged feed is byte-identical after re-publishing.

Each event is rendered once to a VEVENT block (:func:`event_block`) and a
feed is assembled from blocks (:func:`assemble`): an event appears in its
State feeds, its body feed, the deadlines feeds and all.ics, and icalendar's
serializer is the slow part, so the publisher renders each event once and
keeps the block (see :mod:`ventanas.calendar.blocks`). The calendar's own
properties still come from icalendar, and every VTIMEZONE from
:mod:`ventanas.calendar.vtimezone` (yearly RRULEs, which every client reads).

How events look in a feed:

- UID ``<natural key>@ventanas``; SEQUENCE the stored sequence (it grows with
  every material change); DTSTAMP and LAST-MODIFIED the stored last change;
  CREATED when ventanas first saw it.
- All-day events (sessions, deadline days) as VALUE=DATE with an exclusive
  DTEND (the day after the last day); timed events with a TZID and a
  VTIMEZONE in the calendar for every TZID; a timed event whose end the
  source does not give has no DTEND (unknown stays unknown).
- STATUS: CONFIRMED when announced and confirmed; TENTATIVE when tentative,
  postponed or estimated; CANCELLED when the source cancelled it — it stays in
  the feed so clients show it struck through instead of silently dropping it.
- SUMMARY says "[Cancelled]", "[Postponed]" or "(estimated)", as not every
  client shows STATUS, in the title's language ("[Aplazado]" before a CRM
  meeting's Spanish name: see :mod:`ventanas.calendar.wording`).
- A news item (kind ``news``: a link with no meeting in it) is not an event
  and is in no feed (:func:`in_feeds`); pages, exports and digests list it.
- A *vanished* event (its sources stopped listing it in two healthy runs)
  stays in the feed, STATUS:TENTATIVE, its SUMMARY prefixed "[No longer
  listed]" and its DESCRIPTION saying when it disappeared: it may have been
  moved, cancelled or dropped from the page, and ventanas does not know
  which. Deleting it would make it vanish from calendars without a word.
- DESCRIPTION: what the event is, what to do, whether the date is announced
  or estimated (and how, in words), the source URL and any other page that
  announced it; URL is the source.
- TRANSP:TRANSPARENT: these are reminders, not the reader's own busy time.
- No VALARM: shared feeds must not ring for everyone (a subscriber's personal
  feed adds them: :mod:`ventanas.calendar.personal`).

Every feed exists in English, Spanish and French (``feeds/…``, ``es/feeds/…``,
``fr/feeds/…``): the same events with the same UIDs, DTSTART, SEQUENCE and
STATUS, so a move is a move in every language; SUMMARY and DESCRIPTION are in
the feed's language (:data:`LANGS`). A Spanish or French SUMMARY is the title
the pages show (composed from the event's parts for OHCHR's generic titles,
the proper name of a process meeting as stored) with its status mark in the
feed's language; the English feed keeps the stored title with the mark in the
title's language. The English VEVENT is serialized by icalendar; the other
languages swap its SUMMARY and DESCRIPTION lines for theirs, serialized by
the same escaping and folding (:func:`event_blocks`): what icalendar would
write for the whole event. Folding is done on the UTF-8 bytes at once
(:func:`fold`), which gives icalendar's bytes (a test compares them on
arbitrary text) in a fraction of its per-character time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from icalendar.prop import vText

from ventanas.calendar import i18n, wording
from ventanas.calendar.events import Entry, EventView
from ventanas.calendar.vtimezone import vtimezone
from ventanas.normalize.text import clean_multiline, clean_text

LANGS = i18n.LANGS
PRODID = "-//ventanas//reporting windows//EN"
REFRESH = timedelta(hours=6)
PUBLISHED_TTL = "PT6H"
# Kinds that are no calendar event: a news item is a link (pages, exports, digests), not a date.
NOT_IN_FEEDS = frozenset({"news"})
_SPECIFIC = re.compile(r"@|https?://|\d")  # a source's instructions that say more than the advice per kind


def uid_for(key: str) -> str:
    return f"{key}@ventanas"


def _moment(value: datetime, zone: str | None) -> datetime:
    return value.astimezone(ZoneInfo(zone)) if zone else value.astimezone(UTC)


def _dates(view: EventView) -> tuple[date | datetime, date | datetime | None]:
    if view.all_day:
        # DTEND of an all-day event is exclusive: the day after the last day.
        return view.first_day, view.last_day + timedelta(days=1)
    start = _moment(view.start, view.timezone)  # type: ignore[arg-type]
    end = _moment(view.end, view.timezone) if isinstance(view.end, datetime) else None
    return start, end if end is not None and end > start else None


def in_feeds(event: EventView | Entry) -> bool:
    """Whether an event is a calendar event: a news link with no meeting has no date to keep."""
    return event.kind not in NOT_IN_FEEDS


def title_of(view: EventView, lang: str = "en") -> str:
    """The event's title in ``lang``, as the pages show it (English: the stored title, slugs spelled out)."""
    if lang == "en":
        return wording.reader_title(clean_text(view.title), view.key, view.body)
    state = view.state_with_role("reviewed", "due_by") or (view.states[0][0] if len(view.states) == 1 else None)
    return i18n.localized_title(title=clean_text(view.title), kind=view.kind, body=view.body, session=view.session,
                                state=state, cycle=str(view.details.get("cycle") or "") or None, lang=lang,
                                key=view.key)


def summary_of(view: EventView, lang: str = "en") -> str:
    title = title_of(view, lang)
    if view.vanished_at is not None:
        mark = "vanished"
    elif view.status in ("cancelled", "postponed"):
        mark = view.status
    else:
        mark = "estimated" if view.basis == "derived" else None
    if lang == "en":  # the English feed marks a title in the title's language ("[Aplazado] Grupo de Trabajo…")
        return wording.marked_title(title, view.key, view.body, mark)
    return wording.MARKS.get(lang, wording.MARKS["en"])[mark].format(title=title) if mark else title


def status_of(view: EventView) -> str:
    if view.status == "cancelled" and view.vanished_at is None:
        return "CANCELLED"
    if view.status in ("tentative", "postponed") or view.basis == "derived" or view.vanished_at is not None:
        return "TENTATIVE"
    return "CONFIRMED"


def description_of(view: EventView, lang: str = "en") -> str:
    words = wording.feed_words(lang)
    what = f"{i18n.kind_label(view.kind, lang)} — {i18n.body_name(view.body, lang)} ({view.body})"
    if view.session and view.binding:  # a process's "session" is an edition from its key ("2025-2")
        what += words["session"].format(n=view.session)
    lines = [what + "."]
    if view.states:
        named = ", ".join(f"{i18n.state_name(code, lang)} ({wording.role_word(role, lang)})"
                          for code, role in view.states[:12])
        more = words["more"].format(n=len(view.states) - 12) if len(view.states) > 12 else ""
        lines.append(words["states"].format(states=named, more=more))
    if view.description and view.basis != "derived":  # an estimate's description is the rule's, said below
        lines.append(words["source_text"].format(text=clean_multiline(view.description)))
    source_todo = clean_text(view.action)
    if lang == "en":
        todo = source_todo or i18n.action_for(view.kind, view.body, "en")
        if todo:
            lines.append(words["todo"].format(todo=todo))
    else:  # the advice per kind in the reader's language, and the source's own words when they say more
        todo = i18n.action_for(view.kind, view.body, lang)
        if todo:
            lines.append(words["todo"].format(todo=todo))
        if source_todo and _SPECIFIC.search(source_todo):
            lines.append(words["source_todo"].format(todo=source_todo))
    if view.basis == "derived":
        lines.append(wording.estimate_note(view.rule, lang))
    else:
        lines.append(words["announced"])
    if view.status == "cancelled":
        lines.append(words["cancelled"])
    elif view.status == "postponed":
        lines.append(words["postponed"])
    if view.vanished_at is not None:
        day = view.vanished_at.date()
        lines.append(words["vanished"].format(date=day.isoformat() if lang == "en" else i18n.fmt_date(day, lang, "long")))
    lines.append(words["source"].format(url=view.source_url))
    if view.also_announced_at:
        lines.append(words["also"].format(urls=", ".join(view.also_announced_at)))
    return clean_multiline("\n".join(lines))


def event_component(view: EventView) -> Event:
    start, end = _dates(view)
    return Event.new(
        uid=view.uid,
        summary=summary_of(view),
        start=start,
        end=end,
        stamp=view.last_changed,
        created=view.first_seen,
        last_modified=view.last_changed,
        sequence=view.sequence,
        status=status_of(view),
        transparency="TRANSPARENT",
        location=clean_text(view.location) or None,
        description=description_of(view),
        url=view.source_url,
        categories=[view.body, view.kind] + (["estimated"] if view.basis == "derived" else []),
    )


def event_block(view: EventView, lang: str = "en") -> bytes:
    """One VEVENT in one language, serialized: what feeds are assembled from."""
    english = serialize(event_component(view))
    if lang == "en":
        return english
    return _swap_lines(english, {"SUMMARY": summary_of(view, lang), "DESCRIPTION": description_of(view, lang)})


def event_blocks(view: EventView) -> dict[str, bytes]:
    """The VEVENT in every language: icalendar serializes the English one; the others differ only in
    SUMMARY and DESCRIPTION, whose lines are swapped for theirs (see the module's docstring)."""
    english = serialize(event_component(view))
    blocks = {"en": english}
    for lang in LANGS:
        if lang != "en":
            blocks[lang] = _swap_lines(english, {"SUMMARY": summary_of(view, lang),
                                                 "DESCRIPTION": description_of(view, lang)})
    return blocks


def text_line(name: str, text: str) -> bytes:
    """One TEXT property as icalendar writes it: escaped, folded at 75 octets, CRLF.

    The same bytes as ``Contentline.from_parts(name, Parameters(), vText(text)).to_ical()``
    (a test compares them), folded on the UTF-8 bytes at once instead of character by character."""
    return fold(name.encode("ascii") + b":" + vText(text).to_ical()) + b"\r\n"


def serialize(component: Event) -> bytes:
    """``component.to_ical()``, byte for byte, with :func:`fold` for icalendar's per-character folding
    (the slowest part of a publication)."""
    return b"".join(fold(str(line).encode("utf-8")) + b"\r\n" for line in component.content_lines() if line)


_CONTINUATION = range(0x80, 0xC0)  # the bytes that continue a UTF-8 character


def fold(line: bytes, limit: int = 75) -> bytes:
    """RFC 5545 folding exactly as icalendar's: pieces of at most ``limit - 1`` octets, never inside a
    character, and a backslash or caret that would end a piece starts the next one instead."""
    if len(line) < limit:
        return line
    pieces = []
    start, size = 0, len(line)
    while size - start > limit - 1:
        cut = start + limit - 1
        while line[cut] in _CONTINUATION:
            cut -= 1
        if line[cut - 1] in b"\\^" and cut - 1 > start:  # an escape is not split from what it escapes
            cut -= 1
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)


def _swap_lines(block: bytes, values: dict[str, str]) -> bytes:
    """``block`` with the named properties' lines (and their folded continuations) replaced, in place."""
    for name, text in values.items():
        start = block.find(b"\r\n" + name.encode("ascii") + b":") + 2
        if start < 2:
            continue
        end = block.find(b"\r\n", start)
        while block[end + 2:end + 3] == b" ":  # a folded line goes on
            end = block.find(b"\r\n", end + 2)
        block = block[:start] + text_line(name, text) + block[end + 2:]
    return block


def tzids_of(view: EventView) -> frozenset[str]:
    if view.all_day or not view.timezone:
        return frozenset()
    return frozenset({view.timezone})


@cache
def timezone_block(tzid: str) -> bytes:
    """The zone's VTIMEZONE, serialized: from 2000 on, as yearly rules where the zone has them."""
    return vtimezone(tzid).to_ical()


def _calendar_shell(feed_id: str, name: str, description: str, url: str | None) -> tuple[bytes, bytes]:
    """The VCALENDAR's own lines, split where the components go."""
    calendar = Calendar.new(
        prodid=PRODID, uid=f"feed/{feed_id}@ventanas", name=name, description=description,
        refresh_interval=REFRESH, method="PUBLISH", calscale="GREGORIAN", source=url,
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 §5.7 requires the parameter
    calendar["X-WR-CALNAME"] = name
    calendar["X-WR-CALDESC"] = description
    calendar["X-PUBLISHED-TTL"] = PUBLISHED_TTL
    data = calendar.to_ical()
    end = data.rindex(b"END:VCALENDAR")
    return data[:end], data[end:]


def assemble(blocks: Iterable[bytes], tzids: Iterable[str], *, feed_id: str, name: str, description: str,
             url: str | None = None) -> bytes:
    """A VCALENDAR from VEVENT blocks, with one VTIMEZONE (before the events) for every TZID they use.

    ``feed_id`` (e.g. "states/MEX") makes the calendar's own UID stable; ``url``
    is where the feed is published (its SOURCE).
    """
    head, tail = _calendar_shell(feed_id, clean_text(name), clean_text(description), url)
    parts = [head, *(timezone_block(tzid) for tzid in sorted(set(tzids))), *blocks, tail]
    return b"".join(parts)


def render_feed(views: Iterable[EventView], *, feed_id: str, name: str, description: str,
                url: str | None = None) -> bytes:
    """One feed from events, each serialized by icalendar itself (the publisher reuses blocks instead;
    ``make bench`` G2 measures the publisher against this)."""
    views = sorted((v for v in views if in_feeds(v)), key=lambda v: (v.first_day, v.key))
    tzids = set().union(*(tzids_of(v) for v in views)) if views else set()
    return assemble((event_component(v).to_ical() for v in views), tzids, feed_id=feed_id, name=name,
                    description=description, url=url)
