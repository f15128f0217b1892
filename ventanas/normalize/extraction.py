"""Announcements and deadlines in prose → events (DESIGN §6).

One engine for spiders, feed items and ``run.py extract``. It reads the text
once for dates, times and States (:mod:`dates`, :mod:`times`, :mod:`statefind`),
splits it into sentences (:mod:`prose`), and reads each sentence with the
vocabulary of :mod:`meetings`:

- treaty bodies and the UPR: the session (number and dates), the
  pre-sessional working group, the States under review, each public dialogue
  slot with its Geneva time (a sentence, or a schedule line under a date
  heading), and the deadlines of information notes (written submissions from
  civil society and NHRIs, accreditation, registration, the private meeting
  with NGOs, replies to the list of issues);
- GFMD, CRM and CSM: meetings by type and number, with place and host.

Rules: every event carries the sentence it came from (``evidence``) and
``basis=announced``; ``confidence`` is below 1 when a part was inferred (a
year from the publication date, an edition from the meeting's year, a
deadline computed from "three weeks before the session"). A body, session
or meeting number that cannot be read means no event: keys are never invented.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from ventanas.domain import Basis, EventItem, InvalidItem, Kind, Role, StateLink, Status, validate
from ventanas.normalize import ids
from ventanas.normalize import meetings as vocab
from ventanas.normalize.bodies import BODIES, body_codes
from ventanas.normalize.dates import DateSpan, find_dates
from ventanas.normalize.doctext import MAX_CHARS, DocumentText
from ventanas.normalize.numerals import read_number
from ventanas.normalize.ohchr import meeting_status
from ventanas.normalize.processes import pro_tempore_presidency, process_states
from ventanas.normalize.prose import Sentence, detect_language, sentences
from ventanas.normalize.statefind import (
    StateMention,
    UnresolvedState,
    find_states,
    unresolved_states,
)
from ventanas.normalize.states import all_states, fold, state_name
from ventanas.normalize.text import clean_text
from ventanas.normalize.times import TimeSpan, find_times

TREATY = tuple(code for code, b in BODIES.items() if b.binding)
PROCESSES = ("GFMD", "CRM", "CSM")
_INFO_NOTE = re.compile(r"INT[_/](?P<body>[A-Z]+)[_/]INF[_/](?P<session>\d+)")
_GENEVA_TIME = re.compile(r"Geneva\s+time|hora\s+de\s+Ginebra|heure\s+de\s+Gen[èe]ve|(?-i:\bCEST?\b)", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SKIPPABLE = {"the", "its", "their", "la", "el", "le", "les", "de", "del", "of", "du", "des", "su", "sa",
              "ses", "sus", "l", "committee's", "comité", "comite", "gfmd", "fmmd", "crm", "csm", "upr",
              "sesión", "session", "no.", "nº", "n°", "número", "numéro", "reunión", "reunion", "réunion",
              "meeting", "ordinaria", "ordinary", "ordinaire"}
_PLACE = re.compile(
    r"\b(?:in|en|à|at|au)\s+(?:the\s+|la\s+|el\s+|le\s+)?"
    r"(?P<place>[A-ZÁÉÍÓÚÑÇ][\w'’-]+(?:\s+(?:de\s+|del\s+|des\s+|of\s+)?"
    r"[A-ZÁÉÍÓÚÑÇ][\w'’-]+)*(?:,\s*[A-ZÁÉÍÓÚÑÇ][\w'’-]+(?:\s+[A-ZÁÉÍÓÚÑÇ][\w'’-]+)*){0,2})")
_HOST = re.compile(r"ser[aá]\s+(?:la\s+)?sede|will\s+host|hosted\s+by|accueillera|anfitri[oó]n|pa[ií]s\s+sede", re.I)
_EXTRA_POSTPONED = ("se pospone", "pospone", "reprogramad", "postpone", "reporter", "suspendid")
# Cities that host these meetings, where the text names no State.
_CITY_STATES = {"brasilia": "BRA", "geneva": "CHE", "ginebra": "CHE", "geneve": "CHE", "new york": "USA",
                "bogota": "COL", "riohacha": "COL", "quito": "ECU", "lima": "PER", "santiago": "CHL",
                "montevideo": "URY", "asuncion": "PRY", "buenos aires": "ARG", "la paz": "BOL",
                "caracas": "VEN", "georgetown": "GUY", "paramaribo": "SUR", "tegucigalpa": "HND",
                "san salvador": "SLV", "managua": "NIC", "san jose": "CRI", "belmopan": "BLZ",
                "santo domingo": "DOM", "ottawa": "CAN", "washington": "USA", "marrakech": "MAR",
                "quito ecuador": "ECU", "dhaka": "BGD", "berlin": "DEU", "sarajevo": "BIH"}


@dataclass
class Extraction:
    events: list[EventItem]
    language: str
    notes: list[str] = field(default_factory=list)
    unresolved: list[UnresolvedState] = field(default_factory=list)


@dataclass
class _Sent:
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
class _Context:
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
    chair_year: int | None = None  # the GFMD chairmanship or CRM/CSM presidency year a page is about


def extract_events(text: str, *, lang: str | None = None, published: date | None = None,
                   body: str | None = None, session: str | None = None,
                   source_url: str = "https://example.invalid/", source_name: str = "extract") -> list[EventItem]:
    """Events announced in ``text``; ``body``/``session`` are what the caller already knows."""
    return extract(text, lang=lang, published=published, body=body, session=session,
                   source_url=source_url, source_name=source_name).events


def extract(text: str, *, lang: str | None = None, published: date | None = None,
            body: str | None = None, session: str | None = None,
            source_url: str = "https://example.invalid/", source_name: str = "extract") -> Extraction:
    notes: list[str] = []
    text = text or ""
    if len(text) > MAX_CHARS:
        notes.append(f"text cut at {MAX_CHARS:,} characters")
        text = text[:MAX_CHARS]
    language = lang if lang in ("en", "es", "fr") else detect_language(text)
    sents, mentions = _split(text, published, language)
    body_hint = _body_hint(body)
    if body and body_hint is None:
        notes.append(f"unknown body {body!r} ignored")
    ctx = _Context(language, body_hint or _dominant_body(text), str(session) if session else None,
                   source_url, source_name, notes=notes)
    if ctx.session is None:
        ctx.session = _document_session(text, sents, ctx.body)
    ctx.chair_year = _chair_year(text[:5000])
    ctx.summit_number = _summit_number(text)
    ctx.geneva_stated = bool(_GENEVA_TIME.search(text)) or any(
        t.zone_explicit and t.zone == "Europe/Zurich" for s in sents for t in s.times)
    for sent in sents:
        _sessions(sent, ctx)
    heading_day: date | None = None
    topic, topic_line = "", -1
    for sent in sents:
        if (day := _heading_day(sent)) is not None:
            heading_day = day
            continue
        if _is_heading(sent):
            topic, topic_line = sent.text, sent.s.line
        elif sent.s.line != topic_line and sent.s.line - 1 != topic_line:
            topic = ""  # a new paragraph that no heading introduces
        _treaty_sentence(sent, ctx, heading_day, topic)
        if _topic_words(sent.text):
            topic, topic_line = sent.text, sent.s.line
        _process_sentence(sent, ctx)
        _summit_registration(sent, ctx)
    _finish_dialogues(ctx)
    _finish_reviews(ctx)
    events = _validated(ctx)
    return Extraction(events, language, ctx.notes, unresolved_states(text, mentions=mentions))


# -- reading the text once --------------------------------------------------------


def _split(text: str, published: date | None, lang: str) -> tuple[list[_Sent], list[StateMention]]:
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
        out.append(_Sent(s, *chunks))
    return out, found[2]


def _body_hint(body: str | None) -> str | None:
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
def _any_meeting() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{t.pattern.pattern})" for t in vocab.MEETING_TYPES), re.I)


@lru_cache(maxsize=4096)
def _bodies_in(text: str) -> list[tuple[int, str]]:
    dispatch, found = _body_dispatch(), []
    for m in _WORD_START.finditer(text):
        for pattern, code in dispatch.get(m.group().casefold(), ()):
            if pattern.match(text, m.start()):
                found.append((m.start(), code))
                break
    return found


def _dominant_body(text: str) -> str | None:
    counts: dict[str, int] = defaultdict(int)
    first: dict[str, int] = {}
    for pos, code in _bodies_in(text[:200_000]):
        counts[code] += 1
        first.setdefault(code, pos)
    if not counts:
        return None
    return max(counts, key=lambda c: (counts[c], -first[c]))


def _number_before(text: str, end: int, max_words: int = 5) -> int | None:
    """The meeting number written just before ``end``: "the 15th GFMD", "la XXVI", "its thirty-sixth"."""
    words = re.findall(r"[\w.ºª°'’-]+", text[max(0, end - 80):end])[-max_words:]
    i = len(words)
    while i > 0:
        for width in (3, 2, 1):
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
def _session_numbers(text: str) -> list[tuple[int, int]]:
    """(number, offset) of every "36th session", "session 36", "36.º período de sesiones"."""
    found = []
    for m in vocab.SESSION_WORDS.finditer(text):
        if vocab.PRE_SESSIONAL.search(text[max(0, m.start() - 15):m.end()]):
            continue
        n = _number_before(text, m.start())
        if n is None and (after := re.match(r"\s+(?:No\.?\s*|n[º°]\s*)?(\d{1,3})\b(?![:.]\d)", text[m.end():])):
            n = int(after[1])
        if n is not None:
            found.append((n, m.start()))
    return found


def _document_session(text: str, sents: list[_Sent], body: str | None) -> str | None:
    if (m := _INFO_NOTE.search(text)) and (body is None or m["body"] == body):
        return str(int(m["session"]))
    with_range = [n for s in sents for n, _ in _session_numbers(s.text) if any(d.end > d.start for d in s.dates)]
    if with_range:
        return str(with_range[0])
    for s in sents[:5]:  # a title: "Information note for NGOs — 25th session"
        if numbers := _session_numbers(s.text):
            return str(numbers[0][0])
    return None


def _is_heading(sent: _Sent) -> bool:
    """"3. Private meeting with NGOs and NHRIs": a short line without dates that names a topic."""
    return len(sent.text) <= 90 and not sent.dates and not sent.times and not sent.text.endswith(".")


def _topic_words(text: str) -> bool:
    return bool(vocab.NGO_BRIEFING.search(text) or _deadline_kinds(text))


def _heading_day(sent: _Sent) -> date | None:
    """A line that is only a date ("Monday, 27 March 2023") sets the day of the schedule below it."""
    if len(sent.dates) != 1 or sent.times or sent.states or sent.dates[0].start != sent.dates[0].end:
        return None
    rest = sent.text.replace(sent.dates[0].text, "")
    return sent.dates[0].start if len(re.sub(r"[\W\d_]", "", rest)) <= 12 else None


def _sentence_body(sent: _Sent, ctx: _Context, allowed: tuple[str, ...], before: int | None = None) -> str | None:
    found = [(pos, code) for pos, code in _bodies_in(sent.text) if code in allowed]
    if before is not None:
        prior = [f for f in found if f[0] <= before]
        found = prior or found
    if found:
        return found[-1][1] if before is not None else found[0][1]
    return ctx.body if ctx.body in allowed else None


@lru_cache(maxsize=4096)
def _status(text: str) -> Status:
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


def _evidence(sent: _Sent) -> str:
    return clean_text(sent.text)[:600]


def _add(ctx: _Context, item: EventItem) -> None:
    """One event per key: the most certain reading wins; a later one may add a missing place."""
    held = ctx.events.get(item.key)
    if held is None or item.confidence > held.confidence:
        if held is not None and not item.location:
            item.location = held.location
        ctx.events[item.key] = item
    elif not held.location and item.location:
        held.location = item.location


def _event(ctx: _Context, *, key: str, body: str, kind: Kind, title: str, start: date | datetime,
           end: date | datetime | None, sent: _Sent, confidence: float = 1.0, **fields: Any) -> EventItem:
    return EventItem(key=key, body=body, kind=kind, title=title, start=start, end=end,
                     source_url=ctx.source_url, source_name=ctx.source_name, basis=Basis.ANNOUNCED,
                     confidence=round(min(1.0, confidence), 3), evidence=_evidence(sent),
                     status=fields.pop("status", _status(sent.text)), **fields)


def _session_title(ctx: _Context, body: str, session: str) -> str:
    n = int(session) if session.isdigit() else session
    return vocab.SESSION_TITLES[ctx.lang].format(body=body, n=n, nth=vocab.ordinal_suffix_en(n)
                                                 if isinstance(n, int) else n)


# -- treaty bodies ----------------------------------------------------------------


def _sessions(sent: _Sent, ctx: _Context) -> None:
    ranges = [d for d in sent.dates if d.end > d.start]
    if not ranges or not vocab.SESSION_WORDS.search(sent.text):
        return
    pre = vocab.PRE_SESSIONAL.search(sent.text)
    numbers = _session_numbers(sent.text)
    deadline_words = any(p.search(sent.text) for p in (vocab.SUBMISSION, vocab.ACCREDITATION, vocab.REGISTRATION))
    for span in ranges[:1]:
        near = [n for n, pos in numbers if abs(pos - sent.rel(span.pos)) < 90]
        number = str(near[0]) if near else (str(numbers[0][0]) if numbers else None)
        if number is None and not pre:
            number = ctx.session if not deadline_words else None
        if pre and number is None:
            number = ctx.session
        body = _sentence_body(sent, ctx, TREATY)
        if body is None or number is None:
            continue
        if deadline_words and not near:
            continue  # "submissions accepted from 1 to 15 July" is no session's dates
        if pre:
            key, kind = ids.ohchr_pre_sessional(body, number), Kind.PRE_SESSIONAL_WG
            n = int(number)
            title = vocab.PRE_SESSIONAL_TITLES[ctx.lang].format(body=body, n=n, nth=vocab.ordinal_suffix_en(n))
        else:
            key, kind, title = ids.ohchr_session(body, number), Kind.SESSION, _session_title(ctx, body, number)
            ctx.sessions[(body, number)] = (span.start, span.end)
        _add(ctx, _event(ctx, key=key, body=body, kind=kind, title=title, start=span.start, end=span.end,
                         sent=sent, confidence=span.confidence, session=number, location=_place(sent.text)))
        if ctx.session is None and not pre:
            ctx.session = number


@lru_cache(maxsize=4096)
def _deadline_kinds(text: str) -> list[str]:
    if vocab.REPLIES.search(text):
        return ["replies_due"]
    if vocab.ACCREDITATION.search(text):
        return ["accreditation"]
    if vocab.REGISTRATION.search(text):
        return ["registration"]
    if vocab.SUBMISSION.search(text):
        nhri, cso = vocab.NHRI.search(text), vocab.CSO.search(text)
        return (["cso_submission"] if cso or not nhri else []) + (["nhri_submission"] if nhri else [])
    return []


def _deadline_date(sent: _Sent, ctx: _Context, body: str, session: str) -> tuple[DateSpan | date, float] | None:
    session_span = ctx.sessions.get((body, session))
    candidates = [d for d in sent.dates if not (session_span and (d.start, d.end) == session_span)
                  and not (d.end > d.start and vocab.SESSION_WORDS.search(sent.text[max(0, sent.rel(d.pos) - 40):
                                                                                   sent.rel(d.pos)]))]
    triggers = [m.end() for m in vocab.DEADLINE_TRIGGER.finditer(sent.text)]
    after = [d for d in candidates if any(t <= sent.rel(d.pos) for t in triggers)]
    if after:
        best = min(after, key=lambda d: sent.rel(d.pos) - max(t for t in triggers if t <= sent.rel(d.pos)))
        return best, best.confidence
    if len(candidates) == 1:
        return candidates[0], candidates[0].confidence * 0.9
    if not candidates and session_span and (m := vocab.RELATIVE_WEEKS.search(sent.text)):
        weeks = vocab.NUMBER_WORDS.get(fold(m["n"])) or (int(m["n"]) if m["n"].isdigit() else None)
        if weeks:
            return session_span[0] - timedelta(weeks=weeks), 0.8
    return None


def _slots(sent: _Sent, fallback_day: date | None, geneva_stated: bool
           ) -> list[tuple[StateMention | None, date, TimeSpan, float]]:
    """Each time paired with the date and the State written before it (or the sentence's only ones).

    A time without a zone is Geneva time: certain when the document says
    "Geneva time" somewhere (``geneva_stated``), a near-certain guess otherwise."""
    out = []
    for t in sent.times:
        dates_before = [d for d in sent.dates if d.pos < t.pos]
        span = dates_before[-1] if dates_before else (sent.dates[0] if sent.dates else None)
        day, conf = (span.end if span else fallback_day), (span.confidence if span else 1.0)
        if day is None:
            continue
        states_before = [s for s in sent.states if s.pos < t.pos]
        state = states_before[-1] if states_before else (sent.states[0] if sent.states else None)
        out.append((state, day, t, conf * (1.0 if t.zone_explicit or geneva_stated else 0.95)))
    return out


def _timed(day: date, t: TimeSpan) -> tuple[datetime, datetime]:
    start, end = t.on(day)
    return start, end if end is not None else start


def _treaty_sentence(sent: _Sent, ctx: _Context, heading_day: date | None, topic: str = "") -> None:
    """``topic`` is the heading or the earlier sentence of the paragraph a sentence continues:
    "The meeting is scheduled for Monday, 29 August 2016" under "3. Private meeting with NGOs"."""
    text = sent.text
    if (sent.dates or sent.times) and topic and not sent.states and not _topic_words(text) \
            and not vocab.SESSION_WORDS.search(text):
        text = f"{topic} {text}"
    body = _sentence_body(sent, ctx, TREATY)
    if body is None:
        return
    numbers = _session_numbers(text)
    session = str(numbers[0][0]) if numbers else ctx.session
    if session is None:
        return
    prefix = _session_title(ctx, body, session)
    briefing = vocab.NGO_BRIEFING.search(text)
    kinds = _deadline_kinds(text)
    action = f"{_ACTION[ctx.lang]} {', '.join(_EMAIL.findall(text))}" if _EMAIL.search(text) else None
    if briefing:
        for state, day, t, conf in _slots(sent, heading_day, ctx.geneva_stated):
            start, end = _timed(day, t)
            code = state.code if state else None
            key = ids.ohchr_session_deadline(body, session, "ngo_briefing", code)
            title = f"{prefix}: {vocab.DEADLINE_TITLES['ngo_briefing'][ctx.lang]}" + (
                f" ({state_name(code, ctx.lang)})" if code else "")
            _add(ctx, _event(ctx, key=key, body=body, kind=Kind.NGO_BRIEFING, title=title, start=start, end=end,
                             sent=sent, confidence=conf, timezone=t.zone, session=session,
                             states=(StateLink(code, Role.CONCERNED),) if code else (), action=action))
        if not sent.times and sent.dates and not kinds:
            span = sent.dates[0]
            _add(ctx, _event(ctx, key=ids.ohchr_session_deadline(body, session, "ngo_briefing"), body=body,
                             kind=Kind.NGO_BRIEFING, title=f"{prefix}: {vocab.DEADLINE_TITLES['ngo_briefing'][ctx.lang]}",
                             start=span.start, end=span.end, sent=sent, confidence=span.confidence, session=session))
    for kind in kinds:
        found = _deadline_date(sent, ctx, body, session)
        if found is None:
            continue
        value, conf = found
        day = value.end if isinstance(value, DateSpan) else value
        details = {} if isinstance(value, DateSpan) else {"computed": "weeks before the session start, as the note says"}
        per_state = [s.code for s in sent.states] if kind == "replies_due" or len(sent.states) == 1 else []
        for code in per_state or [None]:
            title = f"{prefix}: {vocab.DEADLINE_TITLES[kind][ctx.lang]}" + (
                f" ({state_name(code, ctx.lang)})" if code else "")
            _add(ctx, _event(ctx, key=ids.ohchr_session_deadline(body, session, kind, code), body=body,
                             kind=Kind(kind), title=title, start=day, end=day, sent=sent, confidence=conf,
                             session=session, action=action, details=dict(details),
                             states=(StateLink(code, Role.DUE_BY if kind == "replies_due" else Role.CONCERNED),)
                             if code else ()))
    if briefing or kinds:
        return
    schedule_line = len(text) <= 160 and bool(sent.times) and bool(sent.states)
    if sent.times and sent.states and (vocab.DIALOGUE.search(text) or schedule_line):
        for state, day, t, conf in _slots(sent, heading_day, ctx.geneva_stated):
            if state is None:
                continue
            start, end = _timed(day, t)
            ctx.slots.append((body, session, state.code, start, end, t.zone, conf, _evidence(sent)))
            ctx.reviewed[(body, session)].setdefault(state.code)
    elif sent.states and vocab.REVIEW.search(text):
        previous_end = 0
        for mention in sent.states:
            before, previous_end = sent.text[previous_end:sent.rel(mention.pos)], sent.rel(mention.pos) + len(
                mention.text)
            if vocab.LIST_OF_ISSUES.search(before):
                continue  # "and will adopt a list of issues for Bolivia": not reviewed at this session
            ctx.reviewed[(body, session)].setdefault(mention.code)
            ctx.review_evidence.setdefault((body, session, mention.code), _evidence(sent))
        ranges = [d for d in sent.dates if not vocab.SESSION_WORDS.search(text)]
        if ranges and len(sent.states) == 1:  # "Mexico will be reviewed on 10 and 11 April 2026"
            code = sent.states[0].code
            ctx.review_evidence[(body, session, code)] = _evidence(sent)
            ctx.slots.append((body, session, code, ranges[0].start, ranges[0].end, "", ranges[0].confidence,
                              _evidence(sent)))


_ACTION = {"en": "Send to", "es": "Enviar a", "fr": "Envoyer à"}


def _finish_dialogues(ctx: _Context) -> None:
    parts: dict[tuple[str, str, str], int] = defaultdict(int)
    timed = sorted((s for s in ctx.slots if s[5]), key=lambda s: (s[0], s[1], s[2], s[3]))
    for body, session, code, start, end, zone, conf, evidence in timed:
        parts[(body, session, code)] += 1
        part = parts[(body, session, code)]
        title = f"{_session_title(ctx, body, session)}: " + vocab.DIALOGUE_TITLES[ctx.lang].format(
            state=state_name(code, ctx.lang), part=part)
        item = EventItem(key=ids.ohchr_dialogue(body, session, code, part), body=body, kind=Kind.DIALOGUE,
                         title=title, start=start, end=end, timezone=zone, source_url=ctx.source_url,
                         source_name=ctx.source_name, confidence=round(conf, 3), session=session,
                         states=(StateLink(code, Role.REVIEWED),), evidence=evidence, location="Geneva")
        _add(ctx, item)


def _finish_reviews(ctx: _Context) -> None:
    by_state: dict[tuple[str, str, str], list] = defaultdict(list)
    for body, session, code, start, end, _zone, conf, evidence in ctx.slots:
        by_state[(body, session, code)].append((start, end or start, conf, evidence))
    for (body, session), codes in ctx.reviewed.items():
        for code in codes:
            slots = by_state.get((body, session, code))
            if slots:
                first = min(s[0] for s in slots)
                last = max(s[1] for s in slots)
                start, end = _day(first), _day(last)
                conf, evidence = min(s[2] for s in slots), ctx.review_evidence.get((body, session, code), slots[0][3])
            elif (body, session) in ctx.sessions:
                start, end = ctx.sessions[(body, session)]
                conf, evidence = 0.8, ctx.review_evidence.get((body, session, code), "")
            else:
                ctx.notes.append(f"{code} is under review at {body} {session}, but no date was found for it")
                continue
            title = f"{_session_title(ctx, body, session)}: " + vocab.REVIEW_TITLES[ctx.lang].format(
                state=state_name(code, ctx.lang))
            _add(ctx, EventItem(key=ids.ohchr_review(body, session, code), body=body, kind=Kind.REVIEW, title=title,
                                start=start, end=end, source_url=ctx.source_url, source_name=ctx.source_name,
                                confidence=round(conf, 3), session=session, states=(StateLink(code, Role.REVIEWED),),
                                evidence=evidence or None, location="Geneva"))
    # A session-wide deadline concerns every State reviewed at that session.
    for item in ctx.events.values():
        if item.kind in _SESSION_WIDE and not item.states and item.session:
            codes = ctx.reviewed.get((item.body, item.session), {})
            item.states = tuple(StateLink(code, Role.CONCERNED) for code in codes)


_SESSION_WIDE = {Kind.CSO_SUBMISSION, Kind.NHRI_SUBMISSION, Kind.ACCREDITATION, Kind.REGISTRATION,
                 Kind.NGO_BRIEFING}


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


# -- migration processes ------------------------------------------------------------


def _place(text: str) -> str | None:
    for m in _PLACE.finditer(text):
        place = m["place"].strip(" ,.")
        first = fold(place.split()[0])
        from ventanas.normalize.dates import month_numbers, weekday_numbers

        if first in month_numbers() or first in weekday_numbers() or re.match(r"[IVXLC]+\b", place):
            continue
        if any(p.match(place) for p in vocab.BODY_PATTERNS.values()) or first in ("reunion", "sesion", "session"):
            continue
        return place
    return None


def _host(text: str, place: str | None) -> str | None:
    if place:
        if found := find_states(place):
            return found[-1].code
        for city, code in _CITY_STATES.items():
            if fold(place).startswith(city):
                return code
    if m := _HOST.search(text):
        before = [s for s in find_states(text[:m.start()])]
        if before:
            return before[-1].code
    return pro_tempore_presidency(text)


def _process_sentence(sent: _Sent, ctx: _Context) -> None:
    text = sent.text
    if not sent.dates or not _any_meeting().search(text):
        return
    hits = []
    for mtype in vocab.MEETING_TYPES:
        for m in mtype.pattern.finditer(text):
            if any(h[1] <= m.start() < h[2] for h in hits):
                continue
            hits.append((mtype, m.start(), m.end()))
    hits.sort(key=lambda h: h[1])
    numbers: dict[int, int | None] = {}
    for i, (mtype, start, _end) in enumerate(hits):
        numbers[i] = _number_before(text, start)
        if numbers[i] is None and i and hits[i - 1][0] is mtype and start - hits[i - 1][2] <= 15:
            numbers[i] = numbers[i - 1]  # "XXIII Conferencia Suramericana sobre Migraciones (CSM)"
    # A date belongs to the meeting named before it, unless that mention only refers to
    # another meeting ("preparatoria de la XXIII CSM", "will open the Summit"): then to
    # the sentence's subject, the first meeting named.
    subject = [i for i, h in enumerate(hits)
               if i == 0 or not (_is_reference(text, h[1]) or (numbers[i] is None and h[0].edition == "number"))]
    claimed: dict[int, list[DateSpan]] = defaultdict(list)
    for span in sent.dates:
        before = [i for i in subject if hits[i][1] <= sent.rel(span.pos)]
        claimed[before[-1] if before else subject[0]].append(span)
    for i, (mtype, _start, end) in enumerate(hits):
        spans = claimed.get(i) or []
        if not spans:
            continue
        body = _meeting_body(sent, ctx, mtype)
        if body is None:
            continue
        span = spans[0]
        if vocab.REGISTRATION.search(text) and vocab.DEADLINE_TRIGGER.search(text[:sent.rel(span.pos)]):
            continue  # "registration for the Summit closes on 15 August": not the Summit's dates
        number = numbers[i]
        conf_number = 1.0
        if number is None and mtype.slug == "civil-society-days" and ctx.summit_number:
            number, conf_number = ctx.summit_number, 0.9  # the Civil Society Days of this page's summit
        edition, conf = _edition(mtype, number, text, span, ctx.chair_year, after=text[end:])
        conf = min(conf, conf_number)
        if edition is None:
            ctx.notes.append(f"{mtype.body} {mtype.slug} on {span.start}: no meeting number in the text, no event")
            continue
        number = number or (int(edition) if str(edition).isdigit() else None)
        start_value, end_value, zone = span.start, span.end, None
        times_after = [t for t in sent.times if t.pos > span.pos and span.start == span.end]
        if times_after and (t := times_after[0]).pos - span.pos - len(span.text) <= 25:
            start_value, end_value = _timed(span.start, t)  # "12 February 2025 | 10:00–12:30 CET"
            zone = t.zone
            conf = min(conf, 1.0 if t.zone_explicit else 0.8)
        place = _place(text)
        host = _host(text, place)
        title_n = str(number) if number is not None else str(edition)
        if mtype.edition == "topic" and (topic := vocab.meeting_topic(text[end:])):
            title_n = topic[1]
        roman = _roman(number) if number is not None else str(edition)
        title = mtype.titles[ctx.lang].format(n=title_n, nth=vocab.ordinal_suffix_en(number) if number else edition,
                                              r=roman)
        states = process_states(body, mtype.kind, host,
                                [s.code for s in sent.states if s.code != host and body != "GFMD"])
        _add(ctx, _event(ctx, key=ids.process_meeting(body, mtype.slug, edition), body=body, kind=mtype.kind,
                         title=title, start=start_value, end=end_value, timezone=zone, sent=sent,
                         confidence=min(conf, span.confidence), location=place, states=states,
                         session=str(edition)))


_SUMMIT_REGISTRATION_TITLES = {"en": "{nth} GFMD Summit: registration deadline",
                               "es": "{n}.ª Cumbre del FMMD: cierre de inscripciones",
                               "fr": "{n}e Sommet du FMMD : clôture des inscriptions"}


def _summit_registration(sent: _Sent, ctx: _Context) -> None:
    """ "Registration for the 15th GFMD Summit closes on 15 August 2025", or, in a news item
    about the summit, "Registration closes on 15 August": the deadline the summit page
    lists too (same key), so a news item can announce it before the page does."""
    text = sent.text
    if not sent.dates or not vocab.REGISTRATION.search(text):
        return
    if ctx.body != "GFMD" and "GFMD" not in {code for _pos, code in _bodies_in(text)}:
        return
    triggers = [m.end() for m in vocab.DEADLINE_TRIGGER.finditer(text)]
    after = [d for d in sent.dates if any(t <= sent.rel(d.pos) for t in triggers) and d.start == d.end]
    number = _summit_number(text) or ctx.summit_number
    if not after or number is None:
        return
    span = after[0]
    title = _SUMMIT_REGISTRATION_TITLES[ctx.lang].format(n=number, nth=vocab.ordinal_suffix_en(number))
    _add(ctx, _event(ctx, key=ids.process_meeting("GFMD", "registration", number), body="GFMD",
                     kind=Kind.REGISTRATION, title=title, start=span.start, end=None, sent=sent,
                     confidence=span.confidence * (1.0 if _summit_number(text) else 0.9),
                     states=process_states("GFMD", Kind.REGISTRATION), session=str(number)))


_REFERENCE = re.compile(r"(?:\bde|\bdel|\bof|\bdu|\bfor|\bpara)\s+(?:la\s+|el\s+|the\s+|le\s+|l['’])?"
                        r"(?:[\w.ºª°-]+\s+){0,2}$", re.I)


def _is_reference(text: str, start: int) -> bool:
    return bool(_REFERENCE.search(text[max(0, start - 40):start]))


def _summit_number(text: str) -> int | None:
    summit = next(t for t in vocab.MEETING_TYPES if t.slug == "summit")
    for m in summit.pattern.finditer(text[:20000]):
        if (n := _number_before(text, m.start())) is not None:
            return n
    return None


def _meeting_body(sent: _Sent, ctx: _Context, mtype: vocab.MeetingType) -> str | None:
    named = {code for _pos, code in _bodies_in(sent.text)}
    if mtype.body in named or ctx.body == mtype.body:
        return mtype.body
    if mtype.slug == "conference":
        return mtype.body  # its own pattern names the CSM
    if mtype.body == "CRM" and mtype.slug == "plenaria-conjunta" and "CSM" in named:
        return "CRM"
    return None


_CHAIR_YEAR = re.compile(r"\b(20\d\d)\s+(?:GFMD\s+)?chair(?:manship)?|chair(?:manship)?\s+(?:of\s+\w+\s+)?"
                         r"(?:for\s+)?\(?(20\d\d)|presidencia\s+(?:pro\s+t[eé]mpore\s+)?(?:\w+\s+){0,3}(20\d\d)|"
                         r"\b(?:GFMD|FMMD)\s+(20\d\d)\b", re.I)


def _chair_year(text: str) -> int | None:
    m = _CHAIR_YEAR.search(text)
    return next((int(g) for g in m.groups() if g), None) if m else None


def _edition(mtype: vocab.MeetingType, number: int | None, text: str, span: DateSpan,
             doc_year: int | None, after: str = "") -> tuple[str | None, float]:
    if mtype.edition == "number":
        return (str(number), 1.0) if number else (None, 0.0)
    year, conf = _chair_year(text), 1.0
    if year is None and doc_year is not None:
        year, conf = doc_year, 0.9  # "GFMD 2025: preparatory meetings" heads the page
    if year is None:
        year, conf = span.start.year, 0.6
    if mtype.edition == "chair":
        return (f"{year}-{number}", conf) if number else (None, 0.0)
    if mtype.edition == "topic":
        topic = vocab.meeting_topic(after)
        return (f"{year}-{topic[0]}", conf) if topic else (None, 0.0)
    if number:
        return str(number), 1.0
    if re.search(r"medio\s+t[eé]rmino|mid-?term|mi-parcours", text, re.I):
        return f"{span.start.year}-mid-term", 0.6
    return str(span.start.year), 0.6


def _roman(n: int) -> str:
    out, values = "", ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    for value, letters in values:
        while n >= value:
            out, n = out + letters, n - value
    return out


# -- checking the shape -------------------------------------------------------------


def _validated(ctx: _Context) -> list[EventItem]:
    known_bodies, known_states = body_codes(), set(all_states())
    out = []
    for item in ctx.events.values():
        try:
            out.append(validate(item, known_bodies=known_bodies, known_states=known_states))
        except InvalidItem as exc:
            ctx.notes.append(f"{item.key}: dropped ({exc})")
    out.sort(key=lambda e: (_day(e.start), e.key))
    return out


# -- the extract command ------------------------------------------------------------


def event_json(item: EventItem) -> dict[str, Any]:
    """One event as ``run.py extract`` prints it: ISO 8601 dates, States as alpha-3 codes."""
    return {
        "key": item.key, "kind": str(item.kind), "body": item.body, "session": item.session,
        "title": item.title, "start": item.start.isoformat(), "end": item.end.isoformat() if item.end else None,
        "all_day": item.all_day, "timezone": item.timezone, "location": item.location,
        "status": str(item.status), "states": [link.code for link in item.states],
        "roles": {link.code: str(link.role) for link in item.states if link.role != Role.CONCERNED},
        "basis": str(item.basis), "confidence": item.confidence, "action": item.action,
        "evidence": item.evidence, **({"details": item.details} if item.details else {}),
    }


def extract_file(path: str, *, lang: str | None = None, published: date | None = None, body: str | None = None,
                 session: str | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Events of a document file as JSON-ready dicts, and notes for the reader (truncation,
    encodings, unresolved names). Raises doctext.DocumentError for a file it cannot read."""
    from pathlib import Path

    from ventanas.normalize.doctext import read_document

    # Events carry an http(s) source URL (the contract); a local file gets a reserved-domain one.
    return extract_document(read_document(path), source_url="https://file.invalid" + Path(path).resolve().as_posix(),
                            label=str(path), lang=lang, published=published, body=body, session=session)


def extract_document(doc: DocumentText, *, source_url: str, label: str, lang: str | None = None,
                     published: date | None = None, body: str | None = None,
                     session: str | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Events of a document already read (from a file or a URL), as ``extract_file`` gives them."""
    result = extract(doc.text, lang=lang, published=published, body=body, session=session,
                     source_url=source_url, source_name="extract")
    notes = list(doc.notes) + result.notes
    if not doc.text:
        notes.append(f"{label}: no text")
    notes += [f"name not resolved to a State: {u.text!r} ({u.reason})" for u in result.unresolved]
    return [event_json(e) for e in result.events], notes
