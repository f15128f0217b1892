"""Robustness, storage: another writer holds the database, the disk fills while publishing,
the process dies between storing and publishing (or notifying).

Expected, in each case: a clear error or a wait that ends in success; the old
data and the old files kept whole; and the next run catching up from its
cursor, with nothing lost and nothing done twice.
"""

from __future__ import annotations

import dataclasses
import errno
import importlib
import os
import sqlite3
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import create_engine, event, func, select, text

from tests.conftest import TODAY
from ventanas.calendar import files as calendar_files
from ventanas.calendar import publisher
from ventanas.calendar.publisher import publish
from ventanas.clock import utcnow
from ventanas.domain import EventItem, Kind, Role, StateLink
from ventanas.notifier import subscriptions as subs
from ventanas.notifier.notify import notify
from ventanas.storage import Storage, StorageError
from ventanas.storage import outbox as box
from ventanas.storage import subscribers as subscriber_store
from ventanas.storage.models import Change, Cursor, Event


def due(state: str, cycle: int, day: date) -> EventItem:
    return EventItem(
        key=f"ohchr/CMW/report-due/{state}/{cycle}", body="CMW", kind=Kind.REPORT_DUE,
        title=f"{state}: report {cycle} due to the CMW", start=day, end=day,
        states=(StateLink(state, Role.DUE_BY),), source_name="ohchr_master_calendar",
        source_url="https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx?Lang=en",
    )


CALENDAR = [due("MEX", 5, date(2026, 9, 1)), due("GTM", 3, date(2025, 9, 15)), due("SLV", 4, date(2026, 3, 1))]


def crawl(storage: Storage, items) -> None:
    report = storage.record_crawl(spider="ohchr_master_calendar", items=items, stats={}, min_items=1,
                                  today=TODAY, started_at=utcnow())
    assert str(report.health) == "ok"


def cursor(storage: Storage, name: str) -> int:
    with storage.session() as session:
        return session.scalar(select(Cursor.change_id).where(Cursor.name == name)) or 0


def last_change(storage: Storage) -> int:
    with storage.session() as session:
        return session.scalar(select(func.max(Change.id))) or 0


class Killed(Exception):
    """The process dying at that point (an exception, not a signal: the test process goes on)."""


def feed_dates(path: Path) -> dict[str, date]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]): e.start for e in calendar.walk("VEVENT")}


# -- another writer holds the database -----------------------------------------------------------

class LockHolder:
    """A second connection that takes the write lock, holds it ``seconds``, then lets go."""

    def __init__(self, url: str, seconds: float):
        self.url, self.seconds = url, seconds
        self.taken = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)
        self.error: BaseException | None = None

    def _hold(self) -> None:
        try:
            if self.url.startswith("sqlite"):
                connection = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
                connection.execute("BEGIN IMMEDIATE")  # the write lock: other writers must wait
                self.taken.set()
                time.sleep(self.seconds)
                connection.execute("COMMIT")
                connection.close()
            else:
                engine = create_engine(self.url)
                with engine.connect() as connection, connection.begin():
                    connection.execute(text("LOCK TABLE event IN EXCLUSIVE MODE"))  # readers pass, writers wait
                    self.taken.set()
                    time.sleep(self.seconds)
                engine.dispose()
        except BaseException as exc:  # noqa: BLE001 - reported by the test, not swallowed
            self.error = exc
            self.taken.set()

    def __enter__(self) -> LockHolder:
        self.thread.start()
        assert self.taken.wait(10) and self.error is None, self.error
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(30)
        assert self.error is None, self.error


def test_second_writer_waits_for_the_lock_then_stores(storage, settings):
    crawl(storage, CALENDAR[:1])
    with LockHolder(settings.resolved_database_url, seconds=1.5):
        started = time.monotonic()
        crawl(storage, CALENDAR)
        waited = time.monotonic() - started
    assert waited >= 1.2, "the write cannot have happened while the other writer held the lock"
    with storage.session() as session:
        assert session.scalar(select(func.count(Event.id))) == 3


