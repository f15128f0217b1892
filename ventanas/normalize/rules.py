"""Estimated civil-society deadlines (docs/design.md §7): what a committee's known practice predicts.

Before a committee publishes the information note of a session, ventanas
estimates its deadlines from :data:`RULES`, one table with the source of each
rule. An estimate is ``basis=derived`` with its rule named and a lower
confidence, and it has the same natural key as the deadline the note will
announce (``ohchr/CMW/42/deadline/cso-submission``): storage then records a
``superseded`` change when the announced date arrives, and never lets a later
estimate overwrite it.

:func:`derive_deadlines` is pure: a session in, estimates out. Which sessions
deserve estimates (not those already over) is the caller's decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from ventanas.domain import Basis, EventItem, Kind, Role, StateLink, Status
from ventanas.normalize.ids import ohchr_session_deadline
from ventanas.normalize.ohchr import ordinal

# The deadline of written information for a pre-sessional working group is a
# different key from the session's own, so that both can be announced.
PSWG_SUBMISSION = "pswg-cso-submission"


@dataclass(frozen=True)
class Rule:
    """One committee practice. Either ``weeks_before`` the anchor, or a fixed day by the session's month."""

    name: str
    body: str
    kind: Kind
    says: str  # the practice, in words, for the event's description
    source: str  # where the practice is documented
    confidence: float
    anchor: Literal["session", "pre_sessional"] = "session"
    weeks_before: int | None = None
    # (month the session starts, deadline month, deadline day, year offset): CRC's fixed dates
    by_start_month: tuple[tuple[int, int, int, int], ...] = ()
    key_part: str | None = None  # the key's deadline part when it is not the kind's slug

    def deadline(self, anchor: date) -> date | None:
        if self.weeks_before is not None:
            return anchor - timedelta(weeks=self.weeks_before)
        for start_month, month, day, year_offset in self.by_start_month:
            if anchor.month == start_month:
                return date(anchor.year + year_offset, month, day)
        return None


RULES: tuple[Rule, ...] = (
    Rule("cmw-written-information-3w", "CMW", Kind.CSO_SUBMISSION,
         "Written information from civil society: three weeks before the session.",
         "CMW information notes for NGOs and NHRIs", 0.6, weeks_before=3),
    Rule("cmw-accreditation-1w", "CMW", Kind.ACCREDITATION,
         "Accreditation to attend the session: one week before it.",
         "CMW information note for the 25th session (2016)", 0.5, weeks_before=1),
    Rule("cmw-observer-registration-2w", "CMW", Kind.REGISTRATION,
         "Registration of observers: two weeks before the session.",
         "CMW information note for the 17th session (2012)", 0.4, weeks_before=2),
    Rule("cescr-session-submission-3w", "CESCR", Kind.CSO_SUBMISSION,
         "Written information for the session: ideally six weeks, at the latest three weeks before it.",
         "CESCR practice for civil-society participation", 0.5, weeks_before=3),
    Rule("cescr-pswg-submission-8w", "CESCR", Kind.CSO_SUBMISSION,
         "Written information for the pre-sessional working group (list of issues): ideally ten, "
         "at the latest eight weeks before the working group.",
         "CESCR practice for civil-society participation", 0.5,
         anchor="pre_sessional", weeks_before=8, key_part=PSWG_SUBMISSION),
    Rule("cat-submission-4w", "CAT", Kind.CSO_SUBMISSION,
         "Written information: at the latest four weeks before the session.",
         "CAT practice for NGO submissions", 0.5, weeks_before=4),
    Rule("crc-additional-information-15th", "CRC", Kind.CSO_SUBMISSION,
         "Additional information: by 15 August for the September session, 15 December for the "
         "January session, 15 April for the May session.",
         "CRC practice for additional information from civil society", 0.6,
         by_start_month=((9, 8, 15, 0), (1, 12, 15, -1), (5, 4, 15, 0))),
    Rule("cedaw-submission-2w", "CEDAW", Kind.CSO_SUBMISSION,
         "Written information: about two weeks before the session.",
         "CEDAW practice in 2011 (old: treat as a rough guide)", 0.3, weeks_before=2),
    Rule("cerd-before-list-of-themes-6w", "CERD", Kind.CSO_SUBMISSION,
         "CERD accepts information at any time; to inform its list of themes (adopted four to six "
         "weeks before the session), send it six weeks before the session.",
         "CERD practice", 0.3, weeks_before=6),
)

