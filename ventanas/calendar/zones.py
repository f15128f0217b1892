"""Where a reader is: a State's time zone, a zone's name in a language, and local time beside Geneva time.

Timed events keep the zone their source gave (Geneva's public dialogues are
``Europe/Zurich``); feeds carry that zone and calendar applications convert.
Pages and mail say the time twice instead, for the reader who has no calendar
open: "12:00–13:00 Ginebra · 04:00–05:00 Ciudad de México".

- On a State's page the second time is the State's: :func:`state_zone`, from
  the IANA zone table (``zone.tab`` of the tzdata package, one line per zone
  with its country). A State with several zones gets its capital's
  (:data:`CAPITAL_ZONES`); a test checks the table covers every such State.
- In mail it is the subscriber's: their own setting, else the zone of the
  first State they follow (see :func:`ventanas.notifier.compose.reader_zone`).

A second time that says nothing new (the same wall-clock times as the
event's own zone) is left out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_timezone_location

from ventanas.calendar import i18n
from ventanas.normalize.states import all_states

# Public dialogues are in Geneva, whose zone is named after Zurich: readers know the city of the meeting.
GENEVA_ZONE = "Europe/Zurich"
GENEVA = {"en": "Geneva", "es": "Ginebra", "fr": "Genève"}

# States with several zones: the capital's (zone.tab lists a State's zones, not which one is the capital's).
CAPITAL_ZONES = {
    "ARG": "America/Argentina/Buenos_Aires", "AUS": "Australia/Sydney", "BRA": "America/Sao_Paulo",
    "CAN": "America/Toronto", "CHL": "America/Santiago", "CHN": "Asia/Shanghai", "COD": "Africa/Kinshasa",
    "CYP": "Asia/Nicosia", "DEU": "Europe/Berlin", "ECU": "America/Guayaquil", "ESP": "Europe/Madrid",
    "FSM": "Pacific/Pohnpei", "GRL": "America/Nuuk", "IDN": "Asia/Jakarta", "KAZ": "Asia/Almaty",
    "KIR": "Pacific/Tarawa", "MEX": "America/Mexico_City", "MHL": "Pacific/Majuro", "MNG": "Asia/Ulaanbaatar",
    "MYS": "Asia/Kuala_Lumpur", "NZL": "Pacific/Auckland", "PNG": "Pacific/Port_Moresby", "PRT": "Europe/Lisbon",
    "PSE": "Asia/Hebron", "PYF": "Pacific/Tahiti", "RUS": "Europe/Moscow", "UKR": "Europe/Kyiv",
    "UMI": "Pacific/Wake", "USA": "America/New_York", "UZB": "Asia/Tashkent",
    "ATA": None,  # no capital, no single time
}


@cache
def zones_by_country() -> dict[str, tuple[str, ...]]:
    """alpha-2 country code → its zones, as zone.tab lists them."""
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    found: dict[str, list[str]] = defaultdict(list)
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        country, _coordinates, zone, *_ = line.split("\t")
        found[country].append(zone)
    return {country: tuple(zones) for country, zones in found.items()}


@cache
def state_zone(code: str | None) -> str | None:
    """The IANA zone of a State (its capital's when it has several); None when unknown."""
    if not code:
        return None
    if code in CAPITAL_ZONES:
        return CAPITAL_ZONES[code]
    info = all_states().get(code)
    zones = zones_by_country().get(info.alpha2, ()) if info else ()
    return zones[0] if zones else None


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


@cache
def zone_name(zone: str | None, lang: str) -> str:
    """A zone as readers say it: its city ("Ciudad de México"), Geneva for Geneva's zone, else its id."""
    if not zone:
        return "UTC"
    if zone == GENEVA_ZONE:
        return GENEVA.get(lang, GENEVA["en"])
    try:
        return get_timezone_location(zone, locale=i18n.locale(lang), return_city=True)
    except (LookupError, ValueError):
        return zone


def _local(moment: datetime, zone: str | None) -> datetime:
    return moment.astimezone(ZoneInfo(zone)) if zone else moment


def times_text(start: datetime, end: datetime | None, zone: str | None, lang: str,
               local_zone: str | None = None) -> str:
    """'12:00–13:00 Ginebra', and ' · 04:00–05:00 Ciudad de México' when ``local_zone`` shows other hours
    (with its day when that is another day: '· 23:00–00:00 Ciudad de México (12 abr)')."""
    own = _span(start, end, zone, lang)
    text = f"{own} {zone_name(zone, lang)}"
    if not local_zone or local_zone == zone:
        return text
    there = _span(start, end, local_zone, lang)
    if there == own and _local(start, zone).date() == _local(start, local_zone).date():
        return text  # the same wall-clock hours: a second time would only repeat the first
    text += f" · {there} {zone_name(local_zone, lang)}"
    day = _local(start, local_zone).date()
    if day != _local(start, zone).date():
        text += f" ({i18n.fmt_day_month(day, lang)})"
    return text


def _span(start: datetime, end: datetime | None, zone: str | None, lang: str) -> str:
    text = i18n.fmt_time(start, zone, lang)
    if isinstance(end, datetime):
        text += "–" + i18n.fmt_time(end, zone, lang)
    return text


def when_text(start: date | datetime, end: date | datetime | None, zone: str | None, lang: str,
              local_zone: str | None = None) -> str:
    """'13–24 Apr 2026'; for a timed event '13 Apr 2026, 12:00–13:00 Geneva · 04:00–05:00 Mexico City'."""
    if isinstance(start, datetime):
        day = _local(start, zone).date()
        return f"{i18n.fmt_date(day, lang)}, {times_text(start, end, zone, lang, local_zone)}"
    last = end if isinstance(end, date) and not isinstance(end, datetime) else start
    return i18n.fmt_range(start, last, lang)
