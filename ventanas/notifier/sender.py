"""`send`: drain the outbox through aiosmtplib, or into .eml files when no SMTP URL is set.

Messages are claimed in small chunks (with a lease), committed before the
server is asked, and each is marked sent only after the server accepted it.
So a sender killed at any moment loses nothing: the rows it never claimed
are still pending, the ones it claimed come back when their lease ends, and
only the one in flight can ever be sent twice.

Server answers: 2xx → sent; 4xx → retried with exponential backoff; 5xx →
failed (shown by `status`). A server that cannot be reached leaves every
message waiting for the next run.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

from ventanas.calendar.files import write_if_changed
from ventanas.clock import utcnow
from ventanas.config import Settings
from ventanas.notifier.mail import build_message, sender_address, to_bytes
from ventanas.storage import Storage
from ventanas.storage import outbox as box
from ventanas.storage.models import Outbox

BATCH_SIZE = 100  # messages per SMTP connection; many servers cap a session near this
SEND_TIMEOUT = 30.0  # seconds for one message, MAIL FROM to the end of DATA
LEASE = timedelta(minutes=5)  # a claimed row returns to the queue after this if its sender vanished
# Rows claimed per transaction. A killed sender's unsent claimed rows wait for their lease (nothing is
# lost); only the one in flight can be sent twice.
CLAIM_CHUNK = 20
MAX_ATTEMPTS = 10
BACKOFF_FIRST, BACKOFF_MAX = 60, 3600  # seconds: 1, 2, 4 … minutes, at most an hour


class SmtpUnavailable(RuntimeError):
    """The server cannot be reached or refuses the session (TLS, login): every message waits."""


@dataclass(frozen=True)
class SmtpTarget:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool  # smtps://: TLS from the first byte
    start_tls: bool  # smtp+starttls://: STARTTLS required, never falls back to plain text


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    defaults = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
    if scheme not in defaults or not parts.hostname:
        raise ValueError(f"VENTANAS_SMTP_URL: {scheme}://… is not smtp://, smtps:// or smtp+starttls://host")
    return SmtpTarget(
        hostname=parts.hostname, port=parts.port or defaults[scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=scheme == "smtps", start_tls=scheme == "smtp+starttls",
    )


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    connections: int = 0
    files: list[str] = field(default_factory=list)
    unavailable: str | None = None  # why the server could not be used; the messages wait

    def as_dict(self) -> dict:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed,
                "connections": self.connections, "files": len(self.files), "unavailable": self.unavailable}


class SmtpDelivery:
    """One aiosmtplib connection, opened per batch and reused for every message in it."""

    def __init__(self, target: SmtpTarget, *, timeout: float, tls_context: ssl.SSLContext | None = None):
        self.target, self.timeout, self.tls_context = target, timeout, tls_context
        self.client: aiosmtplib.SMTP | None = None

    async def open(self) -> None:
        t = self.target
        self.client = aiosmtplib.SMTP(
            hostname=t.hostname, port=t.port, username=t.username, password=t.password,
            use_tls=t.use_tls, start_tls=t.start_tls if t.start_tls else (None if t.use_tls else False),
            timeout=self.timeout, tls_context=self.tls_context,
        )
        try:
            await self.client.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            self.client = None
            raise SmtpUnavailable(f"{t.hostname}:{t.port}: {_describe(exc)}") from exc

    async def deliver(self, message: EmailMessage, recipient: str, envelope_from: str, name: str) -> None:
        assert self.client is not None
        await asyncio.wait_for(
            self.client.sendmail(envelope_from, [recipient], to_bytes(message)), self.timeout
        )

    async def close(self) -> None:
        if self.client is not None and self.client.is_connected:
            try:
                await asyncio.wait_for(self.client.quit(), self.timeout)
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                self.client.close()  # the messages are already accepted; a rude goodbye loses nothing
        self.client = None


class EmlDelivery:
    """No SMTP configured: each message becomes a file whose name depends only on the row."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.written: list[str] = []

    async def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    async def deliver(self, message: EmailMessage, recipient: str, envelope_from: str, name: str) -> None:
        path = self.directory / name
        write_if_changed(path, to_bytes(message))
        self.written.append(str(path))

    async def close(self) -> None:
        return None


def eml_name(row: Outbox) -> str:
    """`<date>-<reason>-<language>-<id>.eml`, all from the row: a re-run rewrites, never adds, a file."""
    local = row.message_id.strip("<>").partition("@")[0][:12]
    return f"{row.created_at:%Y%m%d}-{row.reason}-{row.language}-{local}.eml"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}".strip()
    if isinstance(exc, TimeoutError) and not str(exc):
        return "timed out"
    return f"{type(exc).__name__}: {exc}".strip()


