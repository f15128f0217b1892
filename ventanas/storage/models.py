"""SQLAlchemy 2 models: the schema of DESIGN §4.

Migrations in ``storage/migrations/`` create and change this schema; a change
here needs a new migration (``alembic revision --autogenerate``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps no zone: we store UTC and say so on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use ventanas.clock.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime()}


class State(Base):
    __tablename__ = "state"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    alpha2: Mapped[str] = mapped_column(String(2))
    name_en: Mapped[str] = mapped_column(String(200))
    name_es: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))


class Body(Base):
    __tablename__ = "body"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    binding: Mapped[bool] = mapped_column(Boolean)
    name_en: Mapped[str] = mapped_column(String(200))
    name_es: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    open_to_all: Mapped[bool] = mapped_column(Boolean, default=False)


class BodyMember(Base):
    __tablename__ = "body_member"

    body_code: Mapped[str] = mapped_column(ForeignKey("body.code"), primary_key=True)
    state_code: Mapped[str] = mapped_column(ForeignKey("state.code"), primary_key=True)


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    body_code: Mapped[str] = mapped_column(ForeignKey("body.code"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    # start/end as the source gave them (ISO date or aware datetime), plus the
    # local calendar days for ordering and range queries.
    start: Mapped[str] = mapped_column(String(40))
    end: Mapped[str | None] = mapped_column(String(40))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    all_day: Mapped[bool] = mapped_column(Boolean)
    timezone: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str | None] = mapped_column(String(100))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    session: Mapped[str | None] = mapped_column(String(40))
    source_url: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer, default=50)
    description: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime]
    last_changed: Mapped[datetime]
    # Set when the event's sources stopped listing it (two healthy runs in a row).
    vanished_at: Mapped[datetime | None]

    states: Mapped[list[EventState]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin", order_by="EventState.state_code"
    )
    sources: Mapped[list[EventSource]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin",
        order_by="[EventSource.source_name, EventSource.source_url]"
    )


class EventState(Base):
    __tablename__ = "event_state"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    state_code: Mapped[str] = mapped_column(ForeignKey("state.code"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    event: Mapped[Event] = relationship(back_populates="states")

    __table_args__ = (Index("ix_event_state_state", "state_code"),)


class EventSource(Base):
    """Every source and URL that lists an event, so that the same meeting from a page,
    two news posts and a feed is one event with all its URLs (one row per URL)."""

    __tablename__ = "event_source"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    source_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_url: Mapped[str] = mapped_column(Text, primary_key=True)
    # Healthy runs of this source in a row that did not list the event (the same on
    # every row of one source: a source lists an event or not, whichever URL says it).
    missed_runs: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="sources")


class Change(Base):
    """Append-only history: every consumer (publisher, notifier) reads it by id."""

    __tablename__ = "change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    event_key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    diff: Mapped[dict[str, Any]] = mapped_column(default=dict)  # field → [old, new]
    sequence: Mapped[int] = mapped_column(Integer)
    source_name: Mapped[str] = mapped_column(String(64))
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_run.id"))
    detected_at: Mapped[datetime]


class CrawlRun(Base):
    __tablename__ = "crawl_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spider: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    requests: Mapped[int] = mapped_column(Integer, default=0)
    wire_bytes: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    dropped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    vanished: Mapped[int] = mapped_column(Integer, default=0)
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    health: Mapped[str | None] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Cursor(Base):
    """The last change id a consumer has processed."""

    __tablename__ = "cursor"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    change_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]




class Subscriber(Base):
    """Someone who gets mail about some States (DESIGN §9).

    Preferences are short lists (a few States, bodies, kinds), read whole with
    the row, so they are JSON columns rather than link tables. ``pending`` holds
    the preferences a web form asked for until the address confirms them, so a
    stranger cannot change a confirmed subscriber's choices.
    """

    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    language: Mapped[str] = mapped_column(String(2), default="en")
    states: Mapped[list[str]] = mapped_column(JSON, default=list)
    bodies: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every body
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every kind
    lead_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: [30, 7, 1])
    digest: Mapped[str] = mapped_column(String(8), default="weekly")  # weekly | daily | off
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    confirm_expires_at: Mapped[datetime | None]
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    # The last change id the previous digest covered: "what changed since the last digest".
    digest_change_id: Mapped[int] = mapped_column(Integer, default=0)
    digest_period: Mapped[str | None] = mapped_column(String(16))
    # The IANA zone mail gives local times in; None: the zone of the first State followed.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The name of the personal feed (personal/<token>.ics), from confirmation on; kept after an
    # unsubscription so that the feed answers 410 Gone, replaced when the address subscribes again.
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class Outbox(Base):
    """One row per message, written in the transaction that decided to send it.

    ``dedupe_key`` (recipient, reason, event, sequence or period) is unique, so
    deciding twice enqueues once. ``lease_until`` lets a sender that died while
    holding a row lose it: after the lease the row is claimed again.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscriber.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2), default="en")
    dedupe_key: Mapped[str] = mapped_column(String(800), unique=True)
    event_key: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # Each message carries its own random unsubscribe token; only its hash is kept.
    unsubscribe_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
