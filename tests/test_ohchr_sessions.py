"""The sessions spider on saved pages (offline, demo clock 2025-08-01)."""

from __future__ import annotations

import asyncio
from datetime import date
from urllib.parse import parse_qs

import pytest
import scrapy
from scrapy.utils.test import get_crawler

from tests.conftest import TODAY, file_response
from ventanas.config import Settings
from ventanas.domain import Basis, EventItem, Kind, Role, Status, validate
from ventanas.normalize.bodies import body_codes
from ventanas.normalize.ohchr import SessionListRow
from ventanas.normalize.states import all_states
from ventanas.spiders.ohchr_sessions import BODIES, LIST_PATH, OhchrSessionsSpider

LIVE = "https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/"
SITE = "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/"


def spider() -> OhchrSessionsSpider:
    return OhchrSessionsSpider(ventanas_settings=Settings(today=TODAY))


def list_response(body: str, *, posted: bool = False, name: str | None = None):
    page = name or f"{SITE}SessionsList.aspx@Treaty={body}" + (".post" if posted else "")
    return file_response(page, LIVE + LIST_PATH.format(body=body).split("/")[-1])


def session_items(session_id: int, body: str, number: int, *, page: str | None = None, status=Status.CONFIRMED):
    row = SessionListRow(body, number, None, None, status, f"{LIVE}SessionDetails1.aspx?SessionID={session_id}&Lang=en")
    response = file_response(page or f"{SITE}SessionDetails1.aspx@SessionID={session_id}&Lang=en", row.detail_url)
    return list(spider().parse_session(response, row=row))


def by_key(items) -> dict[str, EventItem]:
    return {i.key: i for i in items if isinstance(i, EventItem)}


# -- the sessions list --------------------------------------------------------------------


def test_start_asks_every_committee_for_its_sessions():
    s = OhchrSessionsSpider(ventanas_settings=Settings(ohchr_tb_url="http://127.0.0.1:9/tbinternet.ohchr.org"))

    async def requests():
        return [r async for r in s.start()]

    urls = [r.url for r in asyncio.run(requests())]
    assert urls == [f"http://127.0.0.1:9/tbinternet.ohchr.org/{LIST_PATH.format(body=b)}" for b in BODIES]
    assert set(BODIES) == {"CMW", "CEDAW", "CRC", "CCPR", "CESCR", "CAT", "CERD", "CRPD", "CED"}


def test_empty_grid_is_posted_back_with_the_treaty_chosen():
    requests = list(spider().parse_list(list_response("CMW"), body="CMW"))
    assert len(requests) == 1
    postback = requests[0]
    assert postback.method == "POST"
    assert postback.headers[b"Content-Type"] == b"application/x-www-form-urlencoded"
    assert postback.url == LIVE + "SessionsList.aspx?Treaty=CMW"
    form = parse_qs(postback.body.decode())
    assert form["ctl00$PlaceHolderMain$ddlTreaty"] == ["CMW"]
    assert form["__EVENTTARGET"] == ["ctl00$PlaceHolderMain$ddlTreaty"]
    assert form["__VIEWSTATE"][0]  # the page's state goes back, or ASP.NET rejects the post
    assert postback.cb_kwargs == {"body": "CMW", "posted_back": True}


def test_posted_back_grid_yields_sessions_in_the_window():
    requests = list(spider().parse_list(list_response("CMW", posted=True), body="CMW", posted_back=True))
    ids = [r.url.split("SessionID=")[1].split("&")[0] for r in requests]
    # 42, 41 and the real 36th session (ended 6 Apr 2023, inside three years); not the 30th (2019)
    assert ids == ["3151", "3150", "2633"]
    rows = {r.cb_kwargs["row"].number: r.cb_kwargs["row"] for r in requests}
    assert rows[41].status == Status.POSTPONED
    assert rows[36].start == date(2023, 3, 27) and rows[36].end == date(2023, 4, 6)


