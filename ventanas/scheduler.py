"""`python run.py schedule`: one APScheduler 3.x process that runs the main job on a clock.

The scheduler is thin (STYLE 8): each job calls the same functions as the CLI
(ventanas.operations). Jobs live in a SQLAlchemy job store in ventanas' own
database, so a job missed while the machine was down is still due when the
scheduler comes back, and runs once (coalesce) if it is within its misfire
grace time. Only one scheduler may run against a database (a lock).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from ventanas.config import Settings
from ventanas.storage import Storage

log = logging.getLogger(__name__)

HOUR = 3600


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # a textual reference, so the persistent job store can find it again
    cron: dict[str, Any]
    grace_seconds: int  # APScheduler's default of 1 s silently drops a job that starts late
    description: str


JOBS = (
    JobSpec("crawl", "ventanas.operations:scheduled_crawl", {"hour": "*/6", "minute": 0}, 3 * HOUR,
            "crawl every source (in a subprocess), then publish and notify"),
    JobSpec("send", "ventanas.operations:scheduled_send", {"minute": "*/5"}, 1 * HOUR,
            "send what is waiting in the outbox"),
    JobSpec("daily", "ventanas.operations:scheduled_daily", {"hour": 6, "minute": 30}, 12 * HOUR,
            "deadline reminders, repeated operator alerts, re-render date-dependent pages"),
    JobSpec("digest", "ventanas.operations:scheduled_digest", {"day_of_week": "mon", "hour": 7, "minute": 0},
            48 * HOUR, "weekly digests (Monday 07:00), then send"),
)


def triggers(settings: Settings) -> dict[str, CronTrigger]:
    return {spec.id: CronTrigger(timezone=settings.zone, **spec.cron) for spec in JOBS}


def next_runs(settings: Settings, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each job with its next run time from now: what `schedule --list` and `status` print."""
    now = now or datetime.now(settings.zone)
    rows = []
    for spec in JOBS:
        trigger = triggers(settings)[spec.id]
        rows.append({"id": spec.id, "next_run": trigger.get_next_fire_time(None, now), "trigger": str(trigger),
                     "what": spec.description})
    return rows


def build_scheduler(
    settings: Settings,
    storage: Storage,
    *,
    config_file: str | None = None,
    scheduler_class: type[BaseScheduler] = BackgroundScheduler,
) -> BaseScheduler:
    """A started, paused scheduler with every job registered; call ``resume()`` to run it.

    A job already in the store keeps its next run time: if that time passed
    while no scheduler ran, the job is due at once when resumed.
    """
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=storage.engine, tablename="apscheduler_jobs")},
        timezone=settings.zone,
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    scheduler.start(paused=True)
    kwargs = {"config_file": config_file}
    for spec in JOBS:
        trigger = triggers(settings)[spec.id]
        if scheduler.get_job(spec.id) is not None:
            # Re-registering would recompute the next run from now and forget a missed one.
            scheduler.modify_job(spec.id, func=spec.func, trigger=trigger, kwargs=kwargs,
                                 misfire_grace_time=spec.grace_seconds, name=spec.description)
        else:
            scheduler.add_job(spec.func, trigger=trigger, id=spec.id, name=spec.description, kwargs=kwargs,
                              replace_existing=True, misfire_grace_time=spec.grace_seconds)
    return scheduler


def missed_by(scheduler: BaseScheduler, now: datetime) -> dict[str, timedelta]:
    """Jobs already due when the scheduler starts (they ran late or the machine was down)."""
    return {job.id: now - job.next_run_time for job in scheduler.get_jobs()
            if job.next_run_time and job.next_run_time <= now}
