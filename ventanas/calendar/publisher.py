"""The publisher: re-renders exactly the files that new Change rows touch.

It keeps a cursor (the last change id it published, in the database).
``publish()`` reads the changes since the cursor and works out what they touch:

- the event's States (its scope now, the States it had before the change, and
  for a session's event every State reviewed at that session) → their feeds
  in each language (``[<lang>/]feeds/states/<ISO3>.ics``, ``…-deadlines.ics``),
  exports (``api/states/<ISO3>.json|csv``) and pages (``[<lang>/]states/<ISO3>.html``),
  and the personal feeds of the subscribers who follow them;
- the event's body (now and before) → ``[<lang>/]feeds/bodies/<BODY>.ics`` and its pages;
- any change → ``[<lang>/]feeds/all.ics``, ``api/events.json|csv``, the index and the
  history pages.

Personal feeds (``personal/<token>.ics``, :mod:`ventanas.calendar.personal`)
are also written for a subscriber who is new or changed their choices, and
removed for one who left, even when no event changed.

Feeds and exports depend only on stored data. Pages also depend on the day
("upcoming", "days left", the today line): the publisher notes the day it
rendered them for, and when the day has changed since, it re-renders every
page even without a change (feeds and exports stay untouched). So a daily
``run`` keeps pages right; between two runs a page may say "upcoming" about
an event that started this morning, and says on top which day it was
computed for.

Every file is written atomically and only when its bytes differ
(:func:`ventanas.calendar.files.write_if_changed`), and the cursor moves only
after the files are written: a crash in between means the next run does the
work again, never that a change is skipped.

A first publication, a changed public directory or base URL, new rendering
code, or a missing index page make the publication full, as ``--all`` does.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ventanas.calendar import exports, feeds, i18n, personal
from ventanas.calendar.blocks import BlockCache, Fragments
from ventanas.calendar.events import (
    CLOSED_MEMBERSHIP,
    SESSION_WIDE_KINDS,
    Entry,
    EventView,
    Scope,
    load_entries,
    load_events,
    rows_for,
)
from ventanas.calendar.files import sync, write_if_changed
from ventanas.calendar.labels import ui
from ventanas.calendar.site import HISTORY_LENGTH, INDEX_HORIZON_DAYS, ChangeLine, Site, page_path
from ventanas.clock import today as clock_today
from ventanas.config import Settings
from ventanas.normalize.bodies import BODIES
from ventanas.storage import Storage
from ventanas.storage.models import Change

CURSOR = "publisher"
CACHE_FILE = "publisher.sqlite3"
STATIC = Path(__file__).with_name("static")


def _code_version() -> str:
    """A hash of everything that shapes the output: new code means a full publication."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    files = sorted([*package.glob("*.py"), *package.glob("templates/*.html"), *STATIC.glob("*"),
                    package.parent / "windows.py"])
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


@dataclass
class PublishReport:
    changes: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    rendered_events: int = 0  # events serialized anew (the others came from the fragment cache)
    full: bool = False
    pages_day: str = ""
    reason: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # per phase, for `publish --json` and the benchmark
    revoked: list[str] = field(default_factory=list)  # personal feeds removed (their subscriber left)

    def as_dict(self) -> dict:
        return {"changes": self.changes, "written": len(self.written), "unchanged": self.unchanged,
                "personal_feeds_revoked": len(self.revoked),
                "rendered_events": self.rendered_events, "full": self.full, "pages_day": self.pages_day,
                "reason": self.reason, "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


@dataclass
class Plan:
    """What to render: empty sets and False flags mean nothing."""

    states: set[str] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)
    aggregates: bool = False  # all.ics, api/events.*, index and history
    all_pages: bool = False  # the day changed: every page


class _Writer:
    def __init__(self, public: Path, report: PublishReport):
        self.public, self.report = public, report

    def __call__(self, relative: str, data: bytes) -> None:
        if write_if_changed(self.public / relative, data, durable=False):
            self.report.written.append(relative)
        else:
            self.report.unchanged += 1


@dataclass(frozen=True)
class _Mark:
    """What publishing needs of a Change row: its id (for the cursor) and the event it names."""

    id: int
    event_id: int


def _changes_since(session: Session, change_id: int) -> list[_Mark]:
    # Only two columns: a first publication follows thousands of "created" changes whose
    # diffs (whole snapshots) nobody here reads; _touched reads the few diffs it needs.
    query = select(Change.id, Change.event_id).where(Change.id > change_id).order_by(Change.id)
    return [_Mark(*row) for row in session.execute(query)]


def _diffs(session: Session, changes: Sequence[_Mark]) -> Iterable[dict]:
    for (diff,) in rows_for(session, select(Change.diff), Change.id, [c.id for c in changes]):
        yield diff or {}


def _touched(session: Session, changes: Sequence[_Mark], scope: Scope,
             views: dict[int, EventView | Entry]) -> Plan:
    # events that take their States from their session (see events.py): a change to the session's
    # reviews changes their scope; the States they had before are the reviewed States before the change
    inheritors: dict[tuple[str, str], list[int]] = defaultdict(list)
    for view in views.values():
        if view.session and not view.states and view.kind in SESSION_WIDE_KINDS:
            inheritors[(view.body, view.session)].append(view.id)
    plan = Plan(aggregates=bool(changes))
    for change in changes:
        view = views.get(change.event_id)
        plan.states |= scope.states_of.get(change.event_id, frozenset())
        if view is not None:
            plan.bodies.add(view.body)
            for other in inheritors.get((view.body, view.session), []) if view.session else []:
                plan.states |= scope.states_of.get(other, frozenset())
    for diff in _diffs(session, changes):  # where the changed events were before
        old_states = (diff.get("states") or [None])[0] or []
        plan.states.update(entry.split(":")[0] for entry in old_states)
        old_body = (diff.get("body") or [None])[0]
        if old_body:
            plan.bodies.add(old_body)
            plan.states |= CLOSED_MEMBERSHIP.get(old_body, frozenset())
    return plan


def _history(session: Session, views: dict[int, EventView], scope: Scope) -> list[ChangeLine]:
    rows = session.scalars(select(Change).order_by(Change.id.desc()).limit(HISTORY_LENGTH))
    return [
        ChangeLine(id=c.id, kind=c.kind, detected_at=c.detected_at, source_name=c.source_name, diff=c.diff or {},
                   event=views[c.event_id], states=tuple(sorted(scope.states_of.get(c.event_id, ()))))
        for c in rows if c.event_id in views
    ]


def _feed(write: _Writer, relative: str, lang: str, items: Iterable[EventView | Entry],
          fragments: dict[int, Fragments], *, name: str, description: str, base_url: str) -> None:
    """One feed in one language: ``feeds/…`` (English), ``es/feeds/…``, ``fr/feeds/…``."""
    parts = [fragments[v.id] for v in items if feeds.in_feeds(v)]
    tzids = set().union(*(p.tzids for p in parts)) if parts else set()
    feed_id = relative.removesuffix(".ics").replace("feeds/", "", 1)  # "states/MEX", "es/states/MEX"
    data = feeds.assemble((p.ics[lang] for p in parts), tzids, feed_id=feed_id, name=name,
                          description=description, url=f"{base_url}/{relative}")
    write(relative, data)


def _exports(write: _Writer, stem: str, items: Sequence[EventView | Entry], fragments: dict[int, Fragments], **head) -> None:
    write(f"{stem}.json", exports.assemble_json((fragments[v.id].json for v in items), **head))
    write(f"{stem}.csv", exports.assemble_csv(fragments[v.id].csv for v in items))


def publish(storage: Storage, settings: Settings, *, full: bool = False, today: date | None = None) -> PublishReport:
    today = today or clock_today(settings)
    public = Path(settings.public_dir)
    base_url = settings.base_url.rstrip("/")
    report = PublishReport(pages_day=today.isoformat())
    clock = [time.perf_counter()]

    def lap(phase: str) -> None:
        now = time.perf_counter()
        report.seconds[phase] = report.seconds.get(phase, 0.0) + now - clock[0]
        clock[0] = now

    signature = f"{CODE_VERSION}|{public.resolve()}|{base_url}|{settings.link_span_days}|{settings.today is not None}"
    with BlockCache(Path(settings.var_dir) / CACHE_FILE) as cache, storage.transaction() as session:
        changes = _changes_since(session, storage.cursor(session, CURSOR))
        report.changes = len(changes)
        if full:
            report.reason = "--all"
        elif cache.note("signature") != signature or not (public / "index.html").exists():
            full, report.reason = True, "first publication, new settings or new rendering code"
        day_changed = cache.note("day") != today.isoformat()
        if not full and not changes and not day_changed:
            report.reason = "no new changes"
            # still: the feeds of new subscribers or new choices, and the removal of those who left
            _personal(report, personal.sync(session, settings, cache, touched=set()))
            return report
        report.full = full

        # A full publication reads every event whole; an incremental one reads every event's Entry
        # (to assemble all.ics and know each State's events) and whole only what it re-renders.
        entries: list[EventView] | list[Entry] = load_events(session) if full else load_entries(session)
        scope = Scope.build(entries)
        lap("load")
        fragments, report.rendered_events = cache.fragments(entries, lambda ids: load_events(session, ids),
                                                            rebuild=full)
        lap("render_events")
        if full:
            existing = {p.stem for p in (public / "feeds" / "states").glob("???.ics")}
            plan = Plan(states=set(scope.events_of) | existing, bodies=set(BODIES), aggregates=True, all_pages=True)
        else:
            plan = _touched(session, changes, scope, {e.id: e for e in entries})
            if day_changed:
                plan.all_pages = True
                report.reason = report.reason or "new day: pages re-rendered"
        views = _views_for_pages(session, plan, entries, scope, today)
        lap("load")
        write = _Writer(public, report)
        site = Site(base_url=base_url, today=today, demo_clock=settings.today is not None,
                    link_span_days=settings.link_span_days)
        _publish_files(write, site, session, plan, entries, views, scope, fragments, base_url,
                       full=full, today=today, lap=lap)
        by_id = {e.id: e for e in entries}
        _personal(report, personal.sync(
            session, settings, cache, touched=None if full else plan.states, fragments=fragments, durable=False,
            events_of=lambda code: [by_id[i] for i in scope.events_of.get(code, [])]))
        lap("personal_feeds")
        if report.written:
            sync()  # on disk before the cursor says so
        lap("sync")
        cache.set_notes(day=today.isoformat(), signature=signature)
        if changes:
            storage.advance_cursor(session, CURSOR, changes[-1].id)
    return report


def _personal(report: PublishReport, done: personal.PersonalReport) -> None:
    report.written += done.written
    report.unchanged += done.unchanged
    report.revoked += done.revoked


def _index_deadlines(entries: Sequence[EventView | Entry], today: date) -> list[int]:
    horizon = today + timedelta(days=INDEX_HORIZON_DAYS)
    return [e.id for e in entries if e.is_deadline and e.active and today <= e.last_day <= horizon]


def _views_for_pages(session: Session, plan: Plan, entries: Sequence[EventView | Entry], scope: Scope,
                     today: date) -> dict[int, EventView]:
    """The whole events the pages of this plan show."""
    if entries and isinstance(entries[0], EventView):  # a full publication read them whole already
        return {v.id: v for v in entries}  # type: ignore[union-attr]
    if plan.all_pages:
        return {v.id: v for v in load_events(session)}
    wanted: set[int] = set()
    for code in plan.states:
        wanted.update(scope.events_of.get(code, ()))
    wanted.update(e.id for e in entries if e.body in plan.bodies)
    if plan.aggregates:
        wanted.update(_index_deadlines(entries, today))
        wanted.update(session.scalars(select(Change.event_id).order_by(Change.id.desc()).limit(HISTORY_LENGTH)))
    return {v.id: v for v in load_events(session, wanted)}


def _publish_files(write: _Writer, site: Site, session: Session, plan: Plan, entries: Sequence[EventView | Entry],
                   views: dict[int, EventView], scope: Scope, fragments: dict[int, Fragments], base_url: str, *,
                   full: bool, today: date, lap) -> None:
    feed_states = set(scope.events_of)
    by_id = {e.id: e for e in entries}
    if full:
        write("style.css", (STATIC / "style.css").read_bytes())
        write("404.html", site.not_found())

    # feeds (in every language) and exports: only what the changes touched
    for code in sorted(plan.states):
        items = [by_id[i] for i in scope.events_of.get(code, [])]
        deadlines = [e for e in items if e.is_deadline]
        for lang in i18n.LANGS:
            name = i18n.state_name(code, lang)
            _feed(write, page_path(lang, f"feeds/states/{code}.ics"), lang, items, fragments, base_url=base_url,
                  name=ui(lang, "feed_state", state=name), description=ui(lang, "feed_state_desc", state=name))
            _feed(write, page_path(lang, f"feeds/states/{code}-deadlines.ics"), lang, deadlines, fragments,
                  base_url=base_url, name=ui(lang, "feed_state_deadlines", state=name),
                  description=ui(lang, "feed_state_deadlines_desc", state=name))
        _exports(write, f"api/states/{code}", items, fragments, state=code)
    for code in sorted(plan.bodies & set(BODIES)):
        items = [e for e in entries if e.body == code]
        for lang in i18n.LANGS:
            name = i18n.body_name(code, lang)
            _feed(write, page_path(lang, f"feeds/bodies/{code}.ics"), lang, items, fragments, base_url=base_url,
                  name=ui(lang, "feed_body", code=code, name=name), description=ui(lang, "feed_body_desc", name=name))
    if plan.aggregates:
        for lang in i18n.LANGS:
            _feed(write, page_path(lang, "feeds/all.ics"), lang, entries, fragments, base_url=base_url,
                  name=ui(lang, "feed_all_name"), description=ui(lang, "feed_all_desc"))
        _exports(write, "api/events", entries, fragments)
    lap("feeds_and_exports")

    # pages: those touched, or all of them on a new day
    page_states = (feed_states | plan.states) if plan.all_pages else plan.states
    page_bodies = set(BODIES) if plan.all_pages else plan.bodies & set(BODIES)
    for code in sorted(page_states):
        items = [views[i] for i in scope.events_of.get(code, [])]
        windows, links, earlier = site.state_data(code, items)
        for lang in i18n.LANGS:
            write(page_path(lang, f"states/{code}.html"),
                  site.state_page(lang, code, items, windows=windows, links=links, earlier_links=earlier))
    sizes = {i: len(s) for i, s in scope.states_of.items()}
    for code in sorted(page_bodies):
        items = [views[e.id] for e in entries if e.body == code]
        for lang in i18n.LANGS:
            write(page_path(lang, f"bodies/{code}.html"), site.body_page(lang, code, items, sizes))
    if plan.aggregates or plan.all_pages:
        deadlines = [(views[i], sorted(scope.states_of.get(i, ()))) for i in _index_deadlines(entries, today)]
        history = _history(session, views, scope)
        for lang in i18n.LANGS:
            write(page_path(lang, "index.html"),
                  site.index(lang, states=sorted(feed_states), bodies=list(BODIES), deadlines=deadlines))
            write(page_path(lang, "history.html"), site.history(lang, history))
    lap("pages")
