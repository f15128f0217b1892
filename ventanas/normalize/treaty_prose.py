"""Treaty bodies and the UPR in prose (DESIGN §6): sessions, pre-sessional working
groups, the States under review, public dialogue slots with their Geneva time, and
the deadlines of information notes. Called sentence by sentence by :mod:`extraction`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import lru_cache

from ventanas.domain import EventItem, Kind, Role, StateLink
from ventanas.normalize import ids
from ventanas.normalize import meetings as vocab
from ventanas.normalize.dates import DateSpan
from ventanas.normalize.reading import (
    TREATY,
    Context,
    Sent,
    add_event,
    day_of,
    evidence_of,
    new_event,
    place_in,
    sentence_body,
    session_numbers,
    session_title,
)
from ventanas.normalize.statefind import StateMention
from ventanas.normalize.states import fold, state_name
from ventanas.normalize.times import TimeSpan

INFO_NOTE = re.compile(r"INT[_/](?P<body>[A-Z]+)[_/]INF[_/](?P<session>\d+)")
GENEVA_TIME = re.compile(r"Geneva\s+time|hora\s+de\s+Ginebra|heure\s+de\s+Gen[èe]ve|(?-i:\bCEST?\b)", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def document_session(text: str, sents: list[Sent], body: str | None) -> str | None:
    if (m := INFO_NOTE.search(text)) and (body is None or m["body"] == body):
        return str(int(m["session"]))
    with_range = [n for s in sents for n, _ in session_numbers(s.text) if any(d.end > d.start for d in s.dates)]
    if with_range:
        return str(with_range[0])
    for s in sents[:5]:  # a title: "Information note for NGOs — 25th session"
        if (numbers := session_numbers(s.text)) and not CONCLUDED.search(s.text):
            return str(numbers[0][0])  # not "concluded its 75th session": the text is about the next one
    return None


# A session that is over: its number is not the one a document announces.
CONCLUDED = re.compile(r"\b(?:concluded|concludes|closed|closes|ended|clos|conclu[ts]?|a\s+(?:clos|conclu)|"
                       r"clausur[oó]|concluy[oó]|termin[oó])\b", re.I)


def is_heading(sent: Sent) -> bool:
    """"3. Private meeting with NGOs and NHRIs": a short line without dates that names a topic."""
    return len(sent.text) <= 90 and not sent.dates and not sent.times and not sent.text.endswith(".")


def topic_words(text: str) -> bool:
    return bool(vocab.NGO_BRIEFING.search(text) or deadline_kinds(text))


def date_heading(sent: Sent) -> date | None:
    """A line that is only a date ("Monday, 27 March 2023") sets the day of the schedule below it."""
    if len(sent.dates) != 1 or sent.times or sent.states or sent.dates[0].start != sent.dates[0].end:
        return None
    rest = sent.text.replace(sent.dates[0].text, "")
    return sent.dates[0].start if len(re.sub(r"[\W\d_]", "", rest)) <= 12 else None


def read_sessions(sent: Sent, ctx: Context) -> None:
    ranges = [d for d in sent.dates if d.end > d.start]
    if not ranges or not vocab.SESSION_WORDS.search(sent.text):
        return
    pre = vocab.PRE_SESSIONAL.search(sent.text)
    numbers = session_numbers(sent.text)
    deadline_words = any(p.search(sent.text) for p in (vocab.SUBMISSION, vocab.ACCREDITATION, vocab.REGISTRATION))
    for span in ranges[:1]:
        near = [n for n, pos in numbers if abs(pos - sent.rel(span.pos)) < 90]
        number = str(near[0]) if near else (str(numbers[0][0]) if numbers else None)
        if number is None and not pre:
            number = ctx.session if not deadline_words else None
        if pre and number is None:
            number = ctx.session
        body = sentence_body(sent, ctx, TREATY)
        if body is None or number is None:
            continue
        if deadline_words and not near:
            continue  # "submissions accepted from 1 to 15 July" is no session's dates
        if pre:
            key, kind = ids.ohchr_pre_sessional(body, number), Kind.PRE_SESSIONAL_WG
            n = int(number)
            title = vocab.PRE_SESSIONAL_TITLES[ctx.lang].format(body=body, n=n, nth=vocab.ordinal_suffix_en(n))
        else:
            key, kind, title = ids.ohchr_session(body, number), Kind.SESSION, session_title(ctx, body, number)
            ctx.sessions[(body, number)] = (span.start, span.end)
        add_event(ctx, new_event(ctx, key=key, body=body, kind=kind, title=title, start=span.start, end=span.end,
                         sent=sent, confidence=span.confidence, session=number, location=place_in(sent.text)))
        if ctx.session is None and not pre:
            ctx.session = number


@lru_cache(maxsize=4096)
def deadline_kinds(text: str) -> list[str]:
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


def _deadline_date(sent: Sent, ctx: Context, body: str, session: str) -> tuple[DateSpan | date, float] | None:
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


def _slots(sent: Sent, fallback_day: date | None, geneva_stated: bool
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


def timed(day: date, t: TimeSpan) -> tuple[datetime, datetime]:
    start, end = t.on(day)
    return start, end if end is not None else start


def treaty_sentence(sent: Sent, ctx: Context, heading_day: date | None, topic: str = "") -> None:
    """``topic`` is the heading or the earlier sentence of the paragraph a sentence continues:
    "The meeting is scheduled for Monday, 29 August 2016" under "3. Private meeting with NGOs"."""
    text = sent.text
    if (sent.dates or sent.times) and topic and not sent.states and not topic_words(text) \
            and not vocab.SESSION_WORDS.search(text):
        text = f"{topic} {text}"
    body = sentence_body(sent, ctx, TREATY)
    if body is None:
        return
    numbers = session_numbers(text)
    session = str(numbers[0][0]) if numbers else ctx.session
    if session is None:
        return
    prefix = session_title(ctx, body, session)
    briefing = vocab.NGO_BRIEFING.search(text)
    kinds = deadline_kinds(text)
    action = f"{_ACTION[ctx.lang]} {', '.join(_EMAIL.findall(text))}" if _EMAIL.search(text) else None
    if briefing:
        for state, day, t, conf in _slots(sent, heading_day, ctx.geneva_stated):
            start, end = timed(day, t)
            code = state.code if state else None
            key = ids.ohchr_session_deadline(body, session, "ngo_briefing", code)
            title = f"{prefix}: {vocab.DEADLINE_TITLES['ngo_briefing'][ctx.lang]}" + (
                f" ({state_name(code, ctx.lang)})" if code else "")
            add_event(ctx, new_event(ctx, key=key, body=body, kind=Kind.NGO_BRIEFING, title=title, start=start, end=end,
                             sent=sent, confidence=conf, timezone=t.zone, session=session,
                             states=(StateLink(code, Role.CONCERNED),) if code else (), action=action))
        if not sent.times and sent.dates and not kinds:
            span = sent.dates[0]
            add_event(ctx, new_event(ctx, key=ids.ohchr_session_deadline(body, session, "ngo_briefing"), body=body,
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
            add_event(ctx, new_event(ctx, key=ids.ohchr_session_deadline(body, session, kind, code), body=body,
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
            start, end = timed(day, t)
            ctx.slots.append((body, session, state.code, start, end, t.zone, conf, evidence_of(sent)))
            ctx.reviewed[(body, session)].setdefault(state.code)
    elif sent.states and vocab.REVIEW.search(text):
        previous_end = 0
        for mention in sent.states:
            before, previous_end = sent.text[previous_end:sent.rel(mention.pos)], sent.rel(mention.pos) + len(
                mention.text)
            if vocab.LIST_OF_ISSUES.search(before):
                continue  # "and will adopt a list of issues for Bolivia": not reviewed at this session
            ctx.reviewed[(body, session)].setdefault(mention.code)
            ctx.review_evidence.setdefault((body, session, mention.code), evidence_of(sent))
        ranges = [d for d in sent.dates if not vocab.SESSION_WORDS.search(text)]
        if ranges and len(sent.states) == 1:  # "Mexico will be reviewed on 10 and 11 April 2026"
            code = sent.states[0].code
            ctx.review_evidence[(body, session, code)] = evidence_of(sent)
            ctx.slots.append((body, session, code, ranges[0].start, ranges[0].end, "", ranges[0].confidence,
                              evidence_of(sent)))


_ACTION = {"en": "Send to", "es": "Enviar a", "fr": "Envoyer à"}


def finish_dialogues(ctx: Context) -> None:
    parts: dict[tuple[str, str, str], int] = defaultdict(int)
    timed = sorted((s for s in ctx.slots if s[5]), key=lambda s: (s[0], s[1], s[2], s[3]))
    for body, session, code, start, end, zone, conf, evidence in timed:
        parts[(body, session, code)] += 1
        part = parts[(body, session, code)]
        title = f"{session_title(ctx, body, session)}: " + vocab.DIALOGUE_TITLES[ctx.lang].format(
            state=state_name(code, ctx.lang), part=part)
        item = EventItem(key=ids.ohchr_dialogue(body, session, code, part), body=body, kind=Kind.DIALOGUE,
                         title=title, start=start, end=end, timezone=zone, source_url=ctx.source_url,
                         source_name=ctx.source_name, confidence=round(conf, 3), session=_stated(session),
                         states=(StateLink(code, Role.REVIEWED),), evidence=evidence,
                         location="New York" if zone == "America/New_York" else "Geneva")
        add_event(ctx, item)


def finish_reviews(ctx: Context) -> None:
    by_state: dict[tuple[str, str, str], list] = defaultdict(list)
    for body, session, code, start, end, _zone, conf, evidence in ctx.slots:
        by_state[(body, session, code)].append((start, end or start, conf, evidence))
    for (body, session), codes in ctx.reviewed.items():
        for code in codes:
            slots = by_state.get((body, session, code))
            if slots:
                first = min(s[0] for s in slots)
                last = max(s[1] for s in slots)
                start, end = day_of(first), day_of(last)
                conf, evidence = min(s[2] for s in slots), ctx.review_evidence.get((body, session, code), slots[0][3])
            elif (body, session) in ctx.sessions:
                start, end = ctx.sessions[(body, session)]
                conf, evidence = 0.8, ctx.review_evidence.get((body, session, code), "")
            else:
                ctx.notes.append(f"{code} is under review at {body} {session}, but no date was found for it")
                continue
            title = f"{session_title(ctx, body, session)}: " + vocab.REVIEW_TITLES[ctx.lang].format(
                state=state_name(code, ctx.lang))
            add_event(ctx, EventItem(key=ids.ohchr_review(body, session, code), body=body, kind=Kind.REVIEW, title=title,
                                start=start, end=end, source_url=ctx.source_url, source_name=ctx.source_name,
                                confidence=round(conf, 3), session=_stated(session),
                                states=(StateLink(code, Role.REVIEWED),), evidence=evidence or None,
                                location=_session_place(ctx, body, session)))
    # A session-wide deadline concerns every State reviewed at that session.
    for item in ctx.events.values():
        if item.kind in _SESSION_WIDE and not item.states and item.session:
            codes = ctx.reviewed.get((item.body, item.session), {})
            item.states = tuple(StateLink(code, Role.CONCERNED) for code in codes)


def _stated(session: str) -> str | None:
    return None if session == ids.UNNUMBERED else session


def _session_place(ctx: Context, body: str, session: str) -> str:
    held = ctx.events.get(ids.ohchr_session(body, session))
    return held.location if held is not None and held.location else "Geneva"


_SESSION_WIDE = {Kind.CSO_SUBMISSION, Kind.NHRI_SUBMISSION, Kind.ACCREDITATION, Kind.REGISTRATION,
                 Kind.NGO_BRIEFING}