def test_writer_held_off_past_the_busy_timeout_gets_a_clear_error(storage, settings):
    """The product waits 30 s (PRAGMA busy_timeout); a test connection waits 0.3 s to see the end."""
    if storage.dialect != "sqlite":
        pytest.skip("PostgreSQL waits for a lock without a timeout unless lock_timeout is set")

    def impatient(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=300")

    crawl(storage, CALENDAR[:1])
    storage.dispose()  # new connections from now on get the short timeout
    event.listen(storage.engine, "connect", impatient)
    with LockHolder(settings.resolved_database_url, seconds=3), pytest.raises(StorageError) as caught:
        crawl(storage, CALENDAR)
    message = str(caught.value)
    assert "locked" in message and "\n" not in message
    with storage.session() as session:  # nothing half-written
        assert session.scalar(select(func.count(Event.id))) == 1


def test_readers_do_not_wait_for_a_writer(storage, settings):
    """SQLite in write-ahead-log mode: `serve`, `status` and the sender read while a crawl's
    transaction holds the database, even the exclusive lock a big transaction takes when
    it spills to disk (which, with a rollback journal, keeps every reader out)."""
    if storage.dialect != "sqlite":
        pytest.skip("PostgreSQL readers never wait for writers")
    crawl(storage, CALENDAR)
    with storage.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    path = settings.resolved_database_url.removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        writer.execute("DELETE FROM event_source")
        started = time.monotonic()
        with storage.session() as session:
            assert session.scalar(select(func.count(Event.id))) == 3
        assert time.monotonic() - started < 5  # the busy timeout is 30 s
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_crawl_whose_run_cannot_be_stored_says_so_in_one_line(storage, settings, monkeypatch):
    """Through the Scrapy pipeline: the run is not stored, the crawl ends with a StorageError
    (one line for the CLI) naming what was and was not stored, not a traceback."""
    if storage.dialect != "sqlite":
        pytest.skip("PostgreSQL waits for a lock without a timeout unless lock_timeout is set")
    from scrapy.utils.test import get_crawler

    from ventanas.crawl import collect_reports
    from ventanas.spiders.ohchr_master_calendar import OhchrMasterCalendarSpider
    from ventanas.spiders.pipelines import StoragePipeline

    monkeypatch.setattr("ventanas.storage.BUSY_TIMEOUT_S", 0.3)
    crawl(storage, CALENDAR[:1])
    crawler = get_crawler(OhchrMasterCalendarSpider, {"VENTANAS": settings})
    pipeline = StoragePipeline.from_crawler(crawler)
    for item in CALENDAR:
        pipeline.process_item(item)
    spider = OhchrMasterCalendarSpider(ventanas_settings=settings)
    with LockHolder(settings.resolved_database_url, seconds=3):
        pipeline.spider_closed(spider, "finished")  # no exception escapes into Scrapy
    with pytest.raises(StorageError) as caught:
        collect_reports([spider.name], [crawler.stats])
    message = str(caught.value)
    assert "locked" in message and "\n" not in message
    with storage.session() as session:  # nothing half-written
        assert session.scalar(select(func.count(Event.id))) == 1


# -- the disk fills while publishing -------------------------------------------------------------

class FullDisk:
    """``os`` as ventanas/calendar/files.py sees it, except that writing a file whose name
    contains ``fail_on`` raises ENOSPC: the temp file is created, its bytes are not."""

    def __init__(self, fail_on: str):
        self.fail_on = fail_on
        self.refused: list[str] = []

    def __getattr__(self, name: str):
        return getattr(os, name)

    def fdopen(self, fd: int, mode: str = "r", *args, **kwargs):
        handle = os.fdopen(fd, mode, *args, **kwargs)
        name = os.readlink(f"/proc/self/fd/{fd}")
        if self.fail_on not in name:
            return handle
        disk = self

        class Refusing:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()
                return False

            def write(self, data):
                disk.refused.append(name)
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            def __getattr__(self, attr):
                return getattr(handle, attr)

        return Refusing()


def test_disk_full_while_publishing_keeps_the_old_feed_whole_and_the_next_publish_catches_up(
        storage, settings, monkeypatch):
    crawl(storage, CALENDAR)
    publish(storage, settings)
    public = Path(settings.public_dir)
    feed = public / "feeds/states/MEX.ics"
    old = feed.read_bytes()
    published_up_to = cursor(storage, publisher.CURSOR)

    crawl(storage, [dataclasses.replace(CALENDAR[0], start=date(2026, 9, 8), end=date(2026, 9, 8)), *CALENDAR[1:]])
    full_disk = FullDisk(fail_on="MEX.ics")
    monkeypatch.setattr(calendar_files, "os", full_disk)
    with pytest.raises(OSError) as caught:
        publish(storage, settings)
    assert caught.value.errno == errno.ENOSPC and full_disk.refused
    assert feed.read_bytes() == old, "the old feed stays whole"
    assert not list(public.rglob("*.tmp")), "no half-written temp file is left behind"
    assert cursor(storage, publisher.CURSOR) == published_up_to, "the change is not marked published"

    monkeypatch.setattr(calendar_files, "os", os)  # space again
    report = publish(storage, settings)
    assert "feeds/states/MEX.ics" in report.written
    assert feed_dates(feed)["ohchr/CMW/report-due/MEX/5@ventanas"] == date(2026, 9, 8)
    assert cursor(storage, publisher.CURSOR) == last_change(storage)


def test_disk_full_is_one_line_from_the_cli(storage, settings, monkeypatch, capsys):
    import run

    crawl(storage, CALENDAR)
    for name, value in {"VENTANAS_DATABASE_URL": settings.resolved_database_url,
                        "VENTANAS_VAR_DIR": str(settings.var_dir), "VENTANAS_PUBLIC_DIR": str(settings.public_dir),
                        "VENTANAS_TODAY": TODAY.isoformat()}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(calendar_files, "os", FullDisk(fail_on=".ics"))
    opened = []  # the CLI leaves closing to its process's exit; this test process must close it
    monkeypatch.setattr(run, "open_storage", lambda s: opened.append(Storage.open(s.resolved_database_url))
                        or opened[-1])
    try:
        code = run.main(["publish"])
    finally:
        for store in opened:
            store.dispose()
    err = capsys.readouterr().err
    assert code == 3
    assert "No space left on device" in err and err.count("\n") == 1 and "Traceback" not in err


# -- a crash between storing and publishing or notifying ----------------------------------------

def test_crash_between_upsert_and_publish_is_caught_up_from_the_cursor(storage, settings, monkeypatch):
    crawl(storage, CALENDAR)
    publish(storage, settings)
    public = Path(settings.public_dir)
    moved = [dataclasses.replace(CALENDAR[0], start=date(2026, 9, 8), end=date(2026, 9, 8)),
             *CALENDAR[1:], due("MEX", 6, date(2030, 9, 1))]
    crawl(storage, moved)  # stored, then the process dies before publishing: nothing else to do here

    # ...and the next publish dies too, after writing a few files
    real_write, written = publisher.write_if_changed, []

    def dies_after_three(path: Path, data: bytes, **kwargs) -> bool:
        if len(written) == 3:
            raise Killed("mid-publish")
        changed = real_write(path, data, **kwargs)
        written.append(path) if changed else None
        return changed

    monkeypatch.setattr(publisher, "write_if_changed", dies_after_three)
    with pytest.raises(Killed):
        publish(storage, settings)
    assert len(written) == 3
    monkeypatch.setattr(publisher, "write_if_changed", real_write)

    report = publish(storage, settings)
    assert cursor(storage, publisher.CURSOR) == last_change(storage)
    dates = feed_dates(public / "feeds/states/MEX.ics")
    assert dates["ohchr/CMW/report-due/MEX/5@ventanas"] == date(2026, 9, 8)
    assert "ohchr/CMW/report-due/MEX/6@ventanas" in dates
    assert "ohchr/CMW/report-due/MEX/6@ventanas" in feed_dates(public / "feeds/all.ics")
    assert report.changes == 2
    assert publish(storage, settings).written == []  # caught up: the next run writes nothing


def test_crash_before_the_notifier_commits_sends_each_alert_exactly_once(storage, settings, monkeypatch):
    with storage.transaction() as session:
        subs.add_confirmed(session, "ana@example.org", subs.preferences(states=["MEX"], language="es"),
                           now=utcnow() - timedelta(hours=1), change_id=subscriber_store.latest_change_id(session))
    crawl(storage, CALENDAR)

    def crash(*args, **kwargs):
        raise Killed("after the alerts were decided, before the commit")

    # the module, not the function the package exports under the same name
    monkeypatch.setattr(importlib.import_module("ventanas.notifier.notify"), "enqueue_reminders", crash)
    with pytest.raises(Killed):
        notify(storage, settings, digests=False)
    with storage.session() as session:
        assert box.messages(session) == []  # rolled back with the cursor: nothing half-decided
    monkeypatch.undo()

    notify(storage, settings, digests=False)
    notify(storage, settings, digests=False)  # a second run finds nothing new
    with storage.session() as session:
        alerts = box.messages(session, reason="alert")
        assert len(alerts) == 1 and alerts[0].recipient == "ana@example.org"
