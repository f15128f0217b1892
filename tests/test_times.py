"""find_times over the ways meeting times are written (STYLE 11): each row is
text → [(start, end, zone, zone_explicit)]."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ventanas.normalize.times import find_times

Z, NY, MX = "Europe/Zurich", "America/New_York", "America/Mexico_City"

TIMES = [
    # -- the examples of issue 3 and DESIGN §6
    ("geneva-time-parenthesis", "10:00 - 13:00 (Geneva time)", [("10:00", "13:00", Z, True)]),
    ("bare-range", "15:00-18:00", [("15:00", "18:00", Z, False)]),
    ("cest", "11:30-13:00 CEST", [("11:30", "13:00", Z, True)]),
    ("geneva-time-cet", "12:00 Geneva time (CET)", [("12:00", None, Z, True)]),
    ("es-horas", "de 10:00 a 13:00 horas", [("10:00", "13:00", Z, False)]),
    # -- English
    ("from-to", "from 11:00 to 12:00", [("11:00", "12:00", Z, False)]),
    ("en-dash", "10:00 – 13:00", [("10:00", "13:00", Z, False)]),
    ("pm-range", "3 p.m. to 6 p.m.", [("15:00", "18:00", Z, False)]),
    ("am-shared", "10-11 a.m.", [("10:00", "11:00", Z, False)]),
    ("am-pm-shared", "11-1 p.m.", [("11:00", "13:00", Z, False)]),
    ("pm-compact", "3pm", [("15:00", None, Z, False)]),
    ("pm-minutes", "3:30 p.m.", [("15:30", None, Z, False)]),
    ("noon", "at noon", [("12:00", None, Z, False)]),
    ("twelve-pm", "12 p.m.", [("12:00", None, Z, False)]),
    ("twelve-am", "12 a.m.", [("00:00", None, Z, False)]),
    ("dot-range", "10.00 – 13.00", [("10:00", "13:00", Z, False)]),
    ("hrs", "10:00 hrs", [("10:00", None, Z, False)]),
    ("cet", "14:00 CET", [("14:00", None, Z, True)]),
    ("new-york-time", "10:00 (New York time)", [("10:00", None, NY, True)]),
    ("est", "10:00 a.m. EST", [("10:00", None, NY, True)]),
    ("utc", "10:00 UTC", [("10:00", None, "UTC", True)]),
    ("utc-offset", "13:00 UTC+2", [("13:00", None, "Etc/GMT-2", True)]),
    ("gmt-minus", "08:00 GMT-5", [("08:00", None, "Etc/GMT+5", True)]),
    ("central-european-time", "9:00 – 17:00 Central European Time", [("09:00", "17:00", Z, True)]),
    ("two-zones", "14:00 CET (8:00 Mexico City time)", [("14:00", None, Z, True), ("08:00", None, MX, True)]),
    ("in-sentence", "The meeting is scheduled for Monday, 29 August 2016, from 11:00 to 12:00.",
     [("11:00", "12:00", Z, False)]),
    ("two-slots", "on 30 August from 15:00 to 18:00 and on 31 August from 10:00 to 13:00",
     [("15:00", "18:00", Z, False), ("10:00", "13:00", Z, False)]),
    # -- Spanish
    ("es-hora-ginebra", "10:00 hora de Ginebra", [("10:00", None, Z, True)]),
    ("es-hora-ginebra-parenthesis", "de 15:00 a 18:00 horas (hora de Ginebra)", [("15:00", "18:00", Z, True)]),
    ("es-las", "de las 10:00 a las 13:00", [("10:00", "13:00", Z, False)]),
    ("es-bare-hours", "de 10 a 13 horas", [("10:00", "13:00", Z, False)]),
    ("es-mexico", "a las 9:00 hora de la Ciudad de México", [("09:00", None, MX, True)]),
    ("es-brasilia", "12:00 (hora de Brasilia)", [("12:00", None, "America/Sao_Paulo", True)]),
    ("es-bogota", "15:00 hora de Bogotá", [("15:00", None, "America/Bogota", True)]),
    ("es-hs", "10:30 hs", [("10:30", None, Z, False)]),
    ("es-mediodia", "al mediodía", [("12:00", None, Z, False)]),
    # -- French
    ("fr-h", "de 15 h à 18 h 30", [("15:00", "18:30", Z, False)]),
    ("fr-single-h", "à 15 h", [("15:00", None, Z, False)]),
    ("fr-hhmm", "10h00", [("10:00", None, Z, False)]),
    ("fr-heure-geneve", "9:00 – 17:00 heure de Genève", [("09:00", "17:00", Z, True)]),
    ("fr-heures", "de 10 à 13 heures", [("10:00", "13:00", Z, False)]),
    ("fr-est-is-a-verb", "la réunion de 10 h est ouverte", [("10:00", None, Z, False)]),
    ("fr-midi", "à midi", [("12:00", None, Z, False)]),
    # -- not times
    ("no-decimal", "costs 3.50 francs", []),
    ("no-bare-number", "Article 10 of the Convention", []),
    ("no-year", "in 2016 at 10", []),
    ("no-backwards-range", "15:00-13:00", []),
    ("no-date-dots", "12.08.2016", []),
    ("no-hour-25", "25:00", []),
    ("no-minute-60", "10:60", []),
    ("no-pm-13", "13 p.m.", []),
    ("no-text", "The Committee adopted its report.", []),
]


def _t(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


@pytest.mark.parametrize(("text", "expected"), [row[1:] for row in TIMES], ids=[row[0] for row in TIMES])
def test_find_times(text, expected):
    spans = find_times(text)
    assert [(s.start, s.end, s.zone, s.zone_explicit) for s in spans] == [
        (_t(a), _t(b), zone, explicit) for a, b, zone, explicit in expected]


def test_default_zone_applies_when_text_names_none():
    (span,) = find_times("15:00-18:00", default_zone="America/Bogota")
    assert span.zone == "America/Bogota" and not span.zone_explicit


def test_explicit_zone_wins_over_default():
    (span,) = find_times("15:00 CEST", default_zone="America/Bogota")
    assert span.zone == "Europe/Zurich"


def test_on_gives_timezone_aware_datetimes_across_summer_time():
    (span,) = find_times("11:00-12:00 (Geneva time)")
    summer_start, summer_end = span.on(date(2016, 8, 29))
    winter_start, _ = span.on(date(2016, 12, 5))
    assert summer_start == datetime(2016, 8, 29, 9, 0, tzinfo=ZoneInfo("UTC"))
    assert summer_end.isoformat() == "2016-08-29T12:00:00+02:00"
    assert winter_start.isoformat() == "2016-12-05T11:00:00+01:00"


def test_span_text_points_into_the_input():
    text = "El diálogo será de 10:00 a 13:00 horas (hora de Ginebra), en la sala XVII."
    (span,) = find_times(text)
    assert text[span.pos:span.pos + len(span.text)] == span.text == "10:00 a 13:00 horas (hora de Ginebra)"
