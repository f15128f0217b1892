"""G2 publish: 200 State feeds of 50 events each, fully and after 5 States changed.

10,000 events (200 States × 50: report due dates, reviews, timed public
dialogues in Geneva time, estimated civil-society deadlines, GFMD meetings)
are stored through ``Storage.record_crawl`` in a SQLite file.

- Full publication: ``publish(full=True)`` into an empty public directory —
  everything the product writes: 400 State feeds (all events and
  deadlines-only), 14 body feeds and all.ics, each in English, Spanish and
  French (1,245 feeds, each event rendered in three languages), the JSON and
  CSV exports (all and per State), and every page in three languages.
- Baseline: the same 10,000 events (already loaded) serialized into one
  calendar with icalendar, the way a naive publisher writes all.ics (in one
  language).
- Incremental: one event moved in each of 5 States (a re-crawl, not timed),
  then ``publish()``: only those States' feeds (three languages), exports and
  pages, the aggregates (all.ics three times) and the history.

Figures: full / baseline (target ≤ 1.3×), the same without the pages' phase (the
feeds and exports alone, timed inside the same run by the publisher's phase
timings), and incremental / full (target ≤ 0.1×).
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import Figure
from ventanas.calendar.events import load_events
from ventanas.calendar.feeds import render_feed
from ventanas.calendar.publisher import publish
from ventanas.clock import utcnow
from ventanas.config import Settings
from ventanas.domain import Basis, EventItem, Kind, Role, StateLink
from ventanas.normalize.bodies import BINDING, BODIES
from ventanas.normalize.states import all_states
from ventanas.storage import Storage

N_STATES, PER_STATE = 200, 50
TODAY = date(2025, 8, 1)
GENEVA = ZoneInfo("Europe/Zurich")
URL = "https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx?SessionID={n}&Lang=en"
FULL_TARGET, INCREMENTAL_TARGET = 1.3, 0.1
TREATIES = [code for code in BINDING if code not in ("UPR", "SPT")]


def states() -> list[str]:
    closed = {m for body in BODIES.values() for m in body.members}  # CRM/CSM members see every meeting: avoid
    return [code for code in sorted(all_states()) if code not in closed][:N_STATES]


def items_for(state: str, index: int, shift_days: int = 0) -> list[EventItem]:
    """50 events of one State; ``shift_days`` moves its first review."""
    found = []
    for n in range(PER_STATE):
        body = TREATIES[n % len(TREATIES)]
        session = str(20 + n)
        day = date(2025, 9, 1) + timedelta(days=(index * 3 + n * 23) % 900)
        link = (StateLink(state, Role.REVIEWED),)
        common = {"body": body, "source_url": URL.format(n=1000 + n), "source_name": "bench", "session": session}
        match n % 5:
            case 0:
                found.append(EventItem(key=f"ohchr/{body}/report-due/{state}/{n}", kind=Kind.REPORT_DUE,
                                       title=f"{state}: periodic report {n} due to the {body}", start=day, end=day,
                                       states=(StateLink(state, Role.DUE_BY),),
                                       **{k: v for k, v in common.items() if k != "session"}))
            case 1:
                start = day + timedelta(days=shift_days if n == 1 else 0)
                found.append(EventItem(key=f"ohchr/{body}/{session}/review/{state}", kind=Kind.REVIEW,
                                       title=f"{body} {session}th session: review of {state}", start=start,
                                       end=start + timedelta(days=1), location="Palais Wilson, Geneva", states=link,
                                       **common))
            case 2:
                start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=GENEVA)
                found.append(EventItem(key=f"ohchr/{body}/{session}/dialogue/{state}/1", kind=Kind.DIALOGUE,
                                       title=f"{body} {session}th session: dialogue with {state}", start=start,
                                       end=start + timedelta(hours=3), timezone="Europe/Zurich", states=link, **common))
            case 3:
                found.append(EventItem(key=f"ohchr/{body}/{session}/deadline/cso-submission/{state}",
                                       kind=Kind.CSO_SUBMISSION, title=f"{body} {session}: written information",
                                       start=day, end=day, basis=Basis.DERIVED, rule=f"{body}: 3 weeks before",
                                       states=link, **common))
            case _:
                found.append(EventItem(key=f"gfmd/meeting/{state}-{n}", body="GFMD", kind=Kind.PREPARATORY_MEETING,
                                       title=f"GFMD meeting {n} hosted by {state}", start=day, end=day,
                                       states=(StateLink(state, Role.HOST),), source_url="https://www.gfmd.org/x",
                                       source_name="bench"))
    return found


def _store(storage: Storage, items: list[EventItem]) -> None:
    storage.record_crawl(spider="bench", items=items, stats={"requests": 1}, min_items=1, today=TODAY,
                         started_at=utcnow())


def _timed(func) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def run() -> list[Figure]:
    codes = states()
    with tempfile.TemporaryDirectory(prefix="ventanas-g2-") as tmp:
        root = Path(tmp)
        settings = Settings(var_dir=root / "var", public_dir=root / "public", database_url=f"sqlite:///{root / 'db'}",
                            today=TODAY)
        storage = Storage.open(settings.resolved_database_url)
        base_items = [item for i, code in enumerate(codes) for item in items_for(code, i)]
        _store(storage, base_items)
        with storage.session() as session:
            views = load_events(session)
        assert len(views) == N_STATES * PER_STATE

        baseline = min(
            _timed(lambda: render_feed(views, feed_id="all", name="all", description="all"))[0] for _ in range(3)
        )
        fulls = []
        for attempt in range(3):
            fresh = dataclasses.replace(settings, public_dir=root / f"public-{attempt}", var_dir=root / f"var-{attempt}")
            seconds, report = _timed(lambda fresh=fresh: publish(storage, fresh, full=True))
            fulls.append((seconds, report))
        full_seconds, full_report = min(fulls, key=lambda pair: pair[0])
        # the incremental runs continue from the last full publication
        settings = fresh

        incrementals = []
        for round_ in range(1, 4):
            changed = [item for i, code in enumerate(codes[:5]) for item in items_for(code, i, shift_days=7 * round_)]
            _store(storage, changed)
            seconds, report = _timed(lambda: publish(storage, settings))
            assert report.changes == 5 and not report.full, report.as_dict()
            incrementals.append((seconds, report))
        inc_seconds, inc_report = min(incrementals, key=lambda pair: pair[0])
        day_seconds, day_report = _timed(lambda: publish(storage, settings, today=TODAY + timedelta(days=1)))
        storage.dispose()

    files = len(full_report.written)
    pages_s = full_report.seconds.get("pages", 0.0)
    feeds_s = full_seconds - pages_s
    common = {"events": len(views), "states": N_STATES, "baseline_one_calendar_s": round(baseline, 3),
              "full_s": round(full_seconds, 3), "phases_s": {k: round(v, 3) for k, v in full_report.seconds.items()}}
    return [
        Figure(
            "G2 full publication (everything: feeds, exports, pages, all in 3 languages)", full_seconds / baseline,
            "x one-calendar serialization", f"<= {FULL_TARGET}x", full_seconds / baseline <= FULL_TARGET,
            {**common, "files_written": files, "events_rendered": full_report.rendered_events},
        ),
        Figure(
            "G2 full publication of the feeds (3 languages) and exports (same run, pages' phase left out)",
            feeds_s / baseline,
            "x one-calendar serialization", f"<= {FULL_TARGET}x", feeds_s / baseline <= FULL_TARGET,
            {**common, "feeds_and_exports_s": round(feeds_s, 3), "pages_s": round(pages_s, 3)},
        ),
        Figure(
            "G2 incremental publication (5 States changed; feeds in 3 languages)", inc_seconds / full_seconds, "x full",
            f"<= {INCREMENTAL_TARGET}x", inc_seconds / full_seconds <= INCREMENTAL_TARGET,
            {"incremental_s": round(inc_seconds, 3), "full_s": round(full_seconds, 3),
             "phases_s": {k: round(v, 3) for k, v in inc_report.seconds.items()},
             "files_written": len(inc_report.written), "events_rendered": inc_report.rendered_events,
             "new_day_pages_only_s": round(day_seconds, 3), "new_day_files_written": len(day_report.written)},
        ),
    ]
