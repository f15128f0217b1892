"""Digests: per followed State, the reporting windows, what is coming, what changed, and the links.

A digest is keyed by (reader, period): the ISO week for weekly digests, the
day for daily ones. It is due from the digest hour (Monday 07:00 for weekly,
07:00 for daily, in the configured zone) and goes out with the first
``notify`` after it; `digest --now` treats every reader as due. Either way a
period gets one digest.

A reader's digest period only moves forward: a clock set back (``VENTANAS_TODAY``
before the last digest, or a real clock stepped back) finds the reader's last
period later than today's and sends nothing, until today's period is past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from ventanas.calendar.site import page_path
from ventanas.config import Settings
from ventanas.domain import MATERIAL_FIELDS
from ventanas.notifier.alerts import alert_reason, before_text
from ventanas.notifier.compose import (
    Reader,
    common_context,
    dedupe_key,
    list_message,
    personal_feed,
    reader_zone,
)
from ventanas.notifier.mail import unsubscribe_url
from ventanas.notifier.render import Rendered, render
from ventanas.notifier.scope import FollowScope
from ventanas.notifier.views import MailEvent
from ventanas.storage import Storage
from ventanas.storage import outbox as box
from ventanas.storage import subscribers as store
from ventanas.storage.models import Subscriber
from ventanas.windows import link_opportunities_in, open_windows_in, upcoming_in

HORIZON_DAYS = 90  # "the next 90 days" of every digest
LATER_DAYS = 365  # windows closing after the horizon, up to a year ahead, are listed briefly
LATER_PER_STATE = 6
MAX_CHANGES = 20
NEWS_DAYS = 30  # news published this many days back still counts as new in a digest
DIGEST_HOUR = time(7, 0)


@dataclass(frozen=True)
class WindowItem:
    deadline: MailEvent
    review: MailEvent | None
    days_left: int


@dataclass(frozen=True)
class LinkItem:
    sentence: str
    meeting: MailEvent
    target: MailEvent


@dataclass(frozen=True)
class StateSection:
    code: str
    reviews: list[MailEvent]  # the State's reviews by binding bodies in the coming year: what it all leads to
    soon: list[WindowItem]  # deadlines within the horizon
    later: list[WindowItem]  # deadlines after it: time to prepare an alternative report
    events: list[MailEvent]  # binding sessions, reviews, briefings within the horizon
    links: list[LinkItem]
    page_url: str
    feed_url: str  # webcal://, so that a click opens the calendar app


@dataclass(frozen=True)
class MeetingItem:
    event: MailEvent
    states: list[str]  # the followed States it concerns


@dataclass(frozen=True)
class ChangeItem:
    kind: str  # created | moved | postponed | cancelled | restored | superseded | vanished | updated | news
    event: MailEvent
    before: str | None


def period_of(frequency: str, today: date) -> str:
    if frequency == "daily":
        return today.isoformat()
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def period_span(frequency: str, today: date) -> tuple[date, date]:
    if frequency == "daily":
        return today, today
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def period_start(period: str) -> date | None:
    """The first day of a stored period ("2025-W31" or "2025-08-01"); None if it is neither."""
    try:
        if "-W" in period:
            year, week = period.split("-W")
            return date.fromisocalendar(int(year), int(week), 1)
        return date.fromisoformat(period)
    except ValueError:
        return None


def already_covered(last_period: str | None, frequency: str, today: date) -> bool:
    """Whether the reader's last digest was for this period or a later one (the clock went back).

    Periods compare by their first day, so a reader who switched from daily to weekly (or back)
    is judged by the same rule: a period that starts on or before the last one's start is done."""
    last = period_start(last_period) if last_period else None
    return last is not None and period_span(frequency, today)[0] <= last


def is_due(frequency: str, today: date, local_time: time) -> bool:
    """Whether the current period's digest may go out now (once it has, its key keeps it single)."""
    if frequency == "off":
        return False
    if frequency == "weekly" and today.weekday() > 0:
        return True  # Tuesday to Sunday: Monday's digest is late, not skipped
    return local_time >= DIGEST_HOUR


def local_time_now(settings: Settings) -> time:
    """The wall-clock time for digest hours. The demo clock has a date and no hour: its day counts as started."""
    if settings.today is not None:
        return time.max
    return datetime.now(settings.zone).time()


