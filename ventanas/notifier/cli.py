"""The notifier's commands: `subscribers`, `notify`, `send`, `digest`. run.py parses and wires them.

Each function takes the parsed arguments, the settings and an open storage,
prints what happened, and returns an exit code; a user error raises
:class:`CommandFailed` with one line to print.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import timedelta
from pathlib import Path

from ventanas.calendar import personal
from ventanas.clock import utcnow
from ventanas.config import Settings
from ventanas.notifier import subscriptions as subs
from ventanas.notifier.compose import reader_zone
from ventanas.notifier.notify import digest_now, notify, preview_digest
from ventanas.notifier.personal import personal_feed_url
from ventanas.notifier.sender import send
from ventanas.storage import Storage
from ventanas.storage import subscribers as store
from ventanas.storage.models import Subscriber

EXPORT_FIELDS = ("email", "language", "states", "bodies", "kinds", "lead_days", "digest", "confirmed",
                 "created_at", "confirmed_at", "unsubscribed_at", "digest_period", "timezone")


class CommandFailed(RuntimeError):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def _email(text: str) -> str:
    try:
        return subs.normalize_email(text)
    except subs.InvalidSubscription as exc:
        raise CommandFailed(str(exc)) from exc


def subscribers(args: argparse.Namespace, settings: Settings, storage: Storage) -> int:
    if args.action == "add":
        email = _email(args.email)
        try:
            prefs = subs.preferences(states=args.state, language=args.lang, bodies=args.body, kinds=args.kind,
                                     lead_days=args.lead, digest=args.digest, timezone=getattr(args, "timezone", None))
        except subs.InvalidSubscription as exc:
            raise CommandFailed(str(exc)) from exc
        with storage.transaction() as session:
            subscriber, created = subs.add_confirmed(session, email, prefs, now=utcnow(),
                                                     change_id=store.latest_change_id(session))
            subscriber_id = subscriber.id
            print(f"{'added' if created else 'updated'} {subscriber.email}: {describe(subscriber)}")
        with storage.session() as session:  # their calendar at once, not at the next publication
            personal.publish_for(session, settings, [subscriber_id])
            subscriber = store.find(session, email)
            url = personal_feed_url(settings, subscriber) if subscriber is not None else None
        if url:
            print(f"personal calendar (keep it private): {url}")
        return 0
    if args.action == "remove":
        email = _email(args.email)
        with storage.transaction() as session:
            found = store.find(session, email)
            token = found.feed_token if found is not None else None
            if not subs.remove(session, email):
                raise CommandFailed(f"no subscriber {email}")  # a wrong address: bad usage (2), nothing failed
        if token:
            personal.revoke(Path(settings.public_dir), token)
        print(f"removed {email}")
        return 0
    with storage.session() as session:
        rows = [as_dict(s) for s in store.everyone(session)]
    if args.action == "list":
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            with storage.session() as session:
                for s in store.everyone(session):
                    print(f"{s.email}  {describe(s)}")
            print(f"{len(rows)} subscribers")
        return 0
    text = _export(rows, args.format)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"exported {len(rows)} subscribers to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def describe(s: Subscriber) -> str:
    state = "active" if subs.is_active(s) else ("unsubscribed" if s.unsubscribed_at else "unconfirmed")
    parts = [state, f"lang {s.language}", "States " + ",".join(s.states or [])]
    if s.bodies:
        parts.append("bodies " + ",".join(s.bodies))
    if s.kinds:
        parts.append("kinds " + ",".join(s.kinds))
    parts += [f"digest {s.digest}", "reminders " + ",".join(str(d) for d in s.lead_days or []) + " days before",
              f"local time {reader_zone(s) or 'none'}" + ("" if s.timezone else " (first State's)")]
    return "; ".join(parts)


def as_dict(s: Subscriber) -> dict:
    row = {name: getattr(s, name) for name in EXPORT_FIELDS}
    for name in ("created_at", "confirmed_at", "unsubscribed_at"):
        row[name] = row[name].isoformat() if row[name] else None
    return row


def _export(rows: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: " ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
                         for k, v in row.items()})
    return out.getvalue()


def notify_command(args: argparse.Namespace, settings: Settings, storage: Storage) -> int:
    report = notify(storage, settings, digests=not args.no_digests)
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        print(f"notify: {report.alerts} alerts, {report.reminders} reminders, {report.digests} digests "
              f"enqueued for {report.subscribers} subscribers")
    return 0


def send_command(args: argparse.Namespace, settings: Settings, storage: Storage) -> int:
    report = send(storage, settings, limit=args.limit, lease=timedelta(seconds=args.lease))
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        where = f"{len(report.files)} .eml files in {settings.resolved_outbox_dir}/" if not settings.smtp_url \
            else f"over {report.connections} SMTP connection(s)"
        print(f"send: {report.sent} sent ({where}), {report.retried} to retry, {report.failed} failed")
    if report.unavailable:
        print(f"send: SMTP server unavailable, messages wait for the next run: {report.unavailable}", file=sys.stderr)
        return 3
    return 0


def digest_command(args: argparse.Namespace, settings: Settings, storage: Storage) -> int:
    if args.now:
        count = digest_now(storage, settings)
        print(f"digest: {count} digests enqueued (a subscriber's digest for this period is never enqueued twice)")
        return 0
    rendered = preview_digest(storage, settings, _email(args.preview))
    if rendered is None:
        raise CommandFailed(f"no subscriber {args.preview}")
    print(f"Subject: {rendered.subject}\n")
    print(rendered.html if args.html else rendered.text)
    return 0
