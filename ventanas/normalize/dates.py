"""Dates as the sources write them.

This module holds the single-date parser the table spiders need
("15 Aug 2026", "15/08/2026", "2026-08-15"); the prose extractor builds its
ranges and times on top of :func:`parse_date`.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from babel.dates import get_month_names

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
