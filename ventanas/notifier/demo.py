"""The demo's mail: one advocate in Mexico City, in Spanish, and the .eml files the run wrote.

Re-running the demo adds no subscriber, enqueues nothing and writes no file:
the subscriber is added once, every message has its dedupe key, and the
digest period (the demo clock's week) does not change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from ventanas.calendar import personal
from ventanas.clock import utcnow
from ventanas.config import Settings
from ventanas.notifier import subscriptions as subs
from ventanas.notifier.notify import notify
from ventanas.notifier.personal import personal_feed_url
from ventanas.notifier.sender import eml_name, send
from ventanas.storage import Storage
from ventanas.storage import outbox as box
from ventanas.storage import subscribers as store

DEMO_SUBSCRIBER = "defensora@red-migrantes-cdmx.example"
DEMO_PREFERENCES = subs.Preferences(states=("MEX", "GTM"), language="es", digest="weekly")


@dataclass
class DemoMail:
    added: bool
    enqueued: int
    written: list[str] = field(default_factory=list)
    outbox_dir: Path = Path()
    digest_file: Path | None = None
    feed_url: str | None = None  # her personal calendar


def run_demo_mail(storage: Storage, settings: Settings) -> DemoMail:
    """Subscribe the demo advocate (once), then notify and send into .eml files, never over SMTP."""
    settings = dataclasses.replace(settings, smtp_url="")
    with storage.transaction() as session:
        added = store.find(session, DEMO_SUBSCRIBER) is None
        if added:
            subs.add_confirmed(session, DEMO_SUBSCRIBER, DEMO_PREFERENCES, now=utcnow(),
                               change_id=store.latest_change_id(session))
    with storage.session() as session:  # her personal calendar, which her mail links (nothing new on a re-run)
        subscriber = store.find(session, DEMO_SUBSCRIBER)
        personal.publish_for(session, settings, [subscriber.id])
        feed_url = personal_feed_url(settings, subscriber)
    report = notify(storage, settings)
    sent = send(storage, settings)
    with storage.session() as session:
        digests = box.messages(session, recipient=DEMO_SUBSCRIBER, reason="digest")
        digest_file = settings.resolved_outbox_dir / eml_name(digests[-1]) if digests else None
    return DemoMail(added=added, enqueued=report.enqueued, written=sent.files,
                    outbox_dir=settings.resolved_outbox_dir, digest_file=digest_file, feed_url=feed_url)
