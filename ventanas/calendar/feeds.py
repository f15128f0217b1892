"""iCalendar feeds from stored events (DESIGN §8), with icalendar 7's factories.

Nothing here reads the clock or makes random ids: the same events give the
same bytes, so an unchanged feed is byte-identical after re-publishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from ventanas.normalize.text import clean_multiline, clean_text
from ventanas.storage.models import Event as EventRow

PRODID = "-//ventanas//reporting windows//EN"
REFRESH = timedelta(hours=6)


def uid_for(key: str) -> str:
    return f"{key}@ventanas"


def _parse_when(value: str) -> date | datetime:
    return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)


def event_component(row: EventRow) -> Event:
    start = _parse_when(row.start)
    end = _parse_when(row.end) if row.end else None
    if row.all_day:
        last = end or start
        end = last + timedelta(days=1)  # DTEND of an all-day event is exclusive
    elif end is None:
        end = None  # unknown stays unknown: no invented duration
    basis = "announced by the source" if row.basis == "announced" else f"estimated (rule: {row.rule})"
    lines = [clean_text(row.description) if row.description else "", clean_text(row.action) if row.action else "",
             f"Date {basis}.", f"Source: {row.source_url}"]
    component = Event.new(
        uid=uid_for(row.key),
        summary=clean_text(row.title),
        start=start,
        end=end,
        stamp=row.last_changed,
        last_modified=row.last_changed,
        sequence=row.sequence,
        status="CANCELLED" if row.status == "cancelled" else ("TENTATIVE" if row.status in ("tentative", "postponed") or row.basis == "derived" else "CONFIRMED"),
        location=clean_text(row.location) or None,
        description=clean_multiline("\n".join(line for line in lines if line)),
        url=row.source_url,
        categories=[row.body_code, row.kind],
    )
    return component


def render_feed(rows: Iterable[EventRow], *, feed_id: str, name: str, description: str) -> bytes:
    """One VCALENDAR. ``feed_id`` (e.g. "states/MEX") makes the calendar's own UID stable."""
    calendar = Calendar.new(
        prodid=PRODID,
        uid=f"feed/{feed_id}@ventanas",
        name=name,
        description=description,
        refresh_interval=REFRESH,
        subcomponents=[event_component(row) for row in sorted(rows, key=lambda r: (r.start_date, r.key))],
    )
    calendar["X-WR-CALNAME"] = name
    calendar["X-PUBLISHED-TTL"] = "PT6H"
    calendar.add_missing_timezones()
    return calendar.to_ical()
