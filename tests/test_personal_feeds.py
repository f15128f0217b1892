"""A subscriber's personal feed: their States, bodies and kinds, in their language, with VALARMs at their lead
days that move with their events; written incrementally; 410 Gone once they unsubscribe.

The events are the feed tests' story (tests/test_feeds_scenario.py): Mexico is reviewed at the CMW's 42nd
session (13–24 April 2026), civil society's written information is due on 23 March 2026 (an estimate).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
from datetime import date, datetime, time, timedelta
from pathlib import Path

import icalendar
import pytest
from alembic import command
from alembic.config import Config
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import create_engine, inspect, text

from tests.test_feeds_scenario import fill, moved, ohchr_items, record
from ventanas.calendar import personal
from ventanas.calendar.publisher import publish
from ventanas.clock import utcnow
from ventanas.notifier import subscriptions as subs
from ventanas.notifier.personal import make_routes, personal_feed_url
from ventanas.notifier.reminders import REMINDER_KINDS
from ventanas.storage import MIGRATIONS, Storage
from ventanas.storage import subscribers as store
from ventanas.web import Request

JS = Path(__file__).resolve().parent / "js"


def subscribe(storage, email, **choices) -> str:
    """A confirmed subscriber (as `subscribers add` makes one); their feed token."""
    with storage.transaction() as session:
        prefs = subs.preferences(**{"states": ["MEX"], **choices})
        subscriber, _ = subs.add_confirmed(session, email, prefs, now=utcnow(),
                                           change_id=store.latest_change_id(session))
        return subscriber.feed_token


def feed(settings, token) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical((Path(settings.public_dir) / personal.relative_path(token)).read_bytes())


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def triggers(event: icalendar.Event) -> list[timedelta]:
    return [alarm["TRIGGER"].dt for alarm in event.walk("VALARM")]


def get(handler, token: str, headers: dict | None = None, method: str = "GET"):
    return handler(Request(method, f"/personal/{token}.ics", {}, {k.lower(): v for k, v in (headers or {}).items()}))


@pytest.fixture
def world(storage, settings):
    fill(storage)
    return storage


def test_the_feed_has_the_subscribers_events_in_their_language_with_an_alarm_at_each_lead_day(world, settings):
    token = subscribe(world, "ana@example.org", language="es", lead_days="30,7,1")
    publish(world, settings)
    mine = feed(settings, token)
    public = icalendar.Calendar.from_ical((Path(settings.public_dir) / "es/feeds/states/MEX.ics").read_bytes())
    assert str(mine["NAME"]) == "ventanas: México — mi calendario"
    assert "recordatorios 30, 7 y 1 días antes" in str(mine["DESCRIPTION"])
    ours, theirs = events(mine), events(public)
    assert set(ours) == set(theirs)  # Mexico's feed, in Spanish: the same events, the same words
    for uid, event in ours.items():
        for name in ("SUMMARY", "DESCRIPTION", "DTSTART", "SEQUENCE", "STATUS"):
            assert event[name].to_ical() == theirs[uid][name].to_ical(), (uid, name)
    rung = {uid for uid, event in ours.items() if triggers(event)}
    assert rung == {"ohchr/CMW/42/review/MEX@ventanas", "ohchr/CMW/42/deadline/cso-submission@ventanas",
                    "ohchr/CMW/42/deadline/accreditation@ventanas", "ohchr/CEDAW/report-due/MEX/10@ventanas"}
    deadline = ours["ohchr/CMW/42/deadline/cso-submission@ventanas"]
    # 09:00 on the day 30, 7 and 1 days before the deadline day
    assert triggers(deadline) == [timedelta(days=-30, hours=9), timedelta(days=-7, hours=9), timedelta(days=-1, hours=9)]
    assert [str(a["DESCRIPTION"]) for a in deadline.walk("VALARM")] == [
        "ventanas: Faltan 30 días", "ventanas: Faltan 7 días", "ventanas: Mañana"]
    assert all(str(a["ACTION"]) == "DISPLAY" for a in deadline.walk("VALARM"))
    # the public feeds ring for nobody
    assert not any(triggers(e) for e in theirs.values())
    assert personal.ALARM_KINDS == REMINDER_KINDS  # the mail reminds of the same kinds


def test_bodies_kinds_and_language_narrow_the_feed(world, settings):
    token = subscribe(world, "chloe@example.org", language="fr", bodies=["CMW"], kinds=["review", "cso_submission"],
                      lead_days="7")
    publish(world, settings)
    mine = events(feed(settings, token))
    assert set(mine) == {"ohchr/CMW/42/review/MEX@ventanas", "ohchr/CMW/42/deadline/cso-submission@ventanas"}
    assert str(mine["ohchr/CMW/42/review/MEX@ventanas"]["SUMMARY"]) == "CMW : examen — Mexique"
    assert triggers(mine["ohchr/CMW/42/review/MEX@ventanas"]) == [timedelta(days=-7, hours=9)]
    assert "Votre abonnement à ventanas" in str(feed(settings, token)["DESCRIPTION"])


def test_a_cancelled_event_rings_no_alarm(world, settings):
    token = subscribe(world, "ben@example.org")
    items = moved(ohchr_items(), "ohchr/CEDAW/report-due/MEX/10", status="cancelled")
    record(world, "ohchr_sessions", items)
    publish(world, settings)
    event = events(feed(settings, token))["ohchr/CEDAW/report-due/MEX/10@ventanas"]
    assert str(event["STATUS"]) == "CANCELLED" and triggers(event) == []


def test_a_moved_deadline_takes_its_reminders_along(world, settings):
    token = subscribe(world, "ana@example.org", language="es")
    other = subscribe(world, "pan@example.org", states=["PAN"])  # follows no State of the moved deadline
    publish(world, settings)
    before = events(feed(settings, token))["ohchr/CMW/42/deadline/cso-submission@ventanas"]
    key = "ohchr/CMW/42/deadline/cso-submission"
    record(world, "ohchr_sessions", moved(ohchr_items(), key, start=date(2026, 3, 30), end=date(2026, 3, 30)))
    report = publish(world, settings)
    assert not report.full and personal.relative_path(token) in report.written
    assert personal.relative_path(other) not in report.written
    after = events(feed(settings, token))[f"{key}@ventanas"]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert triggers(after) == triggers(before)  # relative to the event: nothing to delete, nothing to add
    first = datetime.combine(after["DTSTART"].dt, time())
    assert [first + t for t in triggers(after)] == [datetime(2026, 2, 28, 9), datetime(2026, 3, 23, 9),
                                                    datetime(2026, 3, 29, 9)]


def test_feeds_are_written_for_new_subscribers_and_only_when_they_change(world, settings):
    publish(world, settings)
    token = subscribe(world, "ana@example.org", language="es")
    report = publish(world, settings)  # no event changed: the new subscriber's feed still
    assert report.written == [personal.relative_path(token)]
    assert publish(world, settings).written == []
    subscribe(world, "ana@example.org", language="en")  # new choices, same token
    assert publish(world, settings).written == [personal.relative_path(token)]
    assert str(feed(settings, token)["NAME"]) == "ventanas: Mexico — my calendar"
    first = (Path(settings.public_dir) / personal.relative_path(token)).read_bytes()
    publish(world, settings, full=True)
    assert (Path(settings.public_dir) / personal.relative_path(token)).read_bytes() == first  # byte-stable


def test_an_unsubscribed_feed_is_gone_at_once_and_its_file_at_the_next_publication(world, settings):
    token = subscribe(world, "ana@example.org", language="es")
    handler = make_routes(world, settings)["/personal"]
    path = Path(settings.public_dir) / personal.relative_path(token)
    assert not path.exists()
    served = get(handler, token)  # subscribed after the last publication: written when first asked for
    assert served.status == 200 and path.exists() and served.body == path.read_bytes()
    assert served.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert served.headers["Cache-Control"] == "private, no-cache"
    assert get(handler, token, {"If-None-Match": served.headers["ETag"]}).status == 304
    with world.session() as session:
        assert personal_feed_url(settings, store.find(session, "ana@example.org")) == \
            f"http://127.0.0.1:8000/personal/{token}.ics"

    with world.transaction() as session:
        subs.unsubscribe(session, "ana@example.org", now=utcnow())
    assert get(handler, token).status == 410  # at once, though the file is still there
    with world.session() as session:
        assert personal_feed_url(settings, store.find(session, "ana@example.org")) is None
    report = publish(world, settings)
    assert report.revoked == [token] and not path.exists() and personal.is_revoked(Path(settings.public_dir), token)
    assert get(handler, token).status == 410

    fresh = subscribe(world, "ana@example.org", language="es")  # subscribing again: a new calendar
    assert fresh != token and get(handler, fresh).status == 200 and get(handler, token).status == 410
    assert get(handler, "A" * 32).status == 404
    assert handler(Request("GET", "/personal/../../etc/passwd", {}, {})).status == 404
    assert handler(Request("POST", f"/personal/{fresh}.ics", {}, {})).status == 405


def test_a_removed_subscriber_s_feed_is_gone(world, settings, capsys):
    from ventanas.notifier.cli import subscribers

    args = dict(action="add", email="ana@example.org", state=["MEX"], lang="es", body=[], kind=[], lead="30,7,1",
                digest="weekly", timezone=None)
    assert subscribers(argparse.Namespace(**args), settings, world) == 0
    out = capsys.readouterr().out
    assert "local time America/Mexico_City (first State's)" in out and "personal calendar (keep it private): http" in out
    with world.session() as session:
        token = store.find(session, "ana@example.org").feed_token
    path = Path(settings.public_dir) / personal.relative_path(token)
    assert path.exists()  # written by `subscribers add`, before any publication
    assert subscribers(argparse.Namespace(action="remove", email="ana@example.org"), settings, world) == 0
    assert not path.exists() and get(make_routes(world, settings)["/personal"], token).status == 410


def test_the_feed_reads_the_same_in_ical_and_icaljs(world, settings):
    from tests.test_feeds_icaljs import node

    token = subscribe(world, "ana@example.org", language="es")
    publish(world, settings)
    path = Path(settings.public_dir) / personal.relative_path(token)
    strict = IcsCalendarStream.calendar_from_ics(path.read_text())
    by_ical = {e.uid: [a.trigger for a in e.alarm] for e in strict.events}
    by_icalendar = {uid: triggers(e) for uid, e in events(feed(settings, token)).items()}
    assert by_ical == by_icalendar
    done = subprocess.run([node(), str(JS / "alarms.mjs")], input=json.dumps([str(path)]), capture_output=True,
                          text=True, cwd=JS, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    by_icaljs = json.loads(done.stdout)[str(path)]
    assert {uid: [timedelta(seconds=a["seconds"]) for a in e["alarms"]] for uid, e in by_icaljs.items()} == by_icalendar
    assert by_icaljs["ohchr/CMW/42/deadline/cso-submission@ventanas"]["start"] == "2026-03-23"


def test_migration_0004_gives_confirmed_subscribers_a_token_and_goes_back(database_url, tmp_path):
    (tmp_path / "var").mkdir(exist_ok=True)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        for n, confirmed in enumerate((True, False)):
            connection.execute(text(
                "INSERT INTO subscriber (email, language, states, bodies, kinds, lead_days, digest, confirmed,"
                " created_at, digest_change_id) VALUES (:e, 'es', '[\"MEX\"]', '[]', '[]', '[30]', 'weekly', :c, :t, 0)"),
                {"e": f"r{n}@example.org", "c": confirmed, "t": utcnow().replace(tzinfo=None)})
    storage = Storage.open(database_url)  # migrates to head
    try:
        with storage.session() as session:
            rows = {s.email: s for s in store.everyone(session)}
            assert personal.TOKEN.fullmatch(rows["r0@example.org"].feed_token)
            assert rows["r1@example.org"].feed_token is None and rows["r0@example.org"].timezone is None
    finally:
        storage.dispose()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    columns = {c["name"] for c in inspect(engine).get_columns("subscriber")}
    assert "feed_token" not in columns and "timezone" not in columns
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


def test_a_personal_feed_url_is_for_active_subscribers_only(world, settings):
    token = subscribe(world, "ana@example.org")
    with world.session() as session:
        ana = store.find(session, "ana@example.org")
        assert personal_feed_url(dataclasses.replace(settings, base_url="https://v.example.org/"), ana) == \
            f"https://v.example.org/personal/{token}.ics"


def test_serve_answers_the_feed_and_then_410_over_http(world, settings):
    from tests.test_serve import fetch
    from ventanas.web import make_server

    token = subscribe(world, "ana@example.org", language="es")
    publish(world, settings)
    with make_server(settings.public_dir, port=0, routes=make_routes(world, settings)) as server:
        response, body = fetch(server, "GET", f"/personal/{token}.ics")
        assert response.status == 200 and body.startswith(b"BEGIN:VCALENDAR") and b"BEGIN:VALARM" in body
        assert fetch(server, "HEAD", f"/personal/{token}.ics")[1] == b""
        assert fetch(server, "GET", "/feeds/states/MEX.ics")[0].status == 200  # the rest stays static
        with world.transaction() as session:
            subs.unsubscribe(session, "ana@example.org", now=utcnow())
        assert fetch(server, "GET", f"/personal/{token}.ics")[0].status == 410


def test_the_confirmation_page_shows_the_calendar_when_given_it(world, settings):
    """notifier/web.py passes personal_feed=personal_feed_links(settings, subscriber) to the confirmed page;
    without it the page is as before."""
    from ventanas.notifier.personal import personal_feed_links
    from ventanas.notifier.render import environment

    token = subscribe(world, "ana@example.org", language="es")
    with world.session() as session:
        links = personal_feed_links(settings, store.find(session, "ana@example.org"))
    page = environment("es").get_template("web_message.html.j2")
    shown = page.render(title_key="confirmed", email="ana@example.org", states=["MEX"], personal_feed=links)
    assert f'href="webcal://127.0.0.1:8000/personal/{token}.ics"' in shown
    assert f'value="http://127.0.0.1:8000/personal/{token}.ics"' in shown and "Su calendario" in shown
    before = page.render(title_key="confirmed", email="ana@example.org", states=["MEX"])
    assert "personal/" not in before and "ana@example.org" in before
