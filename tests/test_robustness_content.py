"""Robustness, content: bad values stop at the contract; hostile text breaks no output.

Three levels, as the data flows: ``ventanas.domain.validate`` (each bad value
named by its field), the validation pipeline (the item dropped and counted, the
run no longer healthy, so the stored event keeps its last good value), and
every output a scraped title reaches: the iCalendar feeds, the HTML pages, the
JSON/CSV exports and the mail (headers and bodies, as the .eml files written).
"""

from __future__ import annotations

import csv
import dataclasses
import email
import email.policy
import io
import json
import re
import shutil
from datetime import date, datetime, timedelta
from itertools import cycle, islice
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from tests import faultserver as fs
from tests.conftest import DEMO_SITE, TODAY, run_cli, settings_env
from ventanas.calendar.publisher import publish
from ventanas.clock import utcnow
from ventanas.domain import EventItem, InvalidItem, Kind, Role, StateLink, validate
from ventanas.normalize.bodies import UN_MEMBER_STATES, body_codes
from ventanas.normalize.statefind import find_states
from ventanas.normalize.states import all_states, state_name
from ventanas.notifier import subscriptions as subs
from ventanas.notifier.notify import notify
from ventanas.notifier.sender import send
from ventanas.spiders.pipelines import ValidationPipeline
from ventanas.storage import subscribers as subscriber_store
from ventanas.storage.models import Event, EventState

GENEVA = ZoneInfo("Europe/Zurich")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def session_item(**changes) -> EventItem:
    item = EventItem(
        key="ohchr/CMW/42", body="CMW", kind=Kind.SESSION, title="CMW 42nd session", start=date(2026, 4, 13),
        end=date(2026, 4, 24), location="Geneva", session="42", states=(StateLink("MEX", Role.REVIEWED),),
        source_url="https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx?SessionID=3300",
        source_name="ohchr_sessions",
    )
    return dataclasses.replace(item, **changes)


def check(item: EventItem) -> EventItem:
    return validate(item, known_bodies=body_codes(), known_states=set(all_states()))


# -- the contract ----------------------------------------------------------------------------

INVALID = [
    ("end-before-start", {"start": date(2026, 4, 24), "end": date(2026, 4, 13)}, "end"),
    ("timed-end-before-start", {"start": datetime(2026, 4, 14, 15, tzinfo=GENEVA),
                                "end": datetime(2026, 4, 14, 10, tzinfo=GENEVA), "timezone": "Europe/Zurich"}, "end"),
    ("start-in-1900", {"start": date(1900, 4, 13), "end": date(1900, 4, 24)}, "start"),
    ("end-in-2200", {"end": date(2200, 4, 24)}, "end"),
    ("both-in-2200", {"start": date(2200, 4, 13), "end": date(2200, 4, 24)}, "start"),
    ("unknown-state-code", {"states": (StateLink("XXX", Role.REVIEWED),)}, "states"),
    ("state-code-lower-case", {"states": (StateLink("mex", Role.REVIEWED),)}, "states"),
    ("state-name-instead-of-code", {"states": (StateLink("Mexico", Role.REVIEWED),)}, "states"),
    ("one-unknown-among-known", {"states": (StateLink("MEX", Role.REVIEWED), StateLink("YUG", Role.REVIEWED))},
     "states"),
    ("naive-datetime", {"start": datetime(2026, 4, 14, 10), "end": None}, "start"),
    ("date-and-datetime-mixed", {"end": datetime(2026, 4, 24, 18, tzinfo=GENEVA)}, "end"),
    ("unknown-time-zone", {"timezone": "Geneva/Palais"}, "timezone"),
    ("blank-title", {"title": " \t\r\n"}, "title"),
    ("date-in-the-key", {"key": "ohchr/CMW/2026-04-13"}, "key"),
    ("file-url-as-source", {"source_url": "file:///etc/passwd"}, "source_url"),
]


