"""Every feed puts each timed event at its stored instant in ical.js (under Node), icalendar and ical,
in every language: a Spanish or French feed has the English feed's UIDs, dates and instants.

ical.js, Mozilla's parser behind many web calendars, reads a feed's own VTIMEZONE: it is run on every
published feed by tests/js/instants.mjs. icalendar and ical look a TZID they know up in the system's
zoneinfo instead of reading the VTIMEZONE, so they are checked twice: as a client reads the event, and
with the feed's VTIMEZONE made into a tzinfo of their own (``Timezone.to_tz(lookup_tzid=False)``,
``IcsTimezoneInfo``), which is what a client without that zone would use.

ical.js comes from npm into tests/js/node_modules (``npm ci --prefix tests/js``, which .ci/run does).
Without node or the package these tests skip, and under CI=true they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import IcsTimezoneInfo
from sqlalchemy import select

from tests.test_feeds_scenario import fill, process_items, record
from ventanas.calendar.feeds import assemble, timezone_block
from ventanas.calendar.publisher import publish
from ventanas.domain import LATEST_YEAR, EventItem, Kind, Role, StateLink
from ventanas.normalize.times import PLACE_ZONES
from ventanas.storage.models import Event

JS = Path(__file__).resolve().parent / "js"
VTIMEZONE = re.compile(rb"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", re.S)

# Meetings outside Geneva, in the zones ventanas reads from sources' text: in summer and winter,
# before and after Mexico (2022) and Brazil (2019) dropped summer time, and past 2040.
ZONES_ELSEWHERE = ("America/New_York", "America/Mexico_City", "America/Sao_Paulo", "America/Santiago",
                   "America/Bogota", "Europe/London")
MOMENTS = (datetime(2006, 4, 5, 9), datetime(2018, 1, 16, 10), datetime(2021, 7, 6, 9, 30),
           datetime(2026, 3, 20, 15), datetime(2026, 11, 3, 11), datetime(2045, 6, 27, 14))
# Every zone a feed may use: those times.py reads, the UTC offsets it reads ("UTC+5"), and a few
# unlike them (an east zone whose summer time ended, half-hour summer time, a yearly pause).
ZONES = sorted({*PLACE_ZONES.values(), "Etc/GMT+5", "Etc/GMT-3", "Europe/Moscow", "Australia/Lord_Howe",
                "Africa/Casablanca"})


def node() -> str:
    """node with ical.js beside it, or a skip (a failure under CI=true, where .ci/run installs both)."""
    found = shutil.which("node")
    if found is None:
        missing = "node is not installed (Debian: apt-get install nodejs npm)"
    elif not (JS / "node_modules" / "ical.js" / "package.json").is_file():
        missing = "ical.js is not installed (npm ci --prefix tests/js)"
    else:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {missing}: .ci/run installs it")
    pytest.skip(missing)


@pytest.fixture(autouse=True)
def _icaljs_or_skip() -> None:
    """Skip (or fail) before publishing anything."""
    node()


def icaljs(paths: list[Path]) -> dict[Path, dict[str, dict]]:
    """Each calendar's timed events by UID as ical.js reads them: {"start", "end" (epoch seconds), "tzid"}."""
    done = subprocess.run([node(), str(JS / "instants.mjs")], input=json.dumps([str(p) for p in paths]),
                          capture_output=True, text=True, cwd=JS, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return {Path(path): events for path, events in json.loads(done.stdout).items()}


def own_zones(vtimezone: bytes) -> dict[str, tzinfo]:
    """One VTIMEZONE as icalendar's and as ical's own tzinfo, never the system's zone of that name."""
    wrapped = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + vtimezone + b"END:VCALENDAR\r\n"
    component = icalendar.Calendar.from_ical(wrapped).walk("VTIMEZONE")[0]
    strict = IcsCalendarStream.calendar_from_ics(wrapped.decode("utf-8")).timezones[0]
    return {"icalendar": component.to_tz(lookup_tzid=False), "ical": IcsTimezoneInfo.from_timezone(strict)}


def zones_of(raw: bytes) -> dict[str, dict[str, tzinfo]]:
    zones = {}
    for block in VTIMEZONE.findall(raw):
        tzid = re.search(rb"\r\nTZID:([^\r]+)\r\n", block)[1].decode()
        zones[tzid] = own_zones(block)
    return zones


def seconds(value: datetime | str | None) -> int | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return int(moment.timestamp())


def meetings_elsewhere() -> list[EventItem]:
    items = []
    for zone in ZONES_ELSEWHERE:
        for n, moment in enumerate(MOMENTS):
            start = moment.replace(tzinfo=ZoneInfo(zone))
            items.append(EventItem(
                key=f"gfmd/elsewhere/{zone.lower()}/{n}", body="GFMD", kind=Kind.PREPARATORY_MEETING,
                title=f"GFMD meeting ({zone})", start=start, end=start + timedelta(hours=2), timezone=zone,
                states=(StateLink("MEX", Role.CONCERNED),), source_url="https://www.gfmd.org/pfp/ppd",
                source_name="gfmd_meetings"))
    return items


@pytest.fixture
def published(storage, settings) -> Path:
    """The feed tests' story, plus GFMD meetings across the Americas and in London."""
    fill(storage)
    record(storage, "gfmd_meetings", [i for i in process_items() if i.body == "GFMD"] + meetings_elsewhere())
    publish(storage, settings)
    return Path(settings.public_dir)


def test_every_feed_gives_every_timed_event_its_stored_instant(storage, published):
    with storage.session() as s:
        rows = s.execute(select(Event.key, Event.start, Event.end).where(Event.all_day.is_(False))).all()
    stored = {f"{key}@ventanas": (seconds(start), seconds(end)) for key, start, end in rows}
    assert len(stored) == 2 + len(ZONES_ELSEWHERE) * len(MOMENTS)
    feeds = sorted(path for tree in ("feeds", "es/feeds", "fr/feeds") for path in (published / tree).rglob("*.ics"))
    by_icaljs = icaljs(feeds)
    checked, wrong = set(), []
    for path in feeds:
        raw = path.read_bytes()
        zones = zones_of(raw)
        timed = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")
                 if isinstance(e["DTSTART"].dt, datetime)}
        strict = {e.uid: e for e in IcsCalendarStream.calendar_from_ics(raw.decode("utf-8")).events}
        assert set(by_icaljs[path]) == set(timed), path
        for uid, event in timed.items():
            tzid = event["DTSTART"].params["TZID"]
            assert by_icaljs[path][uid]["tzid"] == tzid, (path, uid)
            local = [event[p].dt for p in ("DTSTART", "DTEND") if p in event]
            got = {
                "ical.js": (by_icaljs[path][uid]["start"], by_icaljs[path][uid]["end"]),
                "icalendar": (seconds(local[0]), seconds(local[1]) if len(local) > 1 else None),
                "ical": (seconds(strict[uid].dtstart), seconds(strict[uid].dtend)),
            }
            for reader, zone in zones[tzid].items():
                own = [seconds(t.replace(tzinfo=zone)) for t in local]
                got[f"{reader} (VTIMEZONE)"] = (own[0], own[1] if len(own) > 1 else None)
            wrong += [(path.relative_to(published).as_posix(), uid, reader, (value[0] - stored[uid][0]) / 3600)
                      for reader, value in got.items() if value != stored[uid]]
            checked.add(uid)
    assert checked == set(stored)
    assert not wrong, f"{len(wrong)} wrong (feed, event, reader, hours off), e.g. {wrong[:10]}"


