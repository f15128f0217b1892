"""The subscriber table's SQL. Deciding who gets what is the notifier's job; this only stores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ventanas.storage.models import Change, Subscriber


def find(session: Session, email: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.email == email))


def by_confirm_token(session: Session, token_hash: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.confirm_token_hash == token_hash))


def by_feed_token(session: Session, token: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.feed_token == token))


def create(session: Session, *, email: str, now: datetime, **fields: Any) -> Subscriber:
    subscriber = Subscriber(email=email, created_at=now, **fields)
    session.add(subscriber)
    session.flush()
    return subscriber


def claim(session: Session, *, email: str, now: datetime, **fields: Any) -> tuple[Subscriber, bool]:
    """The address's row, created with ``fields`` if there is none, and held until the transaction
    ends, so two requests for one address (a form submitted twice at once) run one after the
    other: (row, created).

    The INSERT … ON CONFLICT DO NOTHING comes first, before anything is read. On SQLite that
    statement takes the write lock (waiting for it, as any writer does), so what is read next is
    what the other request committed. On PostgreSQL an insert of the same address in flight makes
    it wait for that transaction, then do nothing; SELECT … FOR UPDATE then locks the row and
    reads its latest version. Check-then-insert let both requests insert, and the second failed
    on the unique address."""
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[session.get_bind().dialect.name]
    created = session.execute(
        insert(Subscriber).values(email=email, created_at=now, **fields)
        .on_conflict_do_nothing(index_elements=["email"]).returning(Subscriber.id)
    ).first() is not None
    query = select(Subscriber).where(Subscriber.email == email)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one(), created


def everyone(session: Session) -> list[Subscriber]:
    return list(session.scalars(select(Subscriber).order_by(Subscriber.email)))


def active(session: Session) -> list[Subscriber]:
    """Confirmed and not unsubscribed: the only addresses that get list mail."""
    query = (
        select(Subscriber)
        .where(Subscriber.confirmed.is_(True), Subscriber.unsubscribed_at.is_(None))
        .order_by(Subscriber.id)
    )
    return list(session.scalars(query))


def delete(session: Session, subscriber: Subscriber) -> None:
    session.delete(subscriber)
    session.flush()


def lock_for_digest(session: Session, subscriber_id: int) -> Subscriber | None:
    """The row, re-read under a row lock on PostgreSQL: two digest runs at once write one digest."""
    query = select(Subscriber).where(Subscriber.id == subscriber_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).first()


def latest_change_id(session: Session) -> int:
    """Where a new subscription, or a digest just written, starts reading changes."""
    return session.scalar(select(func.max(Change.id))) or 0


def changes_after(session: Session, change_id: int) -> list[Change]:
    return list(session.scalars(select(Change).where(Change.id > change_id).order_by(Change.id)))
