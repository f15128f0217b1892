"""The master-calendar spider on saved pages (offline, frozen clock)."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from tests.conftest import file_response
from ventanas.config import Settings
from ventanas.domain import Kind, Role, validate
from ventanas.normalize.bodies import body_codes
from ventanas.normalize.states import all_states
from ventanas.spiders.ohchr_master_calendar import PATH, OhchrMasterCalendarSpider

URL = "https://tbinternet.ohchr.org/" + PATH


@pytest.fixture(scope="module")
def items():
    spider = OhchrMasterCalendarSpider()
    return list(spider.parse(file_response("ohchr_master_calendar/master_calendar.html", URL)))


def test_count(items):
    assert len(items) == 32


def test_mexico_cmw_fifth_report(items):
    item = next(i for i in items if i.key == "ohchr/CMW/report-due/MEX/5")
    assert item.start == item.end == date(2026, 9, 1)
    assert item.kind == Kind.REPORT_DUE
    assert item.states[0].code == "MEX" and item.states[0].role == Role.DUE_BY
    assert item.source_url == URL


def test_combined_reports_and_follow_up(items):
    keys = {i.key for i in items}
    assert "ohchr/CRC/report-due/MEX/7-8" in keys
    assert "ohchr/CED/follow-up-due/MEX/follow-up" in keys


def test_un_state_forms_resolved(items):
    codes = {i.states[0].code for i in items}
    assert {"BOL", "VEN", "TUR", "USA", "PHL"} <= codes


@pytest.mark.parametrize("index", range(32))
def test_every_item_meets_the_contract(items, index):
    item = items[index]
    validate(item, known_bodies=body_codes(), known_states=set(all_states()))
    assert item.all_day
    assert "20" not in item.key.split("/")[-1] or "-" in item.key  # no date in keys


def test_bad_rows_are_skipped_and_counted():
    spider = OhchrMasterCalendarSpider()
    items = list(spider.parse(file_response("ohchr_master_calendar/bad_rows.html", URL)))
    assert [i.key for i in items] == ["ohchr/CMW/report-due/MEX/5"]


def test_page_without_table_yields_nothing():
    spider = OhchrMasterCalendarSpider()
    assert list(spider.parse(file_response("ohchr_master_calendar/no_table.html", URL))) == []


def test_start_issues_the_request_to_the_configured_site():
    spider = OhchrMasterCalendarSpider(ventanas_settings=Settings(ohchr_tb_url="http://127.0.0.1:9/tbinternet.ohchr.org"))

    async def first():
        return [r async for r in spider.start()]

    requests = asyncio.run(first())
    assert [r.url for r in requests] == ["http://127.0.0.1:9/tbinternet.ohchr.org/" + PATH]


@pytest.mark.parametrize(
    ("document", "cycle"),
    [
        ("Combined twenty-fifth and twenty-sixth periodic reports", "25-26"),  # was read as 6-25
        ("Combined thirteenth to fifteenth periodic reports", "13-15"),
        ("Twentieth periodic report", "20"),
        ("Initial report", "1"),
        ("Combined seventh and eighth periodic reports", "7-8"),
    ],
)
def test_report_cycle_of_compound_ordinals(document, cycle):
    from ventanas.normalize.documents import report_cycle

    assert report_cycle(document) == (Kind.REPORT_DUE, cycle)
