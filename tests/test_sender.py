"""The sender against a real SMTP server (aiosmtpd on loopback, started here): what the server accepted,
what it refused, what waits when it is down, and what a killed sender leaves behind."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import ROOT, settings_env
from ventanas.clock import utcnow
from ventanas.notifier.compose import dedupe_key
from ventanas.notifier.mail import message_id
from ventanas.notifier.sender import EmlDelivery, SmtpDelivery, parse_smtp_url, send
from ventanas.status import collect_status, format_status
from ventanas.storage import outbox as box
from ventanas.storage.outbox import NewMessage


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that keeps every accepted message and can refuse or stall on demand."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.peers: list[tuple] = []
        self.refuse: dict[str, str] = {}  # recipient -> SMTP reply to RCPT
        self.stall_after: int | None = None  # hold the reply to the DATA of message number N…
        self.release = threading.Event()  # …until this is set
        self.logins: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.peers.append(session.peer)
        if self.stall_after is not None and len(self.messages) == self.stall_after:
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return "250 2.0.0 accepted"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


def start_server(handler: Recorder, **kwargs) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp():
    handler = Recorder()
    controller = start_server(handler)
    yield handler, controller.port
    handler.release.set()
    controller.stop()


def smtp_settings(settings, port: int, scheme: str = "smtp"):
    import dataclasses

    return dataclasses.replace(settings, smtp_url=f"{scheme}://127.0.0.1:{port}", mail_from="ventanas <alerts@ventanas.example>")


def enqueue(storage, settings, count: int, recipient: str = "ana@example.org", start: int = 0) -> list[str]:
    keys = []
    with storage.transaction() as session:
        for i in range(start, start + count):
            key = dedupe_key("test", recipient, i)
            box.enqueue(session, NewMessage(
                recipient=recipient, reason="digest", dedupe_key=key, subject=f"Message {i}",
                text_body=f"Body {i}\n", html_body=f"<p>Body {i}</p>", message_id=message_id(settings, key),
            ), now=utcnow())
            keys.append(key)
    return keys


def statuses(storage) -> dict[str, int]:
    with storage.session() as session:
        return {k: v for k, v in box.status_counts(session).items() if v}


def test_every_message_over_one_reused_connection(storage, settings, smtp):
    handler, port = smtp
    settings = smtp_settings(settings, port)
    enqueue(storage, settings, 12)
    report = send(storage, settings)
    assert (report.sent, report.connections) == (12, 1)
    assert len(set(handler.peers)) == 1  # one client port: the connection was reused
    assert statuses(storage) == {"sent": 12}
    assert sorted(m["Subject"] for m in handler.messages) == sorted(f"Message {i}" for i in range(12))


def test_batches_open_one_connection_each(storage, settings, smtp):
    handler, port = smtp
    settings = smtp_settings(settings, port)
    enqueue(storage, settings, 7)
    report = send(storage, settings, batch_size=3)
    assert (report.sent, report.connections) == (7, 3)
    assert len(set(handler.peers)) == 3


def test_sent_at_recorded_only_for_accepted_messages(storage, settings, smtp):
    handler, port = smtp
    settings = smtp_settings(settings, port)
    enqueue(storage, settings, 2, recipient="ok@example.org")
    enqueue(storage, settings, 1, recipient="full@example.org")
    handler.refuse["full@example.org"] = "452 4.2.2 Mailbox full, try later"
    report = send(storage, settings)
    assert (report.sent, report.retried, report.failed) == (2, 1, 0)
    with storage.session() as session:
        rows = {m.recipient: m for m in box.messages(session)}
    assert rows["full@example.org"].sent_at is None and rows["full@example.org"].status == "pending"
    assert rows["full@example.org"].next_attempt_at > utcnow() + timedelta(seconds=30)  # backed off
    assert "452" in rows["full@example.org"].last_error
    assert rows["ok@example.org"].sent_at is not None


def test_temporary_refusal_retried_with_backoff_until_accepted(storage, settings, smtp):
    handler, port = smtp
    settings = smtp_settings(settings, port)
    enqueue(storage, settings, 1, recipient="later@example.org")
    handler.refuse["later@example.org"] = "451 4.7.1 Greylisted, try again"
    assert send(storage, settings).retried == 1
    assert send(storage, settings).sent == 0  # not due yet: the backoff holds it
    del handler.refuse["later@example.org"]
    report = send(storage, settings, clock=lambda: utcnow() + timedelta(hours=2))
    assert report.sent == 1
    with storage.session() as session:
        (row,) = box.messages(session)
    assert (row.status, row.attempts) == ("sent", 2)


def test_permanent_refusal_fails_and_shows_in_status(storage, settings, smtp):
    handler, port = smtp
    settings = smtp_settings(settings, port)
    enqueue(storage, settings, 1, recipient="gone@example.org")
    enqueue(storage, settings, 1, recipient="here@example.org")
    handler.refuse["gone@example.org"] = "550 5.1.1 No such user"
    report = send(storage, settings)
    assert (report.sent, report.failed) == (1, 1)
    status = collect_status(storage, settings)
    assert status["outbox"]["counts"]["failed"] == 1
    assert status["outbox"]["failed"][0]["recipient"] == "gone@example.org"
    assert "550 5.1.1 No such user" in format_status(status)
    # a failed message is not retried
    assert send(storage, settings, clock=lambda: utcnow() + timedelta(days=2)).sent == 0


def test_server_down_messages_wait_and_go_out_when_it_returns(storage, settings):
    port = free_port()
    settings = smtp_settings(settings, port)
    enqueue(storage, settings, 3)
    down = send(storage, settings)
    assert down.sent == 0 and down.unavailable and "127.0.0.1" in down.unavailable
    assert statuses(storage) == {"pending": 3}
    with storage.session() as session:
        assert all(m.attempts == 0 for m in box.messages(session))  # nothing was even claimed
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        back = send(storage, settings)
    finally:
        controller.stop()
    assert back.sent == 3 and back.unavailable is None
    assert len(handler.messages) == 3


def test_slow_server_times_out_and_message_is_retried(storage, settings, smtp):
    handler, port = smtp
    settings = smtp_settings(settings, port)
    enqueue(storage, settings, 2)
    handler.stall_after = 1
    delivery = SmtpDelivery(parse_smtp_url(settings.smtp_url), timeout=0.5)
    report = send(storage, settings, delivery=delivery)
    handler.release.set()
    # the stalled message waits for a retry; the connection is dropped and a new one carries the next
    assert (report.sent, report.retried, report.connections) == (1, 1, 2)
    with storage.session() as session:
        rows = box.messages(session)
    assert [r.status for r in rows] == ["pending", "sent"]
    assert "timed out" in rows[0].last_error


def test_starttls_required_but_not_offered_sends_nothing(storage, settings, smtp):
    _handler, port = smtp
    settings = smtp_settings(settings, port, scheme="smtp+starttls")
    enqueue(storage, settings, 1)
    report = send(storage, settings)
    assert report.sent == 0 and "STARTTLS" in report.unavailable.upper()
    assert statuses(storage) == {"pending": 1}  # never sent in clear text


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_starttls_with_login_delivers(storage, settings, tmp_path):
    cert_file, key_file = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_file, key_file)
    handler = Recorder()

    def authenticator(server, session, envelope, mechanism, auth_data):
        handler.logins.append(auth_data.login)
        return AuthResult(success=auth_data.password == b"s3cret")

    controller = start_server(handler, tls_context=server_tls, require_starttls=True, authenticator=authenticator,
                              auth_required=True)
    try:
        import dataclasses

        settings = dataclasses.replace(settings, smtp_url=f"smtp+starttls://mailer:s3cret@127.0.0.1:{controller.port}")
        enqueue(storage, settings, 2)
        client_tls = ssl.create_default_context(cafile=str(cert_file))
        delivery = SmtpDelivery(parse_smtp_url(settings.smtp_url), timeout=10, tls_context=client_tls)
        report = send(storage, settings, delivery=delivery)
    finally:
        controller.stop()
    assert report.sent == 2 and handler.logins == [b"mailer"]


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://127.0.0.1:2525", ("127.0.0.1", 2525, None, None, False, False)),
    ("smtp+starttls://user:p%40ss@mail.example.org", ("mail.example.org", 587, "user", "p@ss", False, True)),
    ("smtps://mail.example.org", ("mail.example.org", 465, None, None, True, False)),
], ids=["plain-loopback", "starttls-default-port", "implicit-tls"])
def test_smtp_url(url, expected):
    t = parse_smtp_url(url)
    assert (t.hostname, t.port, t.username, t.password, t.use_tls, t.start_tls) == expected


def test_without_smtp_one_eml_file_per_message_and_none_on_rerun(storage, settings):
    enqueue(storage, settings, 3)
    first = send(storage, settings)
    files = sorted(settings.resolved_outbox_dir.glob("*.eml"))
    assert first.sent == 3 and len(files) == 3
    stamps = {f: f.stat().st_mtime_ns for f in files}
    with storage.transaction() as session:  # as if the sender died after writing, before recording
        for row in box.messages(session):
            row.status = "pending"
    again = send(storage, settings)
    assert again.sent == 3
    assert sorted(settings.resolved_outbox_dir.glob("*.eml")) == files  # the same names: no second file
    assert all(f.stat().st_mtime_ns == stamps[f] for f in files)  # and the same bytes: not even rewritten
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed.get_body(("plain",)).get_content().startswith("Body")


def test_eml_delivery_is_what_send_uses_without_smtp(storage, settings):
    enqueue(storage, settings, 1)
    delivery = EmlDelivery(settings.resolved_outbox_dir)
    assert send(storage, settings, delivery=delivery).sent == 1
    assert len(delivery.written) == 1


def test_killed_sender_restarted_delivers_everything_with_at_most_one_duplicate(storage, settings, smtp):
    """The honest version: a real `run.py send` process, killed with SIGKILL while a message is in flight."""
    handler, port = smtp
    settings = smtp_settings(settings, port)
    enqueue(storage, settings, 10)
    handler.stall_after = 4  # the 4th DATA is received by the server, its reply never reaches the client
    env = settings_env(settings, VENTANAS_SMTP_URL=settings.smtp_url, VENTANAS_FROM=settings.mail_from)
    command = [sys.executable, str(ROOT / "run.py"), "send", "--lease", "2"]
    sender = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(handler.messages) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(handler.messages) == 4, sender.communicate(timeout=5)
    sender.send_signal(signal.SIGKILL)
    sender.communicate(timeout=10)
    # three recorded as sent; the rest of the claimed chunk (the one in flight included) waits for its lease
    assert statuses(storage) == {"sent": 3, "sending": 7}
    handler.stall_after = None
    handler.release.set()
    time.sleep(2.2)  # the killed sender's lease on the message in flight runs out
    restarted = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert restarted.returncode == 0, restarted.stderr
    assert statuses(storage) == {"sent": 10}
    ids = handler.message_ids()
    with storage.session() as session:
        expected = {m.message_id for m in box.messages(session)}
    assert set(ids) == expected  # every message arrived
    assert len(ids) - len(set(ids)) <= 1  # at most the one in flight arrived twice
