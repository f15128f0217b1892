"""Reminders: at each of a subscriber's lead days (30, 7, 1 by default) before a deadline or a review.

A reminder belongs to a *stage*: the smallest lead day not below the days
left. It is keyed by (reader, event, the date it reminds of, stage), so it
fires once per stage, and again only if the date moves. A stage missed
because nothing ran that day is caught up within :data:`CATCH_UP_DAYS`;
older stages are skipped, so a new subscriber is not flooded with the
stages that passed before they subscribed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ventanas.config import Settings
from ventanas.domain import DEADLINE_KINDS
from ventanas.notifier.compose import Reader, dedupe_key, list_message
from ventanas.notifier.scope import FollowScope
from ventanas.storage import outbox as box
from ventanas.storage.models import Subscriber
from ventanas.windows import open_windows_in

REMINDER_KINDS = frozenset(str(k) for k in DEADLINE_KINDS) | {"review"}
CATCH_UP_DAYS = 2


def reminder_stage(days_left: int, lead_days: list[int] | tuple[int, ...]) -> int | None:
    """The lead day whose reminder is due with ``days_left`` to go, or None."""
    if days_left < 0:
        return None
    for lead in sorted(lead_days):
        if days_left <= lead:
            return lead if lead - days_left <= CATCH_UP_DAYS else None
    return None


def enqueue_reminders(session: Session, settings: Settings, subscribers: list[Subscriber],
                      scope: FollowScope, today: date, now: datetime) -> int:
    enqueued = 0
    for subscriber in subscribers:
        reader = Reader.of(subscriber)
        followed = tuple(subscriber.states or ())
        for view in scope.followed_events(subscriber):
            if view.kind not in REMINDER_KINDS or not view.active:
                continue
            days_left = (view.first_day - today).days
            stage = reminder_stage(days_left, subscriber.lead_days or [])
            if stage is None:
                continue
            key = dedupe_key("reminder", reader.email, view.key, view.first_day.isoformat(), f"T-{stage}")
            if box.is_enqueued(session, key):
                continue
            review = None
            for state in followed:
                if not scope.concerns(state, view):
                    continue
                window = next((w for w in open_windows_in(scope.state_events(state), state, today)
                               if w.deadline.id == view.id), None)
                if window is not None and window.review is not None:
                    review = scope.mail(window.review, reader.language, followed, reader.zone)
                    break
            message = list_message(
                settings, reader, reason="reminder", key=key, template="reminder", event_key=view.key,
                event=scope.mail(view, reader.language, followed, reader.zone), days_left=days_left, review=review,
            )
            enqueued += box.enqueue(session, message, now=now)
    return enqueued
