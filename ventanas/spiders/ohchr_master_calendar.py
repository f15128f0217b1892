"""OHCHR treaty-body master calendar: when each State's next report, or its replies to a list of issues, is due.

Live page: https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx?Lang=en
One table: Region, Country, Treaty, Document type, Due date ("15 Aug 2026"). The live page
names the document "State party's report" or "List of issues", never its cycle, and some of
its dated rows have an empty (``&nbsp;``) country cell.

Keys: body, State and what is due (normalize/ohchr.py ``calendar_document``):
``ohchr/CMW/report-due/MEX/next``, ``ohchr/CMW/replies-due/MEX/replies``. Never the due date,
which moves; never a cycle, which this page does not give.

A row with an empty country cell is skipped and counted (``rows_without_state``), not
given to the State of the row above: the page does not group rows by country (each row
names its own), so an empty cell is a gap in the data, and a due date given to the wrong
State is worse than one missing. Many such rows at once mean the columns moved: an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import scrapy

from ventanas.domain import EventItem, Kind, Role, StateLink
from ventanas.normalize.bodies import resolve_body
from ventanas.normalize.dates import DateError, parse_date
from ventanas.normalize.documents import UnknownDocumentType
from ventanas.normalize.ids import ohchr_report_due
from ventanas.normalize.ohchr import calendar_document
from ventanas.normalize.states import resolve_state
from ventanas.normalize.tables import column, table_rows
from ventanas.spiders.base import VentanasSpider

PATH = "_layouts/15/TreatyBodyExternal/MasterCalendar.aspx?Lang=en"

_ACTION = {
    Kind.REPORT_DUE: "The State's report is due; civil society can prepare an alternative report for the review "
                     "that follows.",
    Kind.REPLIES_DUE: "The State's replies to the committee's list of issues are due; civil society can send its "
                      "own information for the review that follows.",
    Kind.FOLLOW_UP_DUE: "The State's follow-up report is due; civil society can send its own follow-up information.",
}


class OhchrMasterCalendarSpider(VentanasSpider):
    name = "ohchr_master_calendar"
    source = "ohchr_tb"
    min_items = 10  # the live calendar lists about fifty due documents; a handful means a broken page
    priority = 60  # a State's own reporting-status page (priority 70) knows better

    async def start(self):
        yield scrapy.Request(self.url(PATH), callback=self.parse)

    def parse(self, response) -> Iterator[EventItem]:
        rows = table_rows(response, ["country", "treaty", "due date"])
        if not rows:
            self.logger.error("no table with Country, Treaty and Due date headers at %s", response.url)
            self.count("parse_errors")
        found: dict[str, EventItem] = {}
        stateless = 0
        for row in rows:
            if not column(row, "country"):
                stateless += 1
                self.logger.warning("master-calendar row without a country skipped: %s",
                                    " | ".join(v for k, v in row.items() if not k.startswith("_")))
                self.count("rows_without_state")
                continue
            item = self._parse_row(row, response.url)
            if item is None:
                continue
            earlier = found.get(item.key)
            if earlier is not None:  # one document of a kind owed at a time: the one due first is the next
                self.logger.warning("two master-calendar rows for %s: %s and %s", item.key, earlier.start, item.start)
                self.count("duplicate_rows")
                if earlier.start <= item.start:
                    continue
            found[item.key] = item
        if rows and stateless * 2 > len(rows):
            self.logger.error("%d of %d master-calendar rows name no country: have the columns moved? (%s)",
                              stateless, len(rows), response.url)
            self.count("parse_errors")
        yield from found.values()

    def _parse_row(self, row: dict, url: str) -> EventItem | None:
        country, treaty, document = column(row, "country"), column(row, "treaty"), column(row, "document")
        state, body = resolve_state(country), resolve_body(treaty)
        if state is None or body is None:
            self.logger.warning("unknown %s %r in the master calendar", "State" if state is None else "treaty",
                                country if state is None else treaty)
            self.count("unknown_state" if state is None else "unknown_body")
            return None
        if not column(row, "due date"):
            self.count("rows_without_due_date")  # listed, no date set yet: nothing to put in a calendar
            return None
        try:
            due: date = parse_date(column(row, "due date"))
        except DateError as exc:
            self.logger.warning("skipping master-calendar row %s/%s: %s", country, treaty, exc)
            self.count("parse_errors")
            return None
        try:
            what = calendar_document(document)
        except UnknownDocumentType:
            self.new_label("document type", document, f"{country}/{treaty}")
            return None
        return self.make_item(
            key=ohchr_report_due(body, state, what.slot, what.kind),
            body=body,
            kind=what.kind,
            title=f"{country}: {document} due to the {body}",
            start=due,
            end=due,
            states=(StateLink(state, Role.DUE_BY),),
            action=_ACTION[what.kind],
            evidence=" | ".join(v for k, v in row.items() if not k.startswith("_")),
            details={"document_type": document, "cycle": what.cycle, "region": column(row, "region")},
            source_url=url,
        )