def test_grid_still_empty_after_postback_is_an_error():
    s = spider()
    assert list(s.parse_list(list_response("CMW"), body="CMW", posted_back=True)) == []


def test_grid_filled_without_postback_is_read_directly():
    requests = list(spider().parse_list(list_response("CESCR"), body="CESCR"))
    assert [r.method for r in requests] == ["GET"]
    assert requests[0].cb_kwargs["row"].number == 79


def test_bad_list_rows_are_skipped():
    requests = list(spider().parse_list(list_response("CAT", name="ohchr_sessions/list_bad_rows.html"), body="CAT"))
    rows = [r.cb_kwargs["row"] for r in requests]
    # another treaty's row, a row without a link and one without a number are skipped
    assert [(r.number, r.start) for r in rows] == [(86, None), (84, date(2025, 11, 10))]


# -- a session page -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def cmw42():
    return by_key(session_items(3151, "CMW", 42))


def test_session_event(cmw42):
    session = cmw42["ohchr/CMW/42"]
    assert session.kind == Kind.SESSION
    assert (session.start, session.end) == (date(2026, 4, 13), date(2026, 4, 24))
    assert session.title == "CMW 42nd session"
    assert session.location == "Palais Wilson, Geneva"
    assert session.source_url == LIVE + "SessionDetails1.aspx?SessionID=3151&Lang=en"
    assert session.details["states_reviewed"] == ["MEX", "LKA", "BOL"]
    assert session.states == ()


def test_reviews_link_each_state_as_reviewed(cmw42):
    mexico = cmw42["ohchr/CMW/42/review/MEX"]
    assert mexico.kind == Kind.REVIEW
    assert [(s.code, s.role) for s in mexico.states] == [("MEX", Role.REVIEWED)]
    assert (mexico.start, mexico.end) == (date(2026, 4, 13), date(2026, 4, 24))
    assert mexico.details["review_type"] == "periodic" and mexico.details["cycle"] == "4"
    assert mexico.details["documents"] == {"CMW/C/MEX/QPR/4": "List of issues prior to reporting",
                                           "CMW/C/MEX/4": "State party's report"}
    assert mexico.title == "CMW 42nd session: review of Mexico (fourth periodic report)"


def test_state_with_no_documents_yet(cmw42):
    sri_lanka = cmw42["ohchr/CMW/42/review/LKA"]
    assert sri_lanka.details["documents"] == {}
    assert sri_lanka.details["cycle"] == "3"


def test_list_of_issues_prior_to_reporting(cmw42):
    bolivia = cmw42["ohchr/CMW/42/review/BOL"]
    assert bolivia.details["review_type"] == "loipr"
    assert "list of issues prior to reporting" in bolivia.title


def test_upcoming_session_gets_estimated_deadlines(cmw42):
    estimate = cmw42["ohchr/CMW/42/deadline/cso-submission"]
    assert estimate.basis == Basis.DERIVED and estimate.rule == "cmw-written-information-3w"
    assert estimate.start == date(2026, 3, 23)  # three weeks before 13 April 2026
    assert {s.code for s in estimate.states} == {"MEX", "LKA", "BOL"}
    assert {"ohchr/CMW/42/deadline/accreditation", "ohchr/CMW/42/deadline/registration"} <= cmw42.keys()


def test_information_note_is_fetched_for_an_upcoming_session():
    requests = [r for r in session_items(3151, "CMW", 42) if isinstance(r, scrapy.Request)]
    assert [r.url for r in requests] == [  # the note, not the programme of work (INT/CMW/POW/42/…)
        "https://tbinternet.ohchr.org/_layouts/15/treatybodyexternal/Download.aspx?symbolno=INT%2fCMW%2fINF%2f42%2f41234&Lang=en"]
    assert requests[0].cb_kwargs["facts"].states == ("MEX", "LKA", "BOL")


