"""Personal feeds: one private calendar per confirmed subscriber, with their reminders as VALARMs.

A subscriber's feed, ``personal/<token>.ics`` under the public directory, has
the events their mail is about — the events concerning their States (the
scope rule of :mod:`ventanas.calendar.events`), narrowed to their bodies and
kinds, no news — in their language, with the same VEVENTs as the public feeds
(same UIDs, so a reader subscribed to both sees each event once per
calendar, never a second copy after a move). Each deadline and review that is
still on carries one ``VALARM`` per lead day (30, 7, 1 by default), like the
reminder mails (``ventanas.notifier.reminders``):

- the ``TRIGGER`` is relative to the event's start, so a reminder of a
  deadline that moves moves with it: nothing to delete or re-create;
- for an all-day event (a deadline day) the alarm rings at 09:00 on the lead
  day, e.g. ``-P29DT15H`` for 30 days (midnight of the day minus 30 days plus
  9 hours); for a timed event, the lead days before its start (``-P7D``);
- a cancelled event, or one its sources no longer list, rings no alarm.

The token (``secrets.token_urlsafe``: 192 random bits, 32 URL-safe characters)
is made when the address is confirmed and stored with the subscriber; it is
the only thing that names the file, so the URL cannot be guessed. A
subscriber who unsubscribes keeps the token in their row and loses the file:
``serve`` answers 410 Gone for it (:mod:`ventanas.notifier.personal`), and a
``<token>.gone`` marker beside the feeds says the same to a static server.
Subscribing again makes a new token.

Feeds are written by the publisher — for subscribers following a State a
change touched, or whose choices changed (their signature, kept in the
publisher's cache), or all on a full publication — and removed for tokens no
longer active; :func:`publish_for` writes one subscriber's at once (``subscribers
add``, the demo, and ``serve`` when a new subscriber's feed is asked for before
the next publication). Same bytes for the same events and choices: no clock,
no random id in the file.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from ventanas.calendar import feeds, i18n
from ventanas.calendar.blocks import BlockCache, Fragments
from ventanas.calendar.events import Entry, EventView, load_events, load_state_events
from ventanas.calendar.files import write_if_changed
from ventanas.calendar.labels import ui
from ventanas.calendar.wording import feed_words
from ventanas.config import Settings
from ventanas.domain import DEADLINE_KINDS
from ventanas.storage import subscribers as store
from ventanas.storage.models import Subscriber

DIRECTORY = "personal"
CACHE_FILE = "publisher.sqlite3"  # the publisher's: its fragments, and what each personal feed was written with
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
GONE_SUFFIX = ".gone"
# The kinds a subscriber is reminded of by mail (ventanas.notifier.reminders.REMINDER_KINDS): the same here.
ALARM_KINDS = frozenset(str(k) for k in DEADLINE_KINDS) | {"review"}
ALARM_HOUR = 9  # an all-day deadline's alarm rings at 09:00, the reader's time
_END = b"END:VEVENT\r\n"


def new_token() -> str:
    """A personal feed's name: 24 random bytes, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


def relative_path(token: str) -> str:
    return f"{DIRECTORY}/{token}.ics"


def feed_url(base_url: str, token: str) -> str:
    """The feed's https (or http) address."""
    return f"{base_url.rstrip('/')}/{relative_path(token)}"


def webcal_url(base_url: str, token: str) -> str:
    """The same address as webcal://, which opens the calendar application."""
    return "webcal://" + feed_url(base_url, token).split("://", 1)[1]


def signature(subscriber: Subscriber) -> str:
    """Everything of a subscriber that shapes their feed: their feed is rewritten when it changes."""
    choices = [subscriber.language, list(subscriber.states or ()), sorted(subscriber.bodies or ()),
               sorted(subscriber.kinds or ()), sorted(subscriber.lead_days or ())]
    return hashlib.sha256(json.dumps(choices).encode()).hexdigest()[:24]


