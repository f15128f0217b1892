"""Operator alerts: a source broke (repeated daily while it lasts), and a source healed.

The operations code decides when a source is broken or healed; these
functions put the mail in the outbox, in the caller's transaction, keyed so
that a re-run the same day, or the same recovery reported twice, sends once.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ventanas.clock import today as clock_today
from ventanas.clock import utcnow
from ventanas.config import Settings
from ventanas.notifier.compose import dedupe_key, direct_message
from ventanas.storage import outbox as box


def enqueue_operator_alert(session: Session, settings: Settings, *, source: str, health: str, detail: str,
                           run_id: int | None = None, day: date | None = None, language: str = "en") -> bool:
    """Tell the operator that ``source`` is failed/degraded; once per source and day. False if not enqueued
    (no VENTANAS_OPERATOR_EMAIL, or already told today)."""
    recipient = settings.operator_email.strip()
    if not recipient:
        return False
    day = day or clock_today(settings)
    key = dedupe_key("operator", recipient, source, "broken", day.isoformat())
    if box.is_enqueued(session, key):
        return False
    message = direct_message(settings, recipient, language, reason="operator_alert", key=key, template="operator",
                             source=source, health=health, detail=detail, run_id=run_id or "-", healed=False,
                             broken_since=None)
    return box.enqueue(session, message, now=utcnow())


def enqueue_operator_healed(session: Session, settings: Settings, *, source: str, run_id: int,
                            broken_since: date | None = None, language: str = "en") -> bool:
    """Tell the operator that ``source`` works again; ``run_id`` (the healthy run) makes it once per recovery."""
    recipient = settings.operator_email.strip()
    if not recipient:
        return False
    key = dedupe_key("operator", recipient, source, "healed", run_id)
    if box.is_enqueued(session, key):
        return False
    message = direct_message(settings, recipient, language, reason="operator_healed", key=key, template="operator",
                             source=source, health="ok", detail="", run_id=run_id, healed=True,
                             broken_since=broken_since)
    return box.enqueue(session, message, now=utcnow())
