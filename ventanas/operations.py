"""The main job and its steps, shared by `run.py run` (cron) and the scheduler.

crawl → (health alerts) → publish → notify → send. Each step is safe to
repeat: an unchanged crawl writes nothing, publishing writes only changed
files, the outbox deduplicates, the sender records what the server accepted.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ventanas.config import Settings, load_settings
from ventanas.locking import DatabaseLock, LockBusy
from ventanas.storage import CrawlReport, Storage

log = logging.getLogger(__name__)


@dataclass
class StepResults:
    crawl: list[CrawlReport] = field(default_factory=list)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def health(self) -> str:
        healths = {str(r.health) for r in self.crawl}
        return "failed" if "failed" in healths else "degraded" if "degraded" in healths else "ok"


def run_lock(storage: Storage, settings: Settings) -> DatabaseLock:
    return DatabaseLock(storage, "run", settings.var_dir)


def health_alerts(storage: Storage, settings: Settings) -> dict[str, int]:
    """Tell the operator about broken sources (once a day while broken) and about recoveries.

    A source is broken when its newest run is failed or degraded; it has healed
    when its newest run is ok and the one before was not. The outbox's dedupe
    keys (source + day, source + healthy run) make repeats harmless.
    """
    from ventanas.clock import today
    from ventanas.notifier.operator import enqueue_operator_alert, enqueue_operator_healed

    counts = {"alerts": 0, "healed": 0}
    with storage.transaction() as session:
        for spider in storage.spiders_with_runs(session):
            runs = storage.recent_runs(session, spider)
            newest = runs[0]
            if newest.health != "ok":
                counts["alerts"] += enqueue_operator_alert(
                    session, settings, source=spider, health=newest.health or "failed",
                    detail=newest.message or "", run_id=newest.id, day=today(settings))
                continue
            if len(runs) > 1 and runs[1].health != "ok":
                broken_since = None
                for run in runs[1:]:
                    if run.health == "ok":
                        break
                    broken_since = run.started_at.date()
                counts["healed"] += enqueue_operator_healed(
                    session, settings, source=spider, run_id=newest.id, broken_since=broken_since)
    return counts


def after_crawl(storage: Storage, settings: Settings, results: StepResults) -> StepResults:
    """Everything that follows a crawl and needs no network: operator alerts, publish, notify."""
    from ventanas.calendar.publisher import publish
    from ventanas.notifier.notify import notify

    results.steps["operator"] = health_alerts(storage, settings)
    results.steps["publish"] = publish(storage, settings).as_dict()
    results.steps["notify"] = notify(storage, settings).as_dict()
    return results


def send_outbox(storage: Storage, settings: Settings) -> dict[str, Any]:
    from ventanas.notifier.sender import send

    return send(storage, settings).as_dict()


def run_main(
    settings: Settings,
    *,
    sources: list[str] | None = None,
    progress: Callable[[str, dict[str, Any]], None] | None = None,
    log_level: str = "WARNING",
) -> StepResults:
    """`run.py run`: the whole job once, under the run lock (raises LockBusy if another run holds it)."""
    from ventanas.crawl import crawl

    storage = Storage.open(settings.resolved_database_url)
    try:
        with run_lock(storage, settings):
            results = StepResults(crawl=crawl(settings, sources, progress=progress, log_level=log_level))
            after_crawl(storage, settings, results)
            results.steps["send"] = send_outbox(storage, settings)
            return results
    finally:
        storage.dispose()


# -- scheduled jobs (ventanas.scheduler refers to these by name) ---------------------


def crawl_in_subprocess(config_file: str | None = None, sources: list[str] | None = None) -> list[dict[str, Any]]:
    """One crawl in a child process: the Twisted reactor cannot restart inside the scheduler."""
    command = [sys.executable, "-m", "run"]
    if config_file:
        command += ["--config", config_file]
    command += ["crawl", "--json"]
    for source in sources or []:
        command += ["--source", source]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ.copy())
    if done.returncode not in (0, 1, 3) or not done.stdout.strip():
        raise RuntimeError(f"crawl subprocess exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def scheduled_crawl(config_file: str | None = None) -> None:
    settings = load_settings(config_file)
    storage = Storage.open(settings.resolved_database_url)
    try:
        with run_lock(storage, settings):
            reports = crawl_in_subprocess(config_file)
            for r in reports:
                log.info("crawl %s: %s (%s)", r["spider"], r["health"], r["reason"])
            after_crawl(storage, settings, StepResults())
    except LockBusy as exc:
        log.warning("crawl skipped: %s", exc)
    finally:
        storage.dispose()


def _with_storage(config_file: str | None, job: Callable[[Storage, Settings], Any]) -> Any:
    settings = load_settings(config_file)
    storage = Storage.open(settings.resolved_database_url)
    try:
        return job(storage, settings)
    finally:
        storage.dispose()


def scheduled_send(config_file: str | None = None) -> None:
    report = _with_storage(config_file, send_outbox)
    log.info("send: %s", report)


def scheduled_daily(config_file: str | None = None) -> None:
    """Reminders (notify runs them from the clock), operator alerts that still hold, and the
    pages whose "upcoming" depends on the date."""
    from ventanas.calendar.publisher import publish
    from ventanas.notifier.notify import notify

    def job(storage: Storage, settings: Settings) -> None:
        log.info("daily: operator %s", health_alerts(storage, settings))
        log.info("daily: publish %s", publish(storage, settings).as_dict())
        log.info("daily: notify %s", notify(storage, settings, digests=False).as_dict())
        log.info("daily: send %s", send_outbox(storage, settings))

    _with_storage(config_file, job)


def scheduled_digest(config_file: str | None = None) -> None:
    from ventanas.notifier.notify import notify

    def job(storage: Storage, settings: Settings) -> None:
        log.info("digest: notify %s", notify(storage, settings, digests=True).as_dict())
        log.info("digest: send %s", send_outbox(storage, settings))

    _with_storage(config_file, job)
