"""Every generated feed parses (icalendar and the stricter ical) and keeps the DESIGN §8 invariants."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from tests.test_feeds_scenario import GENEVA, fill, ohchr_items, process_items, record
from ventanas.calendar.publisher import publish
from ventanas.domain import EventItem, Kind, Status

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


@pytest.fixture
def published(storage, settings) -> Path:
    fill(storage)
    publish(storage, settings)
    return Path(settings.public_dir)


def all_feeds(public: Path) -> list[Path]:
    return sorted((public / "feeds").rglob("*.ics"))


def events_of(path: Path) -> dict[str, icalendar.Event]:
    """The feed's events by UID, after the stricter ical package has parsed it too."""
    raw = path.read_bytes()
    strict = IcsCalendarStream.calendar_from_ics(raw.decode("utf-8"))
    calendar = icalendar.Calendar.from_ical(raw)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert {e.uid for e in strict.events} == set(events)
    return events


def test_every_feed_parses_with_both_libraries_and_keeps_the_invariants(published):
    feeds = all_feeds(published)
    assert len(feeds) > 40  # 2 per State in scope, one per body, all.ics
    for path in feeds:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        assert not CONTROL.search(text.replace("\r\n", "")), path
        calendar = icalendar.Calendar.from_ical(raw)
        strict = IcsCalendarStream.calendar_from_ics(text)
        events = calendar.walk("VEVENT")
        assert len(strict.events) == len(events), path
        for name in ("NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL", "PRODID"):
            assert name in calendar, (path, name)
        assert not calendar.walk("VALARM"), "shared feeds must not ring"
        tzids_defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
        for event in events:
            uid = str(event["UID"])
            assert uid.endswith("@ventanas")
            assert re.search(r"\d{4}-\d{2}-\d{2}", uid) is None, "a UID never contains a date"
            start, end = event.start, event.end
            assert end > start, (uid, start, end)
            for prop in ("DTSTART", "DTEND"):
                if prop in event and "TZID" in event[prop].params:
                    assert event[prop].params["TZID"] in tzids_defined, (path, uid)
            for prop in ("DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "SUMMARY", "DESCRIPTION", "URL", "STATUS"):
                assert prop in event, (uid, prop)


def test_uid_is_the_natural_key(published):
    uids = set(events_of(published / "feeds" / "all.ics"))
    expected = {f"{item.key}@ventanas" for item in ohchr_items() + process_items()}
    assert uids == expected


def test_all_day_end_is_exclusive(published):
    # Outlook and Google show a 13-24 April session ending on the 23rd if DTEND is the last day.
    session = events_of(published / "feeds" / "all.ics")["ohchr/CMW/42@ventanas"]
    assert session["DTSTART"].dt == date(2026, 4, 13)
    assert session["DTEND"].dt == date(2026, 4, 25)
    deadline = events_of(published / "feeds" / "all.ics")["ohchr/CMW/42/deadline/cso-submission@ventanas"]
    assert deadline["DTEND"].dt - deadline["DTSTART"].dt == timedelta(days=1)


def test_timed_event_keeps_its_zone_with_a_vtimezone(published):
    feed = published / "feeds" / "states" / "MEX.ics"
    dialogue = events_of(feed)["ohchr/CMW/42/dialogue/MEX/1@ventanas"]
    assert dialogue["DTSTART"].params["TZID"] == "Europe/Zurich"
    assert dialogue["DTSTART"].dt == datetime(2026, 4, 14, 15, 0, tzinfo=GENEVA)
    text = feed.read_text()
    assert text.count("BEGIN:VTIMEZONE") == 1 and "TZID:Europe/Zurich" in text
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")


def test_feed_without_timed_events_has_no_vtimezone(published):
    assert "BEGIN:VTIMEZONE" not in (published / "feeds" / "states" / "SLV.ics").read_text()


def test_description_says_what_to_do_basis_and_source(published):
    deadline = events_of(published / "feeds" / "all.ics")["ohchr/CMW/42/deadline/cso-submission@ventanas"]
    text = str(deadline["DESCRIPTION"])
    assert "What to do: Civil society: send written information" in text
    # how the date was estimated, in words: never the rule's id
    assert ("Date estimated by ventanas, not announced: 3 weeks before the session, according to the "
            "Committee's practice.") in text and "cmw-written-information-3w" not in text
    assert f"Source: {ohchr_items()[0].source_url}" in text
    assert str(deadline["URL"]) == ohchr_items()[0].source_url
    assert str(deadline["STATUS"]) == "TENTATIVE" and str(deadline["SUMMARY"]).endswith("(estimated)")
    announced = events_of(published / "feeds" / "all.ics")["ohchr/CEDAW/report-due/MEX/10@ventanas"]
    assert "Date announced by the source." in str(announced["DESCRIPTION"])
    assert str(announced["STATUS"]) == "CONFIRMED"


def test_stamps_come_from_the_stored_change(storage, published):
    from sqlalchemy import select

    from ventanas.storage.models import Event

    with storage.session() as s:
        stored = s.scalar(select(Event).where(Event.key == "gfmd/summit/15"))
    summit = events_of(published / "feeds" / "all.ics")["gfmd/summit/15@ventanas"]
    assert summit["DTSTAMP"].dt == stored.last_changed
    assert summit["LAST-MODIFIED"].dt == stored.last_changed
    assert int(summit["SEQUENCE"]) == stored.sequence == 0


@pytest.mark.parametrize(
    ("state", "present", "absent"),
    [
        # Mexico: its CMW review, the session's estimated deadlines (no State of their own), CRM (member), GFMD
        ("MEX", ["ohchr/CMW/42/review/MEX", "ohchr/CMW/42/deadline/cso-submission", "crm/viceministerial/30",
                 "crm/viceministerial/26", "gfmd/summit/15", "ohchr/CEDAW/report-due/MEX/10"],
         ["csm/conference/23", "ohchr/CMW/36"]),
        # Brazil: CSM (member, though only hosting was linked) and GFMD, not CRM
        ("BRA", ["csm/conference/23", "gfmd/summit/15"], ["crm/viceministerial/30", "ohchr/CMW/42"]),
        # Uruguay: a CSM member no source linked
        ("URY", ["csm/conference/23"], ["gfmd/summit/15"]),
        # El Salvador: reviewed at CMW 36, so that session's deadline; and CRM
        ("SLV", ["ohchr/CMW/36", "ohchr/CMW/36/deadline/cso-submission", "crm/viceministerial/26"],
         ["ohchr/CMW/42/deadline/cso-submission"]),
    ],
)
def test_state_feed_scope(published, state, present, absent):
    uids = set(events_of(published / "feeds" / "states" / f"{state}.ics"))
    assert {f"{k}@ventanas" for k in present} <= uids
    assert not {f"{k}@ventanas" for k in absent} & uids


def test_deadlines_feed_has_only_deadlines(published):
    uids = set(events_of(published / "feeds" / "states" / "MEX-deadlines.ics"))
    assert uids == {"ohchr/CMW/42/deadline/cso-submission@ventanas", "ohchr/CMW/42/deadline/accreditation@ventanas",
                    "ohchr/CEDAW/report-due/MEX/10@ventanas"}


def test_body_feed_has_the_body_only(published):
    uids = set(events_of(published / "feeds" / "bodies" / "CRM.ics"))
    assert uids == {"crm/viceministerial/26@ventanas", "crm/viceministerial/30@ventanas"}
    assert events_of(published / "feeds" / "bodies" / "CAT.ics") == {}


def test_calendar_properties(published):
    calendar = icalendar.Calendar.from_ical((published / "feeds" / "states" / "MEX.ics").read_bytes())
    assert str(calendar["X-WR-CALNAME"]) == "ventanas: Mexico" == str(calendar["NAME"])
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT6H"
    assert str(calendar["SOURCE"]) == "http://127.0.0.1:8000/feeds/states/MEX.ics"
    assert str(calendar["UID"]) == "feed/states/MEX@ventanas"


def test_cancelled_event_stays_with_status_cancelled(storage, settings):
    fill(storage)
    record(storage, "csm_news", [i for i in process_items(csm_status=Status.CANCELLED) if i.body == "CSM"])
    publish(storage, settings)
    conference = events_of(Path(settings.public_dir) / "feeds" / "states" / "BRA.ics")["csm/conference/23@ventanas"]
    assert str(conference["STATUS"]) == "CANCELLED"
    # the CSM names its conference in Spanish: the mark is in Spanish too, not "[Cancelled]" before it
    assert str(conference["SUMMARY"]) == "[Cancelado] XXIII Conferencia Suramericana sobre Migraciones"
    assert int(conference["SEQUENCE"]) == 1


def test_vanished_event_stays_tentative_and_says_so(storage, settings):
    fill(storage)
    gfmd = [i for i in process_items() if i.body == "GFMD"]
    remaining = [i for i in gfmd if i.key != "gfmd/steering-group/2025-3"]
    record(storage, "gfmd_meetings", remaining)
    record(storage, "gfmd_meetings", remaining)  # vanished after two healthy runs without it
    publish(storage, settings)
    meeting = events_of(Path(settings.public_dir) / "feeds" / "all.ics")["gfmd/steering-group/2025-3@ventanas"]
    assert str(meeting["STATUS"]) == "TENTATIVE"
    assert str(meeting["SUMMARY"]).startswith("[No longer listed]")
    assert "stopped listing this event" in str(meeting["DESCRIPTION"])


def test_control_characters_are_stripped(storage, settings):
    noisy = dataclasses.replace(
        process_items()[0], title="15th GFMD\x07 Summit\u2028(Riohacha)", location="Riohacha,\x0b Colombia",
        description="Line one\x01\nLine two\x1b",  # no NUL: PostgreSQL refuses it before the feed sees it
    )
    record(storage, "gfmd_meetings", [noisy])
    publish(storage, settings)
    raw = (Path(settings.public_dir) / "feeds" / "all.ics").read_text()
    assert not CONTROL.search(raw.replace("\r\n", ""))
    summit = events_of(Path(settings.public_dir) / "feeds" / "all.ics")["gfmd/summit/15@ventanas"]
    assert str(summit["SUMMARY"]) == "15th GFMD Summit (Riohacha)"
    assert str(summit["LOCATION"]) == "Riohacha, Colombia"


def test_timed_event_without_end_has_no_invented_end(storage, settings):
    open_ended = dataclasses.replace(process_items()[1], end=None)
    record(storage, "gfmd_meetings", [open_ended])
    publish(storage, settings)
    meeting = events_of(Path(settings.public_dir) / "feeds" / "all.ics")["gfmd/steering-group/2025-3@ventanas"]
    assert "DTEND" not in meeting and "DURATION" not in meeting


def test_same_events_give_the_same_bytes(storage, settings, tmp_path):
    fill(storage)
    publish(storage, settings)
    first = {p.relative_to(settings.public_dir): p.read_bytes() for p in all_feeds(Path(settings.public_dir))}
    other = dataclasses.replace(settings, public_dir=tmp_path / "elsewhere", var_dir=tmp_path / "var2")
    publish(storage, other, full=True)
    second = {p.relative_to(other.public_dir): p.read_bytes() for p in all_feeds(Path(other.public_dir))}
    assert first.keys() == second.keys()
    assert all(first[k] == second[k] for k in first)


def test_news_item_is_no_calendar_event(storage, settings):
    # A CRM newsletter was published as a dated event, with advice for a meeting that does not exist.
    fill(storage)
    newsletter = EventItem(key="news/crmsv.org/noticias-boletin-julio", body="CRM", kind=Kind.NEWS,
                           title="La CRM publica su boletín informativo de julio", start=date(2025, 7, 30),
                           source_url="https://crmsv.org/noticias/boletin-julio/", source_name="rss_feeds")
    record(storage, "rss_feeds", [newsletter])
    publish(storage, settings)
    public = Path(settings.public_dir)
    for feed in ("all.ics", "bodies/CRM.ics", "states/MEX.ics"):
        assert f"{newsletter.key}@ventanas" not in events_of(public / "feeds" / feed), feed
    assert newsletter.key in (public / "api" / "events.json").read_text()  # the data keeps it
    for page in ("bodies/CRM.html", "states/MEX.html", "es/states/MEX.html"):
        assert newsletter.source_url in (public / page).read_text(), page  # and the pages link to it


# -- the Spanish and French VEVENTs: icalendar's bytes, written faster --------------------------

@hypothesis_settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ,;:\\^\nñé€ü中😀\t\"'")), max_size=400))
def test_a_text_line_is_what_icalendar_writes(text):
    from icalendar.parser import Contentline, Parameters
    from icalendar.prop import vText

    from ventanas.calendar.feeds import text_line

    for name in ("SUMMARY", "DESCRIPTION"):
        assert text_line(name, text) == Contentline.from_parts(name, Parameters(), vText(text)).to_ical() + b"\r\n"


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=600)
       | st.text(alphabet=st.sampled_from(list("a\\^é€😀")), max_size=300))
def test_folding_is_icalendars(line):
    from icalendar.parser import Contentline

    from ventanas.calendar.feeds import fold

    assert fold(line.encode("utf-8")) == Contentline(line).to_ical()


def test_a_translated_vevent_is_what_icalendar_writes_for_it(storage, settings):
    """es/fr VEVENTs swap two lines of the English one: the bytes icalendar gives for the whole event."""
    from ventanas.calendar import feeds
    from ventanas.calendar.events import load_events

    fill(storage)
    with storage.session() as session:
        views = load_events(session)
    for view in views:
        blocks = feeds.event_blocks(view)
        assert blocks["en"] == feeds.event_component(view).to_ical()
        for lang in ("es", "fr"):
            component = feeds.event_component(view)
            component["SUMMARY"] = icalendar.vText(feeds.summary_of(view, lang))
            component["DESCRIPTION"] = icalendar.vText(feeds.description_of(view, lang))
            assert blocks[lang] == component.to_ical(), (view.key, lang)
