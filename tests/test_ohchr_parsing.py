"""The OHCHR page helpers (normalize/ohchr.py), table by table."""

from __future__ import annotations

from datetime import date

import pytest

from ventanas.domain import Status
from ventanas.normalize.dates import DateError
from ventanas.normalize.ohchr import (
    OhchrPageError,
    date_span,
    gravest_status,
    info_note_ref,
    meeting_status,
    ordinal,
    reporting_status,
    review_type,
    session_number,
    symbol_from_href,
)

STATUS_TABLE = [
    ("Confirmed", Status.CONFIRMED),
    ("", Status.CONFIRMED),
    ("Postponed. New dates will be announced.", Status.POSTPONED),
    ("Session postponed", Status.POSTPONED),
    ("Cancelled owing to the liquidity situation", Status.CANCELLED),
    ("CANCELED", Status.CANCELLED),
    ("The pre-sessional working group will not take place.", Status.CANCELLED),
    ("Cancelled (was 23 Mar 2026 - 27 Mar 2026)", Status.CANCELLED),
    ("Session annulée", Status.CANCELLED),
    ("Sesión aplazada", Status.POSTPONED),
    ("Provisional dates", Status.TENTATIVE),
    ("Dates to be confirmed", Status.TENTATIVE),
    # words that contain a status word but are none
    ("Information note on the postponement policy", Status.CONFIRMED),
    ("Pre-sessional working group", Status.CONFIRMED),
]


@pytest.mark.parametrize(("text", "expected"), STATUS_TABLE, ids=[t or "empty" for t, _ in STATUS_TABLE])
def test_meeting_status(text, expected):
    assert meeting_status(text) == expected


@pytest.mark.parametrize(("statuses", "expected"), [
    ((Status.CONFIRMED, Status.POSTPONED), Status.POSTPONED),
    ((Status.POSTPONED, Status.CANCELLED), Status.CANCELLED),
    ((Status.TENTATIVE, Status.CONFIRMED), Status.TENTATIVE),
    ((Status.CONFIRMED,), Status.CONFIRMED),
])
def test_gravest_status(statuses, expected):
    assert gravest_status(*statuses) == expected
    assert gravest_status(*reversed(statuses)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("36", 36), ("36th session", 36), ("Session 42", 42), ("41 (postponed)", 41), ("101st", 101), ("36e session", 36),
])
def test_session_number(text, expected):
    assert session_number(text) == expected


@pytest.mark.parametrize("text", ["", "Special session", "n/a"])
def test_no_session_number(text):
    with pytest.raises(OhchrPageError):
        session_number(text)


@pytest.mark.parametrize(("n", "expected"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (12, "12th"),
                                             (13, "13th"), (21, "21st"), (36, "36th"), (42, "42nd"), (101, "101st"),
                                             (112, "112th")])
def test_ordinal(n, expected):
    assert ordinal(n) == expected


SPANS = [
    ("27 Mar 2023 - 06 Apr 2023", (date(2023, 3, 27), date(2023, 4, 6))),
    ("27 Mar 2023 to 06 Apr 2023", (date(2023, 3, 27), date(2023, 4, 6))),
    ("27 Mar 2023 – 06 Apr 2023", (date(2023, 3, 27), date(2023, 4, 6))),
    ("36 session (27 Mar 2023 - 06 Apr 2023)", (date(2023, 3, 27), date(2023, 4, 6))),
    ("Cancelled (was 23 Mar 2026 - 27 Mar 2026)", (date(2026, 3, 23), date(2026, 3, 27))),
    ("13 October 2025", (date(2025, 10, 13), date(2025, 10, 13))),
    ("29 Dec 2025 - 09 Jan 2026", (date(2025, 12, 29), date(2026, 1, 9))),
]


@pytest.mark.parametrize(("text", "expected"), SPANS, ids=[t for t, _ in SPANS])
def test_date_span(text, expected):
    assert date_span(text) == expected


@pytest.mark.parametrize("text", [
    "06 Apr 2023 - 27 Mar 2023",  # backwards
    "TBC",
    "30 Feb 2026 - 06 Mar 2026",  # impossible
    "01 Jan 2026, 05 Jan 2026 and 09 Jan 2026",  # three dates are no span
])
def test_date_span_rejects(text):
    with pytest.raises(DateError):
        date_span(text)


REVIEWS = [
    ("Initial report", "initial", "1"),
    ("Fourth periodic report", "periodic", "4"),
    ("Combined seventh and eighth periodic reports", "periodic", "7-8"),
    ("Combined eighteenth and nineteenth periodic reports", "periodic", "18-19"),
    ("List of issues prior to reporting", "loipr", None),
    ("LOIPR", "loipr", None),
    ("Follow-up to the concluding observations", "follow_up", "follow-up"),
    ("Third periodic", "periodic", "3"),
]


@pytest.mark.parametrize(("text", "kind", "cycle"), REVIEWS, ids=[t for t, _, _ in REVIEWS])
def test_review_type(text, kind, cycle):
    found = review_type(text)
    assert (found.kind, found.cycle) == (kind, cycle)
    assert found.label == text


def test_unknown_review_type_is_reported():
    with pytest.raises(OhchrPageError):
        review_type("Something the committee never did")


@pytest.mark.parametrize(("text", "expected"), [
    ("Pending", "pending"), ("Not yet due", "pending"), ("Overdue", "overdue"), ("Received", "received"),
    ("Submitted on 3 May 2024", "received"), ("Scheduled for review", "scheduled"), ("Reviewed", "reviewed"),
    ("Concluding observations adopted", "reviewed"), ("", None), ("Unknown", None),
])
def test_reporting_status(text, expected):
    assert reporting_status(text) == expected


@pytest.mark.parametrize(("href", "expected"), [
    ("Download.aspx?symbolno=CMW%2fC%2fSLV%2fCO%2f3&Lang=en", "CMW/C/SLV/CO/3"),
    ("https://tbinternet.ohchr.org/_layouts/15/treatybodyexternal/Download.aspx?symbolno=CEDAW%2fC%2f75%2f1&Lang=en",
     "CEDAW/C/75/1"),
    ("Download.aspx?symbolno=E%2fC.12%2fMEX%2fCO%2f5-6&Lang=en", "E/C.12/MEX/CO/5-6"),
    ("Download.aspx?SymbolNo=cmw%2fc%2fmex%2f4", "CMW/C/MEX/4"),
    ("Download.aspx?symbolno=INT%2fCEDAW%2fPOW%2f75%2f29095&Lang=en", "INT/CEDAW/POW/75/29095"),
    ("SessionDetails1.aspx?SessionID=2633&Lang=en", None),
    ("Download.aspx?symbolno=not a symbol", None),
])
def test_symbol_from_href(href, expected):
    assert symbol_from_href(href) == expected


@pytest.mark.parametrize(("href", "expected"), [
    ("/Treaties/CMW/Shared%20Documents/1_Global/INT_CMW_INF_42_41234_E.docx", ("CMW", 42)),
    ("https://tbinternet.ohchr.org/Treaties/CCPR/Shared Documents/1_Global/INT_CCPR_INF_145_41310_E.pdf",
     ("CCPR", 145)),
    ("Download.aspx?symbolno=INT%2fCAT%2fINF%2f85%2f41400&Lang=en", ("CAT", 85)),
    ("Download.aspx?symbolno=INT%2fCEDAW%2fPOW%2f75%2f29095&Lang=en", None),  # programme of work, not a note
    ("/Treaties/CMW/Shared%20Documents/1_Global/CMW_C_42_1_E.docx", None),
])
def test_info_note_ref(href, expected):
    assert info_note_ref(href) == expected
