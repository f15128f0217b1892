"""The master-calendar spider on saved pages (offline, frozen clock).

The demo site's copy has the live page's layout: the document cell says "State party's
report" or "List of issues", never a cycle, and some dated rows name no country.
"""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from scrapy.utils.test import get_crawler

from tests.conftest import file_response
from ventanas.config import Settings
from ventanas.domain import Kind, Role, validate
from ventanas.normalize.bodies import body_codes
from ventanas.normalize.ohchr import calendar_document
from ventanas.normalize.states import all_states
from ventanas.spiders.ohchr_master_calendar import PATH, OhchrMasterCalendarSpider

URL = "https://tbinternet.ohchr.org/" + PATH
DEMO_PAGE = "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx@Lang=en"


def parse(page: str, *, body: bytes | None = None):
    crawler = get_crawler(OhchrMasterCalendarSpider, {"VENTANAS": Settings()})
    spider = OhchrMasterCalendarSpider.from_crawler(crawler)
    response = file_response(page, URL)
    if body is not None:
        response = response.replace(body=body)
    return list(spider.parse(response)), crawler.stats


@pytest.fixture(scope="module")
def parsed():
    return parse(DEMO_PAGE)


@pytest.fixture(scope="module")
def items(parsed):
    return parsed[0]


def by_key(items):
    return {i.key: i for i in items}


def test_every_dated_row_naming_a_state_is_an_item(parsed):
    items, stats = parsed
    assert len(items) == 32
    assert stats.get_value("ventanas/rows_without_state") == 2
    assert stats.get_value("ventanas/parse_errors") is None


def test_state_party_report_is_the_next_report_due(items):
    item = by_key(items)["ohchr/CMW/report-due/MEX/next"]
    assert item.start == item.end == date(2026, 9, 1)
    assert item.kind == Kind.REPORT_DUE
    assert [(s.code, s.role) for s in item.states] == [("MEX", Role.DUE_BY)]
    assert item.title == "Mexico: State party's report due to the CMW"
    assert item.details == {"document_type": "State party's report", "cycle": None, "region": "Americas"}
    assert item.source_url == URL


def test_list_of_issues_is_replies_due(items):
    item = by_key(items)["ohchr/CED/replies-due/MEX/replies"]
    assert item.kind == Kind.REPLIES_DUE and item.start == date(2026, 9, 26)
    assert "replies to the committee's list of issues" in item.action
    assert {i.key for i in items if i.kind == Kind.REPLIES_DUE} == {
        "ohchr/CED/replies-due/MEX/replies", "ohchr/CMW/replies-due/CHL/replies", "ohchr/CMW/replies-due/PRY/replies"}


def test_mexico_keeps_every_due_date(items):
    mexico = {i.key: i.start for i in items if i.states[0].code == "MEX"}
    assert mexico == {
        "ohchr/CMW/report-due/MEX/next": date(2026, 9, 1), "ohchr/CEDAW/report-due/MEX/next": date(2029, 7, 1),
        "ohchr/CRC/report-due/MEX/next": date(2026, 10, 20), "ohchr/CAT/report-due/MEX/next": date(2023, 5, 17),
        "ohchr/CED/replies-due/MEX/replies": date(2026, 9, 26)}


def test_the_key_survives_the_due_date_moving():
    page = file_response(DEMO_PAGE, URL).body
    before = by_key(parse(DEMO_PAGE)[0])
    after = by_key(parse(DEMO_PAGE, body=page.replace(b"01 Sep 2026", b"01 Mar 2027"))[0])
    assert before.keys() == after.keys()
    assert after["ohchr/CMW/report-due/MEX/next"].start == date(2027, 3, 1)


def test_a_row_without_a_country_is_skipped_not_given_to_the_row_above(items):
    # "&nbsp; | CRPD | State party's report | 03 Dec 2026" follows Ecuador's row: no CRPD due for Ecuador
    assert not any(i.start == date(2026, 12, 3) for i in items)
    assert not any(i.body == "CRPD" and i.states[0].code == "ECU" for i in items)
    assert not any(i.start == date(2027, 6, 30) for i in items)  # the empty cell before Türkiye's row


