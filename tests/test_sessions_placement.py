"""An announcement that names no session number lands on the stored session its dates match
(storage/sessions.py), on SQLite and PostgreSQL: same keys, no duplicate session, nothing invented."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.test_storage import crawl
from ventanas.domain import EventItem, Kind, Role, StateLink
from ventanas.normalize.extraction import extract_events
from ventanas.storage.models import Event

ADVISORY = """GENEVA (27 February 2026) – The UN Committee on Migrant Workers will hold its upcoming session \
from 23 March to 2 April, during which it will review Mexico and Peru.
The Committee will hold public dialogues with the two delegations on the following dates:
Mexico
24 March 15:00 – 18:00
25 March 10:00 – 13:00
Peru
25 March 15:00 – 18:00
26 March 10:00 – 13:00
"""
URL = "https://www.ohchr.org/en/media-advisories/2026/02/cmw-review-mexico-peru"


def session_list_items(number: int = 40, start: date = date(2026, 3, 23), end: date = date(2026, 4, 2)):
    """What the sessions spider stores from the session list: the numbered session and its reviews."""
    session = EventItem(key=f"ohchr/CMW/{number}", body="CMW", kind=Kind.SESSION, title=f"CMW {number}th session",
                        start=start, end=end, session=str(number), location="Geneva",
                        source_url="https://tbinternet.ohchr.org/session", source_name="ohchr_sessions")
    reviews = [EventItem(key=f"ohchr/CMW/{number}/review/{code}", body="CMW", kind=Kind.REVIEW,
                         title=f"CMW {number}th session: review of {code}", start=start, end=end, session=str(number),
                         states=(StateLink(code, Role.REVIEWED),), source_url="https://tbinternet.ohchr.org/session",
                         source_name="ohchr_sessions") for code in ("MEX", "PER")]
    return [session, *reviews]


def advisory_items():
    return extract_events(ADVISORY, published=date(2026, 2, 27), source_url=URL,
                          source_name="ohchr_media_advisories")


def keys(storage) -> list[str]:
    with storage.session() as s:
        return sorted(s.scalars(select(Event.key)))


def test_extract_gives_no_number_and_the_crawl_places_it(storage):
    items = advisory_items()
    assert {i.session for i in items} == {None}
    assert all("/unnumbered" in i.key for i in items)
    crawl(storage, session_list_items())
    report = crawl(storage, items, spider="ohchr_media_advisories")
    assert report.held_back == 0
    stored = keys(storage)
    assert not [k for k in stored if "unnumbered" in k]
    assert [k for k in stored if k.count("/") == 2] == ["ohchr/CMW/40"]  # one session, no duplicate
    assert "ohchr/CMW/40/dialogue/MEX/1" in stored and "ohchr/CMW/40/dialogue/PER/2" in stored
    with storage.session() as s:
        dialogue = s.scalar(select(Event).where(Event.key == "ohchr/CMW/40/dialogue/PER/1"))
        assert (dialogue.session, dialogue.start) == ("40", "2026-03-25T15:00:00+01:00")
        assert dialogue.title.startswith("CMW 40th session: ")
        session = s.scalar(select(Event).where(Event.key == "ohchr/CMW/40"))
        assert {u.source_url for u in session.sources} >= {URL, "https://tbinternet.ohchr.org/session"}


def test_a_second_crawl_of_the_same_advisory_changes_nothing(storage):
    crawl(storage, session_list_items())
    crawl(storage, advisory_items(), spider="ohchr_media_advisories")
    again = crawl(storage, advisory_items(), spider="ohchr_media_advisories")
    assert (again.inserted, again.updated, again.held_back) == (0, 0, 0)


def test_no_stored_session_with_those_dates_holds_the_items_back(storage):
    crawl(storage, session_list_items(number=41, start=date(2026, 9, 7), end=date(2026, 9, 17)))
    report = crawl(storage, advisory_items(), spider="ohchr_media_advisories")
    assert report.held_back == len(advisory_items())
    assert "no stored CMW session matches these dates" in report.held_back_notes[0]
    assert "held back" in report.counts_line()
    assert keys(storage) == sorted(i.key for i in session_list_items(number=41, start=date(2026, 9, 7),
                                                                      end=date(2026, 9, 17)))


def test_a_session_numbered_in_the_same_run_places_it_too(storage):
    report = crawl(storage, [*session_list_items(), *advisory_items()])
    assert report.held_back == 0
    assert "ohchr/CMW/40/dialogue/MEX/2" in keys(storage)


def test_two_sessions_equally_close_is_no_match(storage):
    crawl(storage, [*session_list_items(40), *session_list_items(41)])  # the same dates, two numbers
    report = crawl(storage, advisory_items(), spider="ohchr_media_advisories")
    assert report.held_back == len(advisory_items())