def offset_changes(zone: ZoneInfo, first_year: int, last_year: int) -> list[datetime]:
    """When the zone's UTC offset changes, to the minute, by stepping through zoneinfo (UTC instants)."""
    found = []
    day, end = datetime(first_year, 1, 1, tzinfo=UTC), datetime(last_year + 1, 1, 1, tzinfo=UTC)
    offset = day.astimezone(zone).utcoffset()
    while day < end:
        following = day + timedelta(days=1)
        if following.astimezone(zone).utcoffset() != offset:
            moment = day
            for step in (timedelta(hours=1), timedelta(minutes=1)):
                while (moment + step).astimezone(zone).utcoffset() == offset:
                    moment += step
            found.append(moment + timedelta(minutes=1))
            offset = following.astimezone(zone).utcoffset()
        day = following
    return found


def probes(zone: ZoneInfo) -> list[datetime]:
    """Instants to check a zone at: four a year, and around every change of offset; never an ambiguous local time."""
    instants = [datetime(year, month, 15, 12, tzinfo=UTC) for year in range(2000, LATEST_YEAR + 1)
                for month in (1, 4, 7, 10)]
    for change in offset_changes(zone, 2000, LATEST_YEAR):
        instants += [change + delta for delta in (timedelta(hours=-3), timedelta(minutes=-1), timedelta(0),
                                                  timedelta(hours=3))]
    unambiguous = []
    for instant in instants:
        local = instant.astimezone(zone).replace(tzinfo=None)
        if local.replace(tzinfo=zone, fold=0).utcoffset() == local.replace(tzinfo=zone, fold=1).utcoffset():
            unambiguous.append(instant)
    return unambiguous


