"""Local time beside Geneva time: a State's zone, a zone's name per language, the two times in words."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ventanas.calendar.zones import (
    CAPITAL_ZONES,
    state_zone,
    times_text,
    valid_zone,
    when_text,
    zone_name,
    zones_by_country,
)
from ventanas.normalize.states import all_states

GENEVA = ZoneInfo("Europe/Zurich")


@pytest.mark.parametrize(("code", "zone"), [
    ("MEX", "America/Mexico_City"), ("GTM", "America/Guatemala"), ("BRA", "America/Sao_Paulo"),
    ("USA", "America/New_York"), ("CHE", "Europe/Zurich"), ("SLV", "America/El_Salvador"),
    ("ARG", "America/Argentina/Buenos_Aires"), ("RUS", "Europe/Moscow"), ("ATA", None), (None, None),
])
def test_a_states_zone_is_its_capitals(code, zone):
    assert state_zone(code) == zone


def test_every_state_with_several_zones_has_its_capitals_in_the_table():
    """zone.tab lists a country's zones, not which is the capital's: the table must say it for each."""
    several = {code for code, info in all_states().items() if len(zones_by_country().get(info.alpha2, ())) > 1}
    assert several - set(CAPITAL_ZONES) == set()
    for code, zone in CAPITAL_ZONES.items():
        if zone is not None:
            assert zone in zones_by_country()[all_states()[code].alpha2], code


@pytest.mark.parametrize(("zone", "lang", "name"), [
    ("Europe/Zurich", "es", "Ginebra"), ("Europe/Zurich", "fr", "Genève"), ("Europe/Zurich", "en", "Geneva"),
    ("America/Mexico_City", "es", "Ciudad de México"), ("America/Mexico_City", "en", "Mexico City"),
    ("America/New_York", "es", "Nueva York"), (None, "en", "UTC"),
])
def test_zone_names(zone, lang, name):
    assert zone_name(zone, lang) == name


def test_geneva_and_mexico_city_times_side_by_side():
    start = datetime(2026, 4, 13, 12, 0, tzinfo=GENEVA)
    text = times_text(start, start + timedelta(hours=1), "Europe/Zurich", "es", "America/Mexico_City")
    assert text == "12:00–13:00 Ginebra · 04:00–05:00 Ciudad de México"
    assert when_text(start, start + timedelta(hours=1), "Europe/Zurich", "es", "America/Mexico_City") == \
        "13 abr 2026, 12:00–13:00 Ginebra · 04:00–05:00 Ciudad de México"


def test_another_day_there_is_said_and_the_same_hours_are_not_repeated():
    start = datetime(2025, 8, 7, 10, 0, tzinfo=GENEVA)
    assert times_text(start, None, "Europe/Zurich", "en", "Pacific/Honolulu") == \
        "10:00 Geneva · 22:00 Honolulu (6 Aug)"
    # Paris keeps Geneva's hours all year: a second time would say the same thing
    assert times_text(start, start + timedelta(hours=3), "Europe/Zurich", "fr", "Europe/Paris") == "10:00–13:00 Genève"
    assert times_text(start, None, "Europe/Zurich", "en", None) == "10:00 Geneva"
    assert when_text(date(2026, 4, 13), date(2026, 4, 24), None, "es", "America/Mexico_City") == "13–24 abr 2026"


def test_valid_zone():
    assert valid_zone("America/Mexico_City") and valid_zone("UTC")
    assert not valid_zone("Mexico City") and not valid_zone("../../etc/passwd") and not valid_zone("")
