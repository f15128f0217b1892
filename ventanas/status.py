"""`status`: what the operator needs to see at a glance, as text or JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ventanas.clock import today
from ventanas.config import Settings
from ventanas.crawl import spider_names
from ventanas.domain import DEADLINE_KINDS
from ventanas.health import CHANGED_MARKER
from ventanas.notifier.outbox_status import collect_outbox, format_outbox
from ventanas.storage import Storage
from ventanas.storage.models import CrawlRun, Event


def collect_status(storage: Storage, settings: Settings, *, runs_per_source: int = 3) -> dict[str, Any]:
    now = today(settings)
    with storage.session() as session:
        sources = {}
        for name in spider_names():
            runs = session.scalars(
                select(CrawlRun).where(CrawlRun.spider == name).order_by(CrawlRun.id.desc()).limit(runs_per_source)
            ).all()
            sources[name] = [
                {
                    "run": r.id, "started_at": r.started_at.isoformat(), "finished_at": r.finished_at and r.finished_at.isoformat(),
                    "health": r.health, "reason": r.message, "requests": r.requests, "wire_bytes": r.wire_bytes,
                    "items": r.items, "errors": r.errors, "inserted": r.inserted, "updated": r.updated,
                    "unchanged": r.unchanged, "vanished": r.vanished,
                }
                for r in runs
            ]
        per_body = {}
        rows = session.execute(
            select(Event.body_code, func.count(Event.id)).where(Event.vanished_at.is_(None)).group_by(Event.body_code)
        ).all()
        for body, count in rows:
            upcoming = session.scalar(
                select(func.count(Event.id)).where(
                    Event.body_code == body, Event.kind.in_([str(k) for k in DEADLINE_KINDS]),
                    Event.end_date >= now, Event.vanished_at.is_(None), Event.status != "cancelled",
                )
            )
            per_body[body] = {"events": count, "upcoming_deadlines": upcoming or 0}
    return {
        "today": now.isoformat(),
        "demo_clock": settings.today is not None,
        "database": storage.describe_url(),
        "counts": storage.counts(),
        "sources": sources,
        "bodies": dict(sorted(per_body.items())),
        "outbox": collect_outbox(storage),
        "scheduler": scheduler_status(storage, settings),
    }


def scheduler_status(storage: Storage, settings: Settings) -> dict[str, Any]:
    """Is a scheduler running against this database, and when does each job run next?"""
    from datetime import datetime

    from ventanas.locking import DatabaseLock
    from ventanas.scheduler import next_runs

    probe = DatabaseLock(storage, "scheduler", settings.var_dir)
    running = not probe.acquire()
    if not running:
        probe.release()
    stored = storage.stored_job_times()
    jobs = []
    for row in next_runs(settings):
        when = row["next_run"]
        if row["id"] in stored:  # what the scheduler itself will do (None: paused)
            when = stored[row["id"]] and datetime.fromtimestamp(stored[row["id"]], settings.zone)
        jobs.append({"id": row["id"], "next_run": when.isoformat() if when else None, "what": row["what"]})
    return {"running": running, "jobs": jobs}


def format_status(status: dict[str, Any]) -> str:
    lines = [f"database: {status['database']}",
             f"today: {status['today']}" + (" (demo clock)" if status["demo_clock"] else ""),
             "stored: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in status["counts"].items()), "",
             "sources (newest run first):"]
    for name, runs in status["sources"].items():
        if not runs:
            lines.append(f"  {name}: never run")
            continue
        for i, r in enumerate(runs):
            label = name if i == 0 else " " * len(name)
            lines.append(
                f"  {label}  #{r['run']} {r['started_at'][:16]}  {r['health']:<8} {r['items']:>5} items "
                f"{r['requests']:>4} req {r['wire_bytes']:>9} B  +{r['inserted']} ~{r['updated']} -{r['vanished']}  {r['reason']}"
            )
    changed = [(name, finding) for name, runs in status["sources"].items() if runs
               for finding in page_changes(runs[0]["reason"])]
    if changed:  # a changed page, told from a quiet week (health.py): what to look at first
        lines += ["", "pages that changed (newest run):"]
        lines += [f"  {name}: {finding}" for name, finding in changed]
    if status["bodies"]:
        lines += ["", "events per body (upcoming deadlines):"]
        lines += [f"  {b:<6} {v['events']:>5} ({v['upcoming_deadlines']})" for b, v in status["bodies"].items()]
    lines += format_outbox(status["outbox"])
    scheduler = status["scheduler"]
    lines += ["", "scheduler: " + ("running" if scheduler["running"] else "not running (cron, or `run.py schedule`)")]
    lines += [f"  {job['id']:<7} next {job['next_run'] or 'paused'}  {job['what']}" for job in scheduler["jobs"]]
    return "\n".join(lines)


def page_changes(reason: str | None) -> list[str]:
    """The findings a run's reason names (health.with_findings), one per item."""
    _, marker, named = (reason or "").partition(CHANGED_MARKER)
    return [finding for finding in named.split("; ") if finding] if marker else []
