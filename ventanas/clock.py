"""The one clock of ventanas: the real one, or the demo clock (VENTANAS_TODAY)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ventanas.config import Settings


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def today(settings: Settings) -> date:
    """'Today' for every decision about upcoming, past, reminders and digests."""
    return settings.today or datetime.now(settings.zone).date()