def _code(exc: BaseException) -> int | None:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        return exc.recipients[0].code
    return exc.code if isinstance(exc, aiosmtplib.SMTPResponseException) else None


async def drain(
    storage: Storage,
    settings: Settings,
    *,
    delivery: SmtpDelivery | EmlDelivery | None = None,
    clock=utcnow,
    batch_size: int = BATCH_SIZE,
    lease: timedelta = LEASE,
    limit: int | None = None,
    reasons: tuple[str, ...] | None = None,
) -> SendReport:
    """Send every due message; ``limit`` stops after that many (tests, the benchmark); ``reasons``
    sends only the messages of those reasons (`serve`'s confirmations: ventanas/notifier/instant.py)."""
    if delivery is None:
        delivery = (
            SmtpDelivery(parse_smtp_url(settings.smtp_url), timeout=SEND_TIMEOUT) if settings.smtp_url
            else EmlDelivery(settings.resolved_outbox_dir)
        )
    envelope_from = sender_address(settings)
    report = SendReport()
    handled = 0
    while _anything_due(storage, clock(), reasons) and (limit is None or handled < limit):
        try:
            await delivery.open()
        except SmtpUnavailable as exc:
            report.unavailable = str(exc)
            break
        report.connections += 1
        broken = False
        done: Outcome | None = None  # the last message's outcome, not yet committed
        queue: list[tuple[int, str, int, str, EmailMessage]] = []  # claimed, not yet tried
        try:
            tried = 0
            while tried < batch_size and (limit is None or handled < limit):
                if not queue:
                    want = min(CLAIM_CHUNK, batch_size - tried, CLAIM_CHUNK if limit is None else limit - handled)
                    # The last outcome and the next claim share a commit: about one commit per message.
                    with storage.transaction() as session:
                        if done is not None:
                            _record(session, done, report, clock())
                            done = None
                        queue = [(r.id, r.recipient, r.attempts, eml_name(r), build_message(r, settings))
                                 for r in box.claim_batch(session, now=clock(), lease=lease, limit=want,
                                                          reasons=reasons)]
                    if not queue:
                        break
                elif done is not None:
                    with storage.transaction() as session:
                        _record(session, done, report, clock())
                        done = None
                row_id, recipient, attempts, name, message = queue.pop(0)
                tried += 1
                handled += 1
                try:
                    await delivery.deliver(message, recipient, envelope_from, name)
                    done = Outcome(row_id, box.SENT)
                except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                    done = _failure(row_id, exc, attempts, clock())
                    if _code(exc) is None:  # a timeout or a dropped connection: the session state is unknown
                        broken = True
                        break
        finally:
            with storage.transaction() as session:
                if done is not None:
                    _record(session, done, report, clock())
                box.release(session, [entry[0] for entry in queue])
            await delivery.close()
        if not broken and not _anything_due(storage, clock(), reasons):
            break
    if isinstance(delivery, EmlDelivery):
        report.files = delivery.written
    return report


@dataclass(frozen=True)
class Outcome:
    row_id: int
    status: str  # sent | pending (retry) | failed
    error: str | None = None
    retry_at: datetime | None = None


def _failure(row_id: int, exc: BaseException, attempts: int, now: datetime) -> Outcome:
    """4xx and dropped connections: retry with backoff; 5xx, or too many attempts: failed."""
    code, error = _code(exc), _describe(exc)
    if code is not None and code >= 500:
        return Outcome(row_id, box.FAILED, error)
    if attempts >= MAX_ATTEMPTS:
        return Outcome(row_id, box.FAILED, f"gave up after {attempts} attempts: {error}")
    return Outcome(row_id, box.PENDING, error, now + backoff(attempts))


def _record(session, outcome: Outcome, report: SendReport, now: datetime) -> None:
    if outcome.status == box.SENT:
        box.mark_sent(session, outcome.row_id, now=now)
        report.sent += 1
    elif outcome.status == box.FAILED:
        box.mark_failed(session, outcome.row_id, error=outcome.error or "")
        report.failed += 1
    else:
        box.mark_retry(session, outcome.row_id, error=outcome.error or "", at=outcome.retry_at or now)
        report.retried += 1


def _anything_due(storage: Storage, now: datetime, reasons: tuple[str, ...] | None = None) -> bool:
    with storage.session() as session:
        return box.any_due(session, now, reasons)


def send(storage: Storage, settings: Settings, **kwargs) -> SendReport:
    """The `send` command and the scheduler's send job."""
    return asyncio.run(drain(storage, settings, **kwargs))