# Committees and practices with no estimate, and why: the table says it, not a silent gap.
NOT_ESTIMATED: dict[str, str] = {
    "CCPR": "The Human Rights Committee sets its deadlines per session in the information note.",
    "CRPD": "No constant practice is known; only the information note's dates are used.",
    "CED": "No constant practice is known; only the information note's dates are used.",
    "report_due": "A State's next report is due on the date its last concluding observations set "
                  "(announced by the master calendar and the reporting-status pages, never estimated).",
}

_ACTION = {
    Kind.CSO_SUBMISSION: "Prepare the written information (alternative report) to send to the committee "
                         "secretariat by this date; the session's information note, when published, gives "
                         "the exact date and address.",
    Kind.ACCREDITATION: "Request accreditation to attend the session in Geneva by this date; the information "
                        "note, when published, gives the exact date and procedure.",
    Kind.REGISTRATION: "Register as an observer for the session by this date; the information note, when "
                       "published, gives the exact date and procedure.",
}
# Titles say what is due, like the announced deadlines' titles; that a date is an
# estimate is said by basis/rule, which feeds and mail render in their own words.
_WHAT = {
    Kind.CSO_SUBMISSION: "written submissions from civil society due",
    Kind.ACCREDITATION: "accreditation deadline",
    Kind.REGISTRATION: "observer registration deadline",
}


@dataclass(frozen=True)
class SessionFacts:
    """What a rule needs to know of a session."""

    body: str
    number: int
    start: date
    end: date
    source_url: str
    source_name: str
    status: Status = Status.CONFIRMED
    states: tuple[str, ...] = ()  # alpha-3 codes of the States the session reviews
    pre_sessional_start: date | None = None
    pre_sessional_status: Status = Status.CONFIRMED
    priority: int = 50


def rules_for(body: str) -> tuple[Rule, ...]:
    return tuple(rule for rule in RULES if rule.body == body)


def derive_deadlines(session: SessionFacts) -> list[EventItem]:
    """The estimated deadlines of one session, one per rule that applies."""
    items = []
    for rule in rules_for(session.body):
        if rule.anchor == "pre_sessional":
            if session.pre_sessional_start is None or session.pre_sessional_status is Status.CANCELLED:
                continue  # no working group to write to
            anchor, status = session.pre_sessional_start, session.pre_sessional_status
        else:
            anchor, status = session.start, session.status
        deadline = rule.deadline(anchor)
        if deadline is None:
            continue
        items.append(_estimate(session, rule, deadline, status, anchor))
    return items


def _estimate(session: SessionFacts, rule: Rule, deadline: date, status: Status, anchor: date) -> EventItem:
    what = _WHAT[rule.kind] + (" (pre-sessional working group)" if rule.anchor == "pre_sessional" else "")
    return EventItem(
        key=ohchr_session_deadline(session.body, session.number, rule.key_part or str(rule.kind)),
        body=session.body,
        kind=rule.kind,
        title=f"{session.body} {ordinal(session.number)} session: {what}",
        start=deadline,
        end=deadline,
        source_url=session.source_url,
        source_name=session.source_name,
        status=status,
        basis=Basis.DERIVED,
        rule=rule.name,
        confidence=rule.confidence,
        session=str(session.number),
        states=tuple(StateLink(code, Role.CONCERNED) for code in session.states),
        description=f"Estimated, not announced: {rule.says} Source of the rule: {rule.source}. "
                    "The committee's information note replaces this estimate when it is published.",
        action=_ACTION[rule.kind],
        details={"rule_source": rule.source, "anchor": rule.anchor, "anchor_date": anchor.isoformat()},
        priority=session.priority,
    )
