"""Reading the OHCHR treaty-body database pages: sessions, reviews, documents, reporting status.

The pages are ASP.NET/Telerik grids whose ids and classes change with each
redesign, so everything here reads labels ("Dates", "Pre-sessional working
group") and table headers ("Country", "Review"), and UN document symbols
("CMW/C/SLV/CO/3") from the ``symbolno`` of download links. Dates go through
:func:`ventanas.normalize.dates.parse_date`; nothing here guesses a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from ventanas.domain import Kind, Status
from ventanas.normalize.bodies import resolve_body
from ventanas.normalize.dates import DateError, parse_date
from ventanas.normalize.doctext import html_to_text
from ventanas.normalize.documents import UnknownDocumentType, report_cycle
from ventanas.normalize.states import fold, resolve_state
from ventanas.normalize.tables import column, table_rows
from ventanas.normalize.text import clean_text

# Words the database and the committees' pages use when a meeting will not
# happen as listed. Folded (see states.fold), so accents and case do not matter.
_CANCELLED = ("cancelled", "canceled", "will not take place", "will not be held", "not be convened",
              "annule", "annulee", "n aura pas lieu", "cancelado", "cancelada", "no se celebrara", "no tendra lugar")
_POSTPONED = ("postponed", "deferred", "rescheduled to a later date", "reporte", "reportee", "aplazado",
              "aplazada", "pospuesto", "pospuesta")
_TENTATIVE = ("tentative", "provisional dates", "to be confirmed", "tbc")

_CELL = re.compile(r"<t[dh]\b[^>]*>.*?</t[dh]>", re.S | re.I)
_BREAK = re.compile(r"\s*<br\s*/?>\s*", re.I)
# The database writes every date in full ("27 Mar 2023"); spans are two such dates.
_FULL_DATE = re.compile(r"\b\d{1,2}\s+[^\W\d_]{3,}\.?,?\s+\d{4}\b")
_SYMBOL = re.compile(r"^(?:INT/)?[A-Z]{1,6}/[A-Z0-9/.\-()]+$")
_INFO_NOTE_NAME = re.compile(r"INT[_/](?P<body>[A-Z]+)[_/]INF[_/](?P<session>\d+)", re.I)
_NUMBER = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th|e|er|a|o|º)?\b", re.I)


class OhchrPageError(ValueError):
    """A page lacks what every page of its type has (a session number, its dates)."""


def meeting_status(text: str) -> Status:
    """What a row or a line says about a meeting: cancelled, postponed, tentative or confirmed."""
    folded = f" {fold(text)} "
    if any(f" {word} " in folded for word in _CANCELLED):
        return Status.CANCELLED
    if any(f" {word} " in folded for word in _POSTPONED):
        return Status.POSTPONED
    if any(f" {word} " in folded for word in _TENTATIVE):
        return Status.TENTATIVE
    return Status.CONFIRMED


def session_number(text: str) -> int:
    """36 from "36", "36th session", "Session 36", "36e session"."""
    match = _NUMBER.search(text or "")
    if not match:
        raise OhchrPageError(f"no session number in {text!r}")
    return int(match[1])


def ordinal(n: int) -> str:
    """42 → "42nd": session titles as OHCHR writes them."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def date_span(text: str) -> tuple[date, date]:
    """(27 Mar 2023, 6 Apr 2023) from "27 Mar 2023 - 06 Apr 2023" or "(was 27 Mar 2023 to 06 Apr 2023)".

    The database writes both ends in full, so each is parsed alone by parse_date;
    one date is a one-day span; anything else is a DateError.
    """
    found = [parse_date(token) for token in _FULL_DATE.findall(clean_text(text))]
    if not found or len(found) > 2:
        raise DateError(f"not one date or a span of two: {text!r}")
    start, end = found[0], found[-1]
    if end < start:
        raise DateError(f"span ends before it starts: {text!r}")
    return start, end


def labelled_values(selector: Any) -> dict[str, str]:
    """Label → value from the two-cell rows and definition lists of a details page.

    Labels are folded ("Pre-sessional working group:" → "pre sessional working group").
    """
    values: dict[str, str] = {}
    for row in selector.xpath("//tr[count(th|td)=2]"):
        label, value = (clean_text(" ".join(cell.xpath(".//text()").getall())) for cell in row.xpath("th|td"))
        if label and label.endswith(":") or row.xpath("th"):
            values.setdefault(fold(label), value)
    for term in selector.xpath("//dt"):
        value = term.xpath("following-sibling::dd[1]")
        if value:
            values.setdefault(fold(" ".join(term.xpath(".//text()").getall())),
                              clean_text(" ".join(value[0].xpath(".//text()").getall())))
    return values


