"""Times of day and their zones in running English, Spanish and French text.

"10:00 - 13:00 (Geneva time)", "11:30-13:00 CEST", "12:00 Geneva time (CET)",
"de 10:00 a 13:00 horas", "3 p.m. to 6 p.m.", "de 15 h à 18 h 30".

Zones are IANA names. Geneva (in any language), CET and CEST mean
Europe/Zurich: ventanas' sources that write CET/CEST are Geneva-based. An
explicit zone wins over ``default_zone``; ``TimeSpan.zone_explicit`` says
whether the text named one. Abbreviations that name several zones (CST: US
Central, China, Cuba; IST) are not read as zones: the default applies and
``zone_explicit`` stays False, so the caller knows the zone is assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

from ventanas.normalize.states import fold


@dataclass(frozen=True)
class TimeSpan:
    """A time or a time range; ``pos`` is the offset of ``text`` in the input."""

    start: time
    end: time | None
    zone: str
    text: str
    pos: int
    zone_explicit: bool = False

    def on(self, day: date) -> tuple[datetime, datetime | None]:
        """Timezone-aware start and end on ``day`` in the span's zone."""
        tz = ZoneInfo(self.zone)
        end = datetime.combine(day, self.end, tz) if self.end is not None else None
        return datetime.combine(day, self.start, tz), end


GENEVA = "Europe/Zurich"

# Places and zone names as sources write them after "hora de", "heure de", "… time".
# Keys are folded. Capitals of the CRM and CSM members and the usual meeting cities.
PLACE_ZONES: dict[str, str] = {
    "geneva": GENEVA, "ginebra": GENEVA, "geneve": GENEVA, "genf": GENEVA, "switzerland": GENEVA,
    "suiza": GENEVA, "suisse": GENEVA, "bern": GENEVA, "berne": GENEVA, "zurich": GENEVA,
    "central european": GENEVA, "central european summer": GENEVA, "europa central": GENEVA,
    "europe centrale": GENEVA, "cet": GENEVA, "cest": GENEVA, "hnec": GENEVA, "heec": GENEVA,
    "brussels": "Europe/Brussels", "bruselas": "Europe/Brussels", "bruxelles": "Europe/Brussels",
    "paris": "Europe/Paris", "madrid": "Europe/Madrid", "vienna": "Europe/Vienna", "viena": "Europe/Vienna",
    "london": "Europe/London", "londres": "Europe/London", "bst": "Europe/London",
    "new york": "America/New_York", "nueva york": "America/New_York", "washington": "America/New_York",
    "eastern": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "et": "America/New_York", "del este": "America/New_York", "de l est": "America/New_York",
    "pacific": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "ottawa": "America/Toronto", "toronto": "America/Toronto",
    "mexico": "America/Mexico_City", "ciudad de mexico": "America/Mexico_City",
    "mexico city": "America/Mexico_City", "la ciudad de mexico": "America/Mexico_City",
    "centro de mexico": "America/Mexico_City", "del centro de mexico": "America/Mexico_City",
    "cdmx": "America/Mexico_City",
    "guatemala": "America/Guatemala", "ciudad de guatemala": "America/Guatemala",
    "el salvador": "America/El_Salvador", "san salvador": "America/El_Salvador",
    "honduras": "America/Tegucigalpa", "tegucigalpa": "America/Tegucigalpa",
    "nicaragua": "America/Managua", "managua": "America/Managua",
    "costa rica": "America/Costa_Rica", "san jose": "America/Costa_Rica",
    "panama": "America/Panama", "ciudad de panama": "America/Panama",
    "belize": "America/Belize", "belice": "America/Belize", "belmopan": "America/Belize",
    "republica dominicana": "America/Santo_Domingo", "santo domingo": "America/Santo_Domingo",
    "dominican republic": "America/Santo_Domingo",
    "colombia": "America/Bogota", "bogota": "America/Bogota", "riohacha": "America/Bogota",
    "ecuador": "America/Guayaquil", "quito": "America/Guayaquil",
    "peru": "America/Lima", "lima": "America/Lima",
    "bolivia": "America/La_Paz", "la paz": "America/La_Paz",
    "chile": "America/Santiago", "santiago": "America/Santiago", "santiago de chile": "America/Santiago",
    "argentina": "America/Argentina/Buenos_Aires", "buenos aires": "America/Argentina/Buenos_Aires",
    "uruguay": "America/Montevideo", "montevideo": "America/Montevideo",
    "paraguay": "America/Asuncion", "asuncion": "America/Asuncion",
    "brasil": "America/Sao_Paulo", "brazil": "America/Sao_Paulo", "bresil": "America/Sao_Paulo",
    "brasilia": "America/Sao_Paulo", "sao paulo": "America/Sao_Paulo", "brt": "America/Sao_Paulo",
    "venezuela": "America/Caracas", "caracas": "America/Caracas",
    "guyana": "America/Guyana", "georgetown": "America/Guyana",
    "suriname": "America/Paramaribo", "surinam": "America/Paramaribo", "paramaribo": "America/Paramaribo",
    "utc": "UTC", "gmt": "UTC", "z": "UTC",
}

