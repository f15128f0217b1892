"""Natural keys of events (DESIGN §4): stable across reschedules, so never a date.

Every spider and the extraction engine build keys here, so that the same
meeting announced by a page, a news item and a feed is one event.
"""

from __future__ import annotations

import re

DEADLINE_SLUGS = {
    "cso_submission": "cso-submission",
    "nhri_submission": "nhri-submission",
    "accreditation": "accreditation",
    "ngo_briefing": "ngo-briefing",
    "registration": "registration",
    "replies_due": "replies",
}


# The session part of the keys of an announcement that gives no session number ("its
# upcoming session from 2 to 23 July"). Never stored: a crawl resolves it to the number of the
# stored session of the same body whose dates match (storage.sessions), or holds the item back.
UNNUMBERED = "unnumbered"


def with_session(key: str, session: str) -> str:
    """``ohchr/CMW/unnumbered/review/MEX`` → ``ohchr/CMW/36/review/MEX``."""
    parts = key.split("/")
    if len(parts) < 3 or parts[0] != "ohchr" or parts[2] != UNNUMBERED:
        return key
    parts[2] = _part(session)
    return "/".join(parts)


def _part(value: object) -> str:
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", str(value)).strip("-")
    if not text:
        raise ValueError(f"empty key part from {value!r}")
    return text


def ohchr_session(body: str, session: int | str) -> str:
    """``ohchr/CMW/36``"""
    return f"ohchr/{_part(body)}/{_part(session)}"


def ohchr_pre_sessional(body: str, session: int | str) -> str:
    """The pre-sessional working group that prepares session N: ``ohchr/CESCR/78/pswg``."""
    return f"{ohchr_session(body, session)}/pswg"


def ohchr_review(body: str, session: int | str, state: str) -> str:
    """``ohchr/CMW/36/review/SLV``"""
    return f"{ohchr_session(body, session)}/review/{_part(state)}"


def ohchr_dialogue(body: str, session: int | str, state: str, part: int = 1) -> str:
    """The public dialogue with one State, meeting ``part`` (1, 2): ``ohchr/CMW/36/dialogue/SLV/1``"""
    return f"{ohchr_session(body, session)}/dialogue/{_part(state)}/{int(part)}"


def ohchr_session_deadline(body: str, session: int | str, kind: str, state: str | None = None) -> str:
    """A civil-society deadline of a session: ``ohchr/CMW/36/deadline/cso-submission`` (``…/SLV`` if per State)."""
    key = f"{ohchr_session(body, session)}/deadline/{DEADLINE_SLUGS.get(kind, _part(kind))}"
    return f"{key}/{_part(state)}" if state else key


def ohchr_report_due(body: str, state: str, cycle: str, kind: str = "report_due") -> str:
    """``ohchr/CMW/report-due/MEX/3`` (third periodic report), ``…/follow-up-due/MEX/follow-up``."""
    return f"ohchr/{_part(body)}/{kind.replace('_', '-')}/{_part(state)}/{_part(cycle)}"


def process_meeting(body: str, meeting_type: str, edition: int | str) -> str:
    """Meetings of GFMD, CRM and CSM by type and edition: ``gfmd/summit/15``,
    ``crm/viceministerial/26``, ``csm/conference/23``, ``gfmd/steering-group/2025-3``
    (the third Steering Group meeting of the 2025 chairmanship: an edition, not a date)."""
    return f"{_part(body).lower()}/{_part(meeting_type).lower()}/{_part(edition)}"


def news_item(source: str, slug: str) -> str:
    """A news link with no dated event in it, kept so nothing is dropped silently."""
    return f"news/{_part(source)}/{_part(slug)[:120]}"
