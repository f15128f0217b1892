"""Change alerts: a followed State's event was created, moved, postponed, cancelled or restored, or an estimate superseded.

A news item (kind ``news``) has no date to change: it waits for the digest.

Read from the Change rows after the "notifier" cursor; the messages and the
cursor move are written in one transaction, so a crash before the commit
means the next run decides the same messages again (and the dedupe keys keep
them single), and a crash after it means they are all safely in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ventanas.calendar.events import EventView
from ventanas.config import Settings
from ventanas.notifier.compose import Reader, dedupe_key, list_message, reader_zone
from ventanas.notifier.scope import FollowScope
from ventanas.notifier.views import MailEvent, when_text
from ventanas.storage import Storage
from ventanas.storage import outbox as box
from ventanas.storage.models import Change, Subscriber

CURSOR = "notifier"
# More alerts than this for one reader in one run (a new source, a whole session published)
# become one message listing them, not a burst of mails.
MAX_SEPARATE_ALERTS = 5


@dataclass(frozen=True)
class AlertItem:
    reason: str  # created | moved | postponed | cancelled | restored | superseded
    event: MailEvent
    before: str | None  # the old date, for moved and superseded
    source_name: str
    change_id: int
    sequence: int


def lifted(diff: dict) -> bool:
    """Whether a change took back a cancellation or a postponement: the event is on again."""
    old, new = (diff.get("status") or [None, None])[:2]
    return old in ("cancelled", "postponed") and new in ("confirmed", "tentative")


def alert_reason(change: Change) -> str | None:
    """Which changes a reader hears about at once; the rest wait for the digest."""
    diff = change.diff or {}
    moved = "start" in diff or "end" in diff
    if change.kind == "created":
        return "created"
    if change.kind == "cancelled":
        return "cancelled"
    if lifted(diff):
        return "restored"  # as material as the cancellation or postponement it reverses
    if change.kind == "superseded":
        return "superseded" if moved else None  # the same date, now announced: the digest says so
    if change.kind == "updated":
        if (diff.get("status") or [None, None])[1] == "postponed":
            return "postponed"
        if moved:
            return "moved"
    return None


def _parse(value: str | None) -> date | datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)


def before_text(change: Change, view: EventView, lang: str, zone: str | None = None) -> str | None:
    """The event's dates before this change, worded like its dates now (local times in ``zone`` too)."""
    diff = change.diff or {}
    if "start" not in diff and "end" not in diff:
        return None
    start = _parse(diff["start"][0]) if "start" in diff else view.start
    end = _parse(diff["end"][0]) if "end" in diff else view.end
    return when_text(start, end, view.timezone, lang, zone) if start is not None else None


def items_for(subscriber: Subscriber, relevant: list[tuple[Change, str]], views: dict[int, EventView],
              scope: FollowScope, today: date) -> list[AlertItem]:
    """One item per event: a new event is announced once at its current date, else its last change."""
    per_event: dict[int, AlertItem] = {}
    for change, reason in relevant:
        view = views.get(change.event_id)
        if view is None or view.vanished_at is not None or view.last_day < today or view.kind == "news":
            continue
        if subscriber.confirmed_at is None or change.detected_at < subscriber.confirmed_at:
            continue  # it happened before the subscription: the reader never knew the old state
        if not scope.follows(subscriber, view):
            continue
        earlier = per_event.get(view.id)
        if earlier is not None and earlier.reason == "created" and reason != "cancelled":
            continue
        lang, zone = subscriber.language, reader_zone(subscriber)
        before = earlier.before if earlier is not None and earlier.before else before_text(change, view, lang, zone)
        per_event[view.id] = AlertItem(
            reason=reason, event=scope.mail(view, lang, tuple(subscriber.states), zone), before=before,
            source_name=change.source_name, change_id=change.id, sequence=change.sequence,
        )
    return sorted(per_event.values(), key=lambda i: (i.event.first_day, i.event.key))


def enqueue_alerts(storage: Storage, session: Session, settings: Settings, subscribers: list[Subscriber],
                   scope: FollowScope, today: date, now: datetime) -> int:
    """Alerts for the changes since the cursor; moves the cursor. Returns messages enqueued."""
    since = storage.cursor(session, CURSOR)
    changes = storage.changes_since(session, since)
    if not changes:
        return 0
    relevant = [(c, reason) for c in changes if (reason := alert_reason(c)) is not None]
    enqueued = 0
    if relevant and subscribers:
        views = scope.views({c.event_id for c, _ in relevant})
        for subscriber in subscribers:
            items = items_for(subscriber, relevant, views, scope, today)
            reader = Reader.of(subscriber)
            if len(items) > MAX_SEPARATE_ALERTS:
                ids = [i.change_id for i in items]
                key = dedupe_key("alerts", reader.email, f"changes {min(ids)}-{max(ids)}")
                batches = [(key, items, None)]
            else:
                batches = [
                    (dedupe_key("alert", reader.email, i.event.key, i.reason, i.sequence), [i], i.event.key)
                    for i in items
                ]
            for key, batch, event_key in batches:
                if box.is_enqueued(session, key):
                    continue
                message = list_message(settings, reader, reason="alert", key=key, template="alert",
                                       event_key=event_key, items=batch)
                enqueued += box.enqueue(session, message, now=now)
    storage.advance_cursor(session, CURSOR, changes[-1].id)
    return enqueued
