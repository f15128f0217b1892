"""G7 mail: 1,000 digests rendered and sent to a local aiosmtpd; one reused connection against one per message.

A SQLite file in a temp dir holds a calendar of 40 States (a review, a
civil-society deadline, a report due date each, and GFMD/CRM meetings) and
1,000 confirmed subscribers following two or three States each, in English,
Spanish and French. ``digest --now`` renders and enqueues their digests;
then the outbox is drained into an aiosmtpd server on loopback (in this
process) as ``send`` does it (a connection per batch of 100) and with a new
connection for every message (``batch_size=1``), twice each, interleaved.
The figure is the ratio of the best times (target ≥ 1.5×). Rendering alone (building and
rendering every digest, no database writes, no SMTP) is reported as digests
per second.

The database lives in /dev/shm when there is one: on the build machine a
SQLite commit on disk costs about 20 ms (fsync), and the sender commits
once per message (an outcome is recorded only after the server accepted,
so a crash repeats at most the message in flight); on disk the commits, not
SMTP, would be what is measured (about 50 messages a second at best there).
"""

from __future__ import annotations

import dataclasses
import socket
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import update

from bench.common import Figure
from ventanas.clock import utcnow
from ventanas.config import Settings
from ventanas.domain import Basis, EventItem, Kind, Role, StateLink
from ventanas.normalize import ids
from ventanas.normalize.bodies import CRM_MEMBERS, UN_MEMBER_STATES
from ventanas.notifier import digest_now, send
from ventanas.notifier import subscriptions as subs
from ventanas.notifier.digests import build
from ventanas.notifier.render import render
from ventanas.notifier.scope import FollowScope
from ventanas.storage import Storage
from ventanas.storage import subscribers as store
from ventanas.storage.models import Outbox
from ventanas.storage.upsert import upsert

N_DIGESTS = 1_000
TODAY = date(2025, 8, 1)
STATES = tuple(sorted(set(CRM_MEMBERS) | set(UN_MEMBER_STATES[:40])))[:40]
TARGET_RATIO = 1.5
TARGET_RENDER = 50  # a network of 10,000 readers gets its Monday digests rendered in under 4 minutes
URL = "https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx?SessionID=1&Lang=en"


class Counter:
    def __init__(self):
        self.messages = 0
        self.peers: set = set()

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.peers.add(session.peer)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def calendar() -> list[EventItem]:
    items = []
    for n, code in enumerate(STATES):
        session = 40 + n % 5
        start = TODAY + timedelta(days=60 + 7 * n)
        items += [
            EventItem(key=ids.ohchr_review("CMW", session, code), body="CMW", kind=Kind.REVIEW,
                      title=f"CMW {session}th session: review of {code}", start=start, end=start + timedelta(days=11),
                      source_url=URL, source_name="bench", session=str(session),
                      states=(StateLink(code, Role.REVIEWED),)),
            EventItem(key=ids.ohchr_session_deadline("CMW", session, "cso-submission", code), body="CMW",
                      kind=Kind.CSO_SUBMISSION, title=f"CMW {session}: written information ({code})",
                      start=start - timedelta(weeks=3), source_url=URL, source_name="bench", session=str(session),
                      basis=Basis.DERIVED, rule="cmw-written-information-3w", states=(StateLink(code, Role.CONCERNED),)),
            EventItem(key=ids.ohchr_report_due("CEDAW", code, "9"), body="CEDAW", kind=Kind.REPORT_DUE,
                      title=f"{code}: Ninth periodic report due to CEDAW", start=TODAY + timedelta(days=20 + 11 * n),
                      source_url=URL, source_name="bench", states=(StateLink(code, Role.DUE_BY),),
                      details={"cycle": "9"}),
        ]
    items.append(EventItem(key=ids.process_meeting("GFMD", "summit", 15), body="GFMD", kind=Kind.SUMMIT,
                           title="15th GFMD Summit", start=date(2025, 9, 2), end=date(2025, 9, 4),
                           source_url="https://www.gfmd.org/meetings/colombia2025/summit", source_name="bench",
                           location="Riohacha, Colombia",
                           states=tuple(StateLink(c, Role.MEMBER) for c in UN_MEMBER_STATES)))
    items.append(EventItem(key=ids.process_meeting("CRM", "vice-ministerial", 30), body="CRM",
                           kind=Kind.VICE_MINISTERIAL, title="XXX Reunión Viceministerial", start=date(2025, 12, 4),
                           end=date(2025, 12, 5), source_url="https://crmsv.org/", source_name="bench"))
    return items


