"""Upsert, change events, vanishing and health: on SQLite and on PostgreSQL (VENTANAS_TEST_BACKEND)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ventanas.clock import utcnow
from ventanas.domain import Basis, ChangeKind, EventItem, Kind, Role, StateLink, Status
from ventanas.storage import Storage, StorageError
from ventanas.storage.models import Change, CrawlRun, Event, State

TODAY = date(2025, 8, 1)


def session_item(n: int = 36, start=date(2026, 3, 23), **changes) -> EventItem:
    item = EventItem(
        key=f"ohchr/CMW/{n}", body="CMW", kind=Kind.SESSION, title=f"CMW {n}th session", start=start,
        end=start + timedelta(days=10), location="Geneva", session=str(n),
        states=(StateLink("MEX", Role.REVIEWED), StateLink("SLV", Role.REVIEWED)),
        source_url="https://tbinternet.ohchr.org/x", source_name="ohchr_sessions",
    )
    return dataclasses.replace(item, **changes)


def crawl(storage: Storage, items, *, spider="ohchr_sessions", errors=0, min_items=1, reason="finished"):
    from ventanas.clock import utcnow

    return storage.record_crawl(
        spider=spider, items=items, stats={"errors": errors, "finish_reason": reason, "requests": 1},
        min_items=min_items, today=TODAY, started_at=utcnow(),
    )


def count(storage: Storage, model) -> int:
    with storage.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def changes(storage: Storage) -> list[Change]:
    with storage.session() as s:
        return list(s.scalars(select(Change).order_by(Change.id)))


def test_reference_data_is_seeded(storage):
    assert count(storage, State) == 249
    # opening again writes nothing and keeps the rows
    Storage.open(storage.engine.url.render_as_string(hide_password=False)).dispose()
    assert count(storage, State) == 249


def test_insert_then_unchanged_rerun_writes_nothing(storage):
    first = crawl(storage, [session_item(36), session_item(37, start=date(2026, 9, 7))])
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert [c.kind for c in changes(storage)] == ["created", "created"]
    with storage.session() as s:
        before = {e.key: (e.last_changed, e.content_hash, e.sequence) for e in s.scalars(select(Event))}
    second = crawl(storage, [session_item(36), session_item(37, start=date(2026, 9, 7))])
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)
    assert len(changes(storage)) == 2
    with storage.session() as s:
        after = {e.key: (e.last_changed, e.content_hash, e.sequence) for e in s.scalars(select(Event))}
    assert before == after


def test_moved_event_keeps_identity_and_bumps_sequence(storage):
    crawl(storage, [session_item()])
    moved = session_item(start=date(2026, 3, 30))
    report = crawl(storage, [moved])
    assert report.updated == 1
    last = changes(storage)[-1]
    assert last.kind == ChangeKind.UPDATED
    assert last.diff["start"] == ["2026-03-23", "2026-03-30"]
    assert last.sequence == 1
    with storage.session() as s:
        event = s.scalar(select(Event).where(Event.key == "ohchr/CMW/36"))
        assert (event.sequence, event.start_date) == (1, date(2026, 3, 30))


def test_non_material_change_does_not_bump_sequence(storage):
    crawl(storage, [session_item()])
    crawl(storage, [session_item(description="Now with a description")])
    assert changes(storage)[-1].kind == "updated"
    assert changes(storage)[-1].sequence == 0


def test_cancelled_is_its_own_change(storage):
    crawl(storage, [session_item()])
    crawl(storage, [session_item(status=Status.CANCELLED)])
    assert changes(storage)[-1].kind == ChangeKind.CANCELLED
    assert changes(storage)[-1].diff["status"] == ["confirmed", "cancelled"]


def test_states_diff_is_recorded(storage):
    crawl(storage, [session_item()])
    crawl(storage, [session_item(states=(StateLink("MEX", Role.REVIEWED),))])
    assert changes(storage)[-1].diff["states"] == [["MEX:reviewed", "SLV:reviewed"], ["MEX:reviewed"]]


def deadline(basis: Basis, day: date, source="ohchr_sessions") -> EventItem:
    return EventItem(
        key="ohchr/CMW/36/deadline/cso-submission", body="CMW", kind=Kind.CSO_SUBMISSION,
        title="Written information for CMW 36", start=day, end=day, basis=basis,
        rule="CMW: 3 weeks before the session" if basis == Basis.DERIVED else None,
        source_url="https://tbinternet.ohchr.org/x", source_name=source,
    )


def test_announced_date_supersedes_estimate(storage):
    crawl(storage, [deadline(Basis.DERIVED, date(2026, 3, 2))])
    crawl(storage, [deadline(Basis.ANNOUNCED, date(2026, 2, 27))])
    last = changes(storage)[-1]
    assert last.kind == ChangeKind.SUPERSEDED
    assert last.diff["basis"] == ["derived", "announced"]
    # and an estimate never overwrites the announced date again
    report = crawl(storage, [deadline(Basis.DERIVED, date(2026, 3, 2))])
    assert report.unchanged == 1
    assert changes(storage)[-1].id == last.id


def test_announced_beats_estimate_within_one_run(storage):
    report = crawl(storage, [deadline(Basis.DERIVED, date(2026, 3, 2)), deadline(Basis.ANNOUNCED, date(2026, 2, 27))])
    assert report.inserted == 1
    with storage.session() as s:
        assert s.scalar(select(Event.basis)) == "announced"


def test_lower_priority_source_does_not_overwrite(storage):
    crawl(storage, [session_item(priority=80)])
    other = session_item(start=date(2026, 4, 1), source_name="rss_feeds", priority=10)
    report = crawl(storage, [other], spider="rss_feeds")
    assert report.unchanged == 1
    with storage.session() as s:
        event = s.scalar(select(Event))
        assert event.start_date == date(2026, 3, 23)
        assert sorted(src.source_name for src in event.sources) == ["ohchr_sessions", "rss_feeds"]


def test_vanished_only_after_two_healthy_runs_and_restored(storage):
    crawl(storage, [session_item(36), session_item(37, start=date(2026, 9, 7))])
    crawl(storage, [session_item(37, start=date(2026, 9, 7))])
    assert not [c for c in changes(storage) if c.kind == "vanished"]
    report = crawl(storage, [session_item(37, start=date(2026, 9, 7))])
    assert report.vanished == 1
    assert changes(storage)[-1].kind == ChangeKind.VANISHED
    assert changes(storage)[-1].sequence == 1  # calendars must take the "no longer listed" version
    crawl(storage, [session_item(36), session_item(37, start=date(2026, 9, 7))])
    assert changes(storage)[-1].kind == ChangeKind.RESTORED
    assert changes(storage)[-1].sequence == 2


@pytest.mark.parametrize("off", [Status.CANCELLED, Status.POSTPONED])
def test_lifted_cancellation_or_postponement_is_restored(storage, off):
    crawl(storage, [session_item(36)])
    crawl(storage, [session_item(36, status=off)])
    crawl(storage, [session_item(36, status=Status.CONFIRMED)])
    last = changes(storage)[-1]
    # the notifier alerts on it, as on the cancellation; the diff tells it from a relisted event's
    assert last.kind == ChangeKind.RESTORED and last.diff["status"] == [str(off), "confirmed"]
    assert last.sequence == 2


def test_cancelled_after_postponed_is_no_restoration(storage):
    crawl(storage, [session_item(36, status=Status.POSTPONED)])
    crawl(storage, [session_item(36, status=Status.CANCELLED)])
    assert changes(storage)[-1].kind == ChangeKind.CANCELLED


def test_past_event_ages_out_without_vanishing(storage):
    old = session_item(20, start=date(2024, 4, 1))
    crawl(storage, [old, session_item(37)])
    for _ in range(3):
        crawl(storage, [session_item(37)])
    assert not [c for c in changes(storage) if c.kind == "vanished"]


def test_failed_run_changes_nothing(storage):
    crawl(storage, [session_item(36), session_item(37)], min_items=2)
    before = len(changes(storage))
    report = crawl(storage, [session_item(36, start=date(2027, 1, 1))], min_items=2)
    assert str(report.health) == "failed"
    assert len(changes(storage)) == before
    with storage.session() as s:
        assert s.scalar(select(Event.start_date).where(Event.key == "ohchr/CMW/36")) == date(2026, 3, 23)
        assert s.scalar(select(CrawlRun.health).order_by(CrawlRun.id.desc()).limit(1)) == "failed"


def test_degraded_run_stores_but_never_vanishes(storage):
    crawl(storage, [session_item(36), session_item(37)])
    for _ in range(3):
        report = crawl(storage, [session_item(37)], errors=2)
        assert str(report.health) == "degraded"
    assert not [c for c in changes(storage) if c.kind == "vanished"]


def test_large_drop_is_degraded(storage):
    items = [session_item(n) for n in range(1, 11)]
    crawl(storage, items)
    report = crawl(storage, items[:3])
    assert str(report.health) == "degraded"
    assert "down from 10" in report.reason


def test_corrupt_sqlite_file_is_a_clear_error(tmp_path):
    path = tmp_path / "ventanas.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="cannot use the database") as info:
        Storage.open(f"sqlite:///{path}")
    assert "\n" not in str(info.value)
    assert path.read_bytes() == b"this is not a database" * 100


def test_bad_database_url_is_a_clear_error():
    with pytest.raises(StorageError, match="not a database URL"):
        Storage.open("not a url at all")


def test_unreachable_postgres_is_a_clear_error():
    with pytest.raises(StorageError, match="cannot use the database"):
        Storage.open("postgresql+psycopg://nobody:x@127.0.0.1:1/nothing")


def test_pending_migration_applied_on_open(storage):
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from ventanas.storage import MIGRATIONS

    # the newest migration, whichever it is: every new migration must not break this test
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with storage.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def test_migration_0003_keeps_every_source_row(storage):
    """0002 → 0003 re-keys event_source by URL on both backends; no row is lost either way."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from ventanas.storage import MIGRATIONS
    from ventanas.storage.models import EventSource

    now = date(2025, 8, 1)
    storage.record_crawl(spider="crm_news", stats={"finish_reason": "finished"}, min_items=1, today=now,
                         started_at=utcnow(), items=[
                             EventItem(key="crm/viceministerial/30", body="CRM", kind="vice_ministerial", title="XXX",
                                       start=date(2025, 12, 4), source_url=url, source_name="crm_news")
                             for url in ("https://crmsv.org/a/", "https://crmsv.org/b/")])
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))

    def migrate(step, revision):
        with storage.engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
        with storage.engine.connect() as connection:
            return connection.execute(text("SELECT source_url FROM event_source ORDER BY source_url")).scalars().all()

    assert migrate(command.downgrade, "0002") == ["https://crmsv.org/b/"]  # one URL per source before 0003
    assert migrate(command.upgrade, "head") == ["https://crmsv.org/b/"]
    with storage.session() as session:
        assert session.scalar(select(func.count()).select_from(EventSource)) == 1