def follows(subscriber: Subscriber, event: EventView | Entry) -> bool:
    """The subscriber's filters (their States are applied by who asks): a calendar event of their bodies and kinds."""
    if not feeds.in_feeds(event):
        return False
    if subscriber.bodies and event.body not in subscriber.bodies:
        return False
    return not (subscriber.kinds and event.kind not in subscriber.kinds)


# -- alarms ---------------------------------------------------------------------------------


def trigger(lead: int, all_day: bool) -> str:
    """The TRIGGER duration for ``lead`` days before the start: at 09:00 for an all-day event."""
    if not all_day:
        return f"-P{lead}D" if lead else "-PT1H"
    if lead == 0:
        return f"PT{ALARM_HOUR}H"
    days, hours = lead - 1, 24 - ALARM_HOUR
    return f"-P{days}DT{hours}H" if days else f"-PT{hours}H"


@cache
def alarms(leads: tuple[int, ...], all_day: bool, lang: str) -> bytes:
    """The VALARMs of one event: one per lead day, the farthest first."""
    words = feed_words(lang)
    blocks = []
    for lead in sorted(set(leads), reverse=True):
        text = words["alarm_0"] if lead == 0 else words["alarm_1"] if lead == 1 else words["alarm"].format(days=lead)
        blocks.append(b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n" + feeds.text_line("DESCRIPTION", f"ventanas: {text}")
                      + f"TRIGGER:{trigger(lead, all_day)}\r\nEND:VALARM\r\n".encode())
    return b"".join(blocks)


def with_alarms(block: bytes, alarm_lines: bytes) -> bytes:
    """A VEVENT with the VALARMs inside it, before its END."""
    if not alarm_lines:
        return block
    return block[: -len(_END)] + alarm_lines + _END


def rings(event: EventView | Entry) -> bool:
    return event.kind in ALARM_KINDS and event.active


# -- one feed -------------------------------------------------------------------------------


def _names(subscriber: Subscriber) -> tuple[str, str]:
    lang = subscriber.language
    states = list(subscriber.states or ())
    named = [i18n.state_name(code, lang) for code in states]
    joined = ", ".join(named[:-1]) + f" {ui(lang, 'and')} {named[-1]}" if len(named) > 1 else "".join(named)
    name = ui(lang, "feed_personal", states=", ".join(named))
    what = [*(subscriber.bodies or ()), *(i18n.kind_label(k, lang) for k in subscriber.kinds or ())]
    filters = ui(lang, "feed_personal_filters", what=", ".join(what)) if what else ""
    leads = sorted(set(subscriber.lead_days or ()), reverse=True)
    if not leads:
        return name, ui(lang, "feed_personal_desc_no_alarms", states=joined, filters=filters)
    days = ", ".join(str(d) for d in leads[:-1]) + f" {ui(lang, 'and')} {leads[-1]}" if len(leads) > 1 else str(leads[0])
    return name, ui(lang, "feed_personal_desc", states=joined, filters=filters, days=days)


def render(subscriber: Subscriber, events: Sequence[EventView | Entry], fragments: dict[int, Fragments], *,
           base_url: str) -> bytes:
    """The subscriber's feed from the events concerning their States (in feed order) and their fragments."""
    lang = subscriber.language if subscriber.language in feeds.LANGS else "en"
    leads = tuple(subscriber.lead_days or ())
    chosen = [e for e in events if follows(subscriber, e)]
    parts = [fragments[e.id] for e in chosen]
    blocks = [with_alarms(part.ics[lang], alarms(leads, part.all_day, lang) if leads and rings(event) else b"")
              for event, part in zip(chosen, parts, strict=True)]
    tzids = set().union(*(p.tzids for p in parts)) if parts else set()
    name, description = _names(subscriber)
    token = subscriber.feed_token or ""
    return feeds.assemble(blocks, tzids, feed_id=f"personal/{hashlib.sha256(token.encode()).hexdigest()[:16]}",
                          name=name, description=description, url=feed_url(base_url, token))


