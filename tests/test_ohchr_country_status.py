"""The reporting-status spider on saved pages (offline)."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from tests.conftest import file_response
from ventanas.config import Settings
from ventanas.domain import Kind, Role, validate
from ventanas.normalize.bodies import body_codes
from ventanas.normalize.states import all_states
from ventanas.spiders.ohchr_country_status import COUNTRY_PATH, OhchrCountryStatusSpider
from ventanas.spiders.ohchr_master_calendar import PATH as CALENDAR_PATH

TB = "https://tbinternet.ohchr.org/"
SITE = "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/"


def country(code: str, page: str | None = None):
    url = TB + COUNTRY_PATH.format(code=code)
    response = file_response(page or f"{SITE}Countries.aspx@CountryCode={code}&Lang=EN", url)
    return list(OhchrCountryStatusSpider().parse_country(response, code=code))


@pytest.fixture(scope="module")
def mexico():
    return {item.key: item for item in country("MEX")}


def test_start_reads_the_master_calendar_for_the_states():
    spider = OhchrCountryStatusSpider(ventanas_settings=Settings(ohchr_tb_url="http://127.0.0.1:9/tbinternet.ohchr.org"))

    async def first():
        return [r async for r in spider.start()]

    assert [r.url for r in asyncio.run(first())] == ["http://127.0.0.1:9/tbinternet.ohchr.org/" + CALENDAR_PATH]


def test_one_request_per_state_of_the_master_calendar():
    response = file_response(f"{SITE}MasterCalendar.aspx@Lang=en", TB + CALENDAR_PATH)
    requests = list(OhchrCountryStatusSpider().parse_states(response))
    codes = [r.cb_kwargs["code"] for r in requests]
    assert len(codes) == len(set(codes)) == 26  # Mexico's five rows make one request
    assert {"MEX", "BOL", "VEN", "TUR", "USA", "PHL"} <= set(codes)
    assert requests[codes.index("MEX")].url == TB + "_layouts/15/TreatyBodyExternal/Countries.aspx?CountryCode=MEX&Lang=EN"


def test_due_date_with_status_and_cycle(mexico):
    cmw = mexico["ohchr/CMW/report-due/MEX/next"]
    assert cmw.kind == Kind.REPORT_DUE and cmw.start == cmw.end == date(2026, 9, 1)
    assert [(s.code, s.role) for s in cmw.states] == [("MEX", Role.DUE_BY)]
    assert cmw.details["reporting_status"] == "pending" and cmw.details["cycle"] == "5"
    assert cmw.title == "Mexico: Fifth periodic report due to the CMW"
    assert cmw.priority == 70  # above the master calendar's 60 for the same key


def test_statuses(mexico):
    statuses = {key: item.details["reporting_status"] for key, item in mexico.items()}
    assert statuses == {
        "ohchr/CMW/report-due/MEX/4": "scheduled", "ohchr/CMW/report-due/MEX/next": "pending",
        "ohchr/CESCR/report-due/MEX/7": "scheduled", "ohchr/CEDAW/report-due/MEX/next": "pending",
        "ohchr/CRC/report-due/MEX/next": "pending", "ohchr/CAT/report-due/MEX/next": "overdue",
        "ohchr/CCPR/report-due/MEX/7": "received", "ohchr/CED/replies-due/MEX/replies": "pending"}
    assert mexico["ohchr/CESCR/report-due/MEX/7"].details["session"] == "CESCR 79th session (February-March 2026)"


def test_same_keys_as_the_master_calendar(mexico):
    # the reporting-status page and the master calendar describe one event per report owed:
    # the calendar's "State party's report" is the page's earliest report still pending or overdue
    from tests.test_ohchr_master_calendar import DEMO_PAGE, parse

    calendar = {i.key: i.start for i in parse(DEMO_PAGE)[0] if i.states[0].code == "MEX"}
    assert calendar == {key: mexico[key].start for key in calendar}


def test_a_received_report_keeps_its_cycle_and_the_next_one_owed_is_next():
    page = file_response(f"{SITE}Countries.aspx@CountryCode=MEX&Lang=EN", TB + COUNTRY_PATH.format(code="MEX"))
    page = page.replace(body=page.body.replace(b"<td>01 Sep 2026</td><td>Pending</td>",
                                               b"<td>01 Sep 2026</td><td>Received</td>"))
    items = {i.key: i for i in OhchrCountryStatusSpider().parse_country(page, code="MEX")}
    assert "ohchr/CMW/report-due/MEX/5" in items and "ohchr/CMW/report-due/MEX/next" not in items


def test_reviewed_report_without_due_date_is_no_event(mexico):
    assert not [key for key in mexico if key.startswith("ohchr/CRPD/")]


def test_bad_rows_are_skipped_and_the_good_one_kept():
    items = country("GTM", "ohchr_country_status/country_problems.html")
    assert [i.key for i in items] == ["ohchr/CMW/report-due/GTM/next"]
    assert items[0].details["reporting_status"] == "overdue"


def test_page_of_another_state_yields_nothing():
    assert country("MEX", "ohchr_country_status/wrong_country.html") == []


@pytest.mark.parametrize("code", ["MEX", "GUY", "BOL", "VEN", "TUR", "USA"])
def test_items_meet_the_contract(code):
    items = country(code)
    assert items
    for item in items:
        validate(item, known_bodies=body_codes(), known_states=set(all_states()))
        assert item.states[0].code == code
        assert item.source_url == TB + COUNTRY_PATH.format(code=code)