def setup(root: Path) -> tuple[Storage, Settings]:
    settings = Settings(var_dir=root / "var", public_dir=root / "public", today=TODAY,
                        database_url=f"sqlite:///{root / 'var' / 'ventanas.db'}",
                        mail_from="ventanas <digest@ventanas.example>")
    storage = Storage.open(settings.resolved_database_url)
    with storage.transaction() as session:
        upsert(session, calendar(), source_name="bench", now=utcnow() - timedelta(days=1), today=TODAY)
        for i in range(N_DIGESTS):
            states = [STATES[i % len(STATES)], STATES[(i * 7 + 3) % len(STATES)]] + (
                [STATES[(i * 13 + 5) % len(STATES)]] if i % 3 == 0 else [])
            prefs = subs.preferences(states=states, language=("es", "en", "fr")[i % 3])
            subs.add_confirmed(session, f"reader{i:04d}@example.org", prefs, now=utcnow(), change_id=0)
    return storage, settings


def render_all(storage: Storage, settings: Settings) -> int:
    with storage.session() as session:
        readers = store.active(session)
        scope = FollowScope(session, TODAY)
        for reader in readers:
            context = build(session, settings, reader, scope, TODAY)
            render("digest", reader.language, reader=reader, unsubscribe_url="https://x/u?token=t",
                   base_url=settings.base_url, demo_today=None, **context)
    return len(readers)


def reset_outbox(storage: Storage) -> None:
    with storage.transaction() as session:
        session.execute(update(Outbox).values(status="pending", sent_at=None, claimed_at=None, lease_until=None,
                                              attempts=0, next_attempt_at=utcnow() - timedelta(seconds=1)))


def timed_send(storage: Storage, settings: Settings, handler: Counter, **kwargs) -> tuple[float, int, int]:
    reset_outbox(storage)
    handler.messages, handler.peers = 0, set()
    start = time.perf_counter()
    report = send(storage, settings, **kwargs)
    elapsed = time.perf_counter() - start
    if report.sent != N_DIGESTS or handler.messages != N_DIGESTS:
        raise RuntimeError(f"sent {report.sent}, server got {handler.messages} of {N_DIGESTS}")
    return elapsed, report.connections, len(handler.peers)


def run() -> list[Figure]:
    return _measure(Path("/dev/shm") if Path("/dev/shm").is_dir() else None)


def _measure(where: Path | None) -> list[Figure]:
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        storage, settings = setup(Path(tmp))
        try:
            render_all(storage, settings)  # warm the template and translation caches
            start = time.perf_counter()
            rendered = render_all(storage, settings)
            render_seconds = time.perf_counter() - start

            start = time.perf_counter()
            enqueued = digest_now(storage, settings)
            enqueue_seconds = time.perf_counter() - start
            assert enqueued == N_DIGESTS, enqueued

            handler = Counter()
            controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
            controller.start()
            try:
                settings = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{controller.port}")
                # Interleaved, best of two each: the machine is shared, and a neighbour's burst should not
                # decide the ratio.
                runs = [(timed_send(storage, settings, handler), timed_send(storage, settings, handler, batch_size=1))
                        for _ in range(2)]
                reused, reused_connections, reused_peers = min(r for r, _ in runs)
                fresh, fresh_connections, fresh_peers = min(f for _, f in runs)
            finally:
                controller.stop()
            size = sum(len(r.text_body) + len(r.html_body or "") for r in _sample(storage))
        finally:
            storage.dispose()
    ratio = fresh / reused
    per_second = rendered / render_seconds
    return [
        Figure("G7 mail: one connection per message vs reused", ratio, "x", f">= {TARGET_RATIO}x",
               ratio >= TARGET_RATIO, {
                   "digests": N_DIGESTS, "reused_s": round(reused, 3), "reused_connections": reused_connections,
                   "reused_client_ports": reused_peers, "per_message_s": round(fresh, 3),
                   "per_message_connections": fresh_connections, "per_message_client_ports": fresh_peers,
                   "reused_msgs_per_s": round(N_DIGESTS / reused, 1), "digest_now_s": round(enqueue_seconds, 3),
                   "avg_digest_bytes": size // 20}),
        Figure("G7 digest rendering", per_second, " digests/s", f">= {TARGET_RENDER} digests/s", per_second >= TARGET_RENDER,
               {"digests": rendered, "seconds": round(render_seconds, 3)}),
    ]


def _sample(storage: Storage) -> list[Outbox]:
    with storage.session() as session:
        return list(session.query(Outbox).limit(20))


if __name__ == "__main__":
    for figure in run():
        print(figure.line(), figure.absolute)
