"""The outbox's storage: one row per dedupe key, leased claims, SKIP LOCKED on PostgreSQL, migration 0002."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from ventanas.clock import utcnow
from ventanas.storage import MIGRATIONS, Storage
from ventanas.storage import outbox as box
from ventanas.storage.outbox import NewMessage


def message(n: int, recipient: str = "ana@example.org") -> NewMessage:
    return NewMessage(recipient=recipient, reason="digest", dedupe_key=f"digest|{recipient}|2025-W{n:02d}",
                      subject=f"Digest {n}", text_body="…", message_id=f"<{n}.{recipient}@ventanas.example>")


def fill(storage, count: int, recipient: str = "ana@example.org") -> None:
    with storage.transaction() as session:
        for n in range(count):
            box.enqueue(session, message(n, recipient), now=utcnow())


def test_a_dedupe_key_is_enqueued_once(storage):
    now = utcnow()
    with storage.transaction() as session:
        assert box.enqueue(session, message(1), now=now) is True
        assert box.enqueue(session, message(1), now=now) is False
    with storage.transaction() as session:  # and in a later transaction too, without an error that aborts it
        assert box.enqueue(session, message(1), now=now) is False
        assert box.is_enqueued(session, message(1).dedupe_key)
        assert box.enqueued_keys(session, [message(1).dedupe_key, "nope"]) == {message(1).dedupe_key}
    with storage.session() as session:
        assert len(box.messages(session)) == 1


def test_claim_takes_oldest_due_row_with_a_lease(storage):
    fill(storage, 2)
    now = utcnow()
    with storage.transaction() as session:
        first = box.claim_next(session, now=now, lease=timedelta(seconds=60))
        assert (first.subject, first.status, first.attempts) == ("Digest 0", "sending", 1)
    with storage.transaction() as session:
        second = box.claim_next(session, now=now, lease=timedelta(seconds=60))
        assert second.subject == "Digest 1"
        assert box.claim_next(session, now=now, lease=timedelta(seconds=60)) is None  # both held


def test_a_dead_senders_row_is_claimed_again_after_its_lease(storage):
    fill(storage, 1)
    now = utcnow()
    with storage.transaction() as session:
        box.claim_next(session, now=now, lease=timedelta(seconds=30))
    with storage.transaction() as session:
        assert box.claim_next(session, now=now + timedelta(seconds=29), lease=timedelta(seconds=30)) is None
        again = box.claim_next(session, now=now + timedelta(seconds=31), lease=timedelta(seconds=30))
        assert again is not None and again.attempts == 2


def test_retry_waits_until_its_time(storage):
    fill(storage, 1)
    now = utcnow()
    with storage.transaction() as session:
        row = box.claim_next(session, now=now, lease=timedelta(seconds=30))
        box.mark_retry(session, row.id, error="451 later", at=now + timedelta(minutes=5))
    with storage.transaction() as session:
        assert not box.any_due(session, now + timedelta(minutes=4))
        assert box.claim_next(session, now=now + timedelta(minutes=5), lease=timedelta(seconds=30)) is not None


def test_cancelling_a_recipient_leaves_others_and_sent_mail(storage):
    fill(storage, 2, "ana@example.org")
    fill(storage, 1, "ben@example.org")
    now = utcnow()
    with storage.transaction() as session:
        row = box.claim_next(session, now=now, lease=timedelta(seconds=30))
        box.mark_sent(session, row.id, now=now)
        assert box.cancel_for_recipient(session, "ana@example.org", reason="unsubscribed") == 1
    with storage.session() as session:
        assert box.status_counts(session) == {"pending": 1, "sending": 0, "sent": 1, "failed": 0, "cancelled": 1}


@pytest.mark.postgres
def test_postgresql_claims_skip_locked_rows(pg_storage):
    """Two senders at once: the second never waits for, nor takes, the row the first holds."""
    fill(pg_storage, 3)
    now = utcnow()
    with pg_storage.session() as first, pg_storage.session() as second, first.begin():
        held = box.claim_next(first, now=now, lease=timedelta(seconds=60))
        with second.begin():
            # any wait for the first sender's row lock would fail here instead of hanging
            second.execute(text("SET LOCAL lock_timeout = '1s'"))
            other = box.claim_next(second, now=now, lease=timedelta(seconds=60))
            third = box.claim_next(second, now=now, lease=timedelta(seconds=60))
            assert box.claim_next(second, now=now, lease=timedelta(seconds=60)) is None
    assert len({held.id, other.id, third.id}) == 3
    with pg_storage.session() as session:
        assert box.status_counts(session)["sending"] == 3


@pytest.mark.postgres
def test_postgresql_claim_statement_uses_skip_locked(pg_storage):
    from sqlalchemy import event

    fill(pg_storage, 1)
    statements: list[str] = []
    event.listen(pg_storage.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with pg_storage.transaction() as session:
        box.claim_next(session, now=utcnow(), lease=timedelta(seconds=60))
    assert any("FOR UPDATE SKIP LOCKED" in s for s in statements)


def test_migration_0002_upgrades_a_0001_database_and_downgrades(database_url, tmp_path):
    (tmp_path / "var").mkdir(exist_ok=True)  # where the SQLite URL points; PostgreSQL ignores it
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("INSERT INTO cursor (name, change_id, updated_at) VALUES ('publisher', 7, :t)"),
                           {"t": utcnow().replace(tzinfo=None)})
    assert "outbox" not in inspect(engine).get_table_names()
    storage = Storage.open(database_url)  # what every command does: migrate to head on open
    try:
        tables = set(inspect(storage.engine).get_table_names())
        assert {"subscriber", "outbox"} <= tables
        columns = {c["name"] for c in inspect(storage.engine).get_columns("outbox")}
        assert {"dedupe_key", "status", "attempts", "next_attempt_at", "lease_until", "message_id", "sent_at"} <= columns
        uniques = {tuple(u["column_names"]) for u in inspect(storage.engine).get_unique_constraints("outbox")}
        assert ("dedupe_key",) in uniques
        with storage.engine.connect() as connection:
            assert connection.execute(text("SELECT change_id FROM cursor WHERE name = 'publisher'")).scalar() == 7
    finally:
        storage.dispose()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert not {"subscriber", "outbox"} & set(inspect(engine).get_table_names())
    engine.dispose()
