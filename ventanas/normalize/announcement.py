"""A treaty-body announcement read as a whole (DESIGN §6, "Reading real announcements").

The sentence reader (:mod:`treaty_prose`) finds a session when one sentence
names it with its number and its dates. Real announcements rarely do: a media
advisory says "will hold its upcoming session from 2 to 23 July, during which
it will review Croatia, Malta and India", lists each State on a line of its own
with its slots below, and never gives the number. This reader takes the
document as a whole:

1. **The announcement.** Of every date range in the text, the one a sentence
   announces as the body's meeting: a session or meeting word, a verb of
   meeting or reviewing, future rather than past ("concluded its fifty-seventh
   session … the fifty-eighth will be held from …"), not a pre-sessional group,
   not a submission window, not one State's days ("Bangladesh (3-4 April)").
2. **The number**, only when the text states it: beside the dates, else the
   one session number the rest of the text gives (a title, "#CRC80", "the
   upcoming 22nd session"). Without one the session is *unnumbered*: its
   events carry ``session=None`` and a key that a crawl resolves against the
   sessions already stored for the body (:mod:`ventanas.storage.sessions`).
3. **The States under review**: those a sentence puts under review for this
   session (the announcing sentence and the list it opens, a title "to review
   A, B and C"), not those of a sentence about another session, a past one, a
   list of issues or a visit report, nor the "Switzerland" of a dateline.
4. **The dialogue slots**, whatever the layout: the schedule is read as one
   stream of States, dates and times, and each time is paired with the last
   date and with the State that labels it, before it (a State on its line,
   "Sweden: 9 November 10:00am", a flattened paragraph) or after it (day
   headings with "10:00-13:00 Mexico 15:00-18:00 DRC", table rows). Per-State
   days with a general rule ("Gabon (17 Feb)" and "dialogues from 10:00 to
   13:00 and from 15:00 to 17:00"; "begin at 15:00 … and resume the following
   day from 10:00") give the slots the rule describes.

What it finds is written into the :class:`~ventanas.normalize.reading.Context`
(sessions, States reviewed, slots), so the review and dialogue events are made
by the same code as the sentence reader's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ventanas.domain import Kind
from ventanas.normalize import ids
from ventanas.normalize import meetings as vocab
from ventanas.normalize.dates import DateSpan
from ventanas.normalize.reading import (
    TREATY,
    Context,
    Sent,
    add_event,
    bodies_in,
    evidence_of,
    new_event,
    place_in,
    session_numbers,
    session_title,
)
from ventanas.normalize.statefind import StateMention
from ventanas.normalize.times import TimeSpan
from ventanas.normalize.treaty_prose import INFO_NOTE

NEW_YORK = "America/New_York"

_FUTURE = re.compile(
    r"\b(?:will|would|shall|upcoming|forthcoming|next|to\s+(?:review|consider|examine|meet)|is\s+meeting|"
    r"are\s+meeting|meets|convenes?|scheduled|opens?|begins?|starts?|"
    r"se\s+tiendra|tiendra|doit|devrait|prochaine?s?|commence|s['’]ouvrira|se\s+r[ée]unira|examinera|"
    r"celebrar[aá]n?|pr[oó]xim[oa]s?|se\s+reunir[aá]n?|sesionar[aá]|examinar[aá]n?|tendr[aá]\s+lugar|"
    r"llevar[aá]|iniciar[aá]|comenzar[aá])\b", re.I)
_PAST = re.compile(
    r"\b(?:concluded|concludes|concluding\s+(?:meeting|session)|closed|closes|ended|wrapped\s+up|"
    r"had\s+(?:reviewed|examined|considered)|adopted|a\s+(?:clos|conclu|examin[ée]|tenu)|clos|"
    r"conclu[ts]?|concluy[oó]|clausur[oó]|examin[oó]|termin[oó]|celebr[oó]|ouverte\s+le|durant\s+laquelle|"
    r"au\s+cours\s+de\s+laquelle\s+il\s+a)\b", re.I)
_MEETS = re.compile(
    r"\bmeet|\bhold|\bheld\b|\bconvene|\bsession|\bsesi[oó]n|per[ií]odo\s+de\s+sesiones|\br[ée]union|"
    r"\bse\s+tiendra|\btiendra|\bcelebra|\breview|\bexamin|\bconsider|\bse\s+reunir|\bsi[eè]ge|"
    r"\bsesionar|\btravaux\b", re.I)
_DEADLINE_WORDS = (vocab.SUBMISSION, vocab.ACCREDITATION, vocab.REGISTRATION)
# A city before a State is a dateline or a venue, never a State under review: "GENEVA, Switzerland".
_DATELINE = re.compile(r"(?:geneva|gen[èe]ve|ginebra|new\s+york|nueva\s+york|headquarters)\s*,?\s*$", re.I)
# Words between two States that end the list under review: "review Greece, Niger and adopt its
# visit report on Mexico", "and will adopt a list of issues for Bolivia".
_LIST_BREAK = re.compile(
    r"\badopt|\bvisit\b|\bvisite\b|\bvisita\b|list\s+of\s+issues|lista\s+de\s+cuestiones|liste\s+de(?:s)?\s+points|"
    r"\bexpert[ea]?\s+(?:of|from|de)\b|\bexperta?\s+de\b|\bchair|\bpresid|\brapporteur|\bformer\b|"
    r"\bconcluding\s+observations|observations\s+finales|observaciones\s+finales", re.I)
_OPENS_LIST = re.compile(r":\s*$|following\s+(?:countries|states)|suivants?\s*:?|siguientes\s*:?", re.I)
# "begin at 15:00 to 18:00 and resume the following day from 10:00 to 13:00"
_NEXT_DAY = re.compile(r"following\s+day|next\s+day|day\s+after|lendemain|jour\s+suivant|d[ií]a\s+siguiente",
                       re.I)
_GENERAL_RULE = re.compile(r"dialogue|di[aá]logo|session|sesi[oó]n|s[ée]ance|meeting|reuni[oó]n|r[ée]union|"
                           r"begin|resume|commence|reprend", re.I)
# Putting a State under review, beyond the vocabulary's REVIEW: "se evaluará a Jamaica",
# "los países que presentarán informes", "will report to the Committee".
_REVIEWS = re.compile(rf"{vocab.REVIEW.pattern}|\bevalua|\bevaluar|\brevisar|presentar[aá]n?\s+(?:sus\s+)?informes|"
                      r"pr[ée]senter(?:a|ont)\s+(?:leurs?\s+|ses\s+)?rapports?|will\s+report\s+to|"
                      r"\bto\s+consider\s+reports", re.I)
# "from today to 24 March": a range that starts on the day of publication.
_FROM_TODAY = re.compile(r"(?:from|starting)\s+today\s+(?:to|until|through)\s+(?:the\s+)?$|"
                         r"desde\s+hoy\s+(?:y\s+)?(?:hasta|al)\s+(?:el\s+)?$|"
                         r"(?:[àa]\s+partir\s+d['’]aujourd['’]hui|d[èe]s\s+aujourd['’]hui)\s+(?:et\s+)?"
                         r"(?:jusqu['’]au|au)\s+$", re.I)
# A start and an end written apart: "commence ses travaux le 23 juillet" … "qui devrait s'achever le 10 août".
_STARTS_ON = re.compile(r"\b(?:begins?|opens?|opened|starts?|commence(?:ra)?|d[ée]bute(?:ra)?|s['’]ouvr\w*|"
                        r"comenzar[aá]|iniciar[aá]|inicia|abrir[aá])\b", re.I)
_ENDS_ON = re.compile(r"\b(?:ends?|close|closes|conclude|concludes|s['’]ach[eè]ve\w*|s['’]achever|se\s+termine\w*|"
                      r"terminer\w*|concluir[aá]|terminar[aá]|clausurar[aá]|runs?\s+until|until|hasta\s+el|"
                      r"jusqu['’]au)\b", re.I)
# "this morning opened its eighty-ninth session": a start on the day of publication.
_OPENED_TODAY = re.compile(r"\b(?:today|this\s+morning|this\s+afternoon|hoy|esta\s+ma[ñn]ana|aujourd['’]hui|"
                           r"ce\s+matin)\b", re.I)
_HASHTAG = re.compile(r"#(?P<body>[A-Z]{2,5})(?P<n>\d{1,3})\b")
_NEW_YORK = re.compile(r"new\s+york|nueva\s+york|headquarters|sede\s+de\s+las\s+naciones", re.I)
_GENEVA = re.compile(r"geneva|gen[èe]ve|ginebra|palais", re.I)


@dataclass
class Announcement:
    body: str
    sent: Sent
    span: DateSpan
    number: str | None
    index: int = 0  # of the announcing sentence

    @property
    def token(self) -> str:
        """The session part of keys: its number, or the placeholder a crawl resolves."""
        return self.number or ids.UNNUMBERED


def read_announcement(text: str, sents: list[Sent], ctx: Context) -> Announcement | None:
    """Find the session the document announces and write it into ``ctx`` (its event, its dates, the
    document's session), before the sentences are read for deadlines; :func:`settle_announcement`
    adds its reviews and slots after them."""
    body = ctx.body if ctx.body in TREATY else None
    if body is None:
        return None
    found = _announcing(sents, ctx, body)
    if found is None:
        return None
    index, span = found
    sent = sents[index]
    number = _number(sent, span, sents, text, ctx, body)
    ann = Announcement(body, sent, span, number)
    key_session = ann.token
    if number is not None and (body, number) in ctx.sessions and ctx.events.get(ids.ohchr_session(body, number)):
        pass  # the sentence reader already made it, with the same dates or better ones
    else:
        add_event(ctx, new_event(ctx, key=ids.ohchr_session(body, key_session), body=body, kind=Kind.SESSION,
                                 title=session_title(ctx, body, key_session), start=span.start, end=span.end,
                                 sent=sent, confidence=span.confidence * 0.95, session=number,
                                 location=_city(sent.text) or place_in(sent.text) or _city(text)))
        ctx.sessions[(body, key_session)] = (span.start, span.end)
    if ctx.session is None:
        ctx.session = key_session
    ann.index = index
    return ann


def settle_announcement(ann: Announcement | None, text: str, sents: list[Sent], ctx: Context) -> None:
    """The States under review and their slots, replacing what the sentence reader guessed for the body."""
    if ann is None:
        return
    body, key_session, index, sent = ann.body, ann.token, ann.index, ann.sent
    reviewed = _reviewed(sents, index, ann, ctx)
    slots, days = _schedule(text, sents, index, reviewed, ctx)
    # This reader owns the session it found: what the sentence reader guessed for it is replaced.
    for key in [k for k in ctx.reviewed if k[0] == body]:
        del ctx.reviewed[key]
    ctx.slots = [s for s in ctx.slots if s[0] != body]
    codes = dict.fromkeys([*reviewed, *(code for code, *_ in slots), *days])
    zone_ny = _in_new_york(sent.text, text)
    for code in codes:
        ctx.reviewed[(body, key_session)].setdefault(code)
        ctx.review_evidence.setdefault((body, key_session, code), evidence_of(sent))
    for code, day, t, evidence in slots:
        if zone_ny and not t.zone_explicit:
            t = replace(t, zone=NEW_YORK)
        start, end = t.on(day)
        ctx.slots.append((body, key_session, code, start, end or start, t.zone, 0.95, evidence))
    for code, (first, last, evidence) in days.items():
        if not any(s[0] == code for s in slots):
            ctx.slots.append((body, key_session, code, first, last, "", 0.95, evidence))


# -- 1. the announcing sentence -------------------------------------------------------------


def _announcing(sents: list[Sent], ctx: Context, body: str) -> tuple[int, DateSpan] | None:
    best: tuple[float, int, DateSpan] | None = None
    published = ctx.published
    opened: DateSpan | None = None  # the last "begins on 23 July" seen
    for i, sent in enumerate(sents):
        for span in [*sent.dates, *_written_apart(sent, published, opened)]:
            length = (span.end - span.start).days + 1
            if length < 2 or length > 45:
                continue
            if _state_days(sent, span):
                continue  # "Bangladesh (3-4 April)": one State's days, not the session's
            heading = _heading_above(sents, i)
            text = f"{heading} {sent.text}"
            at = len(heading) + 1 + sent.rel(span.pos)
            around = text[max(0, at - 160): at + len(span.text) + 60]
            score = 0.0
            if vocab.SESSION_WORDS.search(text):
                score += 3
            if any(code == body for _, code in bodies_in(text)):
                score += 2
            if _MEETS.search(text):
                score += 2
            if _FUTURE.search(around):
                score += 2
            if _PAST.search(around) and not _FUTURE.search(around):
                score -= 4
            if vocab.PRE_SESSIONAL.search(around):
                continue  # the working group before the session: the sentence reader keys it
            if any(p.search(around) for p in _DEADLINE_WORDS):
                score -= 3
            if published is not None and span.end < published - timedelta(days=3):
                score -= 3
            if length >= 5:
                score += 1
            if score < 3:
                continue
            if best is None or score > best[0]:
                best = (score, i, span)
        for span in sent.dates:
            if span.start == span.end and _STARTS_ON.search(sent.text[:sent.rel(span.pos)][-80:]):
                opened = span
        if published is not None and _STARTS_ON.search(sent.text) and _OPENED_TODAY.search(sent.text) \
                and vocab.SESSION_WORDS.search(sent.text) and not _PAST.search(sent.text.replace("opened", "")):
            opened = DateSpan(published, published, "", sent.s.pos, 0.9)
    return (best[1], best[2]) if best else None


def _written_apart(sent: Sent, published: date | None, opened: DateSpan | None) -> list[DateSpan]:
    """Ranges whose two ends are not written together: "from today to 24 March" (the start is the
    publication date), "begins on 23 July" … "is to end on 10 August" (the start from an earlier line)."""
    out = []
    for span in sent.dates:
        if span.start != span.end:
            continue
        before = sent.text[:sent.rel(span.pos)]
        if published is not None and _FROM_TODAY.search(before[-40:]) and published < span.start:
            out.append(replace(span, start=published, confidence=span.confidence * 0.9))
        elif opened is not None and _ENDS_ON.search(before[-60:]) and 0 < (span.start - opened.start).days <= 45:
            out.append(replace(span, start=opened.start, confidence=min(span.confidence, opened.confidence) * 0.9))
    return out


def _other_months(text: str, span: DateSpan) -> bool:
    """A month named in ``text`` that the announced span does not touch."""
    from ventanas.normalize.dates import month_numbers
    from ventanas.normalize.states import fold

    months = month_numbers()
    named = {months[w] for w in re.findall(r"[^\W\d_]{3,}", fold(text)) if w in months and w not in _WORDS_NOT_MONTHS}
    touched = {span.start.month, span.end.month}
    return bool(named - touched)


_WORDS_NOT_MONTHS = {"may", "mar", "set", "sept", "ago", "jun", "jul"}  # "it may", "mar" (sea), "set"


def _heading_above(sents: list[Sent], i: int) -> str:
    """The short lines just above a line that is only dates: a document's title block
    ("Committee against Torture / Seventy-third session / 19 April–13 May 2022")."""
    if len(_words_without_states(sents[i])) > 3:
        return ""
    lines: list[str] = []
    j = i - 1
    while j >= 0 and len(lines) < 3 and len(sents[j].text) <= 80 and sents[j].s.line >= sents[i].s.line - 4:
        lines.insert(0, sents[j].text)
        j -= 1
    return " ".join(lines)


def _state_days(sent: Sent, span: DateSpan) -> bool:
    """A range written right after a State ("Bangladesh (3-4 April)", "Gabon: 17 Feb")."""
    at = sent.rel(span.pos)
    for m in sent.states:
        end = sent.rel(m.pos) + len(m.text)
        if 0 <= at - end <= 3 and re.fullmatch(r"[\s(:–-]*", sent.text[end:at]):
            return True
    return False


# -- 2. the number -------------------------------------------------------------------------


def _number(sent: Sent, span: DateSpan, sents: list[Sent], text: str, ctx: Context, body: str) -> str | None:
    at = sent.rel(span.pos)
    near = [(abs(pos - at), n) for n, pos in session_numbers(sent.text) if abs(pos - at) < 160]
    if not near and (heading := _heading_above(sents, sents.index(sent))):
        near = [(0, n) for n, _ in session_numbers(heading)][:1]
    if near:
        return str(min(near)[1])
    if ctx.session_given and ctx.session:
        return ctx.session  # the spider read it from the page's structure
    candidates: list[str] = [m["session"] for m in INFO_NOTE.finditer(text) if m["body"] == body]
    for other in sents:
        if other is sent or _PAST.search(other.text):
            continue
        numbers = session_numbers(other.text)
        if numbers and (other.dates and any(d.end > d.start for d in other.dates) and other.dates[0] != span):
            continue  # another session with its own dates
        if numbers and _other_months(other.text, span):
            continue  # "at its seventy-ninth session, in November": another session
        candidates += [str(n) for n, _ in numbers]
    candidates += [m["n"] for m in _HASHTAG.finditer(text) if m["body"] == body]
    distinct = list(dict.fromkeys(str(int(c)) for c in candidates))
    return distinct[0] if len(distinct) == 1 else None


# -- 3. the States under review -------------------------------------------------------------


def _reviewed(sents: list[Sent], index: int, ann: Announcement, ctx: Context) -> list[str]:
    out: dict[str, None] = {}
    sent = sents[index]
    for code in _listed(sent, start=0):
        out.setdefault(code)
    opener = index
    if not _OPENS_LIST.search(sent.text) and index + 1 < len(sents) and _OPENS_LIST.search(sents[index + 1].text) \
            and _REVIEWS.search(sents[index + 1].text):
        opener = index + 1  # "…will take place from 28 April to 23 May. During the session it will review:"
        for code in _listed(sents[opener], start=0):
            out.setdefault(code)
    if _OPENS_LIST.search(sents[opener].text) or not sent.states:
        for follower in sents[opener + 1: opener + 20]:
            if not follower.states or follower.s.line - sents[opener].s.line > 25:
                break
            if len(_words_without_states(follower)) > 12 and not _OPENS_LIST.search(sents[opener].text):
                break
            for code in _listed(follower, start=0):
                out.setdefault(code)
    for i, other in enumerate(sents):
        if i == index or not other.states or not _REVIEWS.search(other.text):
            continue
        if _PAST.search(other.text) or vocab.PRE_SESSIONAL.search(other.text):
            continue
        numbers = {str(n) for n, _ in session_numbers(other.text)}
        if numbers and ann.number not in numbers:
            continue  # about another session
        if any(d.end > d.start and (d.start, d.end) != (ann.span.start, ann.span.end)
               and (d.end - d.start).days > 3 for d in other.dates):
            continue  # another meeting's dates
        for code in _listed(other, start=_review_word_at(other)):
            out.setdefault(code)
    return list(out)


def _review_word_at(sent: Sent) -> int:
    m = _REVIEWS.search(sent.text)
    if m is None:
        return 0
    # "Cabo Verde would be examined": the States written before the verb, in its own clause
    clause = max(sent.text.rfind(mark, 0, m.start()) for mark in (";", ":", ". "))
    return clause + 1 if clause >= 0 else 0


def _listed(sent: Sent, start: int) -> list[str]:
    """The States a sentence lists from ``start`` on, up to a word that ends the list."""
    out = []
    previous = start
    for mention in sent.states:
        at = sent.rel(mention.pos)
        if at < start:
            continue
        if _DATELINE.search(sent.text[max(0, at - 30):at]):
            previous = at + len(mention.text)
            continue
        if _LIST_BREAK.search(sent.text[previous:at]):
            break
        out.append(mention.code)
        previous = at + len(mention.text)
    return out


def _words_without_states(sent: Sent) -> list[str]:
    text = sent.text
    for m in sorted(sent.states, key=lambda m: -m.pos):
        at = sent.rel(m.pos)
        text = text[:at] + text[at + len(m.text):]
    for d in sent.dates:
        text = text.replace(d.text, " ")
    return re.findall(r"[^\W\d_]{3,}", text)


# -- 4. the schedule ------------------------------------------------------------------------

Slot = tuple[str, date, TimeSpan, str]


@dataclass(frozen=True)
class _Token:
    pos: int
    kind: str  # "state", "date", "time", "stop"
    value: object
    line: int


def _schedule(text: str, sents: list[Sent], index: int, reviewed: list[str], ctx: Context
              ) -> tuple[list[Slot], dict[str, tuple[date, date, str]]]:
    tokens = _tokens(sents, index)
    slots = _labelled_slots(tokens, sents, reviewed)
    days = _state_days_listed(sents, index, reviewed)
    if not slots and days:
        slots = _general_rule(sents, index, days)
    return slots, days


def _tokens(sents: list[Sent], index: int) -> list[_Token]:
    out: list[_Token] = []
    for sent in sents[index:]:
        for m in sent.states:
            out.append(_Token(m.pos, "state", m, sent.s.line))
        for d in sent.dates:
            if d.start == d.end:
                out.append(_Token(d.pos, "date", d, sent.s.line))
        for t in sent.times:
            out.append(_Token(t.pos, "time", t, sent.s.line))
        # Prose ends what a State labels: "...report on Mexico. The session will begin on 28 March at 10:00",
        # "El Salvador | 4 April | 15:00 – 18:00 / The Committee will close its session on 6 April at 18:00."
        if not sent.states and len(_words_without_states(sent)) >= 6:
            out.append(_Token(sent.s.pos - 1, "stop", None, sent.s.line))
        if sent.text.endswith((".", "!", "?")) and len(sent.text) > 60:
            out.append(_Token(sent.s.pos + len(sent.text), "stop", None, sent.s.line))
    out.sort(key=lambda t: t.pos)
    return out


def _labelled_slots(tokens: list[_Token], sents: list[Sent], reviewed: list[str]) -> list[Slot]:
    by_line = {s.s.line: s for s in sents}
    times = [i for i, t in enumerate(tokens) if t.kind == "time"]
    if not times:
        return []

    def state_after(i: int) -> StateMention | None:
        line = tokens[i].line
        alone = _alone_on_line(tokens[i], by_line)
        for t in tokens[i + 1:]:
            if t.line != line and not (alone and t.line <= line + 3):
                return None
            if t.kind in ("time", "date", "stop"):
                return None
            if t.kind == "state":
                return t.value  # type: ignore[return-value]
        return None

    def state_before(i: int) -> StateMention | None:
        for t in reversed(tokens[:i]):
            if t.kind == "stop":
                return None
            if t.kind == "state":
                return t.value  # type: ignore[return-value]
        return None

    def date_before(i: int) -> DateSpan | None:
        for t in reversed(tokens[:i]):
            if t.kind == "stop":
                return None
            if t.kind == "date":
                return t.value  # type: ignore[return-value]
        return None

    after_votes = sum(1 for i in times if state_after(i) is not None)
    labels_follow = after_votes * 2 > len(times)
    slots: list[Slot] = []
    for i in times:
        t: TimeSpan = tokens[i].value  # type: ignore[assignment]
        day = date_before(i)
        state = state_after(i) if labels_follow else state_before(i)
        if state is None and len(reviewed) == 1 and _schedule_line(tokens[i], by_line):
            state = StateMention(reviewed[0], "", tokens[i].pos)  # the one State reviewed: its schedule
        if day is None or state is None:
            continue
        if not labels_follow and not _labels(state, tokens, i):
            continue
        sent = by_line.get(tokens[i].line)
        slots.append((state.code, day.start, t, evidence_of(sent) if sent else ""))
    return slots


def _schedule_line(token: _Token, by_line: dict[int, Sent]) -> bool:
    """A line that is only a date and a time ("2 September 15:00 – 18:00"), not a sentence of prose."""
    sent = by_line.get(token.line)
    return sent is not None and len(_words_without_states(sent)) <= 3


def _alone_on_line(token: _Token, by_line: dict[int, Sent]) -> bool:
    """A time on a line of its own, its State on the next ("3–6 p.m." / "Iceland: replies")."""
    sent = by_line.get(token.line)
    return sent is not None and len(sent.text) <= len(token.value.text) + 3  # type: ignore[attr-defined]


def _labels(state: StateMention, tokens: list[_Token], i: int) -> bool:
    """A State labels the times below it when only dates and times stand between them."""
    between = [t for t in tokens if state.pos < t.pos < tokens[i].pos]
    return all(t.kind in ("date", "time") for t in between)


def _state_days_listed(sents: list[Sent], index: int, reviewed: list[str]
                       ) -> dict[str, tuple[date, date, str]]:
    """Per-State days: "Bangladesh (3-4 April)", "Gabon (17 Feb)", "10 July: Guyana"."""
    out: dict[str, tuple[date, date, str]] = {}
    for sent in sents[index:index + 40]:
        for mention in sent.states:
            end = sent.rel(mention.pos) + len(mention.text)
            for span in sent.dates:
                at = sent.rel(span.pos)
                if 0 <= at - end <= 3 and re.fullmatch(r"[\s(:–-]*", sent.text[end:at]):
                    out.setdefault(mention.code, (span.start, span.end, evidence_of(sent)))
                after = at + len(span.text)
                if 0 <= sent.rel(mention.pos) - after <= 3 and re.fullmatch(r"[\s:–-]*", sent.text[after:
                                                                                             sent.rel(mention.pos)]):
                    out.setdefault(mention.code, (span.start, span.end, evidence_of(sent)))
    return out


def _general_rule(sents: list[Sent], index: int, days: dict[str, tuple[date, date, str]]) -> list[Slot]:
    """Times stated once for every dialogue, applied to each State's days."""
    for sent in sents[index:]:
        if len(sent.times) < 1 or sent.dates or sent.states or not _GENERAL_RULE.search(sent.text):
            continue
        next_day = [t for t in sent.times if _NEXT_DAY.search(sent.text[:sent.rel(t.pos)])]
        same_day = [t for t in sent.times if t not in next_day]
        slots: list[Slot] = []
        for code, (first, last, _evidence) in days.items():
            day = first
            while day <= last and (day - first).days < 3:
                for t in same_day:
                    if not next_day or day == first:
                        slots.append((code, day, t, evidence_of(sent)))
                if next_day and day == first:
                    for t in next_day:
                        slots.append((code, first + timedelta(days=1), t, evidence_of(sent)))
                    break
                day += timedelta(days=1)
        return slots
    return []


def _in_new_york(sentence: str, text: str) -> bool:
    head = text[:3000]
    return bool(_NEW_YORK.search(sentence) or (_NEW_YORK.search(head) and not _GENEVA.search(head)))


def _city(text: str) -> str | None:
    head = text[:3000]
    if _GENEVA.search(head):
        return "Geneva"
    if _NEW_YORK.search(head):
        return "New York"
    return None
