"""OHCHR reporting status per State: per treaty the cycle, the report, its due date and its status.

Live pages:
  https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx?Lang=en
    read only for the names of the States with reports due;
  https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/Countries.aspx?CountryCode=MEX&Lang=EN
    one State's reporting status.

Which States: those the master calendar lists. It is the database's own list
of States with reports coming due, so the crawl follows the source instead of
a list kept here or a setting (config.py is shared and a setting nothing else
needs would be one more thing to keep in step); one extra request, which the
HTTP cache turns into a 304 when the master calendar has not changed.

A State's own page knows more than the master calendar (the status, the
cycle), so its due dates have the higher priority (70 against 60) under the
same natural key. The report a State still owes each committee (the earliest due that is
pending or overdue) is keyed as the master calendar keys it, ``…/report-due/MEX/next``:
the calendar names no cycle. Reports received, scheduled or reviewed keep their cycle's key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy

from ventanas.domain import EventItem, Kind, Role, StateLink
from ventanas.normalize.documents import UnknownDocumentType, report_cycle
from ventanas.normalize.ids import ohchr_report_due
from ventanas.normalize.ohchr import NEXT_REPORT, StatusRow, parse_country_status
from ventanas.normalize.states import resolve_state
from ventanas.normalize.tables import column, table_rows
from ventanas.spiders.base import VentanasSpider
from ventanas.spiders.ohchr_master_calendar import PATH as MASTER_CALENDAR_PATH

COUNTRY_PATH = "_layouts/15/TreatyBodyExternal/Countries.aspx?CountryCode={code}&Lang=EN"


class OhchrCountryStatusSpider(VentanasSpider):
    name = "ohchr_country_status"
    source = "ohchr_tb"
    # The master calendar names dozens of States, each with reports to several treaties.
    min_items = 10
    priority = 70

    async def start(self):
        yield scrapy.Request(self.url(MASTER_CALENDAR_PATH), callback=self.parse_states)

    def parse_states(self, response) -> Iterator[scrapy.Request]:
        codes: dict[str, None] = {}
        for row in table_rows(response, ["country"]):
            if not column(row, "country"):
                continue  # a row naming no country (the master-calendar spider counts them)
            code = resolve_state(column(row, "country"))
            if code is None:
                self.count("unknown_state")  # the master-calendar spider reports it in detail
                continue
            codes.setdefault(code)
        if not codes:
            self.logger.error("no States in the master calendar at %s", response.url)
            self.count("parse_errors")
        for code in sorted(codes):
            yield scrapy.Request(self.url(COUNTRY_PATH.format(code=code)), callback=self.parse_country,
                                 cb_kwargs={"code": code})

    def parse_country(self, response, code: str) -> Iterator[EventItem]:
        page = parse_country_status(response)
        for problem in page.problems:
            self.logger.warning("%s: %s (%s)", code, problem, response.url)
        if page.problems:
            self.count("skipped_rows", len(page.problems))
        named = resolve_state(page.country) if page.country else None
        if named is not None and named != code:
            self.logger.error("Countries.aspx for %s shows %s (%s)", code, page.country, response.url)
            self.count("parse_errors")
            return
        if not page.rows:
            self.logger.warning("no reporting status rows for %s at %s", code, response.url)
            self.count("empty_pages")
        pending = _pending_reports(page.rows)
        for row in page.rows:
            item = self._item(code, page.country or code, row, response.url, is_next=id(row) in pending)
            if item is not None:
                yield item

    def _item(self, code: str, country: str, row: StatusRow, url: str, *, is_next: bool) -> EventItem | None:
        try:
            kind, cycle = report_cycle(row.document)
        except UnknownDocumentType:
            self.new_label("report", row.document, f"{code}/{row.body}")
            return None
        details: dict[str, Any] = {"document_type": row.document, "cycle": cycle, "reporting_status": row.status}
        if row.cycle:
            details["reporting_cycle"] = row.cycle
        if row.session:
            details["session"] = row.session
        return self.make_item(
            key=ohchr_report_due(row.body, code, NEXT_REPORT if is_next else cycle, kind), body=row.body, kind=kind,
            title=f"{country}: {row.document} due to the {row.body}", start=row.due, end=row.due,
            states=(StateLink(code, Role.DUE_BY),),
            action=f"The State's {row.document.lower()} is due; civil society can prepare an alternative report "
            "for the review that follows.",
            evidence=row.evidence, details=details, source_url=url,
        )


# What a State's page says of a report still to come; "received", "scheduled" and "reviewed" are history.
_OWED = (None, "pending", "overdue")


def _pending_reports(rows: list[StatusRow]) -> set[int]:
    """The rows (by id) that are each treaty's next report: the earliest due that is still owed.

    They take the master calendar's key (``…/report-due/MEX/next``), so that the calendar's row
    ("State party's report", no cycle) and this page's ("Fifth periodic report") are one event;
    reports already received keep their cycle's key.
    """
    first: dict[str, StatusRow] = {}
    for row in rows:
        try:
            kind, cycle = report_cycle(row.document)
        except UnknownDocumentType:
            continue
        if kind != Kind.REPORT_DUE or cycle == "core" or row.status not in _OWED:
            continue
        if row.body not in first or row.due < first[row.body].due:
            first[row.body] = row
    return {id(row) for row in first.values()}
