"""Reporting windows and link opportunities (ventanas.windows): table-driven over plain events, then from storage."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.test_feeds_scenario import TODAY, fill
from ventanas.calendar.events import EventView, Scope, load_events, load_state_events
from ventanas.windows import (
    link_opportunities,
    link_opportunities_in,
    open_windows,
    open_windows_in,
    upcoming,
    upcoming_in,
)

STAMP = datetime(2025, 7, 1, tzinfo=UTC)
_ids = iter(range(1, 10_000))


def ev(key: str, kind: str, first: date, last: date | None = None, *, body: str | None = None, session=None,
       states=(("MEX", "reviewed"),), status="confirmed", basis="announced", vanished=False) -> EventView:
    body = body or key.split("/")[1] if key.startswith("ohchr/") else (body or key.split("/")[0].upper())
    return EventView(
        id=next(_ids), key=key, body=body, kind=kind, title=key, start=first, end=last or first, first_day=first,
        last_day=last or first, all_day=True, timezone=None, location=None, status=status, basis=basis,
        rule="rule" if basis == "derived" else None, session=session, source_url="https://example.org/x",
        source_name="test", description=None, action=None, details={}, states=tuple(states), sequence=0,
        content_hash="h", first_seen=STAMP, last_changed=STAMP, vanished_at=STAMP if vanished else None,
    )


REVIEW = ev("ohchr/CMW/42/review/MEX", "review", date(2026, 4, 14), date(2026, 4, 15), session="42")
CSO = ev("ohchr/CMW/42/deadline/cso-submission", "cso_submission", date(2026, 3, 23), session="42", states=(),
         basis="derived")
CRM = ev("crm/viceministerial/30", "vice_ministerial", date(2026, 2, 3), date(2026, 2, 4), states=(("PAN", "host"),))


# -- upcoming ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("event", "days", "expected"),
    [
        pytest.param(ev("gfmd/summit/15", "summit", date(2025, 9, 2), date(2025, 9, 4)), 90, True, id="within-horizon"),
        pytest.param(ev("gfmd/summit/15", "summit", date(2025, 9, 2), date(2025, 9, 4)), 30, False, id="beyond-horizon"),
        pytest.param(ev("ohchr/CMW/41", "session", date(2025, 7, 28), date(2025, 8, 8)), 30, True, id="ongoing"),
        pytest.param(ev("ohchr/CMW/40", "session", date(2025, 4, 1), date(2025, 7, 31)), 30, False, id="ended-yesterday"),
        pytest.param(ev("csm/conference/23", "conference", date(2025, 8, 5), status="cancelled"), 30, False,
                     id="cancelled"),
        pytest.param(ev("csm/conference/23", "conference", date(2025, 8, 5), vanished=True), 30, False, id="vanished"),
        pytest.param(ev("csm/conference/23", "conference", date(2025, 8, 5), status="postponed"), 30, True,
                     id="postponed-still-shown"),
    ],
)
def test_upcoming(event, days, expected):
    assert (upcoming_in([event], TODAY, days) == [event]) is expected


def test_upcoming_is_in_date_order():
    later, sooner = ev("a/b/2", "other", date(2025, 9, 1)), ev("a/b/1", "other", date(2025, 8, 20))
    assert upcoming_in([later, sooner], TODAY) == [sooner, later]


# -- windows -------------------------------------------------------------------------------

def test_session_deadline_leads_to_the_states_review():
    session = ev("ohchr/CMW/42", "session", date(2026, 4, 13), date(2026, 4, 24), session="42")
    dialogue = ev("ohchr/CMW/42/dialogue/MEX/1", "dialogue", date(2026, 4, 14), session="42")
    (window,) = open_windows_in([session, dialogue, REVIEW, CSO, CRM], "MEX", TODAY)
    assert window.deadline is CSO and window.review is REVIEW  # the review, not the dialogue or the session
    assert window.closes == date(2026, 3, 23) and window.days_left(TODAY) == 234


def test_report_due_leads_to_the_next_review_and_opens_with_the_last_one():
    last_review = ev("ohchr/CEDAW/70/review/MEX", "review", date(2018, 7, 6), session="70", body="CEDAW")
    due = ev("ohchr/CEDAW/report-due/MEX/10", "report_due", date(2025, 11, 1), body="CEDAW",
             states=(("MEX", "due_by"),))
    next_review = ev("ohchr/CEDAW/95/review/MEX", "review", date(2026, 10, 6), session="95", body="CEDAW")
    other_body = ev("ohchr/CMW/42/review/MEX", "review", date(2026, 1, 6), session="42")
    (window,) = open_windows_in([last_review, due, next_review, other_body], "MEX", TODAY)
    assert (window.review, window.opened) == (next_review, last_review)


@pytest.mark.parametrize(
    ("deadline", "days", "count"),
    [
        pytest.param(CSO, None, 1, id="open"),
        pytest.param(CSO, 100, 0, id="beyond-days"),
        pytest.param(ev("ohchr/CMW/41/deadline/cso-submission", "cso_submission", date(2025, 7, 31), session="41"),
                     None, 0, id="passed"),
        pytest.param(ev("ohchr/CMW/41/deadline/cso-submission", "cso_submission", date(2025, 8, 1), session="41"),
                     None, 1, id="closes-today"),
        pytest.param(ev("ohchr/CMW/42/deadline/accreditation", "accreditation", date(2026, 4, 6), session="42",
                        status="cancelled"), None, 0, id="cancelled"),
        pytest.param(ev("gfmd/registration/15", "registration", date(2025, 8, 20)), None, 0,
                     id="non-binding-registration-is-no-reporting-window"),
    ],
)
def test_which_windows_are_open(deadline, days, count):
    assert len(open_windows_in([deadline, REVIEW], "MEX", TODAY, days)) == count


# -- link opportunities ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("meeting", "today", "span", "expected_days"),
    [
        pytest.param(CRM, TODAY, 120, 70, id="ten-weeks-before-review"),
        pytest.param(CRM, TODAY, 60, None, id="outside-span"),
        pytest.param(ev("crm/x/1", "vice_ministerial", date(2025, 12, 15)), TODAY, 120, 120, id="span-is-inclusive"),
        pytest.param(ev("crm/x/1", "vice_ministerial", date(2025, 12, 14)), TODAY, 120, None, id="one-day-too-early"),
        pytest.param(ev("crm/x/1", "vice_ministerial", date(2026, 4, 20)), TODAY, 120, None, id="after-the-review"),
        pytest.param(CRM, date(2026, 2, 10), 120, None, id="meeting-already-past"),
        pytest.param(CRM, None, 120, 70, id="past-included-when-asked"),
        pytest.param(ev("crm/x/1", "vice_ministerial", date(2026, 2, 3), status="cancelled"), TODAY, 120, None,
                     id="cancelled-meeting"),
    ],
)
def test_link_opportunity_span(meeting, today, span, expected_days):
    found = link_opportunities_in([meeting, REVIEW], "MEX", today, span)
    assert [o.days_before for o in found] == ([] if expected_days is None else [expected_days])


def test_review_is_preferred_to_an_earlier_deadline_of_the_same_body():
    (link,) = link_opportunities_in([CRM, CSO, REVIEW], "MEX", TODAY, 120)
    assert link.target is REVIEW and link.target_is_review


def test_deadline_is_the_target_when_no_review_is_in_span():
    (link,) = link_opportunities_in([CRM, CSO], "MEX", TODAY, 60)
    assert link.target is CSO and not link.target_is_review


def test_one_opportunity_per_binding_body():
    cedaw = ev("ohchr/CEDAW/report-due/MEX/10", "report_due", date(2026, 3, 1), body="CEDAW",
               states=(("MEX", "due_by"),))
    found = link_opportunities_in([CRM, CSO, REVIEW, cedaw], "MEX", TODAY, 120)
    assert sorted(o.target.body for o in found) == ["CEDAW", "CMW"]


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "CRM Vice-ministerial meeting on 3 Feb, 10 weeks before Mexico's CMW review: "
               "a chance to raise the CMW's recommendations."),
        ("es", "Reunión viceministerial de la CRM el 3 feb, 10 semanas antes del examen de México por el CMW: "
               "una oportunidad para plantear las recomendaciones del CMW."),
        ("fr", "Réunion vice-ministérielle de la CRM le 3 févr., 10\u00a0semaines avant l’examen par le CMW "
               "(État examiné : Mexique) : l’occasion de faire valoir les recommandations du CMW."),
    ],
)
def test_link_sentence(lang, sentence):
    (link,) = link_opportunities_in([CRM, REVIEW], "MEX", TODAY, 120)
    assert link.sentence(lang) == sentence


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "GFMD Summit on 2 Sept, 9 weeks before a CEDAW deadline for Mexico (State report due): "
               "a chance to bring the meeting's commitments into it."),
        ("es", "Cumbre del GFMD el 2 sept, 9 semanas antes de un plazo del CEDAW para México (vence el informe del "
               "Estado): una oportunidad para llevar a él los compromisos de la reunión."),
    ],
)
def test_link_sentence_for_a_deadline(lang, sentence):
    summit = ev("gfmd/summit/15", "summit", date(2025, 9, 2), date(2025, 9, 4))
    due = ev("ohchr/CEDAW/report-due/MEX/10", "report_due", date(2025, 11, 1), body="CEDAW",
             states=(("MEX", "due_by"),))
    (link,) = link_opportunities_in([summit, due], "MEX", TODAY, 120)
    assert link.sentence(lang) == sentence


def test_parts_of_a_summit_are_one_opportunity():
    summit = ev("gfmd/summit/15", "summit", date(2025, 9, 2), date(2025, 9, 4), session="15")
    parts = [ev("gfmd/civil-society-days/15", "civil_society_days", date(2025, 9, 2), session="15"),
             ev("gfmd/common-space/15", "summit", date(2025, 9, 3), session="15"),
             ev("gfmd/government-days/15", "summit", date(2025, 9, 3), date(2025, 9, 4), session="15")]
    other = ev("gfmd/steering-group/2025-3", "preparatory_meeting", date(2025, 9, 3), session="2025-3")
    due = ev("ohchr/CEDAW/report-due/MEX/10", "report_due", date(2025, 11, 1), body="CEDAW",
             states=(("MEX", "due_by"),))
    found = link_opportunities_in([*parts, summit, other, due], "MEX", TODAY, 120)
    assert [link.meeting.key for link in found] == ["gfmd/summit/15", "gfmd/steering-group/2025-3"]
    # without the summit itself, its longest part stands for it
    found = link_opportunities_in([*parts, due], "MEX", TODAY, 120)
    assert [link.meeting.key for link in found] == ["gfmd/civil-society-days/15", "gfmd/government-days/15"]


def test_postponed_meeting_is_no_opportunity():
    meeting = ev("crm/working-group/2025-ninez", "preparatory_meeting", date(2026, 2, 3), status="postponed")
    assert link_opportunities_in([meeting, REVIEW], "MEX", TODAY, 120) == []


def test_meeting_of_no_known_kind_goes_by_its_title():
    plenary = dataclasses.replace(ev("crm/plenaria-conjunta/2025", "other", date(2026, 2, 3)),
                                  title="Plenaria conjunta CRM–CSM 2025")
    (link,) = link_opportunities_in([plenary, REVIEW], "MEX", TODAY, 120)
    assert link.sentence("es").startswith("Plenaria conjunta CRM–CSM 2025 el 3 feb, 10 semanas antes del examen")


def test_short_gap_is_said_in_days():
    meeting = ev("crm/x/1", "vice_ministerial", REVIEW.first_day - timedelta(days=5))
    (link,) = link_opportunities_in([meeting, REVIEW], "MEX", TODAY, 120)
    assert "5 days before" in link.sentence("en")


# -- from storage ---------------------------------------------------------------------------------

def test_session_functions_over_stored_events(storage):
    fill(storage)
    with storage.session() as session:
        soon = [e.key for e in upcoming(session, "MEX", TODAY, 100)]
        assert soon == ["gfmd/summit/15", "gfmd/steering-group/2025-3", "ohchr/CEDAW/report-due/MEX/10"]
        windows = open_windows(session, "MEX", TODAY)
        assert [w.deadline.key for w in windows] == [
            "ohchr/CEDAW/report-due/MEX/10", "ohchr/CMW/42/deadline/cso-submission",
            "ohchr/CMW/42/deadline/accreditation",
        ]
        assert windows[1].review.key == "ohchr/CMW/42/review/MEX"
        links = link_opportunities(session, "MEX", TODAY, 120)
        assert [(o.meeting.key, o.target.key) for o in links] == [
            ("gfmd/summit/15", "ohchr/CEDAW/report-due/MEX/10"),
            ("gfmd/steering-group/2025-3", "ohchr/CEDAW/report-due/MEX/10"),
            ("crm/viceministerial/30", "ohchr/CMW/42/review/MEX"),
        ]
        assert not link_opportunities(session, "URY", TODAY, 120)


def test_per_state_query_agrees_with_the_scope_of_all_events(storage):
    fill(storage)
    with storage.session() as session:
        scope = Scope.build(load_events(session))
        assert len(scope.events_of) > 20
        for state, ids in scope.events_of.items():
            assert [e.id for e in load_state_events(session, state)] == ids, state