def test_most_rows_without_a_country_is_a_layout_change():
    items, stats = parse("ohchr_master_calendar/columns_moved.html")
    assert [i.key for i in items] == ["ohchr/CMW/report-due/MEX/next"]
    assert stats.get_value("ventanas/rows_without_state") == 3
    assert stats.get_value("ventanas/parse_errors") == 1


def test_un_state_forms_resolved(items):
    codes = {i.states[0].code for i in items}
    assert {"BOL", "VEN", "TUR", "USA", "PHL"} <= codes


@pytest.mark.parametrize("index", range(32))
def test_every_item_meets_the_contract(items, index):
    item = items[index]
    validate(item, known_bodies=body_codes(), known_states=set(all_states()))
    assert item.all_day
    assert item.key.rsplit("/", 1)[-1] in ("next", "replies")  # what is due, never a date


def test_bad_rows_are_skipped_and_counted_and_a_new_label_is_named():
    items, stats = parse("ohchr_master_calendar/bad_rows.html")
    assert [(i.key, i.start) for i in items] == [("ohchr/CMW/report-due/MEX/next", date(2026, 9, 1)),
                                                ("ohchr/CMW/report-due/URY/next", date(2026, 10, 1))]
    assert stats.get_value("ventanas/unknown_state") == 1  # Narnia
    assert stats.get_value("ventanas/parse_errors") == 1  # 30 Feb
    assert stats.get_value("ventanas/new_label/document type: Special report") == 1
    assert stats.get_value("ventanas/rows_without_due_date") == 1
    assert stats.get_value("ventanas/rows_without_state") == 1
    assert stats.get_value("ventanas/duplicate_rows") == 1  # Uruguay twice: the one due first is next


def test_older_numbered_labels_key_the_same_way_and_keep_their_cycle():
    items = by_key(parse("ohchr_master_calendar/numbered_labels.html")[0])
    assert len(items) == 32
    assert items["ohchr/CMW/report-due/MEX/next"].details["cycle"] == "5"
    assert items["ohchr/CRC/report-due/MEX/next"].details["cycle"] == "7-8"
    assert "ohchr/CED/follow-up-due/MEX/follow-up" in items


def test_page_without_table_yields_nothing():
    items, stats = parse("ohchr_master_calendar/no_table.html")
    assert items == [] and stats.get_value("ventanas/parse_errors") == 1


def test_start_issues_the_request_to_the_configured_site():
    spider = OhchrMasterCalendarSpider(ventanas_settings=Settings(ohchr_tb_url="http://127.0.0.1:9/tbinternet.ohchr.org"))

    async def first():
        return [r async for r in spider.start()]

    requests = asyncio.run(first())
    assert [r.url for r in requests] == ["http://127.0.0.1:9/tbinternet.ohchr.org/" + PATH]


@pytest.mark.parametrize(
    ("label", "kind", "slot", "cycle"),
    [
        ("State party's report", Kind.REPORT_DUE, "next", None),
        ("State party’s report", Kind.REPORT_DUE, "next", None),  # a typographic apostrophe
        ("STATE PARTY REPORT", Kind.REPORT_DUE, "next", None),
        ("List of issues", Kind.REPLIES_DUE, "replies", None),
        ("List of issues prior to reporting", Kind.REPLIES_DUE, "replies", None),
        ("Fifth periodic report", Kind.REPORT_DUE, "next", "5"),
        ("Combined twenty-fifth and twenty-sixth periodic reports", Kind.REPORT_DUE, "next", "25-26"),
        ("Follow-up report", Kind.FOLLOW_UP_DUE, "follow-up", None),
        ("Common core document", Kind.REPORT_DUE, "core", None),
    ],
)
def test_calendar_document(label, kind, slot, cycle):
    what = calendar_document(label)
    assert (what.kind, what.slot, what.cycle) == (kind, slot, cycle)


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