def value_for(values: dict[str, str], *labels: str) -> str:
    """The value of the first label that any folded key starts with ('' if none)."""
    for label in labels:
        wanted = fold(label)
        for key, value in values.items():
            if key.startswith(wanted):
                return value
    return ""


# -- documents ---------------------------------------------------------------------


def symbol_from_href(href: str) -> str | None:
    """The UN symbol of a download link: ``Download.aspx?symbolno=CMW%2fC%2fSLV%2fCO%2f3`` → CMW/C/SLV/CO/3."""
    query = parse_qs(urlsplit(href).query)
    for name, values in query.items():
        if name.lower() == "symbolno" and values:
            symbol = unquote(values[0]).strip().upper()
            return symbol if _SYMBOL.match(symbol) else None
    return None


def info_note_ref(href: str) -> tuple[str, int] | None:
    """(body, session) when a link is an information note for NGOs/NHRIs.

    Notes are ``INT_<BODY>_INF_<session>_<n>_E.docx`` files, or ``INT/<BODY>/INF/<session>/<n>``
    symbols behind Download.aspx.
    """
    for candidate in (symbol_from_href(href) or "", unquote(urlsplit(href).path.rsplit("/", 1)[-1])):
        if match := _INFO_NOTE_NAME.search(candidate):
            return match["body"].upper(), int(match["session"])
    return None


def documents_in(cell: Any) -> dict[str, str]:
    """Symbol → label for every download link in a grid cell (or a whole row)."""
    found: dict[str, str] = {}
    for link in cell.xpath(".//a[@href]"):
        symbol = symbol_from_href(link.attrib["href"])
        if symbol and not symbol.startswith("INT/"):
            label = clean_text(" ".join(link.xpath(".//text()").getall())) or clean_text(link.attrib.get("title"))
            found[symbol] = label if label and fold(label) not in ("view document", "download") else symbol
    return found


# -- what a State's review is -------------------------------------------------------


@dataclass(frozen=True)
class ReviewType:
    """``kind`` is initial | periodic | loipr | follow_up; ``cycle`` as in report-due keys ("4", "5-6")."""

    kind: str
    label: str
    cycle: str | None = None


def review_type(text: str) -> ReviewType:
    label = clean_text(text)
    folded = fold(label)
    if "prior to reporting" in folded or re.search(r"\bloipr\b", folded):
        return ReviewType("loipr", label)
    if "follow up" in folded or "follow-up" in label.lower():
        return ReviewType("follow_up", label, "follow-up")
    try:
        _kind, cycle = report_cycle(label if "report" in folded else f"{label} report")
    except UnknownDocumentType as exc:
        raise OhchrPageError(f"unknown review type {text!r}") from exc
    return ReviewType("initial" if cycle == "1" and "initial" in folded else "periodic", label, cycle)


# -- what the master calendar says is due ---------------------------------------------

# The natural key's last part for what a master-calendar row says is due. The page names
# no cycle ("State party's report", "List of issues"), and a key may not hold the due date
# (it moves: an extension, a rescheduled review), so a row is keyed by what it is: the
# State's *next* report to that committee, its replies to the list of issues, its
# follow-up report. A State owes a committee one of each at a time; when it submits, the
# row leaves the calendar, and when the committee sets the next due date the same key
# carries it (a date move, said as one). The country pages know the cycle and key the
# same pending report the same way (spiders/ohchr_country_status.py), so both sources
# merge into one event.
NEXT_REPORT = "next"
REPLIES = "replies"
FOLLOW_UP = "follow-up"


@dataclass(frozen=True)
class CalendarDocument:
    """What a master-calendar row says is due: ``kind``, the key's last part, and the cycle if the label numbers it."""

    kind: Kind
    slot: str
    cycle: str | None = None


def calendar_document(label: str) -> CalendarDocument:
    """"State party's report" → (report_due, "next"); "List of issues" → (replies_due, "replies").

    Older labels that number the report ("Fifth periodic report") key the same way, with
    their cycle kept; a label none of these reads raises UnknownDocumentType: a new label,
    which the spider reports by name.
    """
    folded = fold(label).replace("-", " ")
    if not folded:
        raise UnknownDocumentType("no document type")
    if "list of issues" in folded or re.search(r"\bloi(pr)?\b", folded) or "replies" in folded:
        return CalendarDocument(Kind.REPLIES_DUE, REPLIES)
    if "follow up" in folded:
        return CalendarDocument(Kind.FOLLOW_UP_DUE, FOLLOW_UP)
    if re.search(r"\bstate (party )?(s )?reports?\b", folded) or folded in ("report", "state party report"):
        return CalendarDocument(Kind.REPORT_DUE, NEXT_REPORT)
    _kind, cycle = report_cycle(label)  # raises UnknownDocumentType; replies and follow-up are read above
    if cycle == "core":  # the common core document is owed besides the treaty report, not instead of it
        return CalendarDocument(Kind.REPORT_DUE, "core")
    return CalendarDocument(Kind.REPORT_DUE, NEXT_REPORT, cycle)