def merged(lists: Iterable[Sequence[EventView | Entry]]) -> list[EventView | Entry]:
    """Several States' events as one list in feed order (first day, then key), each event once."""
    seen: dict[int, EventView | Entry] = {}
    for items in lists:
        for event in items:
            seen.setdefault(event.id, event)
    return sorted(seen.values(), key=lambda e: (e.first_day, e.key))


# -- publishing -----------------------------------------------------------------------------


@dataclass
class PersonalReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    revoked: list[str] = field(default_factory=list)


def gone_marker(public: Path, token: str) -> Path:
    return public / DIRECTORY / f"{token}{GONE_SUFFIX}"


def revoke(public: Path, token: str) -> bool:
    """The feed removed and marked gone; True if there was one."""
    path = public / relative_path(token)
    existed = path.exists()
    path.unlink(missing_ok=True)
    write_if_changed(gone_marker(public, token), b"")
    return existed


def is_revoked(public: Path, token: str) -> bool:
    return gone_marker(public, token).exists()


def sync(session: Session, settings: Settings, cache: BlockCache, *, touched: set[str] | None,
         events_of: Callable[[str], Sequence[EventView | Entry]] | None = None,
         fragments: dict[int, Fragments] | None = None, durable: bool = True,
         only: Iterable[int] | None = None) -> PersonalReport:
    """Write the personal feeds that need it and remove those of tokens no longer active.

    ``touched``: the States whose events changed (None: every feed is rewritten). A feed is
    also written when its subscriber's choices changed or its file is missing. ``events_of``
    and ``fragments`` are the publisher's (every event's, already loaded); without them the
    events are read per State and their fragments taken from (or added to) the cache.
    ``only``: just these subscribers (and no removal of others).
    """
    public = Path(settings.public_dir)
    report = PersonalReport()
    active = [s for s in store.active(session) if s.feed_token and TOKEN.fullmatch(s.feed_token)]
    if only is not None:
        wanted = set(only)
        active = [s for s in active if s.id in wanted]
    known = cache.personal_signatures()
    due = [s for s in active
           if touched is None or known.get(s.feed_token) != signature(s) or set(s.states or ()) & touched
           or not (public / relative_path(s.feed_token)).exists()]
    per_state: dict[str, Sequence[EventView | Entry]] = {}

    def state_events(code: str) -> Sequence[EventView | Entry]:
        if code not in per_state:
            per_state[code] = events_of(code) if events_of is not None else load_state_events(session, code)
        return per_state[code]

    written: dict[str, str] = {}
    base_url = settings.base_url.rstrip("/")
    for subscriber in due:
        events = merged(state_events(code) for code in subscriber.states or ())
        chosen = [e for e in events if follows(subscriber, e)]
        if fragments is not None:
            have = fragments
        else:
            have, _ = cache.fragments(chosen, lambda ids: load_events(session, ids), prune=False)
        data = render(subscriber, chosen, have, base_url=base_url)
        relative = relative_path(subscriber.feed_token)
        if write_if_changed(public / relative, data, durable=durable):
            report.written.append(relative)
        else:
            report.unchanged += 1
        written[subscriber.feed_token] = signature(subscriber)
    forgotten: list[str] = []
    if only is None:
        live = {s.feed_token for s in active}
        folder = public / DIRECTORY
        for path in sorted(folder.glob("*.ics")) if folder.is_dir() else []:
            if path.stem not in live:
                revoke(public, path.stem)
                report.revoked.append(path.stem)
        forgotten = [token for token in known if token not in live]
    cache.set_personal(written, forgotten)
    return report


def publish_for(session: Session, settings: Settings, subscriber_ids: Iterable[int]) -> PersonalReport:
    """These subscribers' feeds, now (a new subscription need not wait for the next publication)."""
    with BlockCache(Path(settings.var_dir) / CACHE_FILE) as cache:
        return sync(session, settings, cache, touched=set(), only=list(subscriber_ids))
