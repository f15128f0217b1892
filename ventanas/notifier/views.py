"""What a mail says about one event, in the reader's language.

Built from the calendar's :class:`~ventanas.calendar.events.EventView` with
the calendar's words (:mod:`ventanas.calendar.i18n`), so a deadline reads the
same in a digest, a reminder and on the State's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from ventanas.calendar import i18n, wording, zones
from ventanas.calendar.events import EventView
from ventanas.normalize.bodies import BODIES
from ventanas.normalize.text import clean_text


@dataclass(frozen=True)
class MailEvent:
    key: str
    body: str
    kind: str
    title: str  # in the reader's language where it can be composed, else as the source wrote it
    source_title: str  # as the source wrote it, shown when it says more than the composed title
    when: str
    first_day: date
    last_day: date
    days_until: int  # from today to the first day; negative once it started
    location: str | None
    status: str
    estimated: bool
    rule: str | None
    estimate: str | None  # how the date was estimated, in words ("8 weeks before the session, …")
    action: str  # what to do, in the reader's language
    source_action: str | None  # what the source itself says to do (its language), when it says it
    source_url: str
    binding: bool
    deadline: bool

    @property
    def shows_source_title(self) -> bool:
        return self.source_title.casefold() != self.title.casefold()


_SPECIFIC = re.compile(r"@|https?://|\d")


def _specific(action: str) -> str | None:
    """The source's own instructions, when they say something the generic advice cannot
    (an address, a link, a date, a page limit); generic advice in English only repeats ours."""
    return action if action and _SPECIFIC.search(action) else None


def when_text(start: date | datetime, end: date | datetime | None, zone: str | None, lang: str,
              local_zone: str | None = None) -> str:
    """'13–24 Apr 2026', or '29 Aug 2016, 11:00–12:00 Geneva · 03:00–04:00 Mexico City' for a timed event
    (the second time in the reader's zone, when it differs)."""
    return zones.when_text(start, end, zone, lang, local_zone)


def the_state(view: EventView, followed: tuple[str, ...] = ()) -> str | None:
    """The State a composed title names: the reviewed or reporting one, preferring a followed State."""
    candidates = [code for code, role in view.states if role in ("reviewed", "due_by")]
    for code in candidates:
        if code in followed:
            return code
    return candidates[0] if candidates else None


def mail_event(view: EventView, lang: str, today: date, followed: tuple[str, ...] = (),
               local_zone: str | None = None) -> MailEvent:
    source_title = wording.reader_title(clean_text(view.title), view.key, view.body)
    title = i18n.localized_title(
        title=source_title, kind=view.kind, body=view.body, session=view.session,
        state=the_state(view, followed), cycle=str((view.details or {}).get("cycle") or "") or None, lang=lang,
        key=view.key,
    )
    body = BODIES.get(view.body)
    return MailEvent(
        key=view.key, body=view.body, kind=view.kind, title=title, source_title=source_title,
        when=when_text(view.start, view.end, view.timezone, lang, local_zone), first_day=view.first_day,
        last_day=view.last_day, days_until=(view.first_day - today).days,
        location=clean_text(view.location) or None, status=view.status, estimated=view.estimated,
        rule=view.rule, estimate=wording.estimate_how(view.rule, lang) if view.estimated else None,
        action=i18n.action_for(view.kind, view.body, lang), source_action=_specific(clean_text(view.action)),
        source_url=view.source_url, binding=body.binding if body else True, deadline=view.is_deadline,
    )
