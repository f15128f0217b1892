"""The publisher: re-renders exactly the files that new Change rows touch.

It keeps a cursor (the last change id it published). ``publish()`` reads the
changes since the cursor, finds the States whose feeds they affect, renders
those feeds, writes the files whose bytes differ and only then moves the
cursor, so a crash in between means the next run does the work again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ventanas.calendar.feeds import render_feed
from ventanas.calendar.files import write_if_changed
from ventanas.config import Settings
from ventanas.normalize.states import state_name
from ventanas.storage import Storage
from ventanas.storage.models import Change, Event, EventState

CURSOR = "publisher"


@dataclass
class PublishReport:
    changes: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict:
        return {"changes": self.changes, "written": len(self.written), "unchanged": self.unchanged}


def _states_touched(session: Session, changes: list[Change]) -> set[str]:
    event_ids = {c.event_id for c in changes}
    touched = set(session.scalars(select(EventState.state_code).where(EventState.event_id.in_(event_ids))))
    for change in changes:  # a State removed from an event needs its feed rewritten too
        old_states = (change.diff or {}).get("states", [None])[0] or []
        touched.update(entry.split(":")[0] for entry in old_states)
    return touched


def _events_of_state(session: Session, code: str) -> list[Event]:
    return list(
        session.scalars(
            # IN (subquery), not JOIN + DISTINCT: PostgreSQL cannot compare the JSON column for DISTINCT
            select(Event)
            .where(Event.id.in_(select(EventState.event_id).where(EventState.state_code == code)))
            .order_by(Event.id)
        )
    )


def publish(storage: Storage, settings: Settings, *, full: bool = False) -> PublishReport:
    report = PublishReport()
    public = Path(settings.public_dir)
    with storage.transaction() as session:
        since = 0 if full else storage.cursor(session, CURSOR)
        changes = storage.changes_since(session, since)
        report.changes = len(changes)
        if full:
            states = set(session.scalars(select(EventState.state_code).distinct()))
        else:
            states = _states_touched(session, changes)
        for code in sorted(states):
            rows = _events_of_state(session, code)
            data = render_feed(rows, feed_id=f"states/{code}", name=f"ventanas: {state_name(code)}",
                               description=f"Reporting windows and migration dialogues concerning {state_name(code)}")
            target = public / "feeds" / "states" / f"{code}.ics"
            if write_if_changed(target, data):
                report.written.append(str(target))
            else:
                report.unchanged += 1
        if changes or full:
            rows = list(session.scalars(select(Event).order_by(Event.id)))
            target = public / "feeds" / "all.ics"
            data = render_feed(rows, feed_id="all", name="ventanas: all events", description="Every event ventanas knows")
            if write_if_changed(target, data):
                report.written.append(str(target))
            else:
                report.unchanged += 1
        if changes:
            storage.advance_cursor(session, CURSOR, changes[-1].id)
    return report
