"""OHCHR treaty-body master calendar: when each State's next report is due.

Live page: https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx?Lang=en
A plain HTML table: Region, Country, Treaty, Document type, Due date ("15 Aug 2026").
"""

from __future__ import annotations

from collections.abc import Iterator

import scrapy

from ventanas.domain import EventItem, Role, StateLink
from ventanas.normalize.bodies import resolve_body
from ventanas.normalize.dates import DateError, parse_date
from ventanas.normalize.documents import UnknownDocumentType, report_cycle
from ventanas.normalize.ids import ohchr_report_due
from ventanas.normalize.states import resolve_state
from ventanas.normalize.tables import column, table_rows
from ventanas.spiders.base import VentanasSpider

PATH = "_layouts/15/TreatyBodyExternal/MasterCalendar.aspx?Lang=en"


class OhchrMasterCalendarSpider(VentanasSpider):
    name = "ohchr_master_calendar"
    source = "ohchr_tb"
    min_items = 10  # the live calendar lists hundreds of due reports; a handful means a broken page
    priority = 60  # a State's own reporting-status page (priority 70) knows better

    async def start(self):
        yield scrapy.Request(self.url(PATH), callback=self.parse)

    def parse(self, response) -> Iterator[EventItem]:
        rows = table_rows(response, ["country", "treaty", "due date"])
        if not rows:
            self.logger.error("no table with Country, Treaty and Due date headers at %s", response.url)
            self.count("parse_errors")
        for row in rows:
            item = self._parse_row(row, response.url)
            if item is not None:
                yield item

    def _parse_row(self, row: dict, url: str) -> EventItem | None:
        country, treaty = column(row, "country"), column(row, "treaty")
        state, body = resolve_state(country), resolve_body(treaty)
        if state is None or body is None:
            self.logger.warning("unknown %s %r in the master calendar", "State" if state is None else "treaty",
                                country if state is None else treaty)
            self.count("unknown_state" if state is None else "unknown_body")
            return None
        try:
            due = parse_date(column(row, "due date"))
            kind, cycle = report_cycle(column(row, "document"))
        except (DateError, UnknownDocumentType) as exc:
            self.logger.warning("skipping master-calendar row %s/%s: %s", country, treaty, exc)
            self.count("parse_errors")
            return None
        document = column(row, "document")
        return self.make_item(
            key=ohchr_report_due(body, state, cycle, kind),
            body=body,
            kind=kind,
            title=f"{country}: {document} due to the {body}",
            start=due,
            end=due,
            states=(StateLink(state, Role.DUE_BY),),
            action=f"The State's {document.lower()} is due; civil society can prepare an alternative report "
            "for the review that follows.",
            evidence=" | ".join(v for k, v in row.items() if not k.startswith("_")),
            details={"document_type": document, "cycle": cycle, "region": column(row, "region")},
            source_url=url,
        )
