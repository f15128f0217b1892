"""`send`: drain the outbox through aiosmtplib, or into .eml files when no SMTP URL is set.

One message at a time is claimed (with a lease) and committed before the
server is asked, and marked sent only after the server accepted it. So a
sender killed at any moment loses nothing: the rows it never claimed are
still pending, and the one in flight comes back when its lease ends — the
only message that can ever be sent twice.

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
) -> SendReport:
    """Send every due message; ``limit`` stops after that many (tests, the benchmark)."""
    if delivery is None:
        delivery = (
            SmtpDelivery(parse_smtp_url(settings.smtp_url), timeout=SEND_TIMEOUT) if settings.smtp_url
            else EmlDelivery(settings.resolved_outbox_dir)
        )
    envelope_from = sender_address(settings)
    report = SendReport()
    handled = 0
    while _anything_due(storage, clock()) and (limit is None or handled < limit):
        try:
            await delivery.open()
        except SmtpUnavailable as exc:
            report.unavailable = str(exc)
            break
        report.connections += 1
        broken = False
        try:
            for _ in range(batch_size):
                if limit is not None and handled >= limit:
                    break
                with storage.transaction() as session:
                    row = box.claim_next(session, now=clock(), lease=lease)
                    if row is None:
                        break
                    message = build_message(row, settings)
                    row_id, recipient, attempts, name = row.id, row.recipient, row.attempts, eml_name(row)
                handled += 1
                try:
                    await delivery.deliver(message, recipient, envelope_from, name)
                except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                    broken = _record_failure(storage, report, row_id, exc, attempts, clock())
                    if broken:
                        break
                    continue
                with storage.transaction() as session:
                    box.mark_sent(session, row_id, now=clock())
                report.sent += 1
        finally:
            await delivery.close()
        if not broken and not _anything_due(storage, clock()):
            break
    if isinstance(delivery, EmlDelivery):
        report.files = delivery.written
    return report


def _record_failure(storage: Storage, report: SendReport, row_id: int, exc: BaseException,
                    attempts: int, now: datetime) -> bool:
    """Retry, fail or give up on one message; True if the connection is no longer usable."""
    code = _code(exc)
    error = _describe(exc)
    broken = code is None  # a timeout or a dropped connection: the session state is unknown
    with storage.transaction() as session:
        if code is not None and code >= 500:
            box.mark_failed(session, row_id, error=error)
            report.failed += 1
        elif attempts >= MAX_ATTEMPTS:
            box.mark_failed(session, row_id, error=f"gave up after {attempts} attempts: {error}")
            report.failed += 1
        else:
            box.mark_retry(session, row_id, error=error, at=now + backoff(attempts))
            report.retried += 1
    return broken


def _anything_due(storage: Storage, now: datetime) -> bool:
    with storage.session() as session:
        return box.any_due(session, now)


def send(storage: Storage, settings: Settings, **kwargs) -> SendReport:
    """The `send` command and the scheduler's send job."""
    return asyncio.run(drain(storage, settings, **kwargs))
