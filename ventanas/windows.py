"""Reporting windows and link opportunities: what the site and the email digests tell a reader.

Pure functions over stored events (plain :class:`~ventanas.calendar.events.EventView`
values), for one State and a date range. The site calls the ``*_in``
functions on events it has already loaded; the notifier calls the three
session functions:

``upcoming(session, state, today, days)``
    events concerning ``state`` that have not ended by ``today`` and start
    within ``days`` (cancelled and vanished ones left out), in date order.
``open_windows(session, state, today, days=None)``
    the State's reporting windows whose deadline has not passed (and falls
    within ``days``, if given): :class:`Window` values, soonest first.
``link_opportunities(session, state, today, span_days)``
    non-binding meetings (GFMD, CRM, CSM) that start ``today`` or later, at
    most ``span_days`` before a binding review or deadline of the same State:
    :class:`LinkOpportunity` values, with :meth:`LinkOpportunity.sentence`.

"Concerning a State" follows the scope rule of :mod:`ventanas.calendar.events`
(direct links, session-wide deadlines of a session that reviews it, meetings of
the processes it belongs to). Nothing here reads the clock: ``today`` is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ventanas.calendar import i18n
from ventanas.calendar.events import REVIEW_KINDS, EventView, load_state_events
from ventanas.normalize.text import clean_text

__all__ = [
    "EventView", "LinkOpportunity", "Window", "link_opportunities", "link_opportunities_in", "open_windows",
    "open_windows_in", "upcoming", "upcoming_in",
]

# What opens a window for a deadline of the same body: the last review (its concluding
# observations set the next due date) or the pre-sessional working group (lists of issues).
OPENING_KINDS = frozenset({"review", "dialogue", "pre_sessional_wg"})
# Which event stands for "the review" when a session has several for one State.
REVIEW_PREFERENCE = {"review": 0, "dialogue": 1, "session": 2}


@dataclass(frozen=True)
class Window:
    """One reporting window of one State: it closes on ``deadline``; ``review`` is what it leads to."""

    state: str
    deadline: EventView
    review: EventView | None = None  # the review / dialogue / session the deadline prepares, if known
    opened: EventView | None = None  # the last event of the body that opened this cycle, if known

    @property
    def body(self) -> str:
        return self.deadline.body

    @property
    def closes(self) -> date:
        return self.deadline.last_day

    def days_left(self, today: date) -> int:
        return (self.closes - today).days


@dataclass(frozen=True)
class LinkOpportunity:
    """A non-binding ``meeting`` ``days_before`` days before a binding ``target`` of ``state``."""

    state: str
    meeting: EventView
    target: EventView
    days_before: int

    @property
    def target_is_review(self) -> bool:
        return self.target.kind in REVIEW_KINDS or self.target.kind == "session"

    def meeting_name(self, lang: str) -> str:
        """"CRM Vice-ministerial meeting"; a meeting of no known kind goes by its own title
        ("Plenaria conjunta CRM–CSM 2025"), which says more than "CRM meeting"."""
        if self.meeting.kind == "other" and self.meeting.title:
            return clean_text(self.meeting.title)
        return i18n.meeting_label(self.meeting.body, self.meeting.kind, lang)

    def sentence(self, lang: str = "en") -> str:
        """E.g. "CRM Vice-ministerial meeting on 2 Dec, 10 weeks before Mexico's CMW review: a chance to
        raise the CMW's recommendations." """
        forms = i18n.LINK_SENTENCES.get(lang, i18n.LINK_SENTENCES["en"])
        form = forms["review" if self.target_is_review else "deadline"]
        return form.format(
            meeting=self.meeting_name(lang),
            date=i18n.fmt_day_month(self.meeting.first_day, lang),
            gap=i18n.fmt_gap(self.days_before, lang),
            state=i18n.state_name(self.state, lang),
            body=self.target.body,
            what=_lower_first(i18n.kind_label(self.target.kind, lang)) if lang != "en" else i18n.kind_label(self.target.kind, lang),
        )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# -- pure functions over a State's events --------------------------------------------


def upcoming_in(events: Iterable[EventView], today: date, days: int | None = None) -> list[EventView]:
    horizon = None if days is None else today + timedelta(days=days)
    found = [
        e for e in events
        if e.active and e.last_day >= today and (horizon is None or e.first_day <= horizon)
    ]
    return sorted(found, key=lambda e: (e.first_day, e.key))