# -- reporting status ----------------------------------------------------------------

_REPORTING_STATUS = (  # checked in this order: "overdue" before "pending", "scheduled" before "received"
    ("reviewed", ("reviewed", "considered", "concluding observations adopted")),
    ("scheduled", ("scheduled",)),
    ("received", ("received", "submitted")),
    ("overdue", ("overdue", "late")),
    ("pending", ("pending", "not yet due", "due")),
)


def reporting_status(text: str) -> str | None:
    """pending | overdue | received | scheduled | reviewed, from the status cell of Countries.aspx."""
    folded = f" {fold(text)} "
    for status, words in _REPORTING_STATUS:
        if any(f" {word} " in folded for word in words):
            return status
    return None


# -- session pages ---------------------------------------------------------------------


@dataclass
class SessionListRow:
    body: str
    number: int
    start: date | None
    end: date | None
    status: Status
    detail_url: str


@dataclass
class ReviewRow:
    country: str
    state: str | None  # None: a name no State table knows (reported by the spider)
    type: ReviewType | None
    status: Status
    documents: dict[str, str]
    evidence: str


@dataclass
class PreSessional:
    start: date | None
    end: date | None
    status: Status
    text: str


@dataclass
class SessionPage:
    number: int | None
    start: date
    end: date
    status: Status
    location: str | None
    pre_sessional: PreSessional | None
    reviews: list[ReviewRow] = field(default_factory=list)
    documents: dict[str, str] = field(default_factory=dict)
    info_notes: dict[str, date | None] = field(default_factory=dict)  # URL → the note's date, if listed
    problems: list[str] = field(default_factory=list)  # rows skipped, with why
    new_labels: list[str] = field(default_factory=list)  # review types no rule reads (the spider names them)
    body: str | None = None  # the committee the page names, if it does


def gravest_status(*statuses: Status) -> Status:
    """What several sources say together: cancelled over postponed over tentative over confirmed."""
    order = (Status.CANCELLED, Status.POSTPONED, Status.TENTATIVE, Status.CONFIRMED)
    return min(statuses, key=order.index)


def _optional_date(text: str) -> date | None:
    try:
        return parse_date(text)
    except DateError:
        return None


def parse_session_list(response: Any, body: str, page_url: str) -> tuple[list[SessionListRow], list[str]]:
    """Rows of the SessionsList.aspx grid (session, start, end, details link) and the problems met.

    Links are joined against ``page_url``, the live URL of the page, so they name the live site.

    An empty grid (the live page before its postback) gives ([], []): not a problem here,
    the spider posts the form back.
    """
    rows, problems = [], []
    for row in table_rows(response, ["session", "start", "end"]):
        text = " ".join(v for k, v in row.items() if not k.startswith("_"))
        treaty = column(row, "treaty")
        if treaty and fold(treaty).split()[0] != fold(body):
            continue  # a grid of several treaties: only this spider request's body
        links = [href for href in row["_links"] if "sessiondetails" in href.lower()]
        try:
            number = session_number(column(row, "session"))
        except OhchrPageError as exc:
            problems.append(str(exc))
            continue
        if not links:
            problems.append(f"{body} session {number}: no link to its details")
            continue
        # "TBC" dates give None: the detail page may know them; without them no event is made.
        start, end = _optional_date(column(row, "start")), _optional_date(column(row, "end"))
        rows.append(SessionListRow(body, number, start, end, meeting_status(text), urljoin(page_url, links[0])))
    return rows, problems


