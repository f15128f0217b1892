"""Stored events as plain values, and which States each event concerns.

:class:`EventView` is a frozen copy of a stored event that the feeds, the
pages, the exports and the notifier's digests all read; it is loaded with
plain SQL (no ORM identity map), so 10 000 events load in a fraction of the
time the ORM takes.

Which States an event concerns (its *scope*) is decided here, once:

1. every State the source linked to it (any role: reviewed, due_by, member,
   host, concerned);
2. a session-wide event with no State of its own (the session itself, its
   civil-society, NHRI, accreditation and NGO-briefing deadlines, e.g.
   ``ohchr/CMW/36/deadline/cso-submission``) concerns the States reviewed at
   that session (role ``reviewed`` on any event of the same body and session);
3. every meeting of a process with a closed membership (CRM, CSM) concerns
   all its members, whatever the spider linked. GFMD is open to all UN
   Member States and has no member list: its meetings concern the States the
   spider linked (the GFMD spider links every State to a summit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from ventanas.domain import DEADLINE_KINDS
from ventanas.normalize.bodies import BODIES
from ventanas.storage.models import Event, EventSource, EventState

SESSION_WIDE_KINDS = frozenset(
    {"session", "cso_submission", "nhri_submission", "accreditation", "ngo_briefing", "registration"}
)
REVIEW_KINDS = frozenset({"review", "dialogue"})
CLOSED_MEMBERSHIP = {code: frozenset(body.members) for code, body in BODIES.items() if body.members}


@dataclass(frozen=True)
class EventView:
    id: int
    key: str
    body: str
    kind: str
    title: str
    start: date | datetime
    end: date | datetime | None  # the last day for all-day events (inclusive), as stored
    first_day: date
    last_day: date
    all_day: bool
    timezone: str | None
    location: str | None
    status: str  # confirmed | tentative | cancelled | postponed, as the source says
    basis: str  # announced | derived
    rule: str | None
    session: str | None
    source_url: str
    source_name: str
    description: str | None
    action: str | None
    details: dict[str, Any]
    states: tuple[tuple[str, str], ...]  # (code, role) as the source linked them
    sequence: int
    content_hash: str
    first_seen: datetime
    last_changed: datetime
    vanished_at: datetime | None
    # every URL that announced it, the owning source's included (a new one moves last_changed)
    sources: tuple[str, ...] = ()

    @property
    def uid(self) -> str:
        return f"{self.key}@ventanas"

    @property
    def binding(self) -> bool:
        body = BODIES.get(self.body)
        return body.binding if body else True

    @property
    def is_deadline(self) -> bool:
        return self.kind in DEADLINE_KINDS

    @property
    def active(self) -> bool:
        """Neither cancelled by its source nor vanished from it."""
        return self.status != "cancelled" and self.vanished_at is None

    @property
    def estimated(self) -> bool:
        return self.basis == "derived"

    def state_with_role(self, *roles: str) -> str | None:
        return next((code for code, role in self.states if role in roles), None)

    @property
    def source_count(self) -> int:
        return len(self.sources)

    @property
    def also_announced_at(self) -> tuple[str, ...]:
        """The pages other than the owning source's that announced it."""
        return tuple(url for url in self.sources if url != self.source_url)

    def fingerprint(self) -> str:
        return fingerprint(self)


@dataclass(frozen=True)
class Entry:
    """The few columns of an event that say where it is published and whether its rendering is current.

    An incremental publication reads these for every event (to assemble all.ics and find
    each State's events) and the full :class:`EventView` only for the pages it re-renders.
    """

    id: int
    key: str
    body: str
    kind: str
    session: str | None
    first_day: date
    last_day: date
    status: str
    content_hash: str
    sequence: int
    last_changed: datetime
    vanished_at: datetime | None
    states: tuple[tuple[str, str], ...]
    source_count: int = 0

    @property
    def is_deadline(self) -> bool:
        return self.kind in DEADLINE_KINDS

    @property
    def active(self) -> bool:
        return self.status != "cancelled" and self.vanished_at is None


def fingerprint(event: EventView | Entry) -> str:
    """Everything a rendering of an event depends on (the content hash covers its fields).

    Source URLs are only ever added, so their count says whether a new page announced it,
    even within the second of the last change."""
    vanished = event.vanished_at.isoformat() if event.vanished_at else "-"
    return (f"{event.key}|{event.content_hash}|{event.sequence}|{event.last_changed.isoformat()}|{vanished}"
            f"|{event.source_count}")


def _when(value: str | None) -> date | datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)


_COLUMNS = [
    Event.id, Event.key, Event.body_code, Event.kind, Event.title, Event.start, Event.end, Event.start_date,
    Event.end_date, Event.all_day, Event.timezone, Event.location, Event.status, Event.basis, Event.rule,
    Event.session, Event.source_url, Event.source_name, Event.description, Event.action, Event.details,
    Event.sequence, Event.content_hash, Event.first_seen, Event.last_changed, Event.vanished_at,
]


def _view(row: Any, links: tuple[tuple[str, str], ...], sources: tuple[str, ...] = ()) -> EventView:
    return EventView(
        id=row.id, key=row.key, body=row.body_code, kind=row.kind, title=row.title, start=_when(row.start),
        end=_when(row.end), first_day=row.start_date, last_day=row.end_date, all_day=row.all_day,
        timezone=row.timezone, location=row.location, status=row.status, basis=row.basis, rule=row.rule,
        session=row.session, source_url=row.source_url, source_name=row.source_name, description=row.description,
        action=row.action, details=dict(row.details or {}), states=links, sequence=row.sequence,
        content_hash=row.content_hash, first_seen=row.first_seen, last_changed=row.last_changed,
        vanished_at=row.vanished_at, sources=sources,
    )


