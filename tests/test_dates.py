"""find_dates over the ways UN, government and process sites write dates (STYLE 11).

Each row: an id, the text, the publication date (None: the text must carry its
own year), and every span expected, in order, as "start..end" (inclusive).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import get_month_names
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanas.normalize.dates import DateError, find_dates, parse_date

P = date(2025, 8, 1)  # the demo clock, as a publication date

DATES = [
    # -- the examples of issue 3 and DESIGN §6
    ("en-full-range", "29 Aug 2016 - 07 Sep 2016", None, ["2016-08-29..2016-09-07"]),
    ("en-no-year-cross-month", "27 March to 6 April", date(2023, 1, 10), ["2023-03-27..2023-04-06"]),
    ("en-us-ordinals", "August 29th to September 7th, 2016", None, ["2016-08-29..2016-09-07"]),
    ("en-day-range-hyphen", "12-16 October 2015", None, ["2015-10-12..2015-10-16"]),
    ("en-from-to", "from 2 to 13 December 2024", None, ["2024-12-02..2024-12-13"]),
    ("en-en-dash-abbr", "2–13 Dec 2024", None, ["2024-12-02..2024-12-13"]),
    ("es-del-al", "del 12 al 16 de octubre de 2015", None, ["2015-10-12..2015-10-16"]),
    ("es-los-dias-y", "los días 18 y 19 de noviembre de 2025", None, ["2025-11-18..2025-11-19"]),
    ("es-y-no-year", "5 y 6 de diciembre", P, ["2025-12-05..2025-12-06"]),
    ("fr-du-au", "du 29 août au 7 septembre 2016", None, ["2016-08-29..2016-09-07"]),
    ("fr-1er-cross-month", "30 novembre – 1er décembre", P, ["2025-11-30..2025-12-01"]),
    ("en-weekday-prefix", "Monday, 29 August 2016", None, ["2016-08-29..2016-08-29"]),
    # -- English, UN and British usage
    ("en-single", "on 5 August 2016", None, ["2016-08-05..2016-08-05"]),
    ("en-single-abbr", "15 Aug 2026", None, ["2026-08-15..2026-08-15"]),
    ("en-abbr-dot", "7 Sept. 2016", None, ["2016-09-07..2016-09-07"]),
    ("en-ordinal-of", "the 29th of August 2016", None, ["2016-08-29..2016-08-29"]),
    ("en-ordinal-day", "on 1st September 2025", None, ["2025-09-01..2025-09-01"]),
    ("en-comma-year", "29 August, 2016", None, ["2016-08-29..2016-08-29"]),
    ("en-us-single", "August 29, 2016", None, ["2016-08-29..2016-08-29"]),
    ("en-us-abbr", "Sept. 7, 2016", None, ["2016-09-07..2016-09-07"]),
    ("en-us-weekday", "Monday, August 29, 2016", None, ["2016-08-29..2016-08-29"]),
    ("en-us-day-range", "September 2-4, 2025", None, ["2025-09-02..2025-09-04"]),
    ("en-us-to", "October 12 to 16, 2015", None, ["2015-10-12..2015-10-16"]),
    ("en-us-cross-year", "Dec 30, 2024 – Jan 3, 2025", None, ["2024-12-30..2025-01-03"]),
    ("en-us-cross-month", "March 27 - April 6, 2023", None, ["2023-03-27..2023-04-06"]),
    ("en-cross-year-one-year", "30 December to 3 January 2025", None, ["2024-12-30..2025-01-03"]),
    ("en-cross-year-both", "30 December 2024 – 3 January 2025", None, ["2024-12-30..2025-01-03"]),
    ("en-until", "from 3 March until 14 March 2025", None, ["2025-03-03..2025-03-14"]),
    ("en-through", "13 through 24 April 2026", None, ["2026-04-13..2026-04-24"]),
    ("en-between-and", "between 2 and 4 September 2025", None, ["2025-09-02..2025-09-04"]),
    ("en-list-consecutive", "on 5, 6 and 7 May 2025", None, ["2025-05-05..2025-05-07"]),
    ("en-list-gap", "on 2 and 4 May 2025", None, ["2025-05-02..2025-05-02", "2025-05-04..2025-05-04"]),
    ("en-and-two-days", "on 2 and 3 December 2021", None, ["2021-12-02..2021-12-03"]),
    ("en-two-full-dates", "on 5 May and 7 June 2025", None, ["2025-05-05..2025-05-05", "2025-06-07..2025-06-07"]),
    ("en-weekdays-range", "from Monday, 29 August to Wednesday, 7 September 2016", None,
     ["2016-08-29..2016-09-07"]),
    ("en-weekday-day-range", "Monday 13 to Friday 24 April 2026", None, ["2026-04-13..2026-04-24"]),
    ("en-caps-month", "29 AUGUST 2016", None, ["2016-08-29..2016-08-29"]),
    ("en-hyphenated", "29-Aug-2016", None, ["2016-08-29..2016-08-29"]),
    ("en-nbsp", "29\u00a0August\u00a02016", None, ["2016-08-29..2016-08-29"]),
    ("en-in-sentence", "The Committee will meet from 13 to 24 April 2026 in Geneva.", None,
     ["2026-04-13..2026-04-24"]),
    ("en-two-ranges", "from 27 March to 6 April 2023 and from 4 to 15 September 2023", None,
     ["2023-03-27..2023-04-06", "2023-09-04..2023-09-15"]),
    ("en-heading-parenthesis", "25th session (29 Aug 2016 - 07 Sep 2016)", None, ["2016-08-29..2016-09-07"]),
    ("en-leap-day", "29 February 2024", None, ["2024-02-29..2024-02-29"]),
    ("en-i-e", "i.e. before 5 August 2016", None, ["2016-08-05..2016-08-05"]),
    ("en-no-later-than", "no later than 22 August 2016", None, ["2016-08-22..2016-08-22"]),
    ("en-same-day-full", "2 September 2025 – 4 September 2025", None, ["2025-09-02..2025-09-04"]),
    # -- Spanish
    ("es-single", "el 23 de marzo de 2026", None, ["2026-03-23..2026-03-23"]),
    ("es-single-no-de", "23 marzo 2026", None, ["2026-03-23..2026-03-23"]),
    ("es-del-year", "el 2 de diciembre del 2021", None, ["2021-12-02..2021-12-02"]),
    ("es-weekday", "lunes 13 de abril de 2026", None, ["2026-04-13..2026-04-13"]),
    ("es-weekday-comma", "el lunes, 29 de agosto de 2016", None, ["2016-08-29..2016-08-29"]),
    ("es-accented-weekday", "miércoles 15 de abril de 2026", None, ["2026-04-15..2026-04-15"]),
    ("es-1o", "el 1.º de diciembre de 2021", None, ["2021-12-01..2021-12-01"]),
    ("es-1o-degree", "1° de diciembre de 2021", None, ["2021-12-01..2021-12-01"]),
    ("es-primero", "primero de diciembre de 2021", None, ["2021-12-01..2021-12-01"]),
    ("es-cross-month", "del 30 de noviembre al 1 de diciembre de 2025", None, ["2025-11-30..2025-12-01"]),
    ("es-cross-year", "del 28 de diciembre de 2025 al 2 de enero de 2026", None, ["2025-12-28..2026-01-02"]),
    ("es-cross-year-implicit", "del 28 de diciembre al 2 de enero de 2026", None, ["2025-12-28..2026-01-02"]),
    ("es-a", "del 2 a 4 de septiembre de 2025", None, ["2025-09-02..2025-09-04"]),
    ("es-hasta", "desde el 2 hasta el 4 de septiembre de 2025", None, ["2025-09-02..2025-09-04"]),
    ("es-entre", "entre el 2 y el 4 de septiembre de 2025", None, ["2025-09-02..2025-09-04"]),
    ("es-dias-y-no-year", "los días 4 y 5 de diciembre", P, ["2025-12-04..2025-12-05"]),
    ("es-list", "los días 3, 4 y 5 de junio de 2025", None, ["2025-06-03..2025-06-05"]),
    ("es-abbr", "15 ago 2026", None, ["2026-08-15..2026-08-15"]),
    ("es-setiembre", "el 16 de setiembre de 2025", None, ["2025-09-16..2025-09-16"]),
    ("es-caps", "2 DE DICIEMBRE DE 2021", None, ["2021-12-02..2021-12-02"]),
    ("es-capitalized-month", "18 y 19 de Noviembre de 2025", None, ["2025-11-18..2025-11-19"]),
    ("es-guion", "24-26 de febrero de 2026", None, ["2026-02-24..2026-02-26"]),
    ("es-sentence", "La XXVI Reunión Viceministerial se celebró los días 2 y 3 de diciembre de 2021 en México.",
     None, ["2021-12-02..2021-12-03"]),
    ("es-weekday-range", "del lunes 13 al viernes 24 de abril de 2026", None, ["2026-04-13..2026-04-24"]),
    ("es-year-later", "el 5 de mayo y el 7 de junio de 2025", None,
     ["2025-05-05..2025-05-05", "2025-06-07..2025-06-07"]),
    # -- French
    ("fr-single", "le 6 mars 2023", None, ["2023-03-06..2023-03-06"]),
    ("fr-weekday", "le lundi 27 mars 2023", None, ["2023-03-27..2023-03-27"]),
    ("fr-1er", "le 1er décembre 2025", None, ["2025-12-01..2025-12-01"]),
    ("fr-premier", "le premier décembre 2025", None, ["2025-12-01..2025-12-01"]),
    ("fr-abbr", "15 févr. 2026", None, ["2026-02-15..2026-02-15"]),
    ("fr-no-accent", "29 aout 2016", None, ["2016-08-29..2016-08-29"]),
    ("fr-du-au-same-month", "du 2 au 4 septembre 2025", None, ["2025-09-02..2025-09-04"]),
    ("fr-cross-year", "du 30 décembre 2024 au 3 janvier 2025", None, ["2024-12-30..2025-01-03"]),
    ("fr-et", "les 18 et 19 novembre 2025", None, ["2025-11-18..2025-11-19"]),
    ("fr-entre", "entre le 2 et le 4 septembre 2025", None, ["2025-09-02..2025-09-04"]),
    ("fr-jusqu-au", "du 2 jusqu’au 4 septembre 2025", None, ["2025-09-02..2025-09-04"]),
    ("fr-tiret", "27 mars – 6 avril 2023", None, ["2023-03-27..2023-04-06"]),
    ("fr-weekday-range", "du lundi 29 août au mercredi 7 septembre 2016", None, ["2016-08-29..2016-09-07"]),
    ("fr-sentence", "La session se tiendra du 27 mars au 6 avril 2023 au Palais Wilson.", None,
     ["2023-03-27..2023-04-06"]),
    ("fr-juillet", "le 14 juillet 2025", None, ["2025-07-14..2025-07-14"]),
    ("fr-caps", "6 AVRIL 2023", None, ["2023-04-06..2023-04-06"]),
    # -- numeric forms
    ("num-slash", "29/08/2016", None, ["2016-08-29..2016-08-29"]),
    ("num-dot", "29.08.2016", None, ["2016-08-29..2016-08-29"]),
    ("num-iso", "2016-08-29", None, ["2016-08-29..2016-08-29"]),
    ("num-us-unambiguous", "08/29/2016", None, ["2016-08-29..2016-08-29"]),
    ("num-range", "29/08/2016 - 07/09/2016", None, ["2016-08-29..2016-09-07"]),
    ("num-iso-range", "2016-08-29/2016-09-07", None, ["2016-08-29..2016-09-07"]),
    ("num-iso-to", "2016-08-29 to 2016-09-07", None, ["2016-08-29..2016-09-07"]),
    ("num-ambiguous-day-first", "04/05/2016", None, ["2016-05-04..2016-05-04"]),
    # -- years inferred from the publication date (future or recent, see dates.py)
    ("infer-next-year", "27 March to 6 April", P, ["2026-03-27..2026-04-06"]),
    ("infer-recent", "15 July", P, ["2025-07-15..2025-07-15"]),
    ("infer-upcoming", "2 September", P, ["2025-09-02..2025-09-02"]),
    ("infer-cross-year", "30 December to 3 January", date(2025, 11, 1), ["2025-12-30..2026-01-03"]),
    ("infer-january-from-december", "5 January", date(2025, 12, 20), ["2026-01-05..2026-01-05"]),
    ("infer-weekday-picks-year", "Monday 29 August", date(2015, 6, 1), ["2016-08-29..2016-08-29"]),
    ("infer-leap-day", "29 February", date(2023, 12, 1), ["2024-02-29..2024-02-29"]),
    ("infer-es", "13 al 24 de abril", P, ["2026-04-13..2026-04-24"]),
    ("infer-fr", "du 2 au 4 septembre", P, ["2025-09-02..2025-09-04"]),
    ("infer-us", "September 2-4", P, ["2025-09-02..2025-09-04"]),
    ("infer-from-text-anchor", "The session runs from 3 to 14 March 2025. The dialogue is on 5 March.", None,
     ["2025-03-03..2025-03-14", "2025-03-05..2025-03-05"]),
    # -- not dates, impossible dates, ambiguous numbers: nothing
    ("bad-30-february", "on 30 February 2025", None, []),
    ("bad-31-april", "31 April 2024", None, []),
    ("bad-29-february-2023", "29 February 2023", None, []),
    ("bad-day-32", "32 March 2025", None, []),
    ("bad-backwards-range", "10 to 5 March 2025", None, []),
    ("bad-backwards-full", "7 September 2016 - 29 August 2016", None, []),
    ("bad-numeric-impossible", "13/14/2016", None, []),
    ("bad-numeric-no-year", "05/08", None, []),
    ("bad-no-year-no-anchor", "on 5 August", None, []),
    ("bad-may-verb", "Article 5 may apply to migrant workers.", P, []),
    ("bad-month-year-only", "in April 2026", None, []),
    ("bad-year-only", "in 2016 the Committee", None, []),
    ("bad-symbol", "A/HRC/31/12 and CMW/C/MEX/3", None, []),
    ("bad-resolution", "resolution 71/1 of 2016", None, []),
    ("bad-phone", "+41 22 917 90 00", None, []),
    ("bad-pages", "pages 10-12 of the report", None, []),
    ("bad-decimal", "3.5 million migrants", None, []),
    ("bad-time", "10:00 - 13:00", None, []),
    ("bad-fiscal", "the 2016/17 budget", None, []),
    ("bad-no-date", "The Committee welcomes the report of the State party.", P, []),
    ("bad-empty", "", P, []),
]


@pytest.mark.parametrize(("text", "published", "expected"), [row[1:] for row in DATES], ids=[row[0] for row in DATES])
def test_find_dates(text, published, expected):
    spans = find_dates(text, published=published)
    assert [f"{s.start}..{s.end}" for s in spans] == expected


def test_span_text_and_pos_point_into_the_input():
    text = "La reunión será del 12 al 16 de octubre de 2015 en Ginebra."
    (span,) = find_dates(text)
    assert text[span.pos:span.pos + len(span.text)] == span.text == "12 al 16 de octubre de 2015"


def test_inferred_year_lowers_confidence():
    (explicit,) = find_dates("27 March to 6 April 2026")
    (inferred,) = find_dates("27 March to 6 April", published=P)
    assert explicit.confidence == 1.0 and not explicit.year_inferred
    assert inferred.confidence < 1.0 and inferred.year_inferred


def test_ambiguous_numeric_date_lowers_confidence():
    (span,) = find_dates("04/05/2016")
    assert span.confidence < 1.0


def test_weekday_contradicting_an_explicit_date_lowers_confidence():
    # 29 August 2016 was a Monday: a source writing "Tuesday" contradicts itself.
    (span,) = find_dates("Tuesday, 29 August 2016")
    assert span.start == date(2016, 8, 29) and span.confidence < 1.0


def test_december_january_range_crosses_the_year():
    (span,) = find_dates("from 28 December to 8 January", published=date(2025, 10, 1))
    assert (span.start, span.end) == (date(2025, 12, 28), date(2026, 1, 8))


def test_long_text_is_read_in_reasonable_time():
    import time

    text = ("The Committee met on 5 May 2025 and will meet from 2 to 13 December 2025. " * 4000)
    started = time.perf_counter()
    spans = find_dates(text)
    assert len(spans) == 8000
    assert time.perf_counter() - started < 10


# -- the single-date parser the table spiders use --------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("15 Aug 2026", date(2026, 8, 15)), ("15/08/2026", date(2026, 8, 15)), ("2026-08-15", date(2026, 8, 15)),
    ("1 septiembre 2026", date(2026, 9, 1)), ("August 15, 2026", date(2026, 8, 15)),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["30 Feb 2026", "soon", "15 Foo 2026", ""])
def test_parse_date_rejects(text):
    with pytest.raises(DateError):
        parse_date(text)


# -- property: any valid range, rendered as each language writes it, reads back -----

def _month(lang: str, n: int, width: str = "wide") -> str:
    return get_month_names(width, "format", lang)[n].rstrip(".")


def _day(lang: str, d: int) -> str:
    return "1er" if lang == "fr" and d == 1 else str(d)


def render(lang: str, start: date, end: date, style: int) -> str:
    """A range as the language writes it; the first year is left out only where a reader can tell it."""
    d1, d2, y1, y2 = start.day, end.day, start.year, end.year
    one_year = y1 == y2 or (y2 == y1 + 1 and (end.month, end.day) < (start.month, start.day))
    m1, m2 = _month(lang, start.month), _month(lang, end.month)
    if lang == "en":
        if style % 2 and y1 == y2:
            return f"{m1.title()} {d1} to {m2.title()} {d2}, {y2}" if start.month != end.month \
                else f"{m1.title()} {d1}-{d2}, {y2}"
        if start.month == end.month and y1 == y2:
            return f"{d1}–{d2} {m1.title()} {y2}"
        if one_year:
            return f"{d1} {m1.title()} to {d2} {m2.title()} {y2}"
        return f"{d1} {m1.title()} {y1} - {d2} {m2.title()} {y2}"
    if lang == "es":
        if start.month == end.month and y1 == y2:
            return f"del {d1} al {d2} de {m1} de {y2}" if style % 2 or d2 != d1 + 1 else \
                f"los días {d1} y {d2} de {m1} de {y2}"
        if one_year:
            return f"del {d1} de {m1} al {d2} de {m2} de {y2}"
        return f"del {d1} de {m1} de {y1} al {d2} de {m2} de {y2}"
    if start.month == end.month and y1 == y2:
        return f"du {_day(lang, d1)} au {_day(lang, d2)} {m1} {y2}"
    if one_year:
        return f"du {_day(lang, d1)} {m1} au {_day(lang, d2)} {m2} {y2}"
    return f"du {_day(lang, d1)} {m1} {y1} au {_day(lang, d2)} {m2} {y2}"


@settings(max_examples=300, deadline=None)
@given(start=st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
       length=st.integers(min_value=1, max_value=800), lang=st.sampled_from(["en", "es", "fr"]),
       style=st.integers(min_value=0, max_value=1))
def test_rendered_range_parses_back(start, length, lang, style):
    end = start + timedelta(days=length)
    text = render(lang, start, end, style)
    spans = find_dates(f"Se reunirá {text}." if lang == "es" else f"Text: {text}.")
    assert [(s.start, s.end) for s in spans] == [(start, end)], text


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
       lang=st.sampled_from(["en", "es", "fr"]), width=st.sampled_from(["wide", "abbreviated"]))
def test_rendered_single_date_parses_back(day, lang, width):
    month = _month(lang, day.month, width)
    text = {"en": f"{day.day} {month.title()} {day.year}", "es": f"{day.day} de {month} de {day.year}",
            "fr": f"{_day('fr', day.day)} {month} {day.year}"}[lang]
    assert [(s.start, s.end) for s in find_dates(text)] == [(day, day)], text
