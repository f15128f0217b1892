"""VTIMEZONE components every calendar client reads the same way, from the zoneinfo database.

icalendar's ``Timezone.from_tzid`` lists a zone's transitions as one DAYLIGHT
and one STANDARD component, each with all later onsets in ONE comma-separated
RDATE. Mozilla's ical.js (the parser behind many web calendars) reads only
the first value of an RDATE line and ignores DTSTART once a component has an
RDATE: it saw two transitions in forty years and put most summer events of
a feed an hour late. What this module writes instead:

- the zone's state on :data:`FIRST`, as a component of its own: ical.js
  takes any time before a zone's first onset as UTC;
- a yearly RRULE without end (``FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU``) for the
  changes that follow one rule (month, local time and the weekday's rank, or
  "the first Sunday on or after the 2nd", or the day of the month) every
  year until the span's last: Europe/Zurich is that and nothing more,
  America/New_York that from 2007 on;
- every other change (America/New_York before 2007, Mexico's summer time
  that ended in 2022, Brazil's set decree by decree) one RDATE a line. Rules
  that ended are listed, not written as RRULEs with an UNTIL: RFC 5545 wants
  that UNTIL in UTC beside a local DTSTART, which dateutil refuses, and with
  it the ``ical`` package.

A component without RRULE repeats its DTSTART as its first RDATE (RFC 5545
counts it once): ical.js reads only the RDATEs of a component that has any,
and ``ical`` only a component's RRULE and RDATEs, so a DTSTART alone is lost
on it.

Onsets are local times on the clock before the change (RFC 5545 §3.6.5).
The span is fixed, never the clock, so the same zoneinfo data gives the same
bytes; it runs to the last year an event may have (:data:`LAST`).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from ventanas.domain import LATEST_YEAR

FIRST = date(2000, 1, 1)
LAST = date(LATEST_YEAR + 1, 1, 1)  # exclusive
_STEP = 86400  # seconds: no zone changes twice within a day in the span
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _State:
    offset: timedelta
    daylight: bool
    name: str


@dataclass(frozen=True)
class _Change:
    at: int  # seconds since the epoch (UTC), the first second of the new state
    before: _State
    after: _State

    @property
    def onset(self) -> datetime:
        """The local time of the change, on the clock before it (what DTSTART and RDATE hold)."""
        return datetime.fromtimestamp(self.at, UTC).replace(tzinfo=None) + self.before.offset

    @property
    def kind(self) -> tuple[bool, timedelta, timedelta, str]:
        return self.after.daylight, self.before.offset, self.after.offset, self.after.name


def _state(zone: ZoneInfo, at: int) -> _State:
    moment = datetime.fromtimestamp(at, zone)
    return _State(moment.utcoffset(), bool(moment.dst()), moment.tzname() or "")  # type: ignore[arg-type]


def _changes(zone: ZoneInfo, first: int, last: int) -> Iterator[_Change]:
    """Every change of offset, name or daylight flag in [first, last), to the second."""
    at, state = first, _state(zone, first)
    while at < last:
        step = min(_STEP, last - at)
        following = _state(zone, at + step)
        if following != state:
            low, high = at, at + step  # state at low, not at high: bisect to the first second that differs
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if _state(zone, middle) == state else (low, middle)
            yield _Change(high, state, _state(zone, high))
            at, state = high, _state(zone, high)
            continue
        at += step


# A yearly rule within a month: (BYDAY, BYMONTHDAY), e.g. ("2SU", ()) for the second Sunday,
# ("-1SU", ()) for the last, ("SU", (2, ..., 8)) for the first Sunday on or after the 2nd, ("", (5,)) for the 5th.
_Rule = tuple[str, tuple[int, ...]]


def _rules(onset: datetime) -> list[_Rule]:
    """The yearly rules an onset fits, in order of preference."""
    weekday = _WEEKDAYS[onset.weekday()]
    days_in_month = calendar.monthrange(onset.year, onset.month)[1]
    rules: list[_Rule] = []
    if onset.day <= 28:
        rules.append((f"{(onset.day - 1) // 7 + 1}{weekday}", ()))
    if onset.day > days_in_month - 7:
        rules.append((f"-1{weekday}", ()))
    # "the first <weekday> on or after the Nth" (as tzdata writes Chile's and Paraguay's rules)
    rules += [(weekday, tuple(range(first, first + 7)))
              for first in range(max(1, onset.day - 6), min(onset.day, days_in_month - 6) + 1)]
    rules.append(("", (onset.day,)))
    return rules


def _rule_to_the_end(changes: list[_Change]) -> tuple[int, _Rule | None]:
    """How many of the last changes follow one yearly rule to the span's last year, and that rule."""
    if len(changes) < 2 or changes[-1].onset.year != LAST.year - 1:
        return 0, None
    common, count = _rules(changes[-1].onset), 1
    for earlier, later in zip(reversed(changes[:-1]), reversed(changes[1:]), strict=True):
        before, after = earlier.onset, later.onset
        shared = [r for r in common if r in _rules(before)]
        if before.year + 1 != after.year or before.month != after.month or before.time() != after.time() or not shared:
            break
        common, count = shared, count + 1
    return (count, common[0]) if count > 1 else (0, None)


def _observance(state: _State, before: timedelta, start: datetime) -> TimezoneStandard | TimezoneDaylight:
    component = TimezoneDaylight() if state.daylight else TimezoneStandard()
    component.DTSTART = start
    component.TZOFFSETFROM = before
    component.TZOFFSETTO = state.offset
    if state.name:
        component.add("TZNAME", state.name)
    return component


def vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE of an IANA zone from :data:`FIRST` on (see the module's doc)."""
    zone = ZoneInfo(tzid)
    first = int(datetime.combine(FIRST, datetime.min.time(), UTC).timestamp())
    last = int(datetime.combine(LAST, datetime.min.time(), UTC).timestamp())
    changes = list(_changes(zone, first, last))
    result = Timezone()
    result.add("TZID", tzid)
    # The zone's state at the start of the span, from local midnight on FIRST (as icalendar writes it).
    initial, midnight = _state(zone, first), datetime.combine(FIRST, datetime.min.time())
    component = _observance(initial, initial.offset, midnight)
    component.add("RDATE", midnight)
    result.add_component(component)
    kinds: dict[tuple, list[_Change]] = {}
    for change in changes:
        kinds.setdefault(change.kind, []).append(change)
    for of_kind in kinds.values():
        count, rule = _rule_to_the_end(of_kind)
        listed, ruled = of_kind[:len(of_kind) - count], of_kind[len(of_kind) - count:]
        if listed:
            component = _observance(listed[0].after, listed[0].before.offset, listed[0].onset)
            for change in listed:
                component.add("RDATE", change.onset)
            result.add_component(component)
        if rule is not None:
            byday, bymonthday = rule
            parts: dict[str, object] = {"FREQ": "YEARLY", "BYMONTH": ruled[0].onset.month}
            if byday:
                parts["BYDAY"] = byday
            if bymonthday:
                parts["BYMONTHDAY"] = list(bymonthday)
            component = _observance(ruled[0].after, ruled[0].before.offset, ruled[0].onset)
            component.add("RRULE", vRecur(parts))
            result.add_component(component)
    return result
