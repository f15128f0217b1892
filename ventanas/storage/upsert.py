"""Upsert: store one source run's events and say exactly what happened to each.

Like openstates-core's importer, every event comes back as inserted, updated
(with its field-level diff) or unchanged, and every insert or update writes a
Change row in the same transaction. An unchanged event writes nothing at all:
the content hash guards the row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ventanas.domain import (
    MATERIAL_FIELDS,
    Basis,
    ChangeKind,
    EventItem,
    Status,
    content_hash,
)
from ventanas.storage.models import Change, Event, EventSource, EventState

Result = Literal["inserted", "updated", "unchanged"]
_CHUNK = 500  # keys per IN (...) query: well under every backend's parameter limit


@dataclass(frozen=True)
class Outcome:
    key: str
    result: Result
    change: ChangeKind | None = None
    diff: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class UpsertResult:
    outcomes: list[Outcome] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)

    def count(self, result: Result) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    @property
    def inserted(self) -> int:
        return self.count("inserted")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def row_snapshot(event: Event) -> dict[str, Any]:
    """The same dict as EventItem.snapshot(), rebuilt from a stored row."""
    return {
        "body": event.body_code,
        "kind": event.kind,
        "title": event.title,
        "start": event.start,
        "end": event.end,
        "all_day": event.all_day,
        "timezone": event.timezone,
        "location": event.location,
        "status": event.status,
        "basis": event.basis,
        "rule": event.rule,
        "confidence": round(float(event.confidence), 3),
        "session": event.session,
        "source_url": event.source_url,
        "states": sorted(f"{s.state_code}:{s.role}" for s in event.states),
        "description": event.description,
        "action": event.action,
        "evidence": event.evidence,
        "details": event.details or {},
    }


def merge_duplicates(items: Iterable[EventItem]) -> tuple[list[EventItem], dict[str, list[str]]]:
    """One item per key: an announced date beats an estimate, then the higher priority, then the first.

    Also every URL that listed each key (two news posts of one source may announce the
    same meeting): the winner's fields are stored, all the URLs are kept.
    """
    best: dict[str, EventItem] = {}
    urls: dict[str, dict[str, None]] = {}
    for item in items:
        current = best.get(item.key)
        if current is None or _rank(item) > _rank(current):
            best[item.key] = item
        urls.setdefault(item.key, {})[item.source_url] = None
    return list(best.values()), {key: list(found) for key, found in urls.items()}


def _rank(item: EventItem) -> tuple[int, int]:
    return (1 if item.basis == Basis.ANNOUNCED else 0, item.priority)


def _columns(item: EventItem, snapshot: dict[str, Any], digest: str) -> dict[str, Any]:
    """The event row's columns that come from the item (everything but identity and history)."""
    first_day, last_day = item.local_dates()
    return {
        "body_code": item.body, "kind": str(item.kind), "title": item.title,
        "start": snapshot["start"], "end": snapshot["end"], "start_date": first_day, "end_date": last_day,
        "all_day": item.all_day, "timezone": item.timezone, "location": item.location,
        "status": str(item.status), "basis": str(item.basis), "rule": item.rule,
        "confidence": snapshot["confidence"], "session": item.session, "source_url": item.source_url,
        "source_name": item.source_name, "priority": item.priority, "description": item.description,
        "action": item.action, "evidence": item.evidence, "details": dict(item.details or {}),
        "content_hash": digest,
    }


def _state_links(item: EventItem) -> list[tuple[str, str]]:
    return sorted({(link.code, str(link.role)) for link in item.states})


def _apply(event: Event, item: EventItem, snapshot: dict[str, Any], digest: str) -> None:
    for name, value in _columns(item, snapshot, digest).items():
        setattr(event, name, value)
    wanted = set(_state_links(item))
    have = {(s.state_code, s.role): s for s in event.states}
    for gone in set(have) - wanted:
        event.states.remove(have[gone])
    for code, role in sorted(wanted - set(have)):
        event.states.append(EventState(state_code=code, role=role))