def test_past_session_has_documents_and_no_estimates():
    items = by_key(session_items(2633, "CMW", 36))
    assert sorted(items) == ["ohchr/CMW/36", "ohchr/CMW/36/review/MAR", "ohchr/CMW/36/review/NGA",
                             "ohchr/CMW/36/review/PHL", "ohchr/CMW/36/review/SLV"]
    assert items["ohchr/CMW/36/review/SLV"].details["documents"]["CMW/C/SLV/CO/3"] == "Concluding observations"
    assert items["ohchr/CMW/36/review/NGA"].details["review_type"] == "initial"
    assert items["ohchr/CMW/36"].details["documents"] == {"CMW/C/36/1": "Provisional agenda and annotations"}
    # the note of a session already held is not fetched
    assert not [r for r in session_items(2633, "CMW", 36) if isinstance(r, scrapy.Request)]


def test_postponed_session_postpones_its_reviews_and_estimates():
    items = by_key(session_items(3150, "CMW", 41, status=Status.POSTPONED))
    assert {i.status for i in items.values()} == {Status.POSTPONED}
    assert "ohchr/CMW/41/deadline/cso-submission" in items


def test_cancelled_session_and_its_working_group():
    items = by_key(session_items(3240, "CRPD", 34, page="ohchr_sessions/session_cancelled.html"))
    assert items["ohchr/CRPD/34"].status == Status.CANCELLED
    assert items["ohchr/CRPD/34/review/PAN"].status == Status.CANCELLED
    wg = items["ohchr/CRPD/34/pswg"]
    assert wg.status == Status.CANCELLED and (wg.start, wg.end) == (date(2026, 3, 23), date(2026, 3, 27))


def test_working_group_that_will_not_take_place():
    items = by_key(session_items(3160, "CEDAW", 92))
    assert "ohchr/CEDAW/92/pswg" not in items
    assert items["ohchr/CEDAW/92"].details["pre_sessional"] == "The pre-sessional working group will not take place."


def test_working_group_with_dates_and_its_own_estimate():
    items = by_key(session_items(3190, "CESCR", 79))
    wg = items["ohchr/CESCR/79/pswg"]
    assert (wg.start, wg.end, wg.status) == (date(2025, 10, 13), date(2025, 10, 17), Status.CONFIRMED)
    assert items["ohchr/CESCR/79/deadline/pswg-cso-submission"].start == date(2025, 8, 18)
    assert items["ohchr/CESCR/79/deadline/cso-submission"].start == date(2026, 1, 26)


def test_rows_that_cannot_be_read_are_skipped_and_the_rest_kept():
    results = session_items(3250, "CAT", 85, page="ohchr_sessions/session_problems.html")
    items = by_key(results)
    assert sorted(k for k in items if "/review/" in k) == ["ohchr/CAT/85/review/CHL", "ohchr/CAT/85/review/MEX"]
    assert "review_type" not in items["ohchr/CAT/85/review/CHL"].details  # unknown type: kept, not guessed
    assert items["ohchr/CAT/85/review/MEX"].status == Status.POSTPONED
    assert items["ohchr/CAT/85/review/MEX"].details["documents"] == {"CAT/C/MEX/8": "CAT/C/MEX/8"}
    notes = [r.url for r in results if isinstance(r, scrapy.Request)]
    assert notes == [LIVE + "Download.aspx?symbolno=INT%2fCAT%2fINF%2f85%2f41400&Lang=en"]  # not the 84th's


def test_page_without_dates_yields_nothing():
    assert session_items(1, "CAT", 85, page="ohchr_sessions/session_no_dates.html") == []


SAMPLES = [(3151, "CMW", 42), (2633, "CMW", 36), (3150, "CMW", 41), (3160, "CEDAW", 92), (3170, "CRC", 100),
           (3180, "CCPR", 145), (3190, "CESCR", 79), (3200, "CAT", 84), (3210, "CERD", 116), (3220, "CRPD", 33),
           (3230, "CED", 29)]