def rows_for(session: Session, query: Select, column: Any, ids: Iterable[int] | None) -> Iterator[Row]:
    """The rows of ``query``: all of them, or those whose ``column`` is one of ``ids``, asked
    for 500 at a time (well under every backend's limit of parameters per statement)."""
    if ids is None:
        yield from session.execute(query)
        return
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), 500):
        yield from session.execute(query.where(column.in_(wanted[i:i + 500])))


def _sources(session: Session, event_ids: Iterable[int] | None) -> dict[int, tuple[str, ...]]:
    found: dict[int, set[str]] = defaultdict(set)
    query = select(EventSource.event_id, EventSource.source_url)
    for event_id, url in rows_for(session, query, EventSource.event_id, event_ids):
        found[event_id].add(url)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _links(session: Session, event_ids: Iterable[int] | None) -> dict[int, tuple[tuple[str, str], ...]]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    query = select(EventState.event_id, EventState.state_code, EventState.role)
    for event_id, code, role in rows_for(session, query, EventState.event_id, event_ids):
        found[event_id].append((code, role))
    return {k: tuple(sorted(v)) for k, v in found.items()}


def load_events(session: Session, event_ids: Iterable[int] | None = None) -> list[EventView]:
    """Events (all, or those ids) in feed order: first day, then key."""
    query = select(*_COLUMNS).order_by(Event.start_date, Event.key)
    ids = None if event_ids is None else sorted(set(event_ids))
    links = _links(session, ids)
    sources = _sources(session, ids)
    rows = list(rows_for(session, query, Event.id, ids))
    if ids is not None:
        rows.sort(key=lambda r: (r.start_date, r.key))  # each chunk is in order, not the whole
    return [_view(row, links.get(row.id, ()), sources.get(row.id, ())) for row in rows]


def load_entries(session: Session) -> list[Entry]:
    """Every event's :class:`Entry`, in feed order."""
    links = _links(session, None)
    counts = dict(session.execute(select(EventSource.event_id, func.count()).group_by(EventSource.event_id)).all())
    query = select(
        Event.id, Event.key, Event.body_code, Event.kind, Event.session, Event.start_date, Event.end_date, Event.status,
        Event.content_hash, Event.sequence, Event.last_changed, Event.vanished_at,
    ).order_by(Event.start_date, Event.key)
    return [
        Entry(row.id, row.key, row.body_code, row.kind, row.session, row.start_date, row.end_date, row.status,
              row.content_hash, row.sequence, row.last_changed, row.vanished_at, links.get(row.id, ()),
              counts.get(row.id, 0))
        for row in session.execute(query)
    ]


@dataclass
class Scope:
    """Which States each event concerns, and which events each State sees."""

    states_of: dict[int, frozenset[str]] = field(default_factory=dict)
    events_of: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, events: Iterable[EventView | Entry]) -> Scope:
        events = list(events)
        reviewed: dict[tuple[str, str], set[str]] = defaultdict(set)
        for event in events:
            if event.session:
                reviewed[(event.body, event.session)].update(c for c, r in event.states if r == "reviewed")
        scope = cls()
        by_state: dict[str, list[int]] = defaultdict(list)
        for event in events:
            states = concerned_states(event, reviewed)
            scope.states_of[event.id] = states
            for code in states:
                by_state[code].append(event.id)
        scope.events_of = dict(by_state)
        return scope


def concerned_states(event: EventView | Entry, reviewed: dict[tuple[str, str], set[str]]) -> frozenset[str]:
    """The rule of this module's docstring, for one event; ``reviewed`` maps (body, session) → States."""
    states = {code for code, _role in event.states}
    if not states and event.session and event.kind in SESSION_WIDE_KINDS:
        states |= reviewed.get((event.body, event.session), set())
    states |= CLOSED_MEMBERSHIP.get(event.body, frozenset())
    return frozenset(states)


def load_state_events(session: Session, state: str) -> list[EventView]:
    """The events that concern one State (the same rule as :class:`Scope`), in feed order."""
    direct = set(session.scalars(select(EventState.event_id).where(EventState.state_code == state)))
    ids = set(direct)
    sessions = set(
        session.execute(
            select(Event.body_code, Event.session).join(EventState)
            .where(EventState.state_code == state, EventState.role == "reviewed", Event.session.is_not(None))
        ).all()
    )
    if sessions:
        bodies = {body for body, _ in sessions}
        candidates = session.execute(
            select(Event.id, Event.body_code, Event.session)
            .where(Event.body_code.in_(bodies), Event.kind.in_(SESSION_WIDE_KINDS), Event.session.is_not(None))
        ).all()
        unlinked = {c.id for c in candidates if (c.body_code, c.session) in sessions}
        linked = set(session.scalars(select(EventState.event_id).where(EventState.event_id.in_(unlinked)))) \
            if unlinked else set()
        ids |= unlinked - linked
    processes = [code for code, members in CLOSED_MEMBERSHIP.items() if state in members]
    if processes:
        ids |= set(session.scalars(select(Event.id).where(Event.body_code.in_(processes))))
    return load_events(session, ids)
