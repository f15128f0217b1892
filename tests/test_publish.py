"""Incremental publishing: only the files new changes touch are rewritten, and only when their bytes differ."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import date, timedelta
from pathlib import Path

import icalendar

from tests.conftest import run_cli, settings_env
from tests.test_feeds_scenario import TODAY, fill, moved, ohchr_items, process_items, record
from ventanas.calendar.publisher import CURSOR, publish


def snapshot(public: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(public)): (p.stat().st_mtime_ns, p.read_bytes()) for p in public.rglob("*") if p.is_file()}


def rewritten(before: dict, after: dict) -> set[str]:
    return {name for name in after if name not in before or after[name][0] != before[name][0]}


def age_files(public: Path) -> None:
    """Push every mtime into the past, so a rewrite within the same clock tick still shows."""
    past = 1_600_000_000
    for path in public.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def test_republish_without_change_writes_nothing(storage, settings):
    fill(storage)
    first = publish(storage, settings)
    assert first.full and len(first.written) > 100
    public = Path(settings.public_dir)
    age_files(public)
    before = snapshot(public)
    again = publish(storage, settings)
    assert (again.changes, again.written, again.rendered_events) == (0, [], 0)
    assert snapshot(public) == before


def test_full_republish_of_unchanged_data_writes_nothing(storage, settings):
    fill(storage)
    publish(storage, settings)
    public = Path(settings.public_dir)
    age_files(public)
    before = snapshot(public)
    report = publish(storage, settings, full=True)
    assert report.written == [] and report.unchanged == len(before)
    assert snapshot(public) == before


def test_unchanged_crawl_publishes_nothing(storage, settings):
    fill(storage)
    publish(storage, settings)
    fill(storage)  # the same crawl again: no change rows
    assert publish(storage, settings).changes == 0


def test_moved_session_rewrites_exactly_the_affected_files(storage, settings):
    fill(storage)
    publish(storage, settings)
    public = Path(settings.public_dir)
    age_files(public)
    before = snapshot(public)
    old = icalendar.Calendar.from_ical((public / "feeds/states/MEX.ics").read_bytes())
    old_session = next(e for e in old.walk("VEVENT") if str(e["UID"]) == "ohchr/CMW/42@ventanas")

    items = moved(ohchr_items(), "ohchr/CMW/42", start=date(2026, 4, 20), end=date(2026, 5, 1))
    record(storage, "ohchr_sessions", items)
    report = publish(storage, settings)
    assert report.changes == 1 and report.rendered_events == 1 and not report.full

    new = icalendar.Calendar.from_ical((public / "feeds/states/MEX.ics").read_bytes())
    session = next(e for e in new.walk("VEVENT") if str(e["UID"]) == "ohchr/CMW/42@ventanas")
    assert int(session["SEQUENCE"]) == int(old_session["SEQUENCE"]) + 1
    assert session["DTSTART"].dt == date(2026, 4, 20) and session["DTEND"].dt == date(2026, 5, 2)
    # stored with second precision: a move within the second of the first crawl keeps the same stamp
    assert session["LAST-MODIFIED"].dt >= old_session["LAST-MODIFIED"].dt

    # The session reviews Mexico and Bolivia: their feeds (in three languages), exports and pages; the
    # CMW feeds and pages; everything-feeds, exports and the history. Not the deadlines feeds (no
    # deadline moved), not the index (no deadline within its horizon changed), nothing of other States.
    pages = {f"{prefix}{name}" for prefix in ("", "es/", "fr/")
             for name in ("states/MEX.html", "states/BOL.html", "bodies/CMW.html", "history.html",
                          "feeds/states/MEX.ics", "feeds/states/BOL.ics", "feeds/bodies/CMW.ics", "feeds/all.ics")}
    expected = {
        "api/states/MEX.json", "api/states/MEX.csv", "api/states/BOL.json", "api/states/BOL.csv",
        "api/events.json", "api/events.csv", *pages,
    }
    assert rewritten(before, snapshot(public)) == expected
    assert sorted(report.written) == sorted(expected)


def test_publish_moves_the_cursor_only_forward(storage, settings):
    fill(storage)
    publish(storage, settings)
    with storage.session() as s:
        last = storage.changes_since(s, 0)[-1].id
        assert storage.cursor(s, CURSOR) == last


def test_new_day_rerenders_pages_not_feeds(storage, settings):
    fill(storage)
    publish(storage, settings)
    public = Path(settings.public_dir)
    age_files(public)
    before = snapshot(public)
    report = publish(storage, settings, today=TODAY + timedelta(days=1))
    assert report.changes == 0 and report.pages_day == "2025-08-02"
    changed = rewritten(before, snapshot(public))
    assert "states/MEX.html" in changed and "es/index.html" in changed
    assert not {name for name in changed if name.startswith(("feeds/", "api/"))}
    # and the next run the same day writes nothing
    assert publish(storage, settings, today=TODAY + timedelta(days=1)).written == []


def test_state_that_loses_its_last_event_gets_an_empty_feed(storage, settings):
    fill(storage)
    publish(storage, settings)
    items = moved(ohchr_items(), "ohchr/CMW/36", states=())
    items = [i for i in items if i.key != "ohchr/CMW/36/deadline/cso-submission"]
    record(storage, "ohchr_sessions", items)
    publish(storage, settings)
    feed = Path(settings.public_dir) / "feeds/states/MAR.ics"
    assert icalendar.Calendar.from_ical(feed.read_bytes()).walk("VEVENT") == []


def test_stale_fragment_cache_is_never_served(storage, settings):
    fill(storage)
    publish(storage, settings)
    record(storage, "gfmd_meetings", [dataclasses.replace(process_items()[0], location="Riohacha, La Guajira")])
    publish(storage, settings)
    text = (Path(settings.public_dir) / "feeds/all.ics").read_text()
    assert "Riohacha\\, La Guajira" in text


def test_removed_public_directory_is_rebuilt(storage, settings):
    import shutil

    fill(storage)
    publish(storage, settings)
    shutil.rmtree(settings.public_dir)
    report = publish(storage, settings)
    assert report.full and (Path(settings.public_dir) / "feeds/states/MEX.ics").exists()


def test_cli_publish_reports_what_it_wrote(storage, settings):
    fill(storage)
    storage.dispose()
    env = settings_env(settings)
    first = run_cli("publish", "--json", env=env)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["full"] and report["written"] > 100 and report["changes"] == 13
    second = run_cli("publish", env=env)
    assert second.returncode == 0
    assert "0 files" in second.stdout and "index.html" in second.stdout


def test_state_dropped_from_a_session_loses_its_inherited_deadlines(storage, settings):
    from ventanas.domain import Role, StateLink

    fill(storage)
    publish(storage, settings)
    feed = Path(settings.public_dir) / "feeds/states/BOL.ics"
    assert "ohchr/CMW/42/deadline/cso-submission@ventanas" in feed.read_text()
    record(storage, "ohchr_sessions", moved(ohchr_items(), "ohchr/CMW/42", states=(StateLink("MEX", Role.REVIEWED),)))
    report = publish(storage, settings)
    assert not report.full
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(feed.read_bytes()).walk("VEVENT")}
    assert "ohchr/CMW/42/deadline/cso-submission@ventanas" not in uids and "ohchr/CMW/42@ventanas" not in uids
    assert "gfmd/summit/15@ventanas" in uids
