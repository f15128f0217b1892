"""What every reader of an announcement shares (used by :mod:`extraction`).

A text is read once for dates, times and States, then split into sentences
(:class:`Sent`), each with what was found in it. A :class:`Context` carries what
the document as a whole says (its body, session, the GFMD summit or chair year it
is about) and collects the events; :func:`new_event` and :func:`add_event` make
and keep them, one per natural key, the most certain reading winning.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from ventanas.domain import Basis, EventItem, Kind, Status
from ventanas.normalize import ids
from ventanas.normalize import meetings as vocab
from ventanas.normalize.bodies import BODIES
from ventanas.normalize.dates import DateSpan, find_dates
from ventanas.normalize.numerals import read_number
from ventanas.normalize.ohchr import meeting_status
from ventanas.normalize.prose import Sentence, sentences
from ventanas.normalize.statefind import StateMention, find_states
from ventanas.normalize.states import fold
from ventanas.normalize.text import clean_text
from ventanas.normalize.times import TimeSpan, find_times

TREATY = tuple(code for code, b in BODIES.items() if b.binding)
_SKIPPABLE = {"the", "its", "their", "la", "el", "le", "les", "de", "del", "of", "du", "des", "su", "sa",
              "ses", "sus", "l", "committee's", "comité", "comite", "gfmd", "fmmd", "crm", "csm", "upr",
              "sesión", "session", "no.", "nº", "n°", "número", "numéro", "reunión", "reunion", "réunion",
              "meeting", "ordinaria", "ordinary", "ordinaire", "round", "ronda"}
_EXTRA_POSTPONED = ("se pospone", "pospone", "reprogramad", "postpone", "reporter", "suspendid")


@dataclass
class Sent:
    """One sentence (or line) with the dates, times and States found in it."""

    s: Sentence
    dates: list[DateSpan]
    times: list[TimeSpan]
    states: list[StateMention]

    @property
    def text(self) -> str:
        return self.s.text

    def rel(self, pos: int) -> int:
        return pos - self.s.pos


@dataclass
class Context:
    """What the whole document says, and what its sentences have yielded so far."""

    lang: str
    body: str | None
    session: str | None
    source_url: str
    source_name: str
    events: dict[str, EventItem] = field(default_factory=dict)
    sessions: dict[tuple[str, str], tuple[date, date]] = field(default_factory=dict)
    reviewed: dict[tuple[str, str], dict[str, None]] = field(default_factory=lambda: defaultdict(dict))
    review_evidence: dict[tuple[str, str, str], str] = field(default_factory=dict)
    slots: list[tuple[str, str, str, datetime, datetime | None, str, float, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    geneva_stated: bool = False
    summit_number: int | None = None  # the GFMD summit a page is about
    summit_year: int | None = None  # the year a page names its summit by ("the 2019 Civil Society Day")
    chair_year: int | None = None  # the GFMD chairmanship or CRM/CSM presidency year a page is about
    published: date | None = None
    session_given: bool = False  # the caller passed the session (a spider's hint)


def split_text(text: str, published: date | None, lang: str) -> tuple[list[Sent], list[StateMention]]:
    """Dates, times and States found once in the whole text (so a year anchors the
    dates of later sentences), then handed to the sentence they fall in."""
    found = [find_dates(text, lang=lang, published=published), find_times(text), find_states(text)]
    cursors = [0, 0, 0]
    out = []
    for s in sentences(text):
        end = s.pos + len(s.text)
        chunks: list[list[Any]] = []
        for k, items in enumerate(found):
            chunk = []
            while cursors[k] < len(items) and items[cursors[k]].pos < end:
                if items[cursors[k]].pos >= s.pos:
                    chunk.append(items[cursors[k]])
                cursors[k] += 1
            chunks.append(chunk)
        out.append(Sent(s, *chunks))
    return out, found[2]


# "Lima, Perú, 11 de diciembre de 2023.– El 5 y 6 de diciembre tuvo lugar…", "GENEVA (30 July 2025) –":
# the date a dispatch was written, not a meeting's.
_DATELINE_BEFORE = re.compile(r"^[\s\W]*(?:[A-ZÁÉÍÓÚÑ][\w'’.-]*[\s,]*){1,5}\(?\s*$")
_DATELINE_AFTER = re.compile(r"^\s*[.)]?\s*[–—-]")


def is_dateline(sent: Sent, span: DateSpan) -> bool:
    at = sent.rel(span.pos)
    return bool(_DATELINE_BEFORE.match(sent.text[:at]) and _DATELINE_AFTER.match(sent.text[at + len(span.text):]))


def body_hint(body: str | None) -> str | None:
    if not body:
        return None
    from ventanas.normalize.bodies import resolve_body

    return resolve_body(body)


_WORD_START = re.compile(r"(?<![\w-])[^\W\d_]{2}")


@lru_cache(maxsize=1)
def _body_dispatch() -> dict[str, list[tuple[re.Pattern[str], str]]]:
    """First two letters of a word → the body patterns that can start there.

    Running fourteen alternations at every character cost more than the rest of
    the extraction; looking up each word's first letters and trying only the
    patterns that can start with them reads the same names in a fraction of it."""
    table: dict[str, list[tuple[re.Pattern[str], str]]] = defaultdict(list)
    for code, pattern in vocab.BODY_PATTERNS.items():
        for alternative in vocab.split_alternatives(pattern.pattern):
            literal = re.sub(r"^\(\?-i:|\\b", "", alternative)[:2]
            table[literal.casefold()].append((re.compile(alternative, re.I), code))
    return dict(table)


@lru_cache(maxsize=1)
def any_meeting() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{t.pattern.pattern})" for t in vocab.MEETING_TYPES), re.I)


@lru_cache(maxsize=4096)
def bodies_in(text: str) -> list[tuple[int, str]]:
    dispatch, found = _body_dispatch(), []
    for m in _WORD_START.finditer(text):
        for pattern, code in dispatch.get(m.group().casefold(), ()):
            if pattern.match(text, m.start()):
                found.append((m.start(), code))
                break
    return found


def dominant_body(text: str) -> str | None:
    counts: dict[str, int] = defaultdict(int)
    first: dict[str, int] = {}
    for pos, code in bodies_in(text[:200_000]):
        counts[code] += 1
        first.setdefault(code, pos)
    if not counts:
        return None
    return max(counts, key=lambda c: (counts[c], -first[c]))


def number_before(text: str, end: int, max_words: int = 7) -> int | None:
    """The meeting number written just before ``end``: "the 15th GFMD", "la XXVI", "its thirty-sixth"."""
    words = re.findall(r"[\w.ºª°'’-]+", text[max(0, end - 80):end])[-max_words:]
    i = len(words)
    while i > 0:
        for width in (5, 4, 3, 2, 1):  # "one hundred and forty-seventh" is five words
            if i - width < 0:
                continue
            phrase = " ".join(words[i - width:i]).strip(".")
            if (n := read_number(phrase)) is not None and not re.fullmatch(r"\d{4}", phrase):
                return n
        word = words[i - 1].casefold().strip(".,")
        if word not in _SKIPPABLE and not (words[i - 1].isupper() and len(words[i - 1]) <= 6):
            return None
        i -= 1
    return None


@lru_cache(maxsize=4096)
def session_numbers(text: str) -> list[tuple[int, int]]:
    """(number, offset) of every "36th session", "session 36", "36.º período de sesiones"."""
    found = []
    for m in vocab.SESSION_WORDS.finditer(text):
        if vocab.PRE_SESSIONAL.search(text[max(0, m.start() - 15):m.end()]):
            continue
        n = number_before(text, m.start())
        if n is None and (after := re.match(r"\s+(?:No\.?\s*|n[º°]\s*)?(\d{1,3})\b(?![:.]\d)", text[m.end():])):
            n = int(after[1])
        # "el próximo período de sesiones, el 76º, se celebrará", "the next session, the 76th, will"
        if n is None and (after := re.match(r"\s*,\s*(?:el|la|the|le|la)\s+([\w.ºª°-]+)\s*,", text[m.end():])):
            n = read_number(after[1])
        if n is not None:
            found.append((n, m.start()))
    return found


def sentence_body(sent: Sent, ctx: Context, allowed: tuple[str, ...], before: int | None = None) -> str | None:
    found = [(pos, code) for pos, code in bodies_in(sent.text) if code in allowed]
    if before is not None:
        prior = [f for f in found if f[0] <= before]
        found = prior or found
    if found:
        return found[-1][1] if before is not None else found[0][1]
    return ctx.body if ctx.body in allowed else None


@lru_cache(maxsize=4096)
def status_of(text: str) -> Status:
    if not _STATUS_HINT.search(text):
        return Status.CONFIRMED  # folding every sentence is slow; most say nothing about status
    status = meeting_status(text)
    folded = fold(text)
    if status is Status.CONFIRMED and any(word in folded for word in _EXTRA_POSTPONED):
        return Status.POSTPONED
    return status


_STATUS_HINT = re.compile(r"cancel|annul|postpon|defer|resched|report[ée]|aplaz|pospu|pospon|reprogram|suspend|"
                          r"tentative|provisional|confirm|TBC|not\s+(?:take\s+place|be\s+(?:held|convened))|"
                          r"n['’]aura\s+pas|no\s+se\s+celebrar|no\s+tendr", re.I)


def evidence_of(sent: Sent) -> str:
    return clean_text(sent.text)[:600]


def add_event(ctx: Context, item: EventItem) -> None:
    """One event per key: the most certain reading wins; a later one may add a missing place."""
    held = ctx.events.get(item.key)
    if held is None or item.confidence > held.confidence:
        if held is not None and not item.location:
            item.location = held.location
        ctx.events[item.key] = item
    elif not held.location and item.location:
        held.location = item.location


def new_event(ctx: Context, *, key: str, body: str, kind: Kind, title: str, start: date | datetime,
           end: date | datetime | None, sent: Sent, confidence: float = 1.0, **fields: Any) -> EventItem:
    return EventItem(key=key, body=body, kind=kind, title=title, start=start, end=end,
                     source_url=ctx.source_url, source_name=ctx.source_name, basis=Basis.ANNOUNCED,
                     confidence=round(min(1.0, confidence), 3), evidence=evidence_of(sent),
                     status=fields.pop("status", status_of(sent.text)), **fields)


def session_title(ctx: Context, body: str, session: str) -> str:
    if session == ids.UNNUMBERED:
        return vocab.UNNUMBERED_SESSION_TITLES[ctx.lang].format(body=body)
    n = int(session) if session.isdigit() else session
    return vocab.SESSION_TITLES[ctx.lang].format(body=body, n=n, nth=vocab.ordinal_suffix_en(n)
                                                 if isinstance(n, int) else n)


def day_of(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


PLACE = re.compile(
    r"\b(?:in|en|à|at|au)\s+(?:the\s+|la\s+|el\s+|le\s+)?"
    r"(?P<place>[A-ZÁÉÍÓÚÑÇ][\w'’-]+(?:\s+(?:de\s+|del\s+|des\s+|of\s+)?"
    r"[A-ZÁÉÍÓÚÑÇ][\w'’-]+)*(?:,\s*[A-ZÁÉÍÓÚÑÇ][\w'’-]+(?:\s+[A-ZÁÉÍÓÚÑÇ][\w'’-]+)*){0,2})")


def place_in(text: str) -> str | None:
    for m in PLACE.finditer(text):
        place = m["place"].strip(" ,.")
        first = fold(place.split()[0])
        from ventanas.normalize.dates import month_numbers, weekday_numbers

        if first in month_numbers() or first in weekday_numbers() or re.match(r"[IVXLC]+\b", place):
            continue
        if any(p.match(place) for p in vocab.BODY_PATTERNS.values()) or first in ("reunion", "sesion", "session"):
            continue
        return place
    return None