# Abbreviations are read only in capitals: "est" is French for "is".
_ABBREVIATIONS = ("CEST", "CET", "UTC", "GMT", "EST", "EDT", "ET", "PST", "PDT", "BRT", "BST", "HNEC", "HEEC")
_PLACE_WORDS = sorted((k for k in PLACE_ZONES if k.upper() not in _ABBREVIATIONS and k != "z"),
                      key=len, reverse=True)


def _tolerant(word: str) -> str:
    repl = {"e": "[eéèê]", "a": "[aáà]", "i": "[ií]", "o": "[oó]", "u": "[uú]", " ": r"[\s-]+"}
    return "".join(repl.get(ch, re.escape(ch)) for ch in word)


@cache
def _zone_pattern() -> str:
    places = "|".join(_tolerant(w) for w in _PLACE_WORDS)
    abbreviations = "(?-i:" + "|".join(_ABBREVIATIONS) + r")\b"
    offset = r"(?:UTC|GMT)\s*[+−-]\s*\d{1,2}(?::?00)?"
    named = (rf"(?:(?:hora|horas|heure|heures)\s+(?:de\s+|del\s+|d['’]\s*)?(?:la\s+)?(?P<p1>{places})"
             rf"(?:\s+(?:time|summer\s+time|standard\s+time))?"
             rf"|(?P<p2>{places})\s+(?:summer\s+|standard\s+|daylight\s+)?time"
             rf"|(?P<off>{offset})"
             rf"|(?P<p3>{abbreviations}))")
    return named


_H = r"(?:[01]?\d|2[0-3])"
_AMPM = r"(?:[ap]\.?\s?m\b\.?)"
_CLOCK_WORD = r"(?:hrs?\b\.?|horas\b|hs\b\.?|heures\b|h\b|o['’]clock\b)"
# One time: 10:00, 10.00, 10h00, 10 h 30, 10h, 3 p.m., 3:30pm, noon.
_TIME = (rf"(?:(?P<h{{n}}>{_H})(?:(?P<sep{{n}}>[:.]|\s?h\s?)(?P<m{{n}}>[0-5]\d)(?::[0-5]\d)?|(?P<hh{{n}}>\s?h)\b)?"
         rf"(?:\s?(?P<ap{{n}}>{_AMPM}))?(?![\d])"
         r"|(?P<noon{n}>noon|midday|mediod[ií]a|midi))")
_RANGE = (r"(?:\s*[-–—−]\s*|\s+(?:to|until|till|a|al|hasta|à|jusqu['’]à)\s+(?:(?:las|la)\s+)?)")


