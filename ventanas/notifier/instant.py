"""`serve`'s own sender: a confirmation mail leaves within seconds of the form, not at the next `send`.

An asyncio task in `serve`'s event loop (``ventanas.web.make_server(background=…)``)
is woken by the form's handler as soon as a confirmation is in the outbox
(``make_routes(on_enqueued=sender.wake)``), and otherwise looks every
``poll`` seconds (a message a server refused for now waits for its retry
time; one a killed `serve` had claimed, for its lease). It sends with the
sender of `run.py send` (:mod:`ventanas.notifier.sender`): the same outbox,
the same claims and leases. So a `send` run by cron at the same moment
never takes the same message; each goes out once (twice only if a sender
dies with it in flight, as with `send` alone).

The drain runs in a thread of its own: the database and SMTP calls are
blocking, and the files must keep being served meanwhile. Only
confirmations are sent here; alerts, reminders and digests stay with `send`
and the scheduler, on the operator's schedule.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor

from ventanas.config import Settings
from ventanas.notifier.sender import SendReport, send
from ventanas.storage import Storage

log = logging.getLogger("ventanas.mail")

REASONS = ("confirm",)
POLL_SECONDS = 60.0


class ConfirmationSender:
    def __init__(self, storage: Storage, settings: Settings, *, poll: float = POLL_SECONDS):
        self.storage = storage
        self.settings = settings
        self.poll = poll
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._unavailable: str | None = None  # why the server could not be used, logged once per outage

    def describe(self) -> str:
        """Where confirmations go, for `serve`'s first line (no password)."""
        if self.settings.smtp_url:
            from ventanas.notifier.sender import parse_smtp_url

            target = parse_smtp_url(self.settings.smtp_url)
            return f"through the SMTP server {target.hostname}:{target.port}"
        return f"as .eml files in {self.settings.resolved_outbox_dir}/"

    def wake(self) -> None:
        """Send now (thread-safe: the form's handler runs in a worker thread)."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    async def run(self) -> None:
        """Until cancelled: send what is due, then wait to be woken, or for ``poll`` seconds."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ventanas-mail")
        try:
            while True:
                self._wake.clear()  # a wake-up during the drain below starts another one at once
                await self._drain(executor)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll)
        finally:
            # a drain in flight finishes in its thread (the interpreter waits for it at exit) and
            # records what it sent; rows it claimed but never tried come back when their lease ends
            executor.shutdown(wait=False, cancel_futures=True)

    async def _drain(self, executor: ThreadPoolExecutor) -> None:
        assert self._loop is not None
        try:
            report: SendReport = await self._loop.run_in_executor(
                executor, lambda: send(self.storage, self.settings, reasons=REASONS))
        except Exception:  # a database error, say: logged, and tried again at the next wake-up
            log.exception("sending confirmation mail failed; it stays in the outbox")
            return
        if report.unavailable and report.unavailable != self._unavailable:
            log.warning("confirmation mail waits in the outbox: SMTP server unavailable (%s)", report.unavailable)
        elif self._unavailable and report.connections and not report.unavailable:
            log.warning("SMTP server reachable again: confirmation mail sent")
        self._unavailable = report.unavailable
        if report.failed:
            log.warning("%d confirmation mail(s) refused by the SMTP server (see `status`)", report.failed)
        if report.sent:
            log.info("%d confirmation mail(s) sent", report.sent)
