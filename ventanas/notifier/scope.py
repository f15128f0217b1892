"""Which events a subscriber follows: the calendar's scope rule, then the subscriber's filters.

"Concerning a State" is decided once, in :mod:`ventanas.calendar.events`
(direct links, session-wide deadlines, meetings of the processes it belongs
to); the notifier asks it per State and caches the answer for one run.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

from sqlalchemy.orm import Session

from ventanas.calendar.events import EventView, load_events, load_state_events
from ventanas.notifier.views import MailEvent, mail_event
from ventanas.storage import subscribers as store
from ventanas.storage.models import Change, Subscriber


class FollowScope:
    """Per-run cache of the events of each State and of the mail views of each event."""

    def __init__(self, session: Session, today: date):
        self.session, self.today = session, today
        self._by_state: dict[str, list[EventView]] = {}
        self._ids: dict[str, frozenset[int]] = {}
        self._views: dict[int, EventView] = {}
        self._mail: dict[tuple[int, str, tuple[str, ...], str | None], MailEvent] = {}
        self._changes: list[Change] = []
        self._changes_from: int | None = None

    def state_events(self, state: str) -> list[EventView]:
        if state not in self._by_state:
            self._by_state[state] = load_state_events(self.session, state)
            self._ids[state] = frozenset(v.id for v in self._by_state[state])
            self._views.update({v.id: v for v in self._by_state[state]})
        return self._by_state[state]

    def views(self, event_ids: set[int]) -> dict[int, EventView]:
        missing = event_ids - set(self._views)
        if missing:
            self._views.update({v.id: v for v in load_events(self.session, missing)})
        return {i: self._views[i] for i in event_ids if i in self._views}

    def follows(self, subscriber: Subscriber, view: EventView) -> bool:
        if subscriber.bodies and view.body not in subscriber.bodies:
            return False
        if subscriber.kinds and view.kind not in subscriber.kinds:
            return False
        return any(self.concerns(state, view) for state in subscriber.states or ())

    def concerns(self, state: str, view: EventView) -> bool:
        self.state_events(state)
        return view.id in self._ids[state]

    def followed_events(self, subscriber: Subscriber) -> list[EventView]:
        """Every event of the subscriber's States that passes its filters, once, in date order."""
        seen: dict[int, EventView] = {}
        for state in subscriber.states or ():
            for view in self.state_events(state):
                if view.id not in seen and self.follows(subscriber, view):
                    seen[view.id] = view
        return sorted(seen.values(), key=lambda v: (v.first_day, v.key))

    def changes_after(self, change_id: int) -> list[Change]:
        """Change rows after ``change_id``, read once per run: a thousand digests share one query."""
        if self._changes_from is None or change_id < self._changes_from:
            self._changes = store.changes_after(self.session, change_id)
            self._changes_from = change_id
        return self._changes[bisect_right([c.id for c in self._changes], change_id):]

    def mail(self, view: EventView, lang: str, followed: tuple[str, ...] = (), zone: str | None = None) -> MailEvent:
        """The event as mail says it to readers of this language, States and zone (built once per run)."""
        key = (view.id, lang, followed, zone)
        if key not in self._mail:
            self._mail[key] = mail_event(view, lang, self.today, followed, zone)
        return self._mail[key]
