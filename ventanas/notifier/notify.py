"""`notify`: decide what to mail from the new changes (alerts) and from the clock (reminders, digests).

Every decision lands in the outbox in the transaction that made it; a second
run with no new change and the same day enqueues nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ventanas.clock import today as clock_today
from ventanas.clock import utcnow
from ventanas.config import Settings
from ventanas.notifier.alerts import enqueue_alerts
from ventanas.notifier.digests import enqueue_digests, render_digest
from ventanas.notifier.reminders import enqueue_reminders
from ventanas.notifier.render import Rendered
from ventanas.notifier.scope import FollowScope
from ventanas.storage import Storage
from ventanas.storage import subscribers as store


@dataclass
class NotifyReport:
    alerts: int = 0
    reminders: int = 0
    digests: int = 0
    subscribers: int = 0

    @property
    def enqueued(self) -> int:
        return self.alerts + self.reminders + self.digests

    def as_dict(self) -> dict:
        return {**asdict(self), "enqueued": self.enqueued}


def notify(storage: Storage, settings: Settings, *, digests: bool = True) -> NotifyReport:
    """Alerts and reminders in one transaction (with the cursor), then each due digest in its own."""
    today, now = clock_today(settings), utcnow()
    report = NotifyReport()
    with storage.transaction() as session:
        subscribers = store.active(session)
        report.subscribers = len(subscribers)
        scope = FollowScope(session, today)
        report.alerts = enqueue_alerts(storage, session, settings, subscribers, scope, today, now)
        report.reminders = enqueue_reminders(session, settings, subscribers, scope, today, now)
    if digests:
        report.digests = _digests(storage, settings, force=False)
    return report


def digest_now(storage: Storage, settings: Settings) -> int:
    """`digest --now`: every reader's digest as if it were their digest time; still one per period."""
    return _digests(storage, settings, force=True)


def _digests(storage: Storage, settings: Settings, *, force: bool) -> int:
    today, now = clock_today(settings), utcnow()
    with storage.session() as read:
        subscribers = store.active(read)
        scope = FollowScope(read, today)
        return enqueue_digests(storage, settings, subscribers, scope, today=today, now=now, force=force)


def preview_digest(storage: Storage, settings: Settings, email: str) -> Rendered | None:
    """The digest ``email`` would get now, enqueued nowhere; None for an unknown address."""
    with storage.session() as session:
        subscriber = store.find(session, email)
        if subscriber is None:
            return None
        return render_digest(session, settings, subscriber, clock_today(settings))