def _insert_new(session: Session, new: list[tuple[EventItem, dict[str, Any]]], urls: dict[str, list[str]],
                now: datetime) -> dict[str, int]:
    """Insert events that did not exist yet, with their States and source.

    Core executemany rather than ORM objects: a first crawl or a new source brings
    thousands of events, and the unit of work's bookkeeping per object cost ten
    times the SQL. Returns their ids by key.
    """
    connection = session.connection()
    rows = [{"key": item.key, "sequence": 0, "first_seen": now, "last_changed": now, **columns} for item, columns in new]
    inserted = connection.execute(
        insert(Event.__table__).returning(Event.__table__.c.id, Event.__table__.c.key), rows
    )
    ids = {key: event_id for event_id, key in inserted}
    states = [
        {"event_id": ids[item.key], "state_code": code, "role": role}
        for item, _ in new for code, role in _state_links(item)
    ]
    if states:
        connection.execute(insert(EventState.__table__), states)
    connection.execute(
        insert(EventSource.__table__),
        [{"event_id": ids[item.key], "source_name": item.source_name, "source_url": url, "missed_runs": 0}
         for item, _ in new for url in urls[item.key]],
    )
    return ids


_OFF = (Status.CANCELLED, Status.POSTPONED)


def _change_kind(old: dict[str, Any], new: dict[str, Any]) -> ChangeKind:
    if old["basis"] == Basis.DERIVED and new["basis"] == Basis.ANNOUNCED:
        return ChangeKind.SUPERSEDED
    if new["status"] == Status.CANCELLED and old["status"] != Status.CANCELLED:
        return ChangeKind.CANCELLED
    if old["status"] in _OFF and new["status"] not in _OFF:
        # a cancellation reversed or a postponement lifted: restored, like an event listed again,
        # but with the diff that says so (a relisted event's RESTORED change has none)
        return ChangeKind.RESTORED
    return ChangeKind.UPDATED


def _load(session: Session, keys: Sequence[str]) -> dict[str, Event]:
    found: dict[str, Event] = {}
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        found.update({e.key: e for e in session.scalars(select(Event).where(Event.key.in_(chunk)))})
    return found