def test_every_zone_reads_right_from_2000_to_the_last_year_an_event_may_have(tmp_path):
    """The VTIMEZONE of every zone a feed may use, probed at thousands of instants by all three readers."""
    calendars, expected = [], {}
    for tzid in ZONES:
        zone = ZoneInfo(tzid)
        blocks = []
        for n, instant in enumerate(probes(zone)):
            local = instant.astimezone(zone).replace(tzinfo=None)
            blocks.append(f"BEGIN:VEVENT\r\nUID:{n}@probe\r\nDTSTAMP:20000101T000000Z\r\n"
                          f"DTSTART;TZID={tzid}:{local:%Y%m%dT%H%M%S}\r\nEND:VEVENT\r\n".encode())
            expected[tzid, f"{n}@probe"] = (local, seconds(instant))
        path = tmp_path / f"{tzid.replace('/', '_')}.ics"
        path.write_bytes(assemble(blocks, [tzid], feed_id=f"probe/{tzid}", name=tzid, description="probes"))
        calendars.append((tzid, path))
    by_icaljs = icaljs([path for _, path in calendars])
    wrong: list[tuple] = []
    for tzid, path in calendars:
        readers = own_zones(timezone_block(tzid))
        for uid, js in by_icaljs[path].items():
            local, want = expected[tzid, uid]
            got = {"ical.js": js["start"], **{r: seconds(local.replace(tzinfo=z)) for r, z in readers.items()}}
            wrong += [(tzid, f"{local:%Y-%m-%d %H:%M}", reader, (value - want) / 3600)
                      for reader, value in got.items() if value != want]
        assert len(by_icaljs[path]) == sum(1 for t, _ in expected if t == tzid)
    assert not wrong, f"{len(wrong)} wrong (zone, local time, reader, hours off), e.g. {wrong[:10]}"


def all_day_dates(raw: bytes) -> dict[str, tuple]:
    """Each event's UID → (DTSTART, DTEND, SEQUENCE, STATUS) as icalendar reads them, all-day events too."""
    return {str(e["UID"]): (e["DTSTART"].dt, e["DTEND"].dt if "DTEND" in e else None, int(e["SEQUENCE"]),
                            str(e["STATUS"]))
            for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")}


def test_a_feed_in_spanish_or_french_has_the_english_feeds_events_at_the_same_instants(published):
    """The same UIDs, days, instants, sequences and statuses in all three languages, for every reader;
    only the words differ (and the calendar's name)."""
    english = sorted((published / "feeds").rglob("*.ics"))
    translated = {lang: [published / lang / path.relative_to(published) for path in english] for lang in ("es", "fr")}
    assert all(path.is_file() for paths in translated.values() for path in paths)
    by_icaljs = icaljs(english + translated["es"] + translated["fr"])
    for lang, paths in translated.items():
        for source, path in zip(english, paths, strict=True):
            ours, theirs = source.read_bytes(), path.read_bytes()
            assert by_icaljs[path] == by_icaljs[source], path
            assert all_day_dates(theirs) == all_day_dates(ours), path
            strict_en = {e.uid: (e.dtstart, e.dtend, e.sequence)
                         for e in IcsCalendarStream.calendar_from_ics(ours.decode()).events}
            strict = {e.uid: (e.dtstart, e.dtend, e.sequence)
                      for e in IcsCalendarStream.calendar_from_ics(theirs.decode()).events}
            assert strict == strict_en, path
            calendar, original = icalendar.Calendar.from_ical(theirs), icalendar.Calendar.from_ical(ours)
            # (icalendar reads an X- property's text without unescaping its commas)
            assert str(calendar["X-WR-CALNAME"]).replace("\\,", ",") == str(calendar["NAME"]), path
            assert str(calendar["DESCRIPTION"]) != str(original["DESCRIPTION"]), path
            assert str(calendar["SOURCE"]).endswith(f"/{lang}/{source.relative_to(published).as_posix()}")
    mexico = icalendar.Calendar.from_ical((published / "es/feeds/states/MEX.ics").read_bytes())
    assert str(mexico["NAME"]) == "ventanas: México"
    review = next(e for e in mexico.walk("VEVENT") if str(e["UID"]) == "ohchr/CMW/42/review/MEX@ventanas")
    assert str(review["SUMMARY"]) == "CMW: examen de México"
    assert "Qué hacer:" in str(review["DESCRIPTION"]) and "Fuente: https://" in str(review["DESCRIPTION"])
