"""The events the feed, site and publisher tests share: the demo story, stored through Storage.record_crawl.

Dates of the CMW 42nd session, the CRM 2026 meeting and the deadlines are
illustrative (as in the demo); the GFMD Summit in Riohacha, the XXIII CSM in
Brasília, the XXVI CRM Viceministerial in Mexico and the CMW 36th session are
real public facts.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ventanas.clock import utcnow
from ventanas.domain import Basis, EventItem, Kind, Role, StateLink, Status
from ventanas.storage import Storage

TODAY = date(2025, 8, 1)
OHCHR = "https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx?SessionID=2800&Lang=en"
GENEVA = ZoneInfo("Europe/Zurich")


def _ohchr(key, kind, title, start, end=None, **more) -> EventItem:
    return EventItem(key=key, body=more.pop("body", "CMW"), kind=kind, title=title, start=start, end=end,
                     source_url=more.pop("source_url", OHCHR), source_name="ohchr_sessions", **more)


def ohchr_items(session_start: date = date(2026, 4, 13)) -> list[EventItem]:
    """CMW 42nd session (reviewing Mexico and Bolivia), its deadlines, report due dates and the real CMW 36."""
    shift = session_start - date(2026, 4, 13)
    reviewed = (StateLink("MEX", Role.REVIEWED), StateLink("BOL", Role.REVIEWED))
    return [
        _ohchr("ohchr/CMW/42", Kind.SESSION, "CMW 42nd session", session_start, date(2026, 4, 24) + shift,
               session="42", location="Palais Wilson, Geneva", states=reviewed),
        _ohchr("ohchr/CMW/42/review/MEX", Kind.REVIEW, "CMW 42nd session: review of Mexico (fourth periodic report)",
               date(2026, 4, 14) + shift, date(2026, 4, 15) + shift, session="42",
               states=(StateLink("MEX", Role.REVIEWED),)),
        _ohchr("ohchr/CMW/42/dialogue/MEX/1", Kind.DIALOGUE, "CMW 42nd session: dialogue with Mexico (1st meeting)",
               datetime(2026, 4, 14, 15, 0, tzinfo=GENEVA) + shift, datetime(2026, 4, 14, 18, 0, tzinfo=GENEVA) + shift,
               timezone="Europe/Zurich", session="42", states=(StateLink("MEX", Role.REVIEWED),)),
        _ohchr("ohchr/CMW/42/deadline/cso-submission", Kind.CSO_SUBMISSION,
               "CMW 42nd session: written information from civil society", date(2026, 3, 23) + shift,
               date(2026, 3, 23) + shift, session="42", basis=Basis.DERIVED,
               rule="cmw-written-information-3w"),
        _ohchr("ohchr/CMW/42/deadline/accreditation", Kind.ACCREDITATION, "CMW 42nd session: accreditation",
               date(2026, 4, 6) + shift, date(2026, 4, 6) + shift, session="42", basis=Basis.DERIVED,
               rule="cmw-accreditation-1w"),
        _ohchr("ohchr/CEDAW/report-due/MEX/10", Kind.REPORT_DUE, "Mexico: Tenth periodic report due to the CEDAW",
               date(2025, 11, 1), date(2025, 11, 1), body="CEDAW", states=(StateLink("MEX", Role.DUE_BY),),
               details={"cycle": "10"}),
        _ohchr("ohchr/CMW/36", Kind.SESSION, "CMW 36th session", date(2023, 3, 27), date(2023, 4, 6), session="36",
               states=tuple(StateLink(c, Role.REVIEWED) for c in ("MAR", "NGA", "PHL", "SLV"))),
        _ohchr("ohchr/CMW/36/deadline/cso-submission", Kind.CSO_SUBMISSION,
               "CMW 36th session: written information from civil society", date(2023, 3, 6), date(2023, 3, 6),
               session="36"),
    ]


def process_items(csm_status: Status = Status.CONFIRMED) -> list[EventItem]:
    """GFMD, CRM and CSM meetings, linked the way their spiders link them (host, concerned)."""
    gfmd = "https://www.gfmd.org/meetings/colombia2025/summit"
    return [
        EventItem(key="gfmd/summit/15", body="GFMD", kind=Kind.SUMMIT, title="15th GFMD Summit",
                  start=date(2025, 9, 2), end=date(2025, 9, 4), location="Riohacha, Colombia",
                  states=(StateLink("COL", Role.HOST), StateLink("MEX", Role.CONCERNED), StateLink("BRA", Role.CONCERNED),
                          StateLink("BOL", Role.CONCERNED)),
                  source_url=gfmd, source_name="gfmd_meetings"),
        EventItem(key="gfmd/steering-group/2025-3", body="GFMD", kind=Kind.PREPARATORY_MEETING,
                  title="GFMD Steering Group meeting", start=datetime(2025, 10, 7, 14, 0, tzinfo=GENEVA),
                  end=datetime(2025, 10, 7, 16, 0, tzinfo=GENEVA), timezone="Europe/Zurich",
                  states=(StateLink("MEX", Role.CONCERNED),), source_url="https://www.gfmd.org/pfp/ppd",
                  source_name="gfmd_meetings"),
        EventItem(key="csm/conference/23", body="CSM", kind=Kind.CONFERENCE,
                  title="XXIII Conferencia Suramericana sobre Migraciones", start=date(2025, 11, 18),
                  end=date(2025, 11, 19), location="Brasília, Brasil", status=csm_status,
                  states=(StateLink("BRA", Role.HOST),),
                  source_url="https://csmigraciones.org/es/noticias/xxiii-csm", source_name="csm_news"),
        EventItem(key="crm/viceministerial/26", body="CRM", kind=Kind.VICE_MINISTERIAL,
                  title="XXVI Reunión Viceministerial de la CRM", start=date(2021, 12, 2), end=date(2021, 12, 3),
                  location="Ciudad de México", states=(StateLink("MEX", Role.HOST),),
                  source_url="https://crmsv.org/es/reunion-viceministerial-xxvi", source_name="crm_news"),
        EventItem(key="crm/viceministerial/30", body="CRM", kind=Kind.VICE_MINISTERIAL,
                  title="XXX Reunión Viceministerial de la CRM", start=date(2026, 2, 3), end=date(2026, 2, 4),
                  location="Ciudad de Panamá", states=(StateLink("PAN", Role.HOST),),
                  source_url="https://crmsv.org/es/reunion-viceministerial-xxx", source_name="crm_news"),
    ]


def record(storage: Storage, spider: str, items: list[EventItem]):
    return storage.record_crawl(spider=spider, items=items, stats={"requests": 1}, min_items=1, today=TODAY,
                                started_at=utcnow())


def fill(storage: Storage) -> None:
    record(storage, "ohchr_sessions", ohchr_items())
    record(storage, "gfmd_meetings", [i for i in process_items() if i.body == "GFMD"])
    record(storage, "crm_news", [i for i in process_items() if i.body == "CRM"])
    record(storage, "csm_news", [i for i in process_items() if i.body == "CSM"])


def moved(items: list[EventItem], key: str, **changes) -> list[EventItem]:
    return [dataclasses.replace(i, **changes) if i.key == key else i for i in items]


def test_scenario_stores_every_item(storage):
    fill(storage)
    assert storage.counts()["events"] == len(ohchr_items()) + len(process_items())
