"""Storage: the only place with SQL. SQLite by default, PostgreSQL by URL.

:meth:`Storage.open` creates the database if needed, applies the Alembic
migrations and the reference data (States, Bodies), so a first run needs no
setup step. Errors a user can cause (a corrupt file, an unreachable server, a
failed migration) become :class:`StorageError` with a one-line message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ventanas.clock import utcnow
from ventanas.domain import EventItem, Health
from ventanas.health import Verdict, assess
from ventanas.storage.models import Change, CrawlRun, Cursor, Event
from ventanas.storage.sessions import place_unnumbered
from ventanas.storage.upsert import UpsertResult, upsert

MIGRATIONS = Path(__file__).with_name("migrations")


BUSY_TIMEOUT_S = 30  # SQLite: how long a writer waits for another one before giving up


class StorageError(RuntimeError):
    """The database cannot be used; the message says why in one line."""


class DatabaseBusy(StorageError):
    """Another writer held a lock past the time this transaction would wait; nothing was written.
    Worth trying again later (``serve`` answers 503 with Retry-After)."""


# SQLSTATEs of PostgreSQL errors that mean "another transaction is in the way; try again":
# lock_not_available (lock_timeout), serialization_failure, deadlock_detected, query_canceled.
_BUSY_SQLSTATES = {"55P03", "40001", "40P01", "57014"}


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means another writer held what this one needed."""
    orig = getattr(exc, "orig", None)
    if orig is None:
        return False
    if getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    message = str(orig)
    return "database is locked" in message or "database table is locked" in message


@dataclass(frozen=True)
class CrawlReport:
    run_id: int
    spider: str
    health: Health
    reason: str
    items: int
    requests: int
    wire_bytes: int
    errors: int
    inserted: int
    updated: int
    unchanged: int
    vanished: int
    held_back: int = 0  # items of announcements that matched no stored session (storage.sessions)
    held_back_notes: tuple[str, ...] = ()

    @property
    def merged(self) -> int:
        """Items that repeated another item's key in this run (two announcements of one
        meeting): stored as one event, so inserted + updated + unchanged + merged + held back = items."""
        stored = self.inserted + self.updated + self.unchanged
        return self.items - stored - self.held_back if stored else 0

    def counts_line(self) -> str:
        line = f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged"
        line += f", {self.merged} merged into another item's event" if self.merged else ""
        return line + (f", {self.held_back} held back (no stored session matches their dates)"
                       if self.held_back else "")

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "health": str(self.health), "merged": self.merged}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_milliseconds(BUSY_TIMEOUT_S)}")  # wait for another writer instead of failing at once
    # Write-ahead log: `serve` (subscribe, confirm, unsubscribe), `status` and the sender read
    # while a crawl's long transaction writes, instead of waiting for it. Kept in the file, so
    # every later connection uses it too; an in-memory database stays as it is.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


_SHORT_WAIT = "ventanas_short_wait"  # a connection's info key: its busy timeout was shortened


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _sqlite_wait_restored(dbapi_connection: Any, record: Any) -> None:
    """A connection back in the pool waits as long as any other again (see Storage.transaction)."""
    if dbapi_connection is not None and record.info.pop(_SHORT_WAIT, False):
        dbapi_connection.execute(f"PRAGMA busy_timeout={_milliseconds(BUSY_TIMEOUT_S)}")