def build(session: Session, settings: Settings, subscriber: Subscriber, scope: FollowScope,
          today: date) -> dict:
    """Everything a digest template needs, for one reader."""
    lang = subscriber.language
    followed = tuple(subscriber.states or ())
    zone = reader_zone(subscriber)

    def mail(view):
        return scope.mail(view, lang, followed, zone)

    sections, meetings = [], {}
    for state in followed:
        events = [v for v in scope.state_events(state) if scope.follows(subscriber, v)]
        windows = open_windows_in(events, state, today, LATER_DAYS)
        items = [WindowItem(mail(w.deadline), mail(w.review) if w.review else None, w.days_left(today))
                 for w in windows]
        soon = [i for i in items if i.days_left <= HORIZON_DAYS]
        later = [i for i in items if i.days_left > HORIZON_DAYS][:LATER_PER_STATE]
        reviews = [mail(v) for v in upcoming_in(events, today, LATER_DAYS) if v.binding and v.kind == "review"]
        coming = upcoming_in(events, today, HORIZON_DAYS)
        binding = [mail(v) for v in coming if v.binding and not v.is_deadline]
        for v in coming:
            if not v.binding and not v.is_deadline and v.kind != "news":
                meetings.setdefault(v.id, (v, []))[1].append(state)
        links: dict[str, LinkItem] = {}
        for o in link_opportunities_in(events, state, today, settings.link_span_days):
            # two parts of one summit on one day read as the same sentence: say it once
            links.setdefault(o.sentence(lang), LinkItem(o.sentence(lang), mail(o.meeting), mail(o.target)))
        base = settings.base_url.rstrip("/")
        feed = f"{base}/{page_path(lang, f'feeds/states/{state}.ics')}"  # the feed in the reader's language
        sections.append(StateSection(state, reviews, soon, later, binding, list(links.values()),
                                     page_url=f"{base}/{page_path(lang, f'states/{state}.html')}",
                                     feed_url="webcal://" + feed.split("://", 1)[1]))
    meeting_items = [
        MeetingItem(mail(view), states)
        for view, states in sorted(meetings.values(), key=lambda pair: (pair[0].first_day, pair[0].key))
    ]
    return {
        "sections": sections,
        "meetings": meeting_items,
        "changes": changes_since(session, subscriber, scope, today),
        "horizon_days": HORIZON_DAYS,
        "today": today,
        "period": period_span(subscriber.digest if subscriber.digest != "off" else "weekly", today),
        "frequency": subscriber.digest,
    }


def changes_since(session: Session, subscriber: Subscriber, scope: FollowScope, today: date) -> list[ChangeItem]:
    """What changed in the reader's States since their last digest: the last change of each event."""
    changes = scope.changes_after(subscriber.digest_change_id or 0)
    views = scope.views({c.event_id for c in changes})
    latest: dict[int, ChangeItem] = {}
    for change in changes:
        view = views.get(change.event_id)
        if view is None or not scope.follows(subscriber, view):
            continue
        # a news item is dated when it was published: new to the reader while it is recent
        if view.last_day < (today - timedelta(days=NEWS_DAYS) if view.kind == "news" else today):
            continue
        kind = alert_reason(change) or (change.kind if change.kind in ("vanished", "superseded") else "updated")
        if view.kind == "news":  # a link to read, said once: it has no date to move
            if kind != "created":
                continue
            kind = "news"
        if kind == "updated" and not set(change.diff or {}) & set(MATERIAL_FIELDS):
            continue  # a new source URL or description is not news to a reader
        earlier = latest.get(view.id)
        if earlier is not None and earlier.kind == "created" and kind not in ("cancelled", "vanished"):
            continue  # new since the last digest: its current dates are all the reader needs
        zone = reader_zone(subscriber)
        before = earlier.before if earlier is not None and earlier.before else before_text(
            change, view, subscriber.language, zone)
        latest[view.id] = ChangeItem(kind, scope.mail(view, subscriber.language, tuple(subscriber.states), zone),
                                     before)
    items = sorted(latest.values(), key=lambda i: (i.kind != "cancelled", i.kind == "created", i.event.first_day))
    return items[:MAX_CHANGES]


def render_digest(session: Session, settings: Settings, subscriber: Subscriber, today: date,
                  scope: FollowScope | None = None) -> Rendered:
    """The digest as the reader would get it now, without enqueuing it (`digest --preview`)."""
    scope = scope or FollowScope(session, today)
    context = build(session, settings, subscriber, scope, today)
    return render("digest", subscriber.language, reader=Reader.of(subscriber),
                  unsubscribe_url=unsubscribe_url(settings, "PREVIEW"),
                  personal_feed=personal_feed(settings, subscriber.feed_token), **common_context(settings), **context)


def enqueue_digests(storage: Storage, settings: Settings, subscribers: list[Subscriber], scope: FollowScope, *,
                    today: date, now: datetime, force: bool = False) -> int:
    """One transaction per reader: its digest row and its digest cursor land together.

    ``scope`` (the events per State, read once for the whole run) is shared by
    every reader: a thousand readers of Mexico read Mexico's events once.
    """
    enqueued = 0
    local_time = local_time_now(settings)
    for listed in subscribers:
        if listed.digest == "off" or not (force or is_due(listed.digest, today, local_time)):
            continue
        if already_covered(listed.digest_period, listed.digest, today):
            continue
        key = dedupe_key("digest", listed.email, period_of(listed.digest, today))
        with storage.transaction() as session:
            if box.is_enqueued(session, key):
                continue
            subscriber = store.lock_for_digest(session, listed.id)
            if subscriber is None or box.is_enqueued(session, key) \
                    or already_covered(subscriber.digest_period, subscriber.digest, today):
                continue
            change_id = store.latest_change_id(session)
            context = build(session, settings, subscriber, scope, today)
            message = list_message(settings, Reader.of(subscriber), reason="digest", key=key,
                                   template="digest", **context)
            if box.enqueue(session, message, now=now):
                subscriber.digest_change_id = change_id
                subscriber.digest_period = period_of(subscriber.digest, today)
                enqueued += 1
    return enqueued
