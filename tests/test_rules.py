"""Estimated civil-society deadlines (DESIGN §7): one row per committee practice."""

from __future__ import annotations

from datetime import date

import pytest

from ventanas.domain import Basis, Kind, Role, Status, validate
from ventanas.normalize.bodies import body_codes
from ventanas.normalize.ids import ohchr_session_deadline
from ventanas.normalize.rules import (
    NOT_ESTIMATED,
    PSWG_SUBMISSION,
    RULES,
    SessionFacts,
    derive_deadlines,
)
from ventanas.normalize.states import all_states

URL = "https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx?SessionID=3151&Lang=en"


def facts(body: str, number: int, start: date, end: date | None = None, **kw) -> SessionFacts:
    return SessionFacts(body=body, number=number, start=start, end=end or start, source_url=URL,
                        source_name="ohchr_sessions", **kw)


# (body, session start, pre-sessional start, {key part: expected deadline})
TABLE = [
    ("CMW", date(2026, 4, 13), None,
     {"cso-submission": date(2026, 3, 23), "accreditation": date(2026, 4, 6), "registration": date(2026, 3, 30)}),
    ("CMW", date(2023, 3, 27), None,  # the real 36th session: three weeks before is 6 March 2023
     {"cso-submission": date(2023, 3, 6), "accreditation": date(2023, 3, 20), "registration": date(2023, 3, 13)}),
    ("CESCR", date(2026, 2, 16), date(2025, 10, 13),
     {"cso-submission": date(2026, 1, 26), PSWG_SUBMISSION: date(2025, 8, 18)}),
    ("CESCR", date(2026, 2, 16), None, {"cso-submission": date(2026, 1, 26)}),
    ("CAT", date(2025, 11, 10), None, {"cso-submission": date(2025, 10, 13)}),
    ("CRC", date(2025, 9, 8), date(2025, 6, 2), {"cso-submission": date(2025, 8, 15)}),
    ("CRC", date(2026, 1, 12), None, {"cso-submission": date(2025, 12, 15)}),  # January session: December before
    ("CRC", date(2026, 5, 4), None, {"cso-submission": date(2026, 4, 15)}),
    ("CRC", date(2026, 3, 2), None, {}),  # no practice recorded for a March session
    ("CEDAW", date(2025, 10, 6), None, {"cso-submission": date(2025, 9, 22)}),
    ("CERD", date(2025, 8, 4), None, {"cso-submission": date(2025, 6, 23)}),
    ("CCPR", date(2025, 10, 13), None, {}),
    ("CRPD", date(2025, 8, 11), None, {}),
    ("CED", date(2025, 9, 22), None, {}),
]


@pytest.mark.parametrize(("body", "start", "pswg", "expected"), TABLE,
                         ids=[f"{b}-{s.isoformat()}{'-pswg' if p else ''}" for b, s, p, _ in TABLE])
def test_deadlines_per_committee(body, start, pswg, expected):
    items = derive_deadlines(facts(body, 42, start, pre_sessional_start=pswg))
    found = {item.key.split("/deadline/")[1]: item.start for item in items}
    assert found == expected


def test_estimate_has_the_key_of_the_announced_deadline():
    # the same key as the information note's deadline, so the announced date supersedes the estimate
    items = derive_deadlines(facts("CMW", 42, date(2026, 4, 13)))
    keys = {item.kind: item.key for item in items}
    assert keys[Kind.CSO_SUBMISSION] == ohchr_session_deadline("CMW", 42, "cso_submission")
    assert keys[Kind.ACCREDITATION] == ohchr_session_deadline("CMW", 42, "accreditation")
    assert keys[Kind.CSO_SUBMISSION] == "ohchr/CMW/42/deadline/cso-submission"


def test_estimates_are_derived_named_and_less_certain():
    for item in derive_deadlines(facts("CMW", 42, date(2026, 4, 13), states=("MEX", "LKA"))):
        assert item.basis == Basis.DERIVED
        assert item.rule and item.rule in {rule.name for rule in RULES}
        assert 0 < item.confidence < 1
        assert "Estimated" in item.description and item.details["rule_source"] in item.description
        assert item.details["rule_source"]
        assert item.start == item.end
        assert {(s.code, s.role) for s in item.states} == {("MEX", Role.CONCERNED), ("LKA", Role.CONCERNED)}
        validate(item, known_bodies=body_codes(), known_states=set(all_states()))


def test_status_of_the_session_carries_over():
    items = derive_deadlines(facts("CMW", 41, date(2025, 9, 15), status=Status.POSTPONED))
    assert {item.status for item in items} == {Status.POSTPONED}


def test_cancelled_working_group_has_no_submission_deadline():
    items = derive_deadlines(facts("CESCR", 79, date(2026, 2, 16), pre_sessional_start=date(2025, 10, 13),
                                   pre_sessional_status=Status.CANCELLED))
    assert [item.key.split("/")[-1] for item in items] == ["cso-submission"]


def test_moved_session_moves_its_estimates_by_the_same_days():
    before = {i.key: i.start for i in derive_deadlines(facts("CAT", 84, date(2025, 11, 10)))}
    after = {i.key: i.start for i in derive_deadlines(facts("CAT", 84, date(2025, 11, 17)))}
    assert before.keys() == after.keys()
    assert all((after[k] - before[k]).days == 7 for k in before)


def test_every_rule_names_its_source_and_every_committee_is_covered():
    assert all(rule.source and rule.says and rule.name for rule in RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)
    treaty_bodies = {"CMW", "CEDAW", "CRC", "CCPR", "CESCR", "CAT", "CERD", "CRPD", "CED"}
    assert treaty_bodies <= {rule.body for rule in RULES} | set(NOT_ESTIMATED)


def test_estimate_never_falls_after_the_session_starts():
    for rule in RULES:
        for start in (date(2025, 1, 13), date(2025, 5, 5), date(2025, 9, 8), date(2025, 11, 3)):
            deadline = rule.deadline(start)
            assert deadline is None or deadline < start, rule.name
