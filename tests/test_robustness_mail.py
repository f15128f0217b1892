"""Robustness, mail: the sender (ventanas/notifier/sender.py) against an SMTP server that misbehaves.

A real aiosmtpd server on loopback (or a bare socket that refuses the
session) receives five queued messages. Each row of the table says what the
server does, where the outbox stands after the first `send`, and what the
server holds once it behaves again and `send` runs later (past any backoff):
every message delivered, a permanent refusal failed and never retried, and no
message twice, except, when the server took a message and then dropped the
line before saying so, that one message (with its Message-ID unchanged, so
the receiving side can tell it is the same).
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from ventanas.clock import utcnow
from ventanas.notifier.compose import dedupe_key
from ventanas.notifier.mail import message_id
from ventanas.notifier.sender import send
from ventanas.status import collect_status
from ventanas.storage import outbox as box
from ventanas.storage.outbox import NewMessage

RECIPIENTS = ["ana@example.org", "ben@example.org", "gone@example.org", "dana@example.org", "eve@example.org"]
LATER = timedelta(hours=3)  # past every backoff the sender sets after one failure


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Faulty:
    """aiosmtpd handler: accepts and keeps messages, except where told to refuse or hang up."""

    def __init__(self, *, refuse: dict[str, str] | None = None, drop_at: int | None = None,
                 drop_after_accepting: bool = False):
        self.refuse = dict(refuse or {})
        self.drop_at = drop_at  # the DATA command (1-based, over the server's life) where the line goes dead
        self.drop_after_accepting = drop_after_accepting
        self.data_commands = 0
        self.accepted: list[email.message.EmailMessage] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self.data_commands == self.drop_at:
            if self.drop_after_accepting:
                self.accepted.append(message)  # the server has it; the client never hears so
            server.transport.abort()
            return "421 4.4.2 connection dropped"  # never reaches the client
        self.accepted.append(message)
        return "250 2.0.0 accepted"


class RefusingGreeter:
    """Not an SMTP server: it answers every connection with 554 and hangs up (RFC 5321 §3.1)."""

    def __init__(self, port: int):
        self.sock = socket.create_server(("127.0.0.1", port))
        self.sock.settimeout(0.1)
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                client, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with client:
                client.sendall(b"554 5.3.2 No SMTP service here\r\n")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@dataclass
class Case:
    id: str
    server: str  # "none" | "refuses-session" | "faulty"
    first: dict[str, int]  # outbox statuses after the first send
    handler: dict = field(default_factory=dict)
    duplicates: int = 0  # messages the server ends up holding twice
    failed: tuple[str, ...] = ()  # recipients whose message failed for good


CASES = [
    Case("smtp-not-listening", "none", {"pending": 5}),
    Case("smtp-refuses-the-session", "refuses-session", {"pending": 5}),
    Case("connection-dropped-mid-batch-before-accepting", "faulty", {"sent": 4, "pending": 1},
         handler={"drop_at": 3}),
    Case("connection-dropped-mid-batch-after-accepting", "faulty", {"sent": 4, "pending": 1},
         handler={"drop_at": 3, "drop_after_accepting": True}, duplicates=1),
    Case("recipient-refused-5xx", "faulty", {"sent": 4, "failed": 1},
         handler={"refuse": {"gone@example.org": "550 5.1.1 No such user here"}}, failed=("gone@example.org",)),
    Case("recipient-refused-4xx", "faulty", {"sent": 4, "pending": 1},
         handler={"refuse": {"gone@example.org": "451 4.3.0 Try again later"}}),
    Case("every-recipient-refused-5xx", "faulty", {"failed": 5},
         handler={"refuse": {r: "554 5.7.1 Relay access denied" for r in RECIPIENTS}}, failed=tuple(RECIPIENTS)),
]


def enqueue(storage, settings) -> set[str]:
    ids = set()
    with storage.transaction() as session:
        for i, recipient in enumerate(RECIPIENTS):
            key = dedupe_key("robustness", recipient, i)
            ids.add(message_id(settings, key))
            box.enqueue(session, NewMessage(
                recipient=recipient, reason="digest", dedupe_key=key, subject=f"Resumen {i}",
                text_body=f"Cuerpo {i}\n", html_body=f"<p>Cuerpo {i}</p>", message_id=message_id(settings, key),
            ), now=utcnow())
    return ids


def statuses(storage) -> dict[str, int]:
    with storage.session() as session:
        return {k: v for k, v in box.status_counts(session).items() if v}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_smtp_fault_loses_nothing_and_sends_nothing_twice(case: Case, storage, settings):
    port = free_port()
    settings = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}",
                                   mail_from="ventanas <alerts@ventanas.example>")
    expected_ids = enqueue(storage, settings)

    faulty = Faulty(**case.handler)
    if case.server == "faulty":
        controller = Controller(faulty, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            first = send(storage, settings)
        finally:
            controller.stop()
    elif case.server == "refuses-session":
        greeter = RefusingGreeter(port)
        try:
            first = send(storage, settings)
        finally:
            greeter.close()
        assert greeter.connections == 1
    else:
        first = send(storage, settings)

    assert statuses(storage) == case.first
    if case.server != "faulty":
        assert first.unavailable and str(port) in first.unavailable and first.sent == 0
        with storage.session() as session:  # nothing claimed, so no attempt spent
            assert all(m.attempts == 0 for m in box.messages(session))
    with storage.session() as session:
        failed = {m.recipient: m.last_error for m in box.messages(session) if m.status == "failed"}
    assert set(failed) == set(case.failed)
    assert all(error and error[0] == "5" for error in failed.values()), failed

    # the server behaves again; the sender runs later, past the backoff
    healthy = Faulty()
    healthy.accepted = faulty.accepted
    controller = Controller(healthy, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        send(storage, settings, clock=lambda: utcnow() + LATER)
        assert send(storage, settings, clock=lambda: utcnow() + 2 * LATER).sent == 0  # nothing left to send
    finally:
        controller.stop()

    held = Counter(str(m["Message-ID"]) for m in healthy.accepted)
    with storage.session() as session:
        rows = box.messages(session)
    delivered = {r.message_id for r in rows if r.status == "sent"}
    assert {r.recipient for r in rows if r.status != "sent"} == set(case.failed)
    assert set(held) == delivered == expected_ids - {r.message_id for r in rows if r.recipient in case.failed}
    assert sum(n - 1 for n in held.values()) == case.duplicates
    if case.failed:
        status = collect_status(storage, settings)
        assert status["outbox"]["counts"]["failed"] == len(case.failed)


def test_dropped_connection_does_not_stop_the_rest_of_the_batch(storage, settings):
    """After the line drops, the sender opens a new connection for the messages still due."""
    port = free_port()
    settings = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
    enqueue(storage, settings)
    faulty = Faulty(drop_at=2)
    controller = Controller(faulty, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        report = send(storage, settings)
    finally:
        controller.stop()
    assert (report.sent, report.retried, report.connections) == (4, 1, 2)
    with storage.session() as session:
        assert [m.recipient for m in box.messages(session) if m.status == "pending"] == [RECIPIENTS[1]]
