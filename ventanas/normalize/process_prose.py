"""The migration processes in prose (DESIGN §6): GFMD, CRM and CSM meetings by type
and number (or year and subject), with place, host and the States concerned, and
GFMD registration deadlines. Called sentence by sentence by :mod:`extraction`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from ventanas.domain import Kind
from ventanas.normalize import ids
from ventanas.normalize import meetings as vocab
from ventanas.normalize.dates import DateSpan, relative_spans
from ventanas.normalize.numerals import read_number
from ventanas.normalize.processes import pro_tempore_presidency, process_states
from ventanas.normalize.reading import (
    Context,
    Sent,
    add_event,
    any_meeting,
    bodies_in,
    is_dateline,
    new_event,
    number_before,
    place_in,
)
from ventanas.normalize.statefind import find_states
from ventanas.normalize.states import fold
from ventanas.normalize.treaty_prose import timed

_HOST = re.compile(r"ser[aá]\s+(?:la\s+)?sede|will\s+host|hosted\s+by|accueillera|anfitri[oó]n|pa[ií]s\s+sede", re.I)
# Cities that host these meetings, where the text names no State.
_CITY_STATES = {"brasilia": "BRA", "geneva": "CHE", "ginebra": "CHE", "geneve": "CHE", "new york": "USA",
                "bogota": "COL", "riohacha": "COL", "quito": "ECU", "lima": "PER", "santiago": "CHL",
                "montevideo": "URY", "asuncion": "PRY", "buenos aires": "ARG", "la paz": "BOL",
                "caracas": "VEN", "georgetown": "GUY", "paramaribo": "SUR", "tegucigalpa": "HND",
                "san salvador": "SLV", "managua": "NIC", "san jose": "CRI", "belmopan": "BLZ",
                "santo domingo": "DOM", "ottawa": "CAN", "washington": "USA", "marrakech": "MAR",
                "quito ecuador": "ECU", "dhaka": "BGD", "berlin": "DEU", "sarajevo": "BIH"}


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


def process_sentence(sent: Sent, ctx: Context) -> None:
    text = sent.text
    if not sent.dates or not any_meeting().search(text):
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
        numbers[i] = number_before(text, start)
        if numbers[i] is None and i and hits[i - 1][0] is mtype and start - hits[i - 1][2] <= 15:
            numbers[i] = numbers[i - 1]  # "XXIII Conferencia Suramericana sobre Migraciones (CSM)"
    # A date belongs to the meeting named before it, unless that mention only refers to
    # another meeting ("preparatoria de la XXIII CSM", "will open the Summit"): then to
    # the sentence's subject, the first meeting named.
    subject = [i for i, h in enumerate(hits)
               if i == 0 or not (_is_reference(text, h[1]) or (numbers[i] is None and h[0].edition == "number"))]
    claimed: dict[int, list[DateSpan]] = defaultdict(list)
    for span in sent.dates:
        if is_dateline(sent, span):
            continue
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
            start_value, end_value = timed(span.start, t)  # "12 February 2025 | 10:00–12:30 CET"
            zone = t.zone
            conf = min(conf, 1.0 if t.zone_explicit else 0.8)
        place = place_in(text)
        host = _host(text, place)
        title_n = str(number) if number is not None else _edition_words(str(edition), ctx.lang)
        if mtype.edition == "topic" and (topic := vocab.meeting_topic(text[end:])):
            title_n = topic[1]
        roman = _roman(number) if number is not None else str(edition)
        title = mtype.titles[ctx.lang].format(n=title_n, nth=vocab.ordinal_suffix_en(number) if number else edition,
                                              r=roman)
        states = process_states(body, mtype.kind, host,
                                [s.code for s in sent.states if s.code != host and body != "GFMD"])
        add_event(ctx, new_event(ctx, key=ids.process_meeting(body, mtype.slug, edition), body=body, kind=mtype.kind,
                         title=title, start=start_value, end=end_value, timezone=zone, sent=sent,
                         confidence=min(conf, span.confidence), location=place, states=states,
                         session=str(edition)))


_SUMMIT_REGISTRATION_TITLES = {"en": "{nth} GFMD Summit: registration deadline",
                               "es": "{n}.ª Cumbre del FMMD: cierre de inscripciones",
                               "fr": "{n}e Sommet du FMMD : clôture des inscriptions"}


def summit_registration(sent: Sent, ctx: Context) -> None:
    """ "Registration for the 15th GFMD Summit closes on 15 August 2025", or, in a news item
    about the summit, "Registration closes on 15 August": the deadline the summit page
    lists too (same key), so a news item can announce it before the page does."""
    text = sent.text
    if not sent.dates or not (vocab.REGISTRATION.search(text) or _APPLICATION.search(text)):
        return
    if ctx.body != "GFMD" and "GFMD" not in {code for _pos, code in bodies_in(text)}:
        return
    triggers = [m.end() for m in vocab.DEADLINE_TRIGGER.finditer(text)]
    after = [d for d in sent.dates if any(t <= sent.rel(d.pos) for t in triggers) and d.start == d.end]
    number = summit_number(text) or ctx.summit_number
    if not after:
        return
    span = after[0]
    if number is not None:
        edition, conf = str(number), 1.0 if summit_number(text) else 0.9
        title = _SUMMIT_REGISTRATION_TITLES[ctx.lang].format(n=number, nth=vocab.ordinal_suffix_en(number))
    elif (year := summit_year(text) or ctx.summit_year) is not None:
        # "apply … by 26 August" for "the 2019 GFMD Civil Society Day": the year's edition, less certain
        edition, conf = str(year), 0.7
        title = _YEAR_REGISTRATION_TITLES[ctx.lang].format(y=year)
    else:
        return
    add_event(ctx, new_event(ctx, key=ids.process_meeting("GFMD", "registration", edition), body="GFMD",
                     kind=Kind.REGISTRATION, title=title, start=span.start, end=None, sent=sent,
                     confidence=span.confidence * conf,
                     states=process_states("GFMD", Kind.REGISTRATION), session=edition))


# Applying to take part is registering: "submit a direct application for participation by 26 August".
_APPLICATION = re.compile(r"\bappl(?:y|ication)s?\s+(?:for|to)\b|\bapplication\s+form|"
                          r"\bsolicitud(?:es)?\s+de\s+participaci[oó]n|\bcandidatures?\b", re.I)
_SUMMIT_YEAR = re.compile(r"\b((?:19|20)\d\d)\s+(?:GFMD\s+)?(?:Civil\s+Society\s+Days?|Summit)\b|"
                          r"\b(?:Cumbre|Sommet)\s+(?:del\s+FMMD\s+|du\s+FMMD\s+)?(?:de\s+)?((?:19|20)\d\d)\b", re.I)
_YEAR_REGISTRATION_TITLES = {"en": "GFMD {y}: registration deadline", "es": "FMMD {y}: cierre de inscripciones",
                             "fr": "FMMD {y} : clôture des inscriptions"}


def summit_year(text: str) -> int | None:
    """The year a GFMD summit or its Civil Society Days are named by: "the 2019 GFMD Civil Society Day"."""
    m = _SUMMIT_YEAR.search(text[:20000])
    return int(m[1] or m[2]) if m else None


_REFERENCE = re.compile(r"(?:\bde|\bdel|\bof|\bdu|\bfor|\bpara)\s+(?:la\s+|el\s+|the\s+|le\s+|l['’])?"
                        r"(?:[\w.ºª°-]+\s+){0,2}$", re.I)


def _is_reference(text: str, start: int) -> bool:
    return bool(_REFERENCE.search(text[max(0, start - 40):start]))


def summit_number(text: str) -> int | None:
    summit = next(t for t in vocab.MEETING_TYPES if t.slug == "summit")
    for m in summit.pattern.finditer(text[:20000]):
        if (n := number_before(text, m.start())) is not None:
            return n
    return None


def _meeting_body(sent: Sent, ctx: Context, mtype: vocab.MeetingType) -> str | None:
    named = {code for _pos, code in bodies_in(sent.text)}
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


def chair_year(text: str) -> int | None:
    m = _CHAIR_YEAR.search(text)
    return next((int(g) for g in m.groups() if g), None) if m else None


def _edition(mtype: vocab.MeetingType, number: int | None, text: str, span: DateSpan,
             doc_year: int | None, after: str = "") -> tuple[str | None, float]:
    if mtype.edition == "number":
        return (str(number), 1.0) if number else (None, 0.0)
    year, conf = chair_year(text), 1.0
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


_MID_TERM = {"en": "mid-term {y}", "es": "de medio término {y}", "fr": "de mi-parcours {y}"}


def _edition_words(edition: str, lang: str) -> str:
    """An edition as a title says it: "2026-mid-term" is "de medio término 2026", never the key's spelling."""
    if m := re.fullmatch(r"(\d{4})-mid-term", edition):
        return _MID_TERM[lang].format(y=m[1])
    return edition


