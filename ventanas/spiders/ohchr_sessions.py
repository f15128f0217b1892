"""OHCHR treaty-body sessions: each committee's sessions, the States each reviews, and their deadlines.

Live pages:
  https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionsList.aspx?Treaty=CMW
    an ASP.NET/Telerik grid that may stay empty until the form is posted back;
  https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx?SessionID=N&Lang=en
    the treaty (``ctl00_PlaceHolderMain_tdTreatyName``), the session and its dates, the States
    reviewed and the documents in Telerik grids, information notes as absolute
    ``…/treatybodyexternal/Download.aspx?symbolno=INT%2fCMW%2fINF%2f…`` links (normalize/ohchr.py).
Yields the session, its pre-sessional working group, one review per State, the
estimated civil-society deadlines (normalize/rules.py) and the deadlines the
information notes announce (through the extraction engine).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

import scrapy
from form2request import form2request

from ventanas.clock import today
from ventanas.domain import EventItem, Kind, Role, StateLink, Status
from ventanas.normalize.doctext import DocumentError, read_bytes
from ventanas.normalize.extraction import extract_events
from ventanas.normalize.ids import (
    ohchr_pre_sessional,
    ohchr_review,
    ohchr_session,
    ohchr_session_deadline,
)
from ventanas.normalize.ohchr import (
    OhchrPageError,
    ReviewRow,
    SessionListRow,
    SessionPage,
    gravest_status,
    info_note_ref,
    ordinal,
    parse_session_list,
    parse_session_page,
)
from ventanas.normalize.processes import local_url
from ventanas.normalize.rules import SessionFacts, derive_deadlines
from ventanas.spiders.base import VentanasSpider

BODIES = ("CMW", "CEDAW", "CRC", "CCPR", "CESCR", "CAT", "CERD", "CRPD", "CED")
LIST_PATH = "_layouts/15/TreatyBodyExternal/SessionsList.aspx?Treaty={body}"
# The grid lists every session since the 1990s. Details are fetched for sessions
# ending in the last three years and all later ones: enough for the current
# reporting cycle and the concluding observations that set the next due dates,
# without re-validating hundreds of historical pages on every run.
HISTORY = timedelta(days=3 * 365)
# What an information note announces that the session page does not: its deadlines and the NGO briefing.
NOTE_KINDS = frozenset({Kind.CSO_SUBMISSION, Kind.NHRI_SUBMISSION, Kind.ACCREDITATION, Kind.REGISTRATION,
                        Kind.NGO_BRIEFING, Kind.REPLIES_DUE})


class OhchrSessionsSpider(VentanasSpider):
    name = "ohchr_sessions"
    source = "ohchr_tb"
    # Nine committees, each with two or three sessions a year in the window: a healthy
    # run yields dozens of sessions and reviews; fewer than 15 means broken grids.
    min_items = 15
    priority = 60

    async def start(self):
        for body in BODIES:
            yield scrapy.Request(self.url(LIST_PATH.format(body=body)), callback=self.parse_list,
                                 cb_kwargs={"body": body})

    def parse_list(self, response, body: str, posted_back: bool = False) -> Iterator[Any]:
        rows, problems = parse_session_list(response, body, self.canonical(response.url))
        self._report(problems, response.url)
        if not rows and not posted_back:
            postback = self._postback(response, body)
            if postback is not None:
                yield postback
                return
        if not rows:
            self.logger.error("%s: the sessions grid is empty%s at %s", body,
                              " after the postback" if posted_back else "", response.url)
            self.count("parse_errors")
        since = today(self.ventanas) - HISTORY
        for row in rows:
            if row.end is None or row.end >= since:
                yield scrapy.Request(local_url(self.ventanas, row.detail_url), callback=self.parse_session, cb_kwargs={"row": row})

    def _postback(self, response, body: str) -> scrapy.Request | None:
        """The form post that fills the grid: the treaty chosen in its drop-down, as the page's script does.

        Scrapy 2.19 deprecates FormRequest.from_response in favour of form2request, which
        reads the form the same way (hidden __VIEWSTATE and __EVENTVALIDATION included).
        """
        select = response.xpath("//form//select[option[@value=$body]]/@name", body=body).get()
        if select is None:
            return None
        form = response.xpath("//form[.//select[@name=$name]]", name=select)
        data = {select: body, "__EVENTTARGET": select, "__EVENTARGUMENT": ""}
        return form2request(form, data, click=False).to_scrapy(
            callback=self.parse_list, cb_kwargs={"body": body, "posted_back": True})

    def parse_session(self, response, row: SessionListRow) -> Iterator[Any]:
        try:
            page = parse_session_page(response, self.canonical(response.url))
        except OhchrPageError as exc:
            self.logger.error("%s %s: %s (%s)", row.body, row.number, exc, response.url)
            self.count("parse_errors")
            return
        if page.body is not None and page.body != row.body:
            self.logger.error("%s %s: the page shows a %s session (%s)", row.body, row.number, page.body, response.url)
            self.count("parse_errors")
            return
        self._report(page.problems, response.url)
        for label in page.new_labels:  # the review is kept without its type; the label is named
            self.new_label("review type", label, f"{row.body} {row.number}")
        if page.number is not None and page.number != row.number:
            self.logger.warning("%s: the grid says session %s, its page %s (%s)", row.body, row.number,
                                page.number, response.url)
        status = gravest_status(row.status, page.status)
        reviewed = tuple(dict.fromkeys(r.state for r in page.reviews if r.state))
        yield self._session_item(row, page, status, reviewed, response.url)
        if page.pre_sessional and page.pre_sessional.start:
            yield self._pre_sessional_item(row, page, response.url)
        for review in page.reviews:
            if review.state:
                yield self._review_item(row, page, review, status, response.url)
        facts = SessionFacts(
            body=row.body, number=row.number, start=page.start, end=page.end,
            source_url=self.canonical(response.url), source_name=self.name, status=status, states=reviewed,
            pre_sessional_start=page.pre_sessional.start if page.pre_sessional else None,
            pre_sessional_status=page.pre_sessional.status if page.pre_sessional else Status.CONFIRMED,
            priority=self.priority,
        )
        if page.start > today(self.ventanas):  # estimates and notes of sessions already held are history
            yield from derive_deadlines(facts)
            for url, published in page.info_notes.items():
                if info_note_ref(url) == (row.body, row.number):  # not a note of another session linked here
                    yield scrapy.Request(local_url(self.ventanas, url), callback=self.parse_note,
                                         cb_kwargs={"facts": facts, "published": published})

    def parse_note(self, response, facts: SessionFacts, published: date | None) -> Iterator[EventItem]:
        """The deadlines an information note announces; they supersede the estimates (same keys)."""
        name = unquote(urlsplit(response.url).path.rsplit("/", 1)[-1])
        try:
            document = read_bytes(response.body, name=name)
        except DocumentError as exc:
            self.logger.error("cannot read the information note %s: %s", response.url, exc)
            self.count("parse_errors")
            return
        found = extract_events(document.text, published=published, body=facts.body, session=str(facts.number),
                               source_url=self.canonical(response.url), source_name=self.name)
        deadlines = [e for e in found if e.kind in NOTE_KINDS and e.body == facts.body
                     and e.session == str(facts.number)]
        if not deadlines:
            self.logger.warning("no deadline in the information note %s", response.url)
            self.count("notes_without_deadlines")
        for item in deadlines:
            if item.key == ohchr_session_deadline(facts.body, facts.number, str(item.kind)):
                # A session-wide deadline concerns every State the session reviews, whether or
                # not the note's sentence names them (the estimate it supersedes links them all).
                reviewed = tuple(StateLink(code, Role.CONCERNED) for code in facts.states)
                item.states = tuple(dict.fromkeys(item.states + reviewed))
            item.priority = self.priority
            yield item

    # -- items ---------------------------------------------------------------------------

    def _session_item(self, row: SessionListRow, page: SessionPage, status: Status,
                      reviewed: tuple[str, ...], url: str) -> EventItem:
        details: dict[str, Any] = {"states_reviewed": list(reviewed), "documents": page.documents,
                                   "information_notes": list(page.info_notes)}
        if page.pre_sessional and not page.pre_sessional.start:
            details["pre_sessional"] = page.pre_sessional.text  # e.g. "will not take place"
        return self.make_item(
            key=ohchr_session(row.body, row.number), body=row.body, kind=Kind.SESSION,
            title=f"{row.body} {ordinal(row.number)} session", start=page.start, end=page.end,
            location=page.location, status=status, session=str(row.number), details=details,
            source_url=url,
        )

    def _pre_sessional_item(self, row: SessionListRow, page: SessionPage, url: str) -> EventItem:
        wg = page.pre_sessional
        return self.make_item(
            key=ohchr_pre_sessional(row.body, row.number), body=row.body, kind=Kind.PRE_SESSIONAL_WG,
            title=f"{row.body} pre-sessional working group for the {ordinal(row.number)} session",
            start=wg.start, end=wg.end, status=wg.status, session=str(row.number), location=page.location,
            evidence=wg.text, source_url=url,
        )

    def _review_item(self, row: SessionListRow, page: SessionPage, review: ReviewRow, status: Status,
                     url: str) -> EventItem:
        what = _review_words(review)
        details: dict[str, Any] = {"documents": review.documents}
        if review.type:
            details.update(review_type=review.type.kind, report=review.type.label, cycle=review.type.cycle)
        return self.make_item(
            key=ohchr_review(row.body, row.number, review.state), body=row.body, kind=Kind.REVIEW,
            title=f"{row.body} {ordinal(row.number)} session: {what}",
            start=page.start, end=page.end, location=page.location,
            status=gravest_status(status, review.status), session=str(row.number),
            states=(StateLink(review.state, Role.REVIEWED),), evidence=review.evidence, details=details,
            action="Civil society can send written information before the session and ask to brief the "
                   "committee; see the session's information note.",
            source_url=url,
        )

    def _report(self, problems: list[str], url: str) -> None:
        for problem in problems:
            self.logger.warning("%s (%s)", problem, url)
        if problems:
            self.count("skipped_rows", len(problems))


def _review_words(review: ReviewRow) -> str:
    """What the committee does with the State: "review of Mexico (fourth periodic report)"."""
    if review.type is None:
        return f"review of {review.country}"
    if review.type.kind == "loipr":
        return f"list of issues prior to reporting for {review.country}"
    if review.type.kind == "follow_up":
        return f"follow-up review of {review.country}"
    return f"review of {review.country} ({review.type.label.lower()})"
