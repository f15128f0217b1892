"""Dates as the sources write them.

:func:`parse_date` reads one date in a table cell ("15 Aug 2026",
"15/08/2026", "2026-08-15"); :func:`find_dates` finds every date and range in
running English, Spanish or French prose ("del 12 al 16 de octubre de 2015").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

from babel.dates import get_day_names, get_month_names

from ventanas.normalize.states import fold


class DateError(ValueError):
    """Text that is not a date, or an impossible one (30 February): rejected, never guessed."""


@cache
def month_numbers() -> dict[str, int]:
    """Folded month name or abbreviation (en, es, fr) → month number."""
    months: dict[str, int] = {}
    for lang in ("en", "es", "fr"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, lang).items():
                    months[fold(name).rstrip(".")] = number
    months.update({"sept": 9, "set": 9, "setiembre": 9})  # common variants Babel does not list
    return months


_DMY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|o|º)?\s*(?:de\s+)?([^\W\d_]+)\.?,?\s*(?:de\s+)?(\d{4})$", re.I)
_MDY = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", re.I)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def make_date(year: int, month: int, day: int, text: str = "") -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise DateError(f"impossible date {text or (year, month, day)!r}: {exc}") from exc


def parse_date(text: str) -> date:
    """One calendar date with its year, in the day-first forms UN pages use."""
    cleaned = re.sub(r"\s+", " ", text or "").strip()
    if m := _ISO.match(cleaned):
        return make_date(int(m[1]), int(m[2]), int(m[3]), cleaned)
    if m := _NUMERIC.match(cleaned):  # UN pages are day-first: 05/08/2016 is 5 August
        return make_date(int(m[3]), int(m[2]), int(m[1]), cleaned)
    if m := _DMY.match(cleaned):
        day, month_name, year = m[1], m[2], m[3]
    elif m := _MDY.match(cleaned):
        month_name, day, year = m[1], m[2], m[3]
    else:
        raise DateError(f"not a date: {cleaned!r}")
    month = month_numbers().get(fold(month_name).rstrip("."))
    if month is None:
        raise DateError(f"unknown month {month_name!r} in {cleaned!r}")
    return make_date(int(year), month, int(day), cleaned)


# -- dates and ranges in running text -------------------------------------------------
#
# A precise grammar rather than dateparser's search: dateparser.search finds
# "5 may" in "article 5 may apply", reads "12-16 October" as one date and is two
# orders of magnitude slower (bench/g6_extraction.py measures both). Month and
# weekday names come from Babel's CLDR data for en, es and fr; every document
# is read with all three languages' names, because Spanish news quote English
# titles and OHCHR pages mix languages.
#
# Year inference, when a date is written without its year:
#   1. a later date in the same phrase gives it ("5 May and 7 June 2025",
#      "30 December to 3 January 2025": a range that would end before it starts
#      crosses the year);
#   2. otherwise the publication date: the earliest reading that is not more than
#      RECENT_DAYS before publication ("future or recent": announcements mostly
#      look ahead, news reports recap what just happened);
#   3. otherwise the nearest reading to a date with an explicit year elsewhere in
#      the text;
#   4. otherwise the date is dropped: a year is never invented.
# A weekday written with the date ("Monday 29 August") must agree with the year
# chosen; when it rules out every candidate year, the reading is kept with a
# lower confidence. An explicit year with a contradicting weekday is a typo in
# the source: the date is kept with a lower confidence.

RECENT_DAYS = 90


@dataclass(frozen=True)
class DateSpan:
    """A date or an inclusive range found in text; ``pos`` is the offset of ``text`` in the input."""

    start: date
    end: date
    text: str
    pos: int
    confidence: float = 1.0  # below 1 when the year was inferred or the source contradicts itself
    year_inferred: bool = False


_AMBIGUOUS_MONTH_WORDS = {"may", "mar", "set", "sept", "ago", "jun", "jul"}  # also common words


def _accent_tolerant(word: str) -> str:
    out = []
    for ch in word:
        base = fold(ch) or ch
        if base != ch.casefold() and len(base) == 1:
            out.append(f"[{base}{ch}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


@cache
def _names_pattern(kind: str) -> str:
    names: set[str] = set()
    for lang in ("en", "es", "fr"):
        if kind == "month":
            for width in ("wide", "abbreviated"):
                names.update(n.rstrip(".") for n in get_month_names(width, "format", lang).values())
        else:
            names.update(get_day_names("wide", "format", lang).values())
    if kind == "month":
        names.update({"sept", "setiembre", "set"})
    else:
        names.update({"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"})
    alternatives = sorted((_accent_tolerant(n.casefold()) for n in names), key=len, reverse=True)
    return r"(?<![^\W\d_])(?:" + "|".join(alternatives) + r")(?![^\W\d_])\.?"


@cache
def weekday_numbers() -> dict[str, int]:
    """Folded weekday name (en, es, fr; English abbreviations) → Monday=0 … Sunday=6."""
    table: dict[str, int] = {}
    for lang in ("en", "es", "fr"):
        for number, name in get_day_names("wide", "format", lang).items():
            table[fold(name)] = number
    for number, abbr in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun")):
        table[abbr] = number
    table.update({"tues": 1, "thur": 3, "thurs": 3})
    return table


_DAY = r"(?:[0-3]?\d(?:st|nd|rd|th|er|ᵉʳ|\.?º|°|\.?o)?|primero|premier)(?![\d:])"
_YEAR = r"(?:19|20)\d\d(?!\d)"
_RANGE_SEP = (r"(?:\s*[-–—−‑]\s*(?:(?:to|al|au)\s+)?"
              r"|\s+(?:to|until|till|through|thru|up\s+to|al|hasta(?:\s+el)?|a|au|jusqu['’]au|à)\s+)"
              r"(?:(?:the|el|le)\s+)?")
_AND = r"\s+(?:and|y|e|et|&)\s+(?:(?:the|el|le|los|les)\s+)?"
_DM = r"(?:\s+(?:de|of)\s+|\s+|-)"
_MY = r"(?:\s*,\s*|\s+(?:de|del)\s+|\s+|-)"
_DY = r"(?:\s*,\s*|\s+)"


def _weekday(n: int) -> str:
    return rf"(?:(?P<w{n}>{_names_pattern('weekday')}),?\s+(?:(?:the|el|le)\s+)?)?"


# The weekday before a date's first part is looked up backwards (_LEADING_WEEKDAY), not
# matched here: an optional alternation at the start of a pattern is tried at every
# character of the text, which made the scan ten times slower.
def _dmy(n: int) -> str:
    return (rf"{_weekday(n) if n > 1 else ''}(?P<d{n}>{_DAY}){_DM}(?P<m{n}>{_names_pattern('month')})"
            rf"(?:{_MY}(?P<y{n}>{_YEAR}))?")


def _mdy(n: int) -> str:
    return (rf"{_weekday(n) if n > 1 else ''}(?P<m{n}>{_names_pattern('month')})\s+(?:the\s+)?(?P<d{n}>{_DAY})"
            rf"(?:{_DY}(?P<y{n}>{_YEAR}))?")


_NUM_FORM = r"(?P<d{n}>[0-3]?\d)(?P<s{n}>[/.])(?P<m{n}>[0-3]?\d)(?P=s{n})(?P<y{n}>{y})"
_ISO_FORM = r"(?P<y{n}>{y})-(?P<m{n}>[01]\d)-(?P<d{n}>[0-3]\d)"


@cache
def _grammar() -> list[tuple[str, re.Pattern[str]]]:
    start = r"(?<![\w/.:-])"
    day_list = (rf"(?P<days>(?P<d1>{_DAY})(?:\s*,\s*{_weekday(3)}{_DAY})*"
                rf"(?P<sep>{_RANGE_SEP}|{_AND}){_weekday(4)}(?P<d2>{_DAY}))")
    forms = {
        "dmy-dmy": rf"{start}{_dmy(1)}{_RANGE_SEP}{_dmy(2)}",
        "mdy-mdy": rf"{start}{_mdy(1)}{_RANGE_SEP}{_mdy(2)}",
        "dd-my": rf"{start}{day_list}{_DM}(?P<m2>{_names_pattern('month')})(?:{_MY}(?P<y2>{_YEAR}))?",
        "m-dd-y": (rf"{start}(?P<m2>{_names_pattern('month')})\s+(?P<d1>{_DAY})"
                   rf"(?P<sep>{_RANGE_SEP}|{_AND})(?P<d2>{_DAY})(?:{_DY}(?P<y2>{_YEAR}))?"),
        "num-num": (rf"{start}{_NUM_FORM.format(n=1, y=_YEAR)}{_RANGE_SEP}{_NUM_FORM.format(n=2, y=_YEAR)}(?![\w/])"),
        "iso-iso": rf"{start}{_ISO_FORM.format(n=1, y=_YEAR)}(?:{_RANGE_SEP}|/){_ISO_FORM.format(n=2, y=_YEAR)}(?![\w-])",
        "dmy": rf"{start}{_dmy(1)}",
        "mdy": rf"{start}{_mdy(1)}",
        "num": rf"{start}{_NUM_FORM.format(n=1, y=_YEAR)}(?![\w/]|\.\d)",
        "iso": rf"{start}{_ISO_FORM.format(n=1, y=_YEAR)}(?![\w-]|:\d)",
    }
    return [(name, re.compile(pattern, re.I)) for name, pattern in forms.items()]


_BETWEEN = re.compile(r"(?:between|entre)\s+(?:(?:the|el|le|les|los)\s+)?(?:d[ií]as\s+)?$", re.I)
_DAY_TOKEN = re.compile(_DAY, re.I)
_LIST_JOIN = re.compile(r"^\s*(?:,|;|and|y|e|et|&)?\s*$", re.I)


@dataclass
class _Part:
    day: int
    month: int
    year: int | None
    weekday: int | None = None


@dataclass
class _Raw:
    pos: int
    text: str
    parts: list[list[_Part]]  # one [start, end] pair per span (a day list yields several)
    ambiguous_numeric: bool = False
    month_word: str = ""
    explicit_year: bool = False


def _day_number(token: str) -> int:
    return int(re.match(r"\d+", token).group()) if token[:1].isdigit() else 1  # "primero", "premier"


def _weekday_of(g: dict[str, str | None], n: int) -> int | None:
    token = g.get(f"w{n}")
    return weekday_numbers().get(fold(token).rstrip(".")) if token else None


@lru_cache(maxsize=4096)
def _month_of(token: str) -> int:
    return month_numbers()[fold(token).rstrip(".")]


def _year_of(m: re.Match[str], n: int) -> int | None:
    token = m.groupdict().get(f"y{n}")
    return int(token) if token else None


@cache
def _weekday_words() -> re.Pattern[str]:
    return re.compile(_names_pattern("weekday"), re.I)


@cache
def _leading_weekday() -> re.Pattern[str]:
    return re.compile(rf"(?P<w>{_names_pattern('weekday')}),?\s+(?:(?:the|el|le)\s+)?$", re.I)


def _raw_from_match(name: str, m: re.Match[str], text: str) -> _Raw | None:
    g = m.groupdict()
    raw = _Raw(pos=m.start(), text=m.group().rstrip(" ,.-–"), parts=[])
    lead = _leading_weekday().search(text, max(0, m.start() - 25), m.start())
    if lead:
        raw.pos, raw.text = lead.start(), text[lead.start():m.start()] + raw.text
    g["w1"] = lead["w"] if lead else None
    if name in ("num-num", "num", "iso-iso", "iso"):
        numbers = [(int(g[f"d{n}"]), int(g[f"m{n}"]), int(g[f"y{n}"])) for n in ((1, 2) if "-" in name else (1,))]
        if name.startswith("num"):
            # UN documents are day-first; "08/29/2016" can only be month-first. A pair that
            # fits both orders is read day-first, with a lower confidence, unless the other
            # end of the range settles the order.
            month_first = any(a <= 12 < b for a, b, _y in numbers)
            day_first = any(b <= 12 < a for a, b, _y in numbers)
            if month_first and day_first:
                return None
            if month_first:
                numbers = [(b, a, y) for a, b, y in numbers]
            raw.ambiguous_numeric = not (month_first or day_first) and any(
                a != b and a <= 12 and b <= 12 for a, b, _y in numbers)
        pairs = [_Part(d, mo, y) for d, mo, y in numbers]
        raw.parts = [[pairs[0], pairs[-1]]]
        raw.explicit_year = True
        return raw
    month_token = g.get("m2") or g["m1"]
    raw.month_word = g["m1"] if g.get("m1") else g["m2"]
    if name in ("dmy", "mdy"):
        part = _Part(_day_number(g["d1"]), _month_of(g["m1"]), _year_of(m, 1), _weekday_of(g, 1))
        raw.parts = [[part, part]]
    elif name in ("dmy-dmy", "mdy-mdy"):
        first = _Part(_day_number(g["d1"]), _month_of(g["m1"]), _year_of(m, 1), _weekday_of(g, 1))
        last = _Part(_day_number(g["d2"]), _month_of(g["m2"]), _year_of(m, 2), _weekday_of(g, 2))
        raw.parts = [[first, last]]
    else:  # a run of days in one month: "2–13 December", "18 y 19 de noviembre", "5, 6 and 7 May"
        month, year = _month_of(month_token), _year_of(m, 2)
        is_range = bool(re.fullmatch(_RANGE_SEP, g["sep"], re.I)) or bool(_BETWEEN.search(text[:m.start()][-30:]))
        if name == "m-dd-y":
            days = [_day_number(g["d1"]), _day_number(g["d2"])]
        else:
            days = [_day_number(t) for t in _DAY_TOKEN.findall(_weekday_words().sub(" ", g["days"]))]
        weekdays = {0: _weekday_of(g, 1), len(days) - 1: _weekday_of(g, 4)}
        parts = [_Part(d, month, year, weekdays.get(i)) for i, d in enumerate(days)]
        if is_range and len(days) == 2:
            raw.parts = [[parts[0], parts[1]]]
        else:
            raw.parts = _runs(parts)
            if raw.parts is None:
                return None
    raw.explicit_year = any(p.year is not None for pair in raw.parts for p in pair)
    ambiguous_word = raw.month_word.casefold().rstrip(".") in _AMBIGUOUS_MONTH_WORDS and raw.month_word.islower()
    if ambiguous_word and not raw.explicit_year and not re.search(r"\bde\s", m.group(), re.I):
        return None  # "article 5 may apply": a lower-case "may" with no year is a verb
    return raw


def _runs(parts: list[_Part]) -> list[list[_Part]] | None:
    """Listed days become one span per run of consecutive days ("5, 6 and 7" → 5–7)."""
    if any(b.day <= a.day for a, b in zip(parts, parts[1:], strict=False)):
        return None  # "7 and 5 May" is no list of days a source means
    runs = [[parts[0], parts[0]]]
    for part in parts[1:]:
        if part.day == runs[-1][1].day + 1:
            runs[-1][1] = part
        else:
            runs.append([part, part])
    return runs


def _candidate(part: _Part, year: int) -> date | None:
    try:
        return date(year, part.month, part.day)
    except ValueError:
        return None


def _infer_year(part: _Part, published: date | None, anchors: list[tuple[int, date]], pos: int
                ) -> tuple[int, float] | None:
    if published is not None:
        base, conf = published, 0.85
    elif anchors:
        before = [a for a in anchors if a[0] < pos]
        base, conf = (before[-1] if before else anchors[0])[1], 0.8
    else:
        return None
    candidates = [(y, d) for y in (base.year - 1, base.year, base.year + 1) if (d := _candidate(part, y))]
    if part.weekday is not None:
        agreeing = [c for c in candidates if c[1].weekday() == part.weekday]
        if agreeing:
            candidates = agreeing
        else:
            conf -= 0.15
    if not candidates:
        return None
    if published is not None:
        recent = [c for c in candidates if (published - c[1]).days <= RECENT_DAYS]
        chosen = min(recent or candidates, key=lambda c: c[1] if recent else -c[1].toordinal())
    else:
        chosen = min(candidates, key=lambda c: (abs((c[1] - base).days), -c[0]))
    return chosen[0], conf


def _resolve(raw: _Raw, published: date | None, anchors: list[tuple[int, date]],
             year_hint: int | None) -> list[DateSpan]:
    spans = []
    for first, last in raw.parts:
        confidence, inferred = (0.9 if raw.ambiguous_numeric else 1.0), False
        y1, y2 = first.year, last.year
        if y1 is None and y2 is not None:
            y1 = y2 if (first.month, first.day) <= (last.month, last.day) else y2 - 1
        elif y1 is None and year_hint is not None:
            y1 = year_hint  # the year written once for a list: "5 May and 7 June 2025"
        elif y1 is None:
            found = _infer_year(first, published, anchors, raw.pos)
            if found is None:
                continue
            y1, confidence = found[0], min(confidence, found[1])
            inferred = True
        if y2 is None:
            y2 = y1 if (last.month, last.day) >= (first.month, first.day) else y1 + 1
        start, end = _candidate(first, y1), _candidate(last, y2)
        if start is None or end is None or end < start:
            return []  # 30 February, or a range that ends before it starts: rejected, not guessed
        for part, value in ((first, start), (last, end)):
            if part.weekday is not None and value.weekday() != part.weekday and not inferred:
                confidence = min(confidence, 0.7)
        spans.append(DateSpan(start, end, raw.text, raw.pos, round(confidence, 3), inferred))
    return spans


_ANCHOR = re.compile(r"\d+|primero|premier", re.I)


def _windows(text: str) -> list[tuple[int, int]]:
    """Stretches of text around digits: every date form has a day or a year in digits (or
    "primero"/"premier"), so the grammar need not run over long stretches of plain prose."""
    spans: list[list[int]] = []
    for m in _ANCHOR.finditer(text):
        start, end = max(0, m.start() - 40), min(len(text), m.end() + 60)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [(a, b) for a, b in spans]


def _scan(text: str) -> list[tuple[str, re.Match[str]]]:
    """Leftmost-longest matches over all forms, without overlaps."""
    found = [(m.start(), -len(m.group()), rank, name, m)
             for start, end in _windows(text)
             for rank, (name, pattern) in enumerate(_grammar()) for m in pattern.finditer(text, start, end)]
    found.sort(key=lambda f: f[:3])
    chosen, end = [], -1
    for start, neg_len, _rank, name, m in found:
        if start >= end:
            chosen.append((name, m))
            end = start - neg_len
    return chosen


def find_dates(text: str, *, lang: str | None = None, published: date | None = None) -> list[DateSpan]:
    """Every date or range in ``text``, in order (see the year rule above).

    ``lang`` is accepted for symmetry with the other finders: names of all
    three languages are always read.
    """
    if not text:
        return []
    raws = [r for name, m in _scan(text) if (r := _raw_from_match(name, m, text))]
    anchors = []
    for raw in raws:
        if raw.explicit_year:
            first = raw.parts[0][0]
            year = first.year or raw.parts[0][1].year
            if (d := _candidate(first, year)) is not None:
                anchors.append((raw.pos, d))
    spans: list[DateSpan] = []
    for i, raw in enumerate(raws):
        hint = None
        if not raw.explicit_year and i + 1 < len(raws) and raws[i + 1].explicit_year:
            gap = text[raw.pos + len(raw.text):raws[i + 1].pos]
            nxt = raws[i + 1].parts[0][0]
            if len(gap) <= 12 and _LIST_JOIN.match(gap) and nxt.year is not None:
                first = raw.parts[0][0]
                hint = nxt.year if (first.month, first.day) <= (nxt.month, nxt.day) else nxt.year - 1
        spans.extend(_resolve(raw, published, anchors, hint))
    return spans


# -- dates relative to the publication date --------------------------------------------
#
# News about a meeting often dates it only against the day it was written: "la semana
# pasada", "next week", "entre los próximos 20 y 24 de este mes". These spans are read
# only where a reader asks for them (a meeting named with no date of its own), and
# only with a publication date; a week is its working days, with a lower confidence.

_LAST_WEEK = re.compile(r"\b(?:la\s+)?semana\s+pasada\b|\blast\s+week\b|\bla\s+semaine\s+derni[èe]re\b", re.I)
_NEXT_WEEK = re.compile(r"\b(?:la\s+)?pr[oó]xima\s+semana\b|\bnext\s+week\b|\bla\s+semaine\s+prochaine\b", re.I)
_THIS_MONTH = re.compile(
    r"(?P<a>[0-3]?\d)\s*(?:y|al?|-|–|and|to|et|au)\s*(?:el\s+|le\s+)?(?P<b>[0-3]?\d)\s+"
    r"(?:de\s+|of\s+)?(?:este\s+mes|this\s+month|ce\s+mois(?:-ci)?)\b", re.I)


def relative_spans(text: str, published: date | None) -> list[DateSpan]:
    """Spans written against the publication date, in order of position."""
    if published is None or not text:
        return []
    out = []
    monday = published - timedelta(days=published.weekday())
    for pattern, first in ((_LAST_WEEK, monday - timedelta(days=7)), (_NEXT_WEEK, monday + timedelta(days=7))):
        for m in pattern.finditer(text):
            out.append(DateSpan(first, first + timedelta(days=4), m.group(), m.start(), 0.5, True))
    for m in _THIS_MONTH.finditer(text):
        try:
            start = date(published.year, published.month, int(m["a"]))
            end = date(published.year, published.month, int(m["b"]))
        except ValueError:
            continue
        if start <= end:
            out.append(DateSpan(start, end, m.group(), m.start(), 0.85, True))
    return sorted(out, key=lambda s: s.pos)