class Storage:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Storage:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise StorageError(f"VENTANAS_DATABASE_URL: {url!r} is not a database URL") from exc
        kwargs: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
        else:
            kwargs["pool_pre_ping"] = True
        engine = create_engine(parsed, **kwargs)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "checkin", _sqlite_wait_restored)
        storage = cls(engine)
        if migrate:
            storage.migrate()
        return storage

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def describe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Bring the schema to the newest migration, then the reference data."""
        from alembic import command
        from alembic.config import Config

        from ventanas.storage.reference import seed_reference

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            with self.session() as session, session.begin():
                seed_reference(session)
        except (DBAPIError, OperationalError) as exc:
            raise StorageError(f"cannot use the database {self.describe_url()}: {_first_line(exc)}") from exc
        except SQLAlchemyError as exc:
            raise StorageError(f"migration failed on {self.describe_url()}: {_first_line(exc)}") from exc

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self, *, busy_timeout: float | None = None) -> Iterator[Session]:
        """A session in a transaction, committed at the end (rolled back on an exception).

        ``busy_timeout``: wait at most that many seconds for a lock another writer holds
        (SQLite's busy timeout, PostgreSQL's lock_timeout) instead of the default (30 s on
        SQLite, as long as it takes on PostgreSQL); `serve` waits seconds, not a crawl's
        length. Past it, :class:`DatabaseBusy`, and nothing was written.
        """
        try:
            with self.session() as session, session.begin():
                if busy_timeout is not None:
                    self._wait_at_most(session, busy_timeout)
                yield session
        except OperationalError as exc:
            # Another writer held the database past the busy timeout: a user's matter
            # (two jobs at once), so one line, not a traceback. The transaction is rolled back.
            if is_busy(exc):
                raise DatabaseBusy(f"the database {self.describe_url()} is locked by another writer "
                                   f"({self._waited(exc, busy_timeout)}); nothing was written") from exc
            raise

    @contextmanager
    def reading(self, *, busy_timeout: float | None = None) -> Iterator[Session]:
        """A session for reads only, waiting at most ``busy_timeout`` for a lock (readers wait
        for no writer on SQLite in write-ahead-log mode, nor on PostgreSQL, short of a schema
        change); past it, :class:`DatabaseBusy`. Nothing is committed."""
        try:
            with self.session() as session:  # closing it rolls back: a read commits nothing
                if busy_timeout is not None:
                    self._wait_at_most(session, busy_timeout)
                yield session
        except OperationalError as exc:
            if is_busy(exc):
                raise DatabaseBusy(f"the database {self.describe_url()} is locked "
                                   f"({self._waited(exc, busy_timeout)})") from exc
            raise

    def _waited(self, exc: OperationalError, busy_timeout: float | None) -> str:
        if busy_timeout is not None:
            return f"waited {busy_timeout:g} s"
        if self.dialect == "sqlite":
            return f"waited {BUSY_TIMEOUT_S:g} s"
        return _first_line(exc)  # PostgreSQL: a deadlock or a serialization failure, said in its words

    def _wait_at_most(self, session: Session, seconds: float) -> None:
        """Before the transaction's first statement: how long its statements wait for a lock.
        SQLite's setting belongs to the connection (put back when it returns to the pool;
        a PRAGMA opens no transaction, so a first INSERT still takes the write lock before
        anything is read); PostgreSQL's SET LOCAL ends with the transaction."""
        connection = session.connection()
        if self.dialect == "sqlite":
            connection.exec_driver_sql(f"PRAGMA busy_timeout={_milliseconds(seconds)}")
            connection.connection.info[_SHORT_WAIT] = True
        elif self.dialect == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {_milliseconds(seconds)}")

    def dispose(self) -> None:
        self.engine.dispose()

    # -- crawl runs ------------------------------------------------------

    def record_crawl(
        self,
        *,
        spider: str,
        items: Iterable[EventItem],
        stats: dict[str, Any],
        min_items: int,
        today: date,
        started_at: Any,
    ) -> CrawlReport:
        """Judge a finished crawl, store its items if it is trusted, and keep its record.

        One transaction: the run row, the events and their Change rows land
        together or not at all.
        """
        items = list(items)
        now = utcnow()
        with self.transaction() as session:
            previous = session.scalar(
                select(CrawlRun.items)
                .where(CrawlRun.spider == spider, CrawlRun.health == str(Health.OK))
                .order_by(CrawlRun.id.desc())
                .limit(1)
            )
            verdict: Verdict = assess(
                items=len(items),
                errors=int(stats.get("errors", 0)),
                finish_reason=str(stats.get("finish_reason", "finished")),
                min_items=min_items,
                previous_items=previous,
            )
            run = CrawlRun(
                spider=spider, started_at=started_at, finished_at=now, items=len(items),
                requests=int(stats.get("requests", 0)), wire_bytes=int(stats.get("wire_bytes", 0)),
                errors=int(stats.get("errors", 0)), dropped=int(stats.get("dropped", 0)),
                finish_reason=str(stats.get("finish_reason", "finished")), health=str(verdict.health),
                message=verdict.reason, stats={k: v for k, v in stats.items() if isinstance(v, (int, float, str))},
            )
            session.add(run)
            session.flush()
            outcome = UpsertResult()
            placed = place_unnumbered(session, items)
            if verdict.health is not Health.FAILED:
                outcome = upsert(
                    session, placed.items, source_name=spider, now=now, today=today, run_id=run.id,
                    mark_vanished=verdict.health is Health.OK,
                )
            run.inserted, run.updated, run.unchanged = outcome.inserted, outcome.updated, outcome.unchanged
            run.vanished = len(outcome.vanished)
        return CrawlReport(
            run_id=run.id, spider=spider, health=verdict.health, reason=verdict.reason, items=run.items,
            requests=run.requests, wire_bytes=run.wire_bytes, errors=run.errors, inserted=run.inserted,
            updated=run.updated, unchanged=run.unchanged, vanished=run.vanished,
            held_back=len(items) - len(placed.items), held_back_notes=tuple(placed.held_back),
        )

    def recent_runs(self, session: Session, spider: str, limit: int = 20) -> list[CrawlRun]:
        """The spider's newest runs first."""
        return list(session.scalars(
            select(CrawlRun).where(CrawlRun.spider == spider).order_by(CrawlRun.id.desc()).limit(limit)
        ))

    def spiders_with_runs(self, session: Session) -> list[str]:
        return sorted(session.scalars(select(CrawlRun.spider).distinct()))

    def stored_job_times(self) -> dict[str, float | None]:
        """Next run times (Unix seconds) the scheduler keeps in its job store, if it ever ran."""
        from sqlalchemy import inspect, text

        if not inspect(self.engine).has_table("apscheduler_jobs"):
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(text("SELECT id, next_run_time FROM apscheduler_jobs"))
            return {job_id: next_run for job_id, next_run in rows}

    # -- cursors -----------------------------------------------------------

    def cursor(self, session: Session, name: str) -> int:
        return session.scalar(select(Cursor.change_id).where(Cursor.name == name)) or 0

    def advance_cursor(self, session: Session, name: str, change_id: int) -> None:
        row = session.get(Cursor, name)
        if row is None:
            session.add(Cursor(name=name, change_id=change_id, updated_at=utcnow()))
        elif row.change_id != change_id:
            row.change_id = change_id
            row.updated_at = utcnow()

    def changes_since(self, session: Session, change_id: int) -> list[Change]:
        return list(session.scalars(select(Change).where(Change.id > change_id).order_by(Change.id)))

    def counts(self) -> dict[str, int]:
        with self.session() as session:
            return {
                "events": session.scalar(select(func.count(Event.id))) or 0,
                "changes": session.scalar(select(func.count(Change.id))) or 0,
                "crawl_runs": session.scalar(select(func.count(CrawlRun.id))) or 0,
            }


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