@pytest.mark.parametrize(("session_id", "body", "number"), SAMPLES, ids=[f"{b}-{n}" for _, b, n in SAMPLES])
def test_every_demo_session_item_meets_the_contract(session_id, body, number):
    items = [i for i in session_items(session_id, body, number) if isinstance(i, EventItem)]
    assert items
    for item in items:
        validate(item, known_bodies=body_codes(), known_states=set(all_states()))
        assert item.key.startswith(f"ohchr/{body}/{number}")
        assert item.session == str(number) and item.body == body
        assert item.all_day and item.source_url.startswith("https://tbinternet.ohchr.org/")


# -- information notes --------------------------------------------------------------------

NOTES = "tbinternet.ohchr.org/Treaties/{body}/Shared Documents/1_Global/{name}"
CMW42_NOTE = "tbinternet.ohchr.org/_layouts/15/treatybodyexternal/Download.aspx@symbolno=INT%2fCMW%2fINF%2f42%2f41234&Lang=en"


def note_items(body: str, number: int, name: str, states: tuple[str, ...], published: date | None = None):
    from pathlib import Path

    from scrapy.http import Request, Response

    from tests.conftest import DEMO_SITE, FILES
    from ventanas.normalize.rules import SessionFacts

    relative = name if name.startswith("tbinternet.") else NOTES.format(body=body, name=name)
    path = DEMO_SITE / relative if (DEMO_SITE / relative).exists() else FILES / "ohchr_sessions" / name
    url = "https://" + relative.replace(" ", "%20").replace("@", "?", 1)
    response = Response(url=url, body=Path(path).read_bytes(), request=Request(url))
    facts = SessionFacts(body=body, number=number, start=date(2026, 4, 13), end=date(2026, 4, 24),
                         source_url=LIVE + "SessionDetails1.aspx?SessionID=3151&Lang=en",
                         source_name="ohchr_sessions", states=states)
    return by_key(spider().parse_note(response, facts=facts, published=published))


@pytest.fixture(scope="module")
def cmw42_note():
    return note_items("CMW", 42, CMW42_NOTE, ("MEX", "LKA", "BOL"), date(2025, 7, 15))


def test_note_announces_the_written_submission_deadline(cmw42_note):
    announced = cmw42_note["ohchr/CMW/42/deadline/cso-submission"]
    assert announced.basis == Basis.ANNOUNCED and announced.rule is None
    assert announced.start == date(2026, 3, 23)  # three weeks before the session, as the note says
    assert "23 March 2026" in announced.evidence
    assert announced.source_url.endswith("Download.aspx?symbolno=INT%2fCMW%2fINF%2f42%2f41234&Lang=en")
    assert {s.code for s in announced.states} == {"MEX", "LKA", "BOL"}


def test_note_announces_accreditation_and_the_ngo_briefing(cmw42_note):
    assert cmw42_note["ohchr/CMW/42/deadline/accreditation"].start == date(2026, 4, 6)
    briefing = cmw42_note["ohchr/CMW/42/deadline/ngo-briefing"]
    assert briefing.timezone == "Europe/Zurich"
    assert (briefing.start.hour, briefing.end.hour) == (12, 13) and briefing.start.date() == date(2026, 4, 13)


def test_note_yields_only_deadlines(cmw42_note):
    # the session and its reviews come from the session page; the note adds what the page lacks
    assert {item.kind for item in cmw42_note.values()} <= {
        Kind.CSO_SUBMISSION, Kind.NHRI_SUBMISSION, Kind.ACCREDITATION, Kind.REGISTRATION, Kind.NGO_BRIEFING}
    assert all(item.priority == OhchrSessionsSpider.priority for item in cmw42_note.values())


def test_announced_deadline_has_the_key_of_the_estimate(cmw42, cmw42_note):
    estimated = {k for k, item in cmw42.items() if item.basis == Basis.DERIVED}
    assert {"ohchr/CMW/42/deadline/cso-submission", "ohchr/CMW/42/deadline/accreditation"} <= estimated & set(cmw42_note)