@cache
def _grammar() -> list[tuple[str, re.Pattern[str]]]:
    start = r"(?<![\w.:/,+−-])"
    tail = (rf"(?:\s*(?P<word>{_CLOCK_WORD}))?"
            rf"(?:\s*,?\s*\(?\s*(?P<zone>{_zone_pattern()})\s*\)?(?:\s*\(\s*(?P<zone2>[A-Za-z]{{3,4}})\s*\))?)?")
    t1, t2 = _TIME.format(n=1), _TIME.format(n=2)
    forms = {
        # "de 15 heures à 18 heures", "de 10 horas a 13 horas": the clock word may follow both ends
        "range": rf"{start}(?:{t1})(?:\s*(?:heures|horas|hrs?)\b\.?)?{_RANGE}(?:{t2}){tail}",
        "single": rf"{start}(?:{t1}){tail}",
    }
    return [(name, re.compile(p, re.I)) for name, p in forms.items()]


def _zone_of(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    place = g.get("p1") or g.get("p2") or g.get("p3")
    if place:
        return PLACE_ZONES.get(fold(place).replace(" s ", " "))
    if g.get("off"):
        sign_hours = re.search(r"([+−-])\s*(\d{1,2})", g["off"])
        hours = int(sign_hours[2])
        if hours == 0:
            return "UTC"
        if hours > 14:
            return None
        return f"Etc/GMT{'-' if sign_hours[1] == '+' else '+'}{hours}"  # POSIX signs are inverted
    return None


def _clock(m: re.Match[str], n: int, *, ampm: str | None, has_word: bool, in_range: bool) -> time | None:
    g = m.groupdict()
    if g.get(f"noon{n}"):
        return time(12, 0)
    hour, minute = int(g[f"h{n}"]), int(g[f"m{n}"] or 0)
    sep, marker = g.get(f"sep{n}"), g.get(f"ap{n}") or ampm
    if g[f"m{n}"] is None and not (g.get(f"hh{n}") or marker or has_word):
        return None  # a bare number is a time only with "h", "a.m." or "horas"
    if sep == "." and not (in_range or marker or has_word):
        return None  # "3.50" alone is a decimal, not ten to four
    if marker:
        if hour == 0 or hour > 12:
            return None
        pm = marker.lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    return time(hour, minute)


_BACKWARDS = object()


def _span(name: str, m: re.Match[str], default_zone: str) -> TimeSpan | object | None:
    g = m.groupdict()
    has_word = bool(g.get("word"))
    zone = _zone_of(m)
    if zone is None and g.get("zone2"):
        zone = PLACE_ZONES.get(g["zone2"].casefold())
    if g.get("zone") and zone is None:
        return None
    in_range = name == "range"
    # "10-11 a.m.": the marker written once serves both ends
    shared = g.get("ap2") if in_range and not g.get("ap1") else None
    start = _clock(m, 1, ampm=shared, has_word=has_word, in_range=in_range)
    end = _clock(m, 2, ampm=None, has_word=has_word, in_range=in_range) if in_range else None
    if start is None or (in_range and end is None):
        return None
    if shared and end is not None and start > end:  # "11-1 p.m." is 11 a.m. to 1 p.m.
        start = time(start.hour - 12, start.minute)
    if end is not None and end <= start:
        return _BACKWARDS  # a range never ends before it starts, and its ends are not guessed apart
    text = m.group().rstrip(" ,(")
    if text.count(")") > text.count("("):
        text = text[:-1].rstrip()
    return TimeSpan(start, end, zone or default_zone, text, m.start(), zone is not None)


def find_times(text: str, *, default_zone: str = GENEVA) -> list[TimeSpan]:
    """Every time or time range in ``text``, in order."""
    if not text:
        return []
    found = [(m.start(), -len(m.group()), rank, name, m)
             for rank, (name, pattern) in enumerate(_grammar()) for m in pattern.finditer(text)]
    found.sort(key=lambda f: f[:3])
    spans, end = [], -1
    for start, neg_len, _rank, name, m in found:
        if start < end:
            continue
        span = _span(name, m, default_zone)
        if span is not None:
            end = start - neg_len
            if span is not _BACKWARDS:
                spans.append(span)
    return spans
