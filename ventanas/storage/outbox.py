"""The outbox's SQL: enqueue once per dedupe key, claim with a lease, record the outcome.

The notifier decides what to send and renders it; these functions only store.
A claimed row is ``sending`` until its lease ends: a sender that dies while
holding it loses it, and the next sender claims it again, so a crash loses
nothing and repeats at most the message that was in flight.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ventanas.storage.models import Outbox

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
STATUSES = (PENDING, SENDING, SENT, FAILED, CANCELLED)


@dataclass(frozen=True)
class NewMessage:
    recipient: str
    reason: str
    dedupe_key: str
    subject: str
    text_body: str
    message_id: str
    html_body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    subscriber_id: int | None = None
    event_key: str | None = None
    unsubscribe_token_hash: str | None = None


def is_enqueued(session: Session, dedupe_key: str) -> bool:
    """Whether a message with this key exists: checked before rendering, which costs more than the query."""
    return session.scalar(select(Outbox.id).where(Outbox.dedupe_key == dedupe_key)) is not None


def enqueued_keys(session: Session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        found.update(session.scalars(select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_(keys[i : i + 500]))))
    return found


def enqueue(session: Session, message: NewMessage, *, now: datetime) -> bool:
    """Insert the message unless its dedupe key is taken; True if this call inserted it.

    ON CONFLICT DO NOTHING rather than a check-then-insert: two notifiers deciding
    the same message at once must not abort each other's transaction.
    """
    values: dict[str, Any] = {
        **asdict(message), "status": PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = (
        insert(Outbox).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Outbox.id)
    )
    # RETURNING, not rowcount: with an implicit RETURNING, PostgreSQL's driver reports rowcount -1
    return session.execute(statement).first() is not None


def _claimable(now: datetime, reasons: tuple[str, ...] | None = None):
    due = or_(
        and_(Outbox.status == PENDING, Outbox.next_attempt_at <= now),
        and_(Outbox.status == SENDING, Outbox.lease_until < now),  # its sender died or hung
    )
    return due if reasons is None else and_(due, Outbox.reason.in_(reasons))


def any_due(session: Session, now: datetime, reasons: tuple[str, ...] | None = None) -> bool:
    return session.scalar(select(Outbox.id).where(_claimable(now, reasons)).limit(1)) is not None


def claim_batch(session: Session, *, now: datetime, lease: timedelta, limit: int,
                reasons: tuple[str, ...] | None = None) -> list[Outbox]:
    """Claim up to ``limit`` of the oldest due messages for ``lease``, oldest first (only those
    sent for ``reasons`` when given: `serve` sends its own confirmations, nothing else).

    On PostgreSQL the candidate rows are locked with FOR UPDATE SKIP LOCKED, so
    concurrent senders never wait for, nor take, each other's rows. SQLite has
    one writer at a time; there the conditional UPDATE below is what keeps two
    senders from claiming one row (the second sees rowcount 0 and moves on).
    The caller commits right after, before it talks to the SMTP server.
    """
    query = select(Outbox.id).where(_claimable(now, reasons)).order_by(Outbox.next_attempt_at, Outbox.id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.limit(limit).with_for_update(skip_locked=True)
    else:
        query = query.limit(limit * 2)  # spares, should another sender take some meanwhile
    claimed: list[int] = []
    for row_id in session.scalars(query).all():
        if len(claimed) == limit:
            break
        taken = session.execute(
            update(Outbox)
            .where(Outbox.id == row_id, _claimable(now))
            .values(status=SENDING, claimed_at=now, lease_until=now + lease, attempts=Outbox.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken:
            claimed.append(row_id)
    if not claimed:
        return []
    rows = session.scalars(
        select(Outbox).where(Outbox.id.in_(claimed)).execution_options(populate_existing=True)
    ).all()
    return sorted(rows, key=lambda r: claimed.index(r.id))


def claim_next(session: Session, *, now: datetime, lease: timedelta) -> Outbox | None:
    rows = claim_batch(session, now=now, lease=lease, limit=1)
    return rows[0] if rows else None


def release(session: Session, row_ids: list[int]) -> None:
    """Give back claimed messages that were never tried (the batch ended early): due again at once."""
    if row_ids:
        session.execute(
            update(Outbox).where(Outbox.id.in_(row_ids), Outbox.status == SENDING)
            .values(status=PENDING, lease_until=None, attempts=Outbox.attempts - 1)
            .execution_options(synchronize_session=False)
        )


def mark_sent(session: Session, row_id: int, *, now: datetime) -> None:
    session.execute(
        update(Outbox).where(Outbox.id == row_id)
        .values(status=SENT, sent_at=now, lease_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_retry(session: Session, row_id: int, *, error: str, at: datetime) -> None:
    session.execute(
        update(Outbox).where(Outbox.id == row_id, Outbox.status == SENDING)
        .values(status=PENDING, next_attempt_at=at, lease_until=None, last_error=error[:2000])
        .execution_options(synchronize_session=False)
    )


def mark_failed(session: Session, row_id: int, *, error: str) -> None:
    session.execute(
        update(Outbox).where(Outbox.id == row_id)
        .values(status=FAILED, lease_until=None, last_error=error[:2000])
        .execution_options(synchronize_session=False)
    )


def cancel_for_recipient(session: Session, recipient: str, *, reason: str) -> int:
    """Drop the messages not yet handed to a sender (an address that unsubscribed)."""
    return session.execute(
        update(Outbox).where(Outbox.recipient == recipient, Outbox.status == PENDING)
        .values(status=CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    ).rowcount


def recipient_of_token(session: Session, token_hash: str) -> tuple[str, int | None] | None:
    row = session.execute(
        select(Outbox.recipient, Outbox.subscriber_id).where(Outbox.unsubscribe_token_hash == token_hash)
    ).first()
    return (row[0], row[1]) if row else None


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Outbox.status, func.count(Outbox.id)).group_by(Outbox.status)).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def failed_messages(session: Session, limit: int = 10) -> list[Outbox]:
    return list(session.scalars(
        select(Outbox).where(Outbox.status == FAILED).order_by(Outbox.id.desc()).limit(limit)
    ))


def oldest_pending(session: Session) -> datetime | None:
    return session.scalar(select(func.min(Outbox.created_at)).where(Outbox.status.in_([PENDING, SENDING])))


def messages(session: Session, *, recipient: str | None = None, reason: str | None = None) -> list[Outbox]:
    query = select(Outbox).order_by(Outbox.id)
    if recipient is not None:
        query = query.where(Outbox.recipient == recipient)
    if reason is not None:
        query = query.where(Outbox.reason == reason)
    return list(session.scalars(query))