def test_pdf_note_is_read():
    # its sentences run across the PDF's line breaks ("no later than 29\nSeptember 2025")
    items = note_items("CCPR", 145, "INT_CCPR_INF_145_41310_E.pdf", ("COL", "URY"))
    assert items["ohchr/CCPR/145/deadline/accreditation"].start == date(2025, 9, 29)
    assert items["ohchr/CCPR/145/deadline/cso-submission"].start == date(2025, 9, 15)


def test_session_wide_deadline_concerns_every_state_reviewed():
    # the note's sentence may name one State; the deadline is the session's, for all of them
    items = note_items("CCPR", 145, "INT_CCPR_INF_145_41310_E.pdf", ("COL", "URY"))
    session_wide = {key: item for key, item in items.items() if key.split("/")[-1] not in ("COL", "URY")}
    assert session_wide
    for item in session_wide.values():
        assert {s.code for s in item.states} == {"COL", "URY"}
    # a briefing "on Colombia" is Colombia's alone: its key and States say so
    for key, item in items.items():
        if key.endswith("/COL"):
            assert {s.code for s in item.states} == {"COL"}


def test_unreadable_note_is_an_error_not_a_crash():
    items = note_items("CMW", 42, "not_a_document.docx", ("MEX",))
    assert items == {}


# -- the live page's structure ------------------------------------------------------------


def live_layout(body: str = "CEDAW", number: int = 75):
    crawler = get_crawler(OhchrSessionsSpider, {"VENTANAS": Settings(today=date(2019, 12, 1))})
    s = OhchrSessionsSpider.from_crawler(crawler)
    row = SessionListRow(body, number, None, None, Status.CONFIRMED, f"{LIVE}SessionDetails1.aspx?SessionID=1380&Lang=en")
    output = list(s.parse_session(file_response("ohchr_sessions/session_live_layout.html", row.detail_url), row=row))
    return output, crawler.stats


def test_live_layout_session_from_its_title_line_inside_layout_tables():
    output, stats = live_layout()
    items = by_key(output)
    session = items["ohchr/CEDAW/75"]
    assert (session.start, session.end) == (date(2020, 2, 10), date(2020, 2, 28))
    assert session.details["states_reviewed"] == ["KGZ", "ZWE", "MEX"]
    assert items["ohchr/CEDAW/75/review/KGZ"].details["documents"] == {"CEDAW/C/KGZ/5": "CEDAW/C/KGZ/5"}
    assert stats.get_value("ventanas/parse_errors") is None


def test_live_layout_programme_of_work_is_a_document_not_a_note():
    output, _ = live_layout()
    session = by_key(output)["ohchr/CEDAW/75"]
    assert session.details["documents"] == {"CEDAW/C/75/1": "Provisional agenda and annotations",
                                            "INT/CEDAW/POW/75/29095": "Programme of work"}
    notes = [r for r in output if isinstance(r, scrapy.Request)]
    assert [r.url for r in notes] == [
        "https://tbinternet.ohchr.org/_layouts/15/treatybodyexternal/Download.aspx?symbolno=INT%2fCEDAW%2fINF%2f75%2f29000&Lang=en"]
    assert notes[0].cb_kwargs["published"] == date(2019, 12, 6)  # the grid's date for the note


def test_live_layout_unknown_review_type_is_kept_and_named():
    output, stats = live_layout()
    mexico = by_key(output)["ohchr/CEDAW/75/review/MEX"]
    assert "review_type" not in mexico.details
    assert stats.get_value("ventanas/new_label/review type: Dialogue on a special situation") == 1


def test_page_of_another_committee_yields_nothing():
    output, stats = live_layout("CRC", 75)  # the list linked a CRC session to a CEDAW page
    assert output == [] and stats.get_value("ventanas/parse_errors") == 1