def upsert(
    session: Session,
    items: Iterable[EventItem],
    *,
    source_name: str,
    now: datetime,
    today: date,
    run_id: int | None = None,
    mark_vanished: bool = False,
) -> UpsertResult:
    """Store a run's items (validated) and return what happened to each.

    ``mark_vanished`` is true only for a healthy run: then an event this source
    listed before and not now has missed one more run, and after two it is
    marked vanished (unless it is over: past events simply age out of lists).
    """
    result = UpsertResult()
    merged, urls = merge_duplicates(items)
    existing = _load(session, [item.key for item in merged])

    # Change rows are written at the end, in the order they were decided: a new
    # event has no id until its batched INSERT. The sequence is taken when the
    # change is decided.
    pending: list[tuple[str, ChangeKind, dict[str, list[Any]], int]] = []
    ids = {key: event.id for key, event in existing.items()}
    new: list[tuple[EventItem, dict[str, Any]]] = []

    def record(event: Event, kind: ChangeKind, diff: dict[str, list[Any]]) -> None:
        ids[event.key] = event.id
        pending.append((event.key, kind, diff, event.sequence))

    for item in merged:
        snapshot = item.snapshot()
        digest = content_hash(snapshot)
        event = existing.get(item.key)

        if event is None:
            new.append((item, _columns(item, snapshot, digest)))
            created = {k: [None, v] for k, v in snapshot.items() if v not in (None, [], {})}
            pending.append((item.key, ChangeKind.CREATED, created, 0))
            result.outcomes.append(Outcome(item.key, "inserted", ChangeKind.CREATED))
            continue

        urls_before = _urls(event)
        _note_source(event, item.source_name, urls[item.key])
        urls_after = _urls(event)
        announced_at = [urls_before, urls_after] if urls_after != urls_before else None
        restored = event.vanished_at is not None
        if restored:
            # Calendars showed it as "no longer listed": bring it back with a new SEQUENCE.
            event.vanished_at = None
            event.sequence += 1
            event.last_changed = now
            record(event, ChangeKind.RESTORED, {})

        outranked = item.source_name != event.source_name and item.priority < event.priority
        estimate_of_announced = event.basis == Basis.ANNOUNCED and item.basis == Basis.DERIVED
        if digest == event.content_hash or outranked or estimate_of_announced:
            if restored:
                result.outcomes.append(Outcome(item.key, "updated", ChangeKind.RESTORED))
            elif announced_at:
                # a new page announces it: feeds and exports list where it was announced
                event.last_changed = now
                record(event, ChangeKind.UPDATED, {"sources": announced_at})
                result.outcomes.append(Outcome(item.key, "updated", ChangeKind.UPDATED, {"sources": announced_at}))
            else:
                result.outcomes.append(Outcome(item.key, "unchanged"))
            continue

        old = row_snapshot(event)
        diff = {k: [old[k], v] for k, v in snapshot.items() if old.get(k) != v}
        if announced_at:
            diff["sources"] = announced_at
        kind = _change_kind(old, snapshot)
        if any(name in diff for name in MATERIAL_FIELDS):
            event.sequence += 1
        _apply(event, item, snapshot, digest)
        event.last_changed = now
        record(event, kind, diff)
        result.outcomes.append(Outcome(item.key, "updated", kind, diff))

    if new:
        ids.update(_insert_new(session, new, urls, now))
    if mark_vanished:
        seen = {item.key for item in merged}
        result.vanished = _mark_missing(session, source_name, seen, today=today, now=now, record=record)
    if pending:
        session.flush()  # updates of existing events before the changes that name them
        session.connection().execute(
            insert(Change.__table__),
            [
                {"event_id": ids[key], "event_key": key, "kind": str(kind), "diff": diff, "sequence": sequence,
                 "source_name": source_name, "crawl_run_id": run_id, "detected_at": now}
                for key, kind, diff, sequence in pending
            ],
        )
    return result


def _urls(event: Event) -> list[str]:
    return sorted({source.source_url for source in event.sources})


def _note_source(event: Event, source_name: str, urls: list[str]) -> None:
    """Remember that this source lists the event, at these URLs; writes only when something differs.

    URLs the source listed it at before stay: where a meeting was announced is worth keeping.
    """
    known = set()
    for source in event.sources:
        if source.source_name == source_name:
            known.add(source.source_url)
            if source.missed_runs:
                source.missed_runs = 0
    for url in urls:
        if url not in known:
            event.sources.append(EventSource(source_name=source_name, source_url=url, missed_runs=0))


def _mark_missing(session: Session, source_name: str, seen: set[str], *, today: date, now: datetime, record) -> list[str]:
    # Keys and end dates first: after a big run most of the source's events were
    # just seen, and loading them whole (with their States) would be wasted.
    candidates = list(dict.fromkeys(
        event_id
        for event_id, key, end_date in session.execute(
            select(Event.id, Event.key, Event.end_date)
            .join(EventSource, Event.id == EventSource.event_id)
            .where(EventSource.source_name == source_name, Event.vanished_at.is_(None))
            .order_by(Event.id)
        )
        if key not in seen and end_date >= today
    ))  # one per event, however many URLs of this source list it
    vanished = []
    for i in range(0, len(candidates), _CHUNK):
        rows = session.execute(
            select(EventSource, Event)
            .join(Event, Event.id == EventSource.event_id)
            .where(EventSource.source_name == source_name, Event.id.in_(candidates[i : i + _CHUNK]))
            .order_by(Event.id)
        ).all()
        for source, _event in rows:
            source.missed_runs += 1
        for event in dict.fromkeys(event for _, event in rows):
            if all(s.missed_runs >= 2 for s in event.sources):
                event.vanished_at = now
                event.sequence += 1  # feeds mark it "no longer listed": clients must take the new version
                event.last_changed = now
                record(event, ChangeKind.VANISHED, {})
                vanished.append(event.key)
    return vanished
