"""Robustness, notify: the notifier (ventanas/notifier/) against a clock that moves back.

`VENTANAS_TODAY` set to a day before the last digest (a demo clock left in a
crontab, a restored configuration), or a real clock stepped back: a period
that is over, or one before the reader's last digest, must not get a digest
now, and the reader's digest period never moves backwards. When the clock is
right again, digests go on from where they were.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import TODAY
from ventanas.clock import utcnow
from ventanas.notifier import digest_now, notify
from ventanas.notifier import subscriptions as subs
from ventanas.storage import outbox as box
from ventanas.storage import subscribers as store
from ventanas.storage.models import Subscriber

READERS = {"ana@example.org": "weekly", "ben@example.org": "weekly", "chloe@example.org": "weekly",
           "dana@example.org": "daily"}


def periods(storage) -> dict[str, str | None]:
    with storage.session() as session:
        return dict(session.execute(select(Subscriber.email, Subscriber.digest_period)).all())


def digests(storage) -> int:
    with storage.session() as session:
        return len(box.messages(session, reason="digest"))


def test_clock_moved_back_sends_no_digest_twice_and_the_period_never_moves_back(storage, settings):
    """Regression: with VENTANAS_TODAY ten weeks before the last digests, every notify queued a digest
    for a period already covered (40 in all for these four readers, day by day), and digest_period
    moved backwards, so the clock's return sent the current week's digest a second time in effect."""
    with storage.transaction() as session:
        for address, digest in READERS.items():
            subs.add_confirmed(session, address, subs.preferences(states=["MEX"], digest=digest),
                               now=utcnow(), change_id=store.latest_change_id(session))
    assert notify(storage, settings).digests == 4  # Friday 1 August 2025, ISO week 31
    sent = periods(storage)
    assert sent["ana@example.org"] == "2025-W31" and sent["dana@example.org"] == "2025-08-01"

    for days_back in range(1, 71):  # the clock walks back ten weeks, one `run` a day
        back = dataclasses.replace(settings, today=TODAY - timedelta(days=days_back))
        assert notify(storage, back).digests == 0, back.today
        assert digest_now(storage, back) == 0, back.today
    assert digests(storage) == 4
    assert periods(storage) == sent

    assert notify(storage, settings).digests == 0  # the clock is right again: this period is done
    monday = dataclasses.replace(settings, today=TODAY + timedelta(days=3))
    assert notify(storage, monday).digests == 4  # and the next one goes out as usual
    assert periods(storage)["ana@example.org"] == "2025-W32"