def parse_session_page(response: Any, page_url: str) -> SessionPage:
    """A SessionDetails1.aspx page: dates, status, pre-sessional working group, States and documents.

    The live page (inside ``<div id="DeltaPlaceHolderMain">``) names the treaty in
    ``ctl00_PlaceHolderMain_tdTreatyName`` ("CEDAW - Convention on …"), the session in a line
    "75 session (10 Feb 2020 - 28 Feb 2020)", and lists States and documents in Telerik grids
    (rows ``rgRow InnerItemStyle`` / ``rgAltRow``) whose "View document" links are absolute
    ``…/treatybodyexternal/Download.aspx?symbolno=CEDAW%2fC%2f75%2f1&Lang=en`` URLs. The page
    is laid out with tables too, so grids are read by their ``<th>`` header (:func:`grid_rows`).
    Labelled facts ("Dates", "Pre-sessional working group") are read where a page has them.

    Links (the information notes) are joined against ``page_url``, the page's live URL.
    """
    values = labelled_values(response)
    heading = _session_line(response)
    dates_text = value_for(values, "dates", "session dates", "date")
    try:
        start, end = date_span(dates_text or heading)
    except DateError as exc:
        raise OhchrPageError(f"no session dates on the page: {exc}") from exc
    number_text = value_for(values, "session number", "session") or (
        match[1] if (match := _SESSION_LINE.search(heading)) else "")
    page = SessionPage(
        number=session_number(number_text) if number_text else None,
        start=start,
        end=end,
        status=gravest_status(meeting_status(value_for(values, "status")), meeting_status(heading)),
        location=value_for(values, "location", "venue") or None,
        pre_sessional=_pre_sessional(value_for(values, "pre sessional", "presessional")),
        body=_treaty_on_page(response),
    )
    for row in grid_rows(response, ["country"]):
        page.reviews.append(_review_row(row, page.problems, page.new_labels))
    for labels, rows in grids(response):
        if any("country" in label for label in labels):
            continue  # the States' documents belong to their reviews
        for row in rows:
            _document_row(row, page, page_url)
    for href in response.xpath("//a/@href").getall():
        if info_note_ref(href):
            page.info_notes.setdefault(urljoin(page_url, href), None)
    return page


# "42 session", "42nd session", "42e session": the line that names a session on its page.
_SESSION_LINE = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th|e|er)?\s+session\b", re.I)


def _session_line(response: Any) -> str:
    """The line that names the session and its dates ("42 session (13 Apr 2026 - 24 Apr 2026)"):
    an element of class SessionTitle or a heading, else the shortest element of the page's main
    part whose text says "<n> session", one with dates first."""
    main = response.xpath("//*[@id='DeltaPlaceHolderMain']") or response.xpath("//body") or response
    for nodes in (main.xpath(".//*[contains(@class, 'SessionTitle')]|.//h1|.//h2"), main.xpath(".//*[text()]")):
        lines = [clean_text(" ".join(node.xpath(".//text()").getall())) for node in nodes]
        found = [line for line in lines if _SESSION_LINE.search(line) and len(line) < 200]
        dated = [line for line in found if _FULL_DATE.search(line)]
        if dated or found:
            return min(dated or found, key=len)
    return ""


def _treaty_on_page(response: Any) -> str | None:
    """The committee whose session the page shows, from "CEDAW - Convention on …" (None if not said)."""
    text = clean_text(" ".join(response.xpath("//*[@id='ctl00_PlaceHolderMain_tdTreatyName']//text()").getall()))
    return resolve_body(text.split(" - ")[0].strip()) if text else None


def _document_row(row: dict[str, Any], page: SessionPage, page_url: str) -> None:
    """A row of a documents grid: an information note (with the date the grid gives it: it anchors
    a note's dates that lack a year), or a document of the session. Other INT/ documents, such as
    the programme of work (INT/CEDAW/POW/75/…), are the session's documents, not notes."""
    for href in row["_links"]:
        if info_note_ref(href):
            page.info_notes.setdefault(urljoin(page_url, href), _optional_date(column(row, "date")))
            return
    symbol = clean_text(column(row, "symbol")).upper() or next(
        (s for s in map(symbol_from_href, row["_links"]) if s), "")
    if not _SYMBOL.match(symbol) or info_note_ref("Download.aspx?symbolno=" + symbol):
        return
    label = column(row, "document") or column(row, "title") or symbol
    page.documents[symbol] = label


def grids(selector: Any) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """Every data grid of a page: (folded header labels, rows as tables.table_rows gives them).

    A data grid has a header row of ``<th>`` cells (Telerik's ``rgHeader``) holding no table.
    SharePoint lays its pages out in tables too: a layout table whose first row holds a whole
    grid would otherwise read as a header with every label. Rows with fewer cells than the
    header (Telerik's "No records to display.") are left out.
    """
    found = []
    for table in selector.xpath("//table"):
        header = table.xpath("./thead/tr[th][1]/th") or table.xpath("(./tr[th]|./tbody/tr[th])[1]/th")
        if not header or any(cell.xpath(".//table") for cell in header):
            continue
        labels = [fold(clean_text(" ".join(cell.xpath(".//text()").getall()))) for cell in header]
        rows = []
        for tr in table.xpath("./tbody/tr[td]|./tr[td]"):
            cells = tr.xpath("./td")
            if len(cells) < len(labels):
                continue
            row: dict[str, Any] = {label: clean_text(" ".join(cell.xpath(".//text()").getall()))
                                   for label, cell in zip(labels, cells, strict=False)}
            row["_cells"] = dict(zip(labels, cells, strict=False))
            row["_links"] = tr.xpath(".//a/@href").getall()
            rows.append(row)
        found.append((labels, rows))
    return found


