"""Announcements and deadlines in prose → events (DESIGN §6).

One engine for spiders, feed items and ``run.py extract``. It reads the text
once for dates, times and States (:mod:`dates`, :mod:`times`, :mod:`statefind`),
splits it into sentences (:mod:`prose`, :mod:`reading`), and reads each sentence
with the vocabulary of :mod:`meetings`, in two readers:

- treaty bodies and the UPR (:mod:`treaty_prose`): the session (number and dates), the
  pre-sessional working group, the States under review, each public dialogue
  slot with its Geneva time (a sentence, or a schedule line under a date
  heading), and the deadlines of information notes (written submissions from
  civil society and NHRIs, accreditation, registration, the private meeting
  with NGOs, replies to the list of issues);
- GFMD, CRM and CSM (:mod:`process_prose`): meetings by type and number, with place and host.

Rules: every event carries the sentence it came from (``evidence``) and
``basis=announced``; ``confidence`` is below 1 when a part was inferred (a
year from the publication date, an edition from the meeting's year, a
deadline computed from "three weeks before the session"). A body, session
or meeting number that cannot be read means no event: keys are never invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ventanas.domain import EventItem, InvalidItem, Role, validate
from ventanas.normalize.announcement import read_announcement, settle_announcement
from ventanas.normalize.bodies import body_codes
from ventanas.normalize.doctext import MAX_CHARS, DocumentText
from ventanas.normalize.ids import UNNUMBERED
from ventanas.normalize.process_prose import (
    chair_year,
    process_sentence,
    settle_process,
    summit_number,
    summit_registration,
    summit_year,
)
from ventanas.normalize.prose import detect_language
from ventanas.normalize.reading import Context, body_hint, day_of, dominant_body, split_text
from ventanas.normalize.statefind import UnresolvedState, unresolved_states
from ventanas.normalize.states import all_states
from ventanas.normalize.text import repair_text, unwrap_json
from ventanas.normalize.treaty_prose import (
    GENEVA_TIME,
    date_heading,
    document_session,
    finish_dialogues,
    finish_reviews,
    is_heading,
    read_sessions,
    topic_words,
    treaty_sentence,
)


@dataclass
class Extraction:
    events: list[EventItem]
    language: str
    notes: list[str] = field(default_factory=list)
    unresolved: list[UnresolvedState] = field(default_factory=list)


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
    text = repair_text(unwrap_json(text))
    language = lang if lang in ("en", "es", "fr") else detect_language(text)
    if published is None and (published := guess_published(text, source_url)) is not None:
        notes.append(f"publication date not given: years are read from {published:%Y-%m} (the page's own date or URL)")
    sents, mentions = split_text(text, published, language)
    known = body_hint(body)
    if body and known is None:
        notes.append(f"unknown body {body!r} ignored")
    ctx = Context(language, known or dominant_body(text), str(session) if session else None,
                  source_url, source_name, notes=notes, published=published, session_given=bool(session))
    if ctx.session is None:
        ctx.session = document_session(text, sents, ctx.body)
    ctx.chair_year = chair_year(text[:5000])
    ctx.summit_number = summit_number(text)
    ctx.summit_year = summit_year(text)
    ctx.geneva_stated = bool(GENEVA_TIME.search(text)) or any(
        t.zone_explicit and t.zone == "Europe/Zurich" for s in sents for t in s.times)
    for sent in sents:
        read_sessions(sent, ctx)
    announced = read_announcement(text, sents, ctx)
    heading_day: date | None = None
    topic, topic_line = "", -1
    for sent in sents:
        if (day := date_heading(sent)) is not None:
            heading_day = day
            continue
        if is_heading(sent):
            topic, topic_line = sent.text, sent.s.line
        elif sent.s.line != topic_line and sent.s.line - 1 != topic_line:
            topic = ""  # a new paragraph that no heading introduces
        treaty_sentence(sent, ctx, heading_day, topic)
        if topic_words(sent.text):
            topic, topic_line = sent.text, sent.s.line
        process_sentence(sent, ctx)
        summit_registration(sent, ctx)
    settle_announcement(announced, text, sents, ctx)
    settle_process(text, sents, ctx)
    finish_dialogues(ctx)
    finish_reviews(ctx)
    events = _validated(ctx)
    return Extraction(events, language, ctx.notes, unresolved_states(text, mentions=mentions))


_URL_DATE = re.compile(r"https?://\S*?/((?:19|20)\d\d)/(0[1-9]|1[0-2])?")
_HEAD_DATE = re.compile(r"(?<![\d/-])((?:19|20)\d\d)-(0[1-9]|1[0-2])(?:-([0-3]\d))?(?![\d-])")


def guess_published(text: str, source_url: str) -> date | None:
    """Without a publication date, the one a page shows in its first lines ("2024-01-29"), its URL
    gives ("/press/2009/07/…"), or its dateline ("4 August 2006" under the title, "Asunción, 12 de
    diciembre de 2023" signing off): it places dates written without a year, and "last week".
    None when none of these says."""
    head = text[:600]
    if m := _HEAD_DATE.search(head):
        try:
            return date(int(m[1]), int(m[2]), int(m[3] or 1))
        except ValueError:  # "2026-02-30": the month still holds
            return date(int(m[1]), int(m[2]), 1)
    for candidate in (source_url, *re.findall(r"https?://\S+", head)):
        if m := _URL_DATE.search(candidate or ""):
            return date(int(m[1]), int(m[2] or 1), 1)
    # A dateline: "4 August 2006" under the title, or "Asunción, 12 de diciembre de 2023" on a line of its own.
    from ventanas.normalize.dates import find_dates

    lines = [line for line in text.splitlines() if _DATELINE_LINE.match(line)]
    for chunk in (text[:1500], *lines):
        dated = [d for d in find_dates(chunk) if not d.year_inferred and d.start == d.end]
        if dated:
            return dated[0].start
    return None


# A line that is only a place and a date, as dispatches sign off: "Asunción, 12 de diciembre de 2023".
_DATELINE_LINE = re.compile(r"^\s*[A-ZÁÉÍÓÚÑ][\w .'’-]{1,40},\s*(?:[\w .'’-]{1,30},\s*)?\d{1,2}\s+(?:de\s+)?"
                            r"[^\W\d_]+\.?\s+(?:de\s+)?\d{4}\s*[.–-]?\s*$")


# -- checking the shape -------------------------------------------------------------


def _validated(ctx: Context) -> list[EventItem]:
    known_bodies, known_states = body_codes(), set(all_states())
    out = []
    for item in ctx.events.values():
        if item.session == UNNUMBERED:
            item.session = None  # the text gives no number: never invent one
        try:
            out.append(validate(item, known_bodies=known_bodies, known_states=known_states))
        except InvalidItem as exc:
            ctx.notes.append(f"{item.key}: dropped ({exc})")
    out.sort(key=lambda e: (day_of(e.start), e.key))
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
