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


def after_crawl(storage: Storage, settings: Settings, results: StepResults) -> StepResults:
    """Everything that follows a crawl and needs no network: publish, then notify."""
    from ventanas.calendar.publisher import publish

    results.steps["publish"] = publish(storage, settings).as_dict()
    return results


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
            return after_crawl(storage, settings, results)
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
