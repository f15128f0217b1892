"""The scheduler: explicit jobs in a persistent store, missed jobs run once, one scheduler per database."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from tests.conftest import run_cli, settings_env
from ventanas import operations
from ventanas.scheduler import JOBS, build_scheduler, missed_by, next_runs


@pytest.fixture
def calls(monkeypatch):
    """Replace each job's target with a recorder: these tests are about when jobs run, not what they do."""
    seen: list[str] = []
    done = threading.Event()
    for spec in JOBS:
        name = spec.func.split(":")[1]

        def record(config_file=None, _id=spec.id):
            seen.append(_id)
            done.set()

        monkeypatch.setattr(operations, name, record, raising=False)
    return seen, done


def test_jobs_have_explicit_ids_and_generous_grace(settings, storage, calls):
    scheduler = build_scheduler(settings, storage)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"crawl", "send", "daily", "digest"}
        assert all(job.misfire_grace_time >= 3600 for job in jobs.values())
        assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
        assert str(jobs["digest"].trigger.fields[4]) == "mon"  # day_of_week
    finally:
        scheduler.shutdown(wait=False)


def set_stored_next_run(settings, storage, job_id: str, when: datetime) -> None:
    """Edit the persistent job store as if the machine had been down when ``job_id`` was due."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    store = SQLAlchemyJobStore(engine=storage.engine, tablename="apscheduler_jobs")
    store.start(BackgroundScheduler(timezone=settings.zone), "default")  # never started: no loop, no race
    job = store.lookup_job(job_id)
    job._modify(next_run_time=when)
    store.update_job(job)


def test_missed_digest_runs_once_when_the_scheduler_comes_back(settings, storage, calls):
    seen, done = calls
    build_scheduler(settings, storage).shutdown(wait=True)
    set_stored_next_run(settings, storage, "digest", datetime.now(settings.zone) - timedelta(hours=3))

    second = build_scheduler(settings, storage)
    try:
        assert "digest" in missed_by(second, datetime.now(settings.zone))
        second.resume()
        assert done.wait(timeout=30), "the missed digest did not run"
        second.pause()
        assert seen.count("digest") == 1
        next_digest = second.get_job("digest").next_run_time
        assert next_digest > datetime.now(settings.zone)  # coalesced: rescheduled, not replayed
    finally:
        second.shutdown(wait=False)


def test_schedule_list_prints_next_runs_without_starting(settings):
    done = run_cli("schedule", "--list", env=settings_env(settings))
    assert done.returncode == 0, done.stderr
    for spec in JOBS:
        assert spec.id in done.stdout
    rows = next_runs(settings, datetime(2025, 8, 1, 8, 0, tzinfo=settings.zone))
    digest = next(r for r in rows if r["id"] == "digest")
    assert digest["next_run"].isoformat() == "2025-08-04T07:00:00+02:00"  # the next Monday 07:00, Geneva


def test_second_scheduler_on_one_database_refuses(settings, storage):
    from ventanas.locking import DatabaseLock

    with DatabaseLock(storage, "scheduler", settings.var_dir):
        done = run_cli("schedule", env=settings_env(settings), timeout=60)
    assert done.returncode == 4
    assert "scheduler" in done.stderr and "Traceback" not in done.stderr


def test_status_shows_the_scheduler_and_its_next_jobs(settings, storage, calls):
    from ventanas.locking import DatabaseLock
    from ventanas.status import scheduler_status

    idle = scheduler_status(storage, settings)
    assert idle["running"] is False
    assert [job["id"] for job in idle["jobs"]] == [spec.id for spec in JOBS]
    scheduler = build_scheduler(settings, storage)
    scheduler.shutdown(wait=True)
    with DatabaseLock(storage, "scheduler", settings.var_dir):
        busy = scheduler_status(storage, settings)
    assert busy["running"] is True
    stored = {job["id"]: job["next_run"] for job in busy["jobs"]}
    assert all(stored.values())