@pytest.mark.parametrize(("changes", "field"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_validate_names_the_bad_field(changes, field):
    with pytest.raises(InvalidItem) as caught:
        check(session_item(**changes))
    assert caught.value.field == field


@pytest.mark.parametrize(("changes", "field"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_pipeline_drops_the_item_and_counts_why(changes, field):
    crawler = get_crawler()
    pipeline = ValidationPipeline.from_crawler(crawler)
    with pytest.raises(DropItem):
        pipeline.process_item(session_item(**changes))
    assert crawler.stats.get_value(f"ventanas/invalid/{field}") == 1
    assert crawler.stats.get_value("ventanas/dropped") == 1
    assert pipeline.process_item(session_item()).key == "ohchr/CMW/42"  # the next good item passes
    assert crawler.stats.get_value("ventanas/valid") == 1


# -- bad dates on a real page: dropped, counted, and the stored event keeps its date ---------

MASTER = "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx@Lang=en"
MEXICO_ROW = "<td>Mexico</td><td>CMW</td><td>State party&#39;s report</td><td>01 Sep 2026</td>"


@pytest.mark.parametrize("due", ["01 Sep 1900", "01 Sep 2200"], ids=["1900", "2200"])
def test_impossible_year_on_the_page_degrades_the_run_and_keeps_the_stored_date(due, settings, storage, tmp_path):
    """Regression: an invalid item was dropped in an ok run, so the event it stood for missed a
    run (and vanished after two). Dropped items now count as errors: the run is degraded."""
    site = tmp_path / "site"
    shutil.copytree(DEMO_SITE, site)
    page = site / MASTER
    assert MEXICO_ROW in page.read_text(encoding="utf-8")
    with fs.FaultServer(site) as server:
        env = settings_env(settings, **{f"VENTANAS_{k.upper()}": v for k, v in server.source_overrides().items()})
        first = json.loads(run_cli("crawl", "--source", "ohchr_master_calendar", "--json", env=env).stdout)[0]
        assert first["health"] == "ok"
        page.write_text(page.read_text(encoding="utf-8").replace(MEXICO_ROW, MEXICO_ROW.replace("01 Sep 2026", due)),
                        encoding="utf-8")
        for _ in range(2):  # two healthy runs without an event would mark it vanished
            result = run_cli("crawl", "--source", "ohchr_master_calendar", "--json", env=env)
            report = json.loads(result.stdout)[0]
            assert (report["health"], report["items"], result.returncode) == ("degraded", 31, 1)
    with storage.session() as session:
        event = session.scalar(select(Event).where(Event.key == "ohchr/CMW/report-due/MEX/next"))
        assert (event.start_date, event.vanished_at, event.sources[0].missed_runs) == (date(2026, 9, 1), None, 0)


# -- 10,000 States in one list ---------------------------------------------------------------

def test_ten_thousand_states_in_one_item_are_deduplicated_stored_and_published(settings, storage):
    links = tuple(
        StateLink(code, Role.MEMBER if i % 2 else Role.CONCERNED)
        for i, code in enumerate(islice(cycle(UN_MEMBER_STATES), 10_000))
    )
    item = check(session_item(key="gfmd/summit/15", body="GFMD", kind=Kind.SUMMIT, title="15th GFMD Summit",
                              session=None, states=links, source_name="gfmd_meetings",
                              source_url="https://www.gfmd.org/meetings/colombia2025/summit"))
    assert len(item.states) == len(set(links)) == 2 * len(UN_MEMBER_STATES)
    report = storage.record_crawl(spider="gfmd_meetings", items=[item], stats={}, min_items=1, today=TODAY,
                                  started_at=utcnow())
    assert report.inserted == 1
    with storage.session() as session:
        assert session.scalar(select(func.count()).select_from(EventState)) == 2 * len(UN_MEMBER_STATES)
    publish(storage, settings)
    for code in ("MEX", "ZWE", "AFG"):
        feed = icalendar.Calendar.from_ical((Path(settings.public_dir) / "feeds/states" / f"{code}.ics").read_bytes())
        assert [str(e["UID"]) for e in feed.walk("VEVENT")] == ["gfmd/summit/15@ventanas"]


def test_ten_thousand_state_names_in_running_text_are_all_found():
    names = [state_name(code) for code in UN_MEMBER_STATES]
    text = "Participating States: " + ", ".join(islice(cycle(names), 10_000)) + "."
    mentions = find_states(text)
    assert len(mentions) == 10_000
    assert {m.code for m in mentions} == set(UN_MEMBER_STATES)


# -- hostile text through every output ---------------------------------------------------------

HOSTILE_TITLES = [
    ("html", "CMW <script>alert('x')</script><b>42nd</b> session & <img src=x onerror=alert(1)>"),
    ("crlf-ics-injection", "CMW 42nd session\r\nX-INJECTED:yes\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:fake"),
    ("crlf-mail-header", "CMW 42nd session\r\nBcc: victim@example.org\r\n\r\nbody"),
    ("control-characters", "CMW\x00 42nd\x07 session\x1b[31m red\x7f\x85 end"),
    ("unicode-line-separators", "CMW 42nd\u2028session\u2029of the Committee"),
    ("lone-cr-and-lf", "CMW 42nd\rsession\nof the Committee"),
    ("quotes-and-commas", 'CMW "42nd", session; \'quoted\' \\ back\\slash, "=SUM(A1)"'),
    ("very-long", "CMW 42nd session " + "very long title " * 600),
]
FORBIDDEN_IN_OUTPUT = ("<script>alert", "<img src=x", "X-INJECTED", "Bcc: victim")


@pytest.fixture
def reader(storage):
    """A confirmed reader of Mexico's events, in English, subscribed before the event appears."""
    with storage.transaction() as session:
        subs.add_confirmed(session, "ben@example.org", subs.preferences(states=["MEX"], language="en"),
                           now=utcnow() - timedelta(hours=1), change_id=subscriber_store.latest_change_id(session))
    return "ben@example.org"


def outputs_after_publish_and_mail(storage, settings, title: str) -> Path:
    item = check(session_item(title=title))
    report = storage.record_crawl(spider="ohchr_sessions", items=[item], stats={}, min_items=1, today=TODAY,
                                  started_at=utcnow())
    assert report.inserted == 1
    publish(storage, settings)
    notify(storage, settings, digests=False)
    send(storage, settings)
    return Path(settings.public_dir)


def assert_clean_line(value: str) -> None:
    assert not CONTROL.search(value) and "\r" not in value and "\n" not in value, repr(value)


@pytest.mark.parametrize("title", [t for _, t in HOSTILE_TITLES], ids=[i for i, _ in HOSTILE_TITLES])
def test_hostile_title_breaks_no_feed_page_export_or_mail(title, settings, storage, reader):
    public = outputs_after_publish_and_mail(storage, settings, title)

    for feed in (public / "feeds/states/MEX.ics", public / "feeds/all.ics", public / "feeds/bodies/CMW.ics"):
        raw = feed.read_bytes()
        assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
        text = raw.decode("utf-8")
        assert not CONTROL.search(text.replace("\r\n", "")), feed
        events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
        assert len(events) == len(IcsCalendarStream.calendar_from_ics(text).events) == 1, feed
        assert "X-INJECTED" not in events[0] and "\r\nX-INJECTED" not in text
        summary = str(events[0]["SUMMARY"])
        assert_clean_line(summary)
        assert "CMW" in summary

    pages = [public / "states/MEX.html", public / "es/states/MEX.html", public / "fr/states/MEX.html",
             public / "index.html", public / "history.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not CONTROL.search(html), page
        for forbidden in FORBIDDEN_IN_OUTPUT[:2]:
            assert forbidden not in html, (page, forbidden)
    if "<script>" in title:
        assert "&lt;script&gt;" in (public / "states/MEX.html").read_text(encoding="utf-8")

    for export in (public / "api/events.json", public / "api/states/MEX.json"):
        data = json.loads(export.read_text(encoding="utf-8"))
        assert "ohchr/CMW/42" in json.dumps(data)
    for export in (public / "api/events.csv", public / "api/states/MEX.csv"):
        rows = list(csv.reader(io.StringIO(export.read_text(encoding="utf-8"), newline="")))
        assert len(rows) == 2 and len(rows[1]) == len(rows[0]), export
        assert any("CMW" in cell for cell in rows[1])

    (eml,) = settings.resolved_outbox_dir.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == reader and message["Bcc"] is None and message["X-Injected"] is None
    assert message.defects == [] and all(not part.defects for part in message.walk())
    for name, value in message.items():
        assert_clean_line(str(value)), name
    assert "CMW" in message["Subject"]
    html_part = message.get_body(("html",))
    assert html_part is not None
    for forbidden in FORBIDDEN_IN_OUTPUT[:2]:
        assert forbidden not in html_part.get_content()