def _is_review_of(event: EventView, state: str) -> bool:
    if event.kind in REVIEW_KINDS:
        return True
    return event.kind == "session" and (state, "reviewed") in event.states


def open_windows_in(events: Sequence[EventView], state: str, today: date, days: int | None = None) -> list[Window]:
    """Deadlines of binding bodies not yet passed, each with the review it leads to and what opened it."""
    horizon = None if days is None else today + timedelta(days=days)
    binding = [e for e in events if e.binding and e.active]
    windows = []
    for deadline in binding:
        if not deadline.is_deadline or deadline.last_day < today:
            continue
        if horizon is not None and deadline.last_day > horizon:
            continue
        same_body = [e for e in binding if e.body == deadline.body and e is not deadline]
        if deadline.session:
            reviews = [e for e in same_body if e.session == deadline.session and _is_review_of(e, state)]
        else:  # a report due date leads to the next review of the State by that body
            reviews = [e for e in same_body if _is_review_of(e, state) and e.first_day >= deadline.last_day]
        review = min(reviews, key=lambda e: (REVIEW_PREFERENCE.get(e.kind, 9), e.first_day, e.key), default=None)
        openers = [e for e in same_body if e.kind in OPENING_KINDS and e.last_day < deadline.first_day
                   and e.session != deadline.session]
        opened = max(openers, key=lambda e: e.last_day, default=None)
        windows.append(Window(state=state, deadline=deadline, review=review, opened=opened))
    return sorted(windows, key=lambda w: (w.closes, w.deadline.key))


def link_opportunities_in(events: Sequence[EventView], state: str, today: date | None, span_days: int
                          ) -> list[LinkOpportunity]:
    """One opportunity per (meeting, binding body): the body's review if one falls in the span, else its
    first deadline. ``today=None`` includes meetings already past (for the history on the page)."""
    # a postponed meeting has no date to count weeks from: it is on the timeline, not here
    meetings = _whole_meetings([e for e in events if not e.binding and e.active and not e.is_deadline
                                and e.kind != "news" and e.status != "postponed"])
    targets = [e for e in events if e.binding and e.active and (e.is_deadline or _is_review_of(e, state))]
    found = []
    for meeting in meetings:
        if today is not None and meeting.last_day < today:
            continue
        in_span: dict[str, list[EventView]] = {}
        for target in targets:
            gap = (target.first_day - meeting.first_day).days
            if 0 < gap <= span_days:
                in_span.setdefault(target.body, []).append(target)
        for candidates in in_span.values():
            reviews = [t for t in candidates if not t.is_deadline]
            if reviews:
                chosen = min(reviews, key=lambda t: (REVIEW_PREFERENCE.get(t.kind, 9), t.first_day, t.key))
            else:
                chosen = min(candidates, key=lambda t: (t.first_day, t.key))
            found.append(LinkOpportunity(state, meeting, chosen, (chosen.first_day - meeting.first_day).days))
    return sorted(found, key=lambda o: (o.meeting.first_day, o.target.first_day, o.target.key))


def _whole_meetings(meetings: list[EventView]) -> list[EventView]:
    """The meetings without their parts: a summit's Civil Society Days, Common Space and Government
    Days (same body and session, within the summit's dates) are one opportunity, the summit's, not four."""
    def span(e: EventView) -> int:
        return (e.last_day - e.first_day).days

    def part_of(part: EventView, whole: EventView) -> bool:
        if part is whole or part.session is None or (part.body, part.session) != (whole.body, whole.session):
            return False
        if not whole.first_day <= part.first_day <= part.last_day <= whole.last_day:
            return False
        # the longer one is the whole; of two with the same dates, the first by key stands for both
        return span(whole) > span(part) or (span(whole) == span(part) and whole.key < part.key)

    return [m for m in meetings if not any(part_of(m, other) for other in meetings)]


# -- the same, from the database --------------------------------------------------------


def upcoming(session: Session, state: str, today: date, days: int) -> list[EventView]:
    return upcoming_in(load_state_events(session, state), today, days)


def open_windows(session: Session, state: str, today: date, days: int | None = None) -> list[Window]:
    return open_windows_in(load_state_events(session, state), state, today, days)


def link_opportunities(session: Session, state: str, today: date, span_days: int) -> list[LinkOpportunity]:
    return link_opportunities_in(load_state_events(session, state), state, today, span_days)
