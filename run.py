#!/usr/bin/env python3
"""ventanas: reporting windows of the UN treaty bodies and the migration dialogues, per State.

The composition root (STYLE 6): it builds the settings, the storage and the
other parts, and hands them to the command asked for. Also installed as the
``ventanas`` console script.

Exit codes: 0 ok; 1 some source degraded; 2 bad usage or configuration;
3 a source failed or a step could not run; 4 another run holds the lock;
130 interrupted (Ctrl-C).

``python run.py …`` works with any Python 3.11+: one that lacks the
dependencies hands over to ``.venv/bin/python`` beside this file (the one
``make demo`` sets up), rather than end in ModuleNotFoundError.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ventanas.config import ConfigError, Settings, describe, load_settings

EXIT_OK, EXIT_DEGRADED, EXIT_USAGE, EXIT_FAILED, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
HANDED_OVER = "_VENTANAS_HANDED_OVER"  # set for the second Python: it must not hand over again


class CommandError(RuntimeError):
    """A user-facing failure: printed as one line, exit code 3 unless given."""

    def __init__(self, message: str, code: int = EXIT_FAILED):
        super().__init__(message)
        self.code = code


def open_storage(settings: Settings):
    from ventanas.storage import Storage

    return Storage.open(settings.resolved_database_url)


def _exit_for(reports) -> int:
    healths = {str(r.health) for r in reports}
    if "failed" in healths:
        return EXIT_FAILED
    if "degraded" in healths:
        return EXIT_DEGRADED
    return EXIT_OK


# -- commands -------------------------------------------------------------------


def cmd_crawl(args: argparse.Namespace, settings: Settings) -> int:
    from ventanas.crawl import UnknownSource, crawl

    try:
        reports = crawl(settings, args.source or None, record_dir=args.record,
                        log_level="INFO" if args.verbose else "WARNING")
    except UnknownSource as exc:
        raise CommandError(str(exc), EXIT_USAGE) from exc
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], indent=2))
    else:
        for r in reports:
            print(f"{r.spider}: {r.health} ({r.reason}); {r.requests} requests, {r.wire_bytes} bytes; "
                  f"{r.counts_line()}, {r.vanished} vanished")
            for note in r.held_back_notes:
                print(f"  held back: {note}")
    return _exit_for(reports)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from ventanas.locking import LockBusy
    from ventanas.operations import run_main
    from ventanas.progress import CrawlProgress

    progress = CrawlProgress(sys.stderr if args.json else sys.stdout)  # keep --json output parseable
    try:
        with progress.shown():
            results = run_main(settings, sources=args.source or None, progress=progress.update,
                               log_level="INFO" if args.verbose else "WARNING")
    except LockBusy as exc:
        raise CommandError(f"{exc}; not starting a second run", EXIT_LOCKED) from exc
    if args.json:
        print(json.dumps({"health": results.health, "crawl": [r.as_dict() for r in results.crawl],
                          **results.steps}, indent=2, default=str))
    else:
        for r in results.crawl:
            print(f"{r.spider}: {r.health} ({r.reason}); +{r.inserted} ~{r.updated} ={r.unchanged} -{r.vanished}")
        for step, summary in results.steps.items():
            print(f"{step}: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return _exit_for(results.crawl)


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    import logging
    import signal
    import threading
    from datetime import datetime

    from ventanas.locking import DatabaseLock
    from ventanas.scheduler import build_scheduler, missed_by, next_runs

    if args.list:
        for row in next_runs(settings):
            print(f"{row['id']:<7} next {row['next_run']:%Y-%m-%d %H:%M %Z}  {row['what']}  [{row['trigger']}]")
        return EXIT_OK
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    storage = open_storage(settings)
    lock = DatabaseLock(storage, "scheduler", settings.var_dir)
    if not lock.acquire():
        raise CommandError(f"another scheduler already runs against this database ({lock.where})", EXIT_LOCKED)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    scheduler = build_scheduler(settings, storage, config_file=str(args.config) if args.config else None)
    try:
        for job_id, late in missed_by(scheduler, datetime.now(settings.zone)).items():
            logging.info("job %s was due %s ago: it runs now if within its grace time", job_id, late)
        scheduler.resume()
        for job in scheduler.get_jobs():
            logging.info("job %s: next run %s", job.id, job.next_run_time)
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        lock.release()
    return EXIT_OK


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    from ventanas.calendar.publisher import publish

    storage = open_storage(settings)
    report = publish(storage, settings, full=args.all)
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        how = "full" if report.full else "incremental"
        print(f"published {len(report.written)} files ({report.unchanged} unchanged, {how}: "
              f"{report.reason or 'new changes'}) from {report.changes} changes into {settings.public_dir}/; "
              f"site: {Path(settings.public_dir) / 'index.html'}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import errno
    import logging

    from ventanas.notifier.instant import ConfirmationSender
    from ventanas.notifier.personal import make_routes as personal_routes
    from ventanas.notifier.web import make_routes
    from ventanas.web import Handler, serve

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    storage = open_storage(settings)
    # serve sends its own confirmation mail within seconds (the rest waits for `send`, as before)
    sender = ConfirmationSender(storage, settings)
    # Dynamic endpoints register here: path prefix -> ventanas.web.Handler (see ventanas/web.py).
    routes: dict[str, Handler] = {}
    routes.update(make_routes(storage, settings, on_enqueued=sender.wake))  # /subscribe, /confirm, /unsubscribe
    routes.update(personal_routes(storage, settings))  # /personal/<token>.ics: 410 Gone once unsubscribed
    # Without VENTANAS_BASE_URL the pages' absolute links (webcal://…) name a placeholder, and serve
    # points them at the address each client reached it at (see ventanas/web.py).
    published_base = settings.base_url if settings.base_url == Settings.base_url else None
    try:
        serve(settings.public_dir, args.host, args.port, routes, idle_timeout=settings.serve_idle_timeout,
              body_timeout=settings.serve_body_timeout, trusted_proxies=settings.serve_trusted_proxies,
              background=[sender.run], published_base=published_base,
              announce=lambda line: print(f"{line}\nsign-up: /subscribe (also /es/subscribe, /fr/subscribe); "
                                          f"confirmation mail is sent at once, {sender.describe()}", flush=True))
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        raise CommandError(f"serve: cannot listen on {args.host}:{args.port}: {os.strerror(exc.errno)} "
                           "(another serve? choose another --port)") from exc
    return EXIT_OK


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from ventanas.status import collect_status, format_status

    storage = open_storage(settings)
    status = collect_status(storage, settings, runs_per_source=args.runs)
    print(json.dumps(status, indent=2, default=str) if args.json else format_status(status))
    return EXIT_OK


def _notifier(command: str, args: argparse.Namespace, settings: Settings) -> int:
    from ventanas.notifier import cli

    try:
        return getattr(cli, command)(args, settings, open_storage(settings))
    except cli.CommandFailed as exc:
        raise CommandError(str(exc), exc.code) from exc


def cmd_subscribers(args: argparse.Namespace, settings: Settings) -> int:
    return _notifier("subscribers", args, settings)


def cmd_notify(args: argparse.Namespace, settings: Settings) -> int:
    return _notifier("notify_command", args, settings)


def cmd_send(args: argparse.Namespace, settings: Settings) -> int:
    return _notifier("send_command", args, settings)


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    return _notifier("digest_command", args, settings)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from ventanas.demo import run_demo

    return run_demo(args, settings)


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from ventanas.fetch import FetchError, fetch, is_url
    from ventanas.normalize.doctext import DocumentError, read_bytes
    from ventanas.normalize.extraction import extract_document, extract_file

    hints = {"lang": args.lang, "published": args.published, "body": args.body, "session": args.session}
    try:
        if is_url(args.file):
            fetched = fetch(args.file, settings)
            doc = read_bytes(fetched.data, name=fetched.name, total_size=fetched.total_size)
            events, notes = extract_document(doc, source_url=fetched.url, label=fetched.url, **hints)
        else:
            source = Path(args.file)
            if not source.exists():  # the user named the wrong file: bad usage, not a failed step
                raise CommandError(f"extract: no such file: {args.file}", EXIT_USAGE)
            if source.is_dir():
                raise CommandError(f"extract: {args.file} is a folder, not a document", EXIT_USAGE)
            events, notes = extract_file(args.file, **hints)
    except (DocumentError, FetchError) as exc:
        raise CommandError(str(exc)) from exc
    for note in notes:
        print(f"ventanas: note: {note}", file=sys.stderr)
    print(json.dumps(events, indent=2, ensure_ascii=False))
    return EXIT_OK


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date like 2016-07-15: {text!r}") from exc


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port (0 to 65535): {text!r}")
    return port


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of 1 or more: {text!r}")
    return number


def _seconds(text: str) -> float:
    import math

    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not 0 < number < math.inf:  # a lease of 0 or less would let a second sender take a message in flight
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return number


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    for name, env, _default, doc in describe():
        print(f"{env} = {_value_in_force(name, settings)}\n    {doc}")
    return EXIT_OK


def _value_in_force(name: str, settings: Settings) -> str:
    """What a setting is as the commands use it: defaults resolved (the outbox folder, the database),
    no password, no Python 'None'."""
    from ventanas.clock import today
    from ventanas.config import demo_clock_file, kept_demo_clock

    value = getattr(settings, name)
    if name == "database_url":
        from sqlalchemy.engine import make_url

        return make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    if name == "outbox_dir":
        return f"{settings.resolved_outbox_dir}" + ("  (unused: VENTANAS_SMTP_URL is set)" if settings.smtp_url else "")
    if name == "smtp_url":
        return "(set)" if value else "(not set: mail is written as .eml files into the outbox folder)"
    if name == "today":
        if value is None:
            return f"{today(settings)}  (the real date)"
        clock = demo_clock_file(settings.var_dir)
        if "VENTANAS_TODAY" not in os.environ and kept_demo_clock(settings.var_dir) == value:
            return f"{value}  (the demo clock, kept in {clock}: delete that file, or set VENTANAS_TODAY, for the real date)"
        return f"{value}  (a fixed date)"
    if name == "base_url" and value == Settings.base_url:
        return f"{value}  (not set: serve points the pages' links at the address it is reached at)"
    if isinstance(value, tuple):  # feeds, trusted proxies
        return ", ".join(value) or "(none)"
    if value in ("", None):
        return "(none)"
    return str(value)


# -- parser ---------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ventanas",
        description="Crawl UN treaty-body and migration-dialogue calendars; publish iCalendar feeds; "
        "email digests, reminders and alerts per State.",
        epilog="Settings come from ventanas.toml and VENTANAS_* variables; see `ventanas config`.",
    )
    parser.add_argument("--config", type=Path, help="settings file (default: ./ventanas.toml if present)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (Scrapy at INFO level)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add("crawl", cmd_crawl, "Fetch the sources and store what changed. Exit 1 if a source is degraded, 3 if one failed.")
    p.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable); default: all")
    p.add_argument("--record", type=Path, metavar="DIR",
                   help="save every fetched page under DIR in the layout of ventanas/demo_site/")
    p.add_argument("--json", action="store_true", help="print the crawl reports as JSON")

    p = add("run", cmd_run, "The main job for cron: crawl → publish → notify → send, under a lock. "
            "Exit 0 ok, 1 a source degraded, 3 a source failed, 4 another run is in progress.")
    p.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable); default: all")
    p.add_argument("--json", action="store_true", help="print what each step did as JSON")

    p = add("schedule", cmd_schedule, "Run the jobs on a clock (APScheduler): crawl every 6 h, then publish and "
            "notify; send every 5 min; reminders daily; digests Monday 07:00. One scheduler per database.")
    p.add_argument("--list", action="store_true", help="print the jobs and their next run times, then exit")

    p = add("publish", cmd_publish, "Write the feeds and pages that new changes touch, into the public directory.")
    p.add_argument("--all", action="store_true", help="re-render every file, not only those touched by new changes")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = add("serve", cmd_serve, "Serve the public directory (pre-rendered feeds and pages) over HTTP.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port to listen on (default 8000)")

    p = add("status", cmd_status, "Show the last crawl runs per source, their health, and what is stored.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--runs", type=_at_least_one, default=3, metavar="N", help="runs shown per source (default 3)")

    p = add("subscribers", cmd_subscribers, "Manage mail subscribers: add, list, remove, export.")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser(
        "add", help="add a subscriber (confirmed at once) or update one's choices",
        description="Add a subscriber, or update one's choices. An address added here is confirmed at once, "
        "without the confirmation mail the web form sends: the operator vouches that its owner asked for it.")
    a.add_argument("email")
    a.add_argument("--state", action="append", required=True, metavar="ISO3",
                   help="a State to follow: ISO code (MEX) or name (repeatable, or comma-separated)")
    a.add_argument("--body", action="append", default=[], metavar="BODY",
                   help="only these bodies (CMW, CEDAW, GFMD…; repeatable); default: all")
    a.add_argument("--kind", action="append", default=[], metavar="KIND",
                   help="only these kinds of event (review, cso_submission…; repeatable); default: all")
    a.add_argument("--lead", default="30,7,1", metavar="DAYS", help="reminder days before a deadline (default 30,7,1)")
    a.add_argument("--digest", default="weekly", choices=("weekly", "daily", "off"), help="default weekly")
    a.add_argument("--lang", default="en", choices=("en", "es", "fr"), help="language of the mail (default en)")
    a.add_argument("--timezone", metavar="ZONE",
                   help="IANA zone for local times in mail, e.g. America/Mexico_City (default: the first State's)")
    actions.add_parser("list", help="list subscribers").add_argument("--json", action="store_true")
    actions.add_parser("remove", help="delete a subscriber; mail waiting for it is cancelled").add_argument("email")
    x = actions.add_parser("export", help="every subscriber as CSV or JSON")
    x.add_argument("--format", choices=("csv", "json"), default="csv")
    x.add_argument("--output", type=Path, metavar="FILE", help="write here instead of standard output")

    p = add("notify", cmd_notify, "Enqueue alerts for new changes, reminders due today and digests due now. "
            "A second run with nothing new enqueues nothing.")
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-digests", action="store_true", help="alerts and reminders only")

    p = add("send", cmd_send, "Send what waits in the outbox: SMTP (VENTANAS_SMTP_URL) or .eml files in the outbox "
            "directory. Exit 3 if the SMTP server cannot be reached; the messages wait for the next run.")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=_at_least_one, metavar="N", help="stop after N messages")
    p.add_argument("--lease", type=_seconds, default=300, metavar="SECONDS",
                   help="a message claimed by a sender that died is retried after this (default 300)")

    p = add("digest", cmd_digest, "Print a subscriber's digest as of now, or enqueue every subscriber's digest now.")
    one = p.add_mutually_exclusive_group(required=True)
    one.add_argument("--preview", metavar="EMAIL", help="print this subscriber's digest; nothing is enqueued")
    one.add_argument("--now", action="store_true", help="enqueue every digest as if it were digest time (once per period)")
    p.add_argument("--html", action="store_true", help="with --preview: print the HTML part")

    p = add("demo", cmd_demo, "Run the whole product offline on the embedded snapshot site, on the demo clock.")
    p.add_argument("--port", type=_port, default=8753,
                   help="port of the loopback snapshot site (default 8753, or any free port if taken); "
                   "a stable port lets the HTTP cache answer re-runs with 304s")

    p = add("extract", cmd_extract, "Print the events a document announces (.txt, .html, .docx, .pdf, .doc) as JSON; "
            "FILE may be an http(s) URL, fetched once with the configured User-Agent and timeout.")
    p.add_argument("file", metavar="FILE_OR_URL", help="the document to read: a path, or an http(s) URL")
    p.add_argument("--lang", choices=("en", "es", "fr"), help="its language (default: detected)")
    p.add_argument("--published", type=_iso_date, metavar="YYYY-MM-DD",
                   help="its publication date: the year of dates written without one is inferred from it")
    p.add_argument("--body", metavar="CODE", help="the body it is about when the text does not say (e.g. CMW)")
    p.add_argument("--session", metavar="N", help="the session it is about when the text does not say")

    add("config", cmd_config, "Print every setting, its environment variable and its current value.")
    return parser


def use_project_environment() -> None:
    """With a Python that lacks the dependencies, run again with the project's (.venv/bin/python), or say
    in one line how to get one; ventanas/config.py needs only the standard library, the rest does not."""
    if importlib.util.find_spec("sqlalchemy") is not None:
        return
    here = Path(__file__).resolve().parent
    project_python = here / ".venv" / "bin" / "python"
    if project_python.exists() and not os.environ.get(HANDED_OVER):
        os.environ[HANDED_OVER] = "1"
        os.execv(project_python, [str(project_python), str(here / "run.py"), *sys.argv[1:]])
    print(f"ventanas: this Python ({sys.executable}) lacks ventanas' dependencies: run `make demo` in {here} "
          "(it creates .venv), then .venv/bin/ventanas COMMAND", file=sys.stderr)
    sys.exit(EXIT_USAGE)


def main(argv: Sequence[str] | None = None) -> int:
    use_project_environment()
    from ventanas.storage import StorageError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        code = args.func(args, settings)
        sys.stdout.flush()  # a closed pipe is found here, not in the interpreter's last flush
        return code
    except (ConfigError, StorageError, CommandError) as exc:
        print(f"ventanas: {exc}", file=sys.stderr)
        return getattr(exc, "code", EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED)
    except KeyboardInterrupt:
        print("ventanas: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `ventanas config | head`: the reader has read enough; nothing failed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit's flush must not fail again
        return EXIT_OK
    except OSError as exc:  # a full disk, an unwritable public directory: the system's words, one line
        print(f"ventanas: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
