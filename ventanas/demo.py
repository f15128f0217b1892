"""`make demo` / `run.py demo`: the whole product, offline, in a minute (DESIGN §13).

It serves ventanas/demo_site/ on loopback, points every source at it, and
runs the main job on the embedded defaults, on the demo clock: a fixed
"today" shortly before the reconstructed events, so that upcoming windows,
reminders and digests have content. The clock is kept in var/demo-clock for
the commands that follow (ventanas/config.py), and the commands the demo
prints are the ones that work from here (.venv/bin/ventanas, not `python`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from datetime import date
from pathlib import Path

from ventanas.config import Settings, keep_demo_clock
from ventanas.sitecopy import SiteCopyServer

DEMO_SITE = Path(__file__).with_name("demo_site")
# The demo clock: before the GFMD summit of September 2025, the CSM conference of
# November 2025 and the treaty-body sessions of 2025-2026 in the snapshot.
DEMO_TODAY = date(2025, 8, 1)
# The announcement feeds the demo reads (VENTANAS_FEEDS): reconstructions in the
# snapshot site, whatever feeds the user configured, so the demo stays offline.
DEMO_FEEDS = ("www.gfmd.org/rss.xml", "crmsv.org/feed/", "csmigraciones.org/es/feed.atom")


def demo_settings(settings: Settings, site: SiteCopyServer) -> Settings:
    """The user's settings, with every source on the snapshot site and the demo clock on."""
    return dataclasses.replace(
        settings,
        today=settings.today or DEMO_TODAY,
        download_delay=0.0,  # loopback: politeness delays would only slow the demo
        feeds=tuple(f"{site.url}/{path}" for path in DEMO_FEEDS),
        **site.source_overrides(),
    )


def command(name: str) -> str:
    """How to run a ventanas command the way this process was run: the console script beside this
    Python (.venv/bin/ventanas after `make demo`), else this Python with run.py."""
    script = Path(sys.executable).parent / "ventanas"
    if script.exists():
        return f"{_shown(script)} {name}"
    return f"{_shown(Path(sys.executable))} {_shown(Path(__file__).parent.parent / 'run.py')} {name}"


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    from run import open_storage
    from ventanas.calendar.publisher import publish
    from ventanas.crawl import crawl

    try:
        site = SiteCopyServer(DEMO_SITE, port=args.port)
    except OSError:  # the port is taken: any free one will do
        site = SiteCopyServer(DEMO_SITE, port=0)
    with site:
        demo = demo_settings(settings, site)
        print(f"ventanas demo: snapshot site on {site.url}, demo clock today = {demo.today}")
        reports = crawl(demo, log_level="INFO" if args.verbose else "WARNING")
    for r in reports:
        print(f"  crawl {r.spider}: {r.health}; {r.items} items: {r.counts_line()}")
        for note in r.held_back_notes:
            print(f"    held back: {note}")
    storage = open_storage(demo)
    published = publish(storage, demo)
    print(f"  publish: {len(published.written)} files written, {published.unchanged} unchanged")
    from ventanas.notifier.demo import DEMO_SUBSCRIBER, run_demo_mail

    mail = run_demo_mail(storage, demo)
    print(f"  notify: {DEMO_SUBSCRIBER} (MEX, GTM, Spanish, weekly digest)"
          f"{' subscribed' if mail.added else ''}; {mail.enqueued} messages enqueued")
    print(f"  send: {len(mail.written)} .eml files written")
    clock = keep_demo_clock(demo.var_dir, demo.today)
    public = Path(demo.public_dir).resolve()
    base = demo.base_url.rstrip("/")
    print("\nResults (made on the demo clock, from reconstructed pages):")
    print(f"  feeds:    {public / 'feeds' / 'states'}/<ISO3>.ics   e.g. {public / 'feeds/states/MEX.ics'}")
    print(f"  site:     {public / 'index.html'}   ({command('serve')}, then {base}/)")
    print(f"  sign-up:  {base}/subscribe, {base}/es/subscribe, {base}/fr/subscribe   (while serve runs)")
    print(f"  Mexico:   {public / 'es/states/MEX.html'}   (English: {public / 'states/MEX.html'})")
    print(f"  database: {storage.describe_url()}   ({command('status')})")
    print(f"  mail:     {mail.outbox_dir.resolve()}/*.eml" + (f"   e.g. the Spanish digest {mail.digest_file.resolve()}"
                                                               if mail.digest_file else ""))
    if mail.feed_url:
        print(f"  her calendar, with reminders: {mail.feed_url}   (a file in {public / 'personal'}/)")
    print(f"  clock:    today = {demo.today} for the commands that follow too; it is kept in {_shown(clock)} "
          "(delete that file, or set VENTANAS_TODAY, for the real date)")
    healths = {str(r.health) for r in reports}
    return 3 if "failed" in healths else 1 if "degraded" in healths else 0


def _shown(path: Path) -> str:
    """A path as a user can type it from here: relative inside the working directory, else absolute
    (symlinks kept: .venv/bin/python must stay that, not the Python it links to)."""
    relative = os.path.relpath(path)
    if relative.startswith(".."):
        return os.path.abspath(path)
    return relative if os.sep in relative else f".{os.sep}{relative}"