def grid_rows(selector: Any, required: list[str]) -> list[dict[str, Any]]:
    """The rows of the first data grid (:func:`grids`) whose header has every ``required`` label."""
    wanted = [fold(label) for label in required]
    for labels, rows in grids(selector):
        if all(any(w in label for label in labels) for w in wanted):
            return rows
    return []


def _pre_sessional(text: str) -> PreSessional | None:
    if not text or fold(text) in ("", "n a", "none"):
        return None
    try:
        start, end = date_span(text)
    except DateError:
        start = end = None
    return PreSessional(start, end, meeting_status(text), text)


def _review_row(row: dict[str, Any], problems: list[str], new_labels: list[str]) -> ReviewRow:
    country = column(row, "country")
    review_text = column(row, "review") or column(row, "report") or column(row, "type")
    kind: ReviewType | None = None
    if review_text:
        try:
            kind = review_type(re.sub(r"\(.*?\)", "", review_text))
        except OhchrPageError:
            new_labels.append(review_text)
    cells = row["_cells"]
    documents: dict[str, str] = {}
    for cell in cells.values():
        documents.update(documents_in(cell))
    state = resolve_state(re.sub(r"\(.*?(postponed|cancel|review).*?\)", "", country, flags=re.I).strip())
    if state is None:
        problems.append(f"unknown State {country!r}")
    evidence = " | ".join(v for k, v in row.items() if not k.startswith("_"))
    return ReviewRow(country, state, kind, meeting_status(f"{country} {review_text}"), documents, evidence)


@dataclass
class StatusRow:
    body: str
    document: str
    due: date
    status: str | None
    cycle: str
    session: str
    evidence: str


@dataclass
class CountryStatus:
    country: str
    rows: list[StatusRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_country_status(response: Any) -> CountryStatus:
    """Countries.aspx: per treaty the reporting cycle, the report, its due date and status."""
    values = labelled_values(response)
    heading = clean_text(" ".join(response.xpath("//h1//text()").getall()))
    country = value_for(values, "country") or re.sub(r"^reporting status (for|of)\s+", "", heading, flags=re.I)
    result = CountryStatus(country)
    for row in table_rows(response, ["treaty", "due date"]):
        treaty, document, due_text = column(row, "treaty"), column(row, "report"), column(row, "due date")
        body = resolve_body(treaty.split(" - ")[0]) or resolve_body(treaty)
        evidence = " | ".join(v for k, v in row.items() if not k.startswith("_"))
        if body is None:
            result.problems.append(f"unknown treaty {treaty!r}")
            continue
        if not due_text:
            continue  # a report with no due date set yet: nothing to put in a calendar
        try:
            due = parse_date(due_text)
        except DateError as exc:
            result.problems.append(f"{body} {document}: {exc}")
            continue
        result.rows.append(StatusRow(body, document, due, reporting_status(column(row, "status")),
                                     column(row, "cycle"), column(row, "session"), evidence))
    return result


# -- www.ohchr.org and ungeneva.org articles -------------------------------------------


def article_text(response: Any) -> str:
    """The article's text for the extraction engine: the <main> (else <article>, else <body>) element.

    Advisories put all the dialogue slots of one State in one table cell, one per
    line; the row is that State's schedule, so line breaks inside a cell become
    "; " and each row stays one line ("Morocco | 28 March 10:00 - 13:00; 28 March 15:00 - 18:00").
    """
    markup = (response.xpath("//main") or response.xpath("//article") or response.xpath("//body")).get() or ""
    markup = _CELL.sub(lambda cell: _BREAK.sub("; ", cell[0]), markup)
    return html_to_text(markup)


def page_published(response: Any) -> date | None:
    """When an article was published: its <time datetime> or article:published_time, if it says."""
    for raw in (response.xpath("//meta[@property='article:published_time']/@content").get(),
                response.xpath("//time/@datetime").get()):
        if raw and re.match(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw[:10])
    return None