def _roman(n: int) -> str:
    out, values = "", ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    for value, letters in values:
        while n >= value:
            out, n = out + letters, n - value
    return out



# -- the document as a whole ----------------------------------------------------------------
#
# A news story names its meeting in one sentence and dates it in another, or only against the
# day it was written: "The 4th meeting of the … Friends of the Forum will be held on 28 April",
# a title over a line that is only its date, "la XXI Conferencia Suramericana sobre Migraciones,
# celebrada en Perú la semana pasada". When the sentences alone gave no event for the meeting the
# document is about, this finds it: the first numbered meeting of the document's process, dated
# by its own sentence, else the next lines, else a date relative to the publication.

_NTH_MEETING_OF = re.compile(r"(?P<n>[\w.ºª°-]+)\s+(?:meeting|reuni[oó]n|r[ée]union)\s+(?:of|de|du|del)\s+"
                             r"(?:the\s+|la\s+|el\s+|le\s+)?(?:[\w-]+\s+){0,6}$", re.I)
_PARTICIPANTS = re.compile(r"participa|delegaciones|delegations?\s+(?:of|from)|with\s+the\s+participation|"
                           r"viceministros?\s+(?:de\s+)?|vice-?ministers?\s+(?:of|from)", re.I)


def settle_process(text: str, sents: list[Sent], ctx: Context) -> None:
    if ctx.body not in ("GFMD", "CRM", "CSM"):
        return
    found = _main_meeting(sents, ctx.body)
    if found is None:
        return
    index, mtype, number, hit_end = found
    sent = sents[index]
    window = [s for s in sents[index:index + 4] if s.s.line - sent.s.line <= 4]
    spans = [(s, d) for s in window for d in s.dates
             if not (vocab.REGISTRATION.search(s.text) or vocab.SUBMISSION.search(s.text)) and not is_dateline(s, d)
             and (s is not sent or d.pos > sent.s.pos + hit_end - 80)]
    if not spans:
        spans = [(s, replace(d, pos=s.s.pos + d.pos)) for s in window for d in relative_spans(s.text, ctx.published)]
        spans.sort(key=lambda found: -found[1].confidence)  # "20 y 24 de este mes" before "la próxima semana"
    if not spans:
        ctx.notes.append(f"{ctx.body} meeting {number}: no date for it in the text, no event")
        return
    where, span = spans[0]
    edition, conf = _edition(mtype, number, sent.text, span, ctx.chair_year, after=sent.text[hit_end:])
    if edition is None:
        return
    key = ids.process_meeting(ctx.body, mtype.slug, edition)
    if key in ctx.events:
        return
    start_value, end_value, zone = span.start, span.end, None
    times = [t for t in where.times if t.pos > span.pos and span.start == span.end]
    if times and (t := times[0]).pos - span.pos - len(span.text) <= 25 and t.end is not None \
            and (t.end.hour, t.end.minute) != (23, 59):
        start_value, end_value = timed(span.start, t)  # "19 February 2025 | 10:00–12:30 CET"
        zone = t.zone
    place = place_in(sent.text) or place_in(where.text)
    host = _host(sent.text, place)
    mentioned = [m.code for s in sents if _PARTICIPANTS.search(s.text) for m in s.states] \
        if ctx.body != "GFMD" else []
    roman = _roman(number)
    title = mtype.titles[ctx.lang].format(n=number, nth=vocab.ordinal_suffix_en(number), r=roman)
    add_event(ctx, new_event(ctx, key=key, body=ctx.body, kind=mtype.kind, title=title, start=start_value,
                             end=end_value, timezone=zone, sent=sent,
                             confidence=min(conf, span.confidence) * 0.95, location=place,
                             states=process_states(ctx.body, mtype.kind, host,
                                                   [c for c in mentioned if c != host]),
                             session=str(edition)))


def _main_meeting(sents: list[Sent], body: str) -> tuple[int, vocab.MeetingType, int, int] | None:
    """The first numbered meeting of ``body`` the document names: (sentence, type, number, end of the name)."""
    for i, sent in enumerate(sents):
        for mtype in vocab.MEETING_TYPES:
            if mtype.body != body or mtype.edition == "topic":
                continue
            for m in mtype.pattern.finditer(sent.text):
                if _is_reference(sent.text, m.start()):
                    continue  # "the Civil Society Days of the 15th GFMD Summit": the Days are the subject
                number = number_before(sent.text, m.start())
                if number is None and (nth := _NTH_MEETING_OF.search(sent.text[:m.start()])):
                    number = read_number(nth["n"])
                if number is not None and 0 < number < 100:
                    return i, mtype, number, m.end()
    return None
