"""The contract between spiders, the extraction engine and storage.

Spiders and ``normalize/`` produce :class:`EventItem` objects; the validation
pipeline checks them (:func:`validate`); ``storage.upsert`` stores them. The
enums are the vocabulary of DESIGN §4.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from ventanas.normalize.text import clean_multiline, clean_text


class Kind(StrEnum):
    SESSION = "session"
    PRE_SESSIONAL_WG = "pre_sessional_wg"
    REVIEW = "review"
    DIALOGUE = "dialogue"
    REPORT_DUE = "report_due"
    REPLIES_DUE = "replies_due"
    FOLLOW_UP_DUE = "follow_up_due"
    CSO_SUBMISSION = "cso_submission"
    NHRI_SUBMISSION = "nhri_submission"
    ACCREDITATION = "accreditation"
    NGO_BRIEFING = "ngo_briefing"
    REGISTRATION = "registration"
    SUMMIT = "summit"
    PREPARATORY_MEETING = "preparatory_meeting"
    CIVIL_SOCIETY_DAYS = "civil_society_days"
    CONFERENCE = "conference"
    TECHNICAL_MEETING = "technical_meeting"
    VICE_MINISTERIAL = "vice_ministerial"
    NEWS = "news"
    OTHER = "other"


# Kinds that close a reporting window: something must be sent by that date.
DEADLINE_KINDS = frozenset(
    {
        Kind.REPORT_DUE,
        Kind.REPLIES_DUE,
        Kind.FOLLOW_UP_DUE,
        Kind.CSO_SUBMISSION,
        Kind.NHRI_SUBMISSION,
        Kind.ACCREDITATION,
        Kind.REGISTRATION,
    }
)


class Status(StrEnum):
    """What the source says. "past" is computed when rendering, never stored."""

    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


class Basis(StrEnum):
    ANNOUNCED = "announced"
    DERIVED = "derived"


class Role(StrEnum):
    REVIEWED = "reviewed"
    DUE_BY = "due_by"
    MEMBER = "member"
    HOST = "host"
    CONCERNED = "concerned"


class ChangeKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    VANISHED = "vanished"
    RESTORED = "restored"
    SUPERSEDED = "superseded"


class Health(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    FAILED = "failed"


KEY_RE = re.compile(r"^[a-z]+(/[A-Za-z0-9._-]+)+$")
ISO3_RE = re.compile(r"^[A-Z]{3}$")
# Dates outside this span are typing errors or parsing accidents, not UN calendars.
EARLIEST_YEAR, LATEST_YEAR = 1945, 2100

# Fields whose change is material for calendars: they raise the iCalendar SEQUENCE.
MATERIAL_FIELDS = ("title", "start", "end", "all_day", "timezone", "location", "status")


@dataclass(frozen=True)
class StateLink:
    code: str  # ISO 3166-1 alpha-3
    role: Role


@dataclass
class EventItem:
    """One dated thing, as a source (or a rule) says it.

    ``start``/``end`` are dates for all-day events, with ``end`` the last day
    (inclusive, as people write it; feeds turn it into an exclusive DTEND), or
    timezone-aware datetimes for timed events with ``timezone`` their IANA zone.
    ``key`` is the natural id (DESIGN §4): it never contains a date.
    """

    key: str
    body: str
    kind: Kind
    title: str
    start: date | datetime
    source_url: str
    source_name: str
    end: date | datetime | None = None
    timezone: str | None = None
    location: str | None = None
    status: Status = Status.CONFIRMED
    basis: Basis = Basis.ANNOUNCED
    rule: str | None = None
    confidence: float = 1.0
    session: str | None = None
    states: tuple[StateLink, ...] = ()
    description: str | None = None
    action: str | None = None  # what the reader should do (where to send, how to register)
    evidence: str | None = None  # the sentence or table row the event came from
    details: dict[str, Any] = field(default_factory=dict)
    # Several sources may list one event; the highest priority source owns its fields.
    priority: int = 50

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    def snapshot(self) -> dict[str, Any]:
        """The stored, comparable form: what the content hash and diffs are made of."""
        return {
            "body": self.body,
            "kind": str(self.kind),
            "title": self.title,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "all_day": self.all_day,
            "timezone": self.timezone,
            "location": self.location,
            "status": str(self.status),
            "basis": str(self.basis),
            "rule": self.rule,
            "confidence": round(float(self.confidence), 3),
            "session": self.session,
            "source_url": self.source_url,
            "states": sorted(f"{link.code}:{link.role}" for link in self.states),
            "description": self.description,
            "action": self.action,
            "evidence": self.evidence,
            "details": self.details or {},
        }

    def local_dates(self) -> tuple[date, date]:
        """First and last calendar day of the event, in its own zone."""
        return local_date(self.start, self.timezone), local_date(self.end or self.start, self.timezone)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def local_date(value: date | datetime, zone: str | None) -> date:
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(zone)).date() if zone else value.date()
    return value


def content_hash(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class InvalidItem(ValueError):
    """An item breaks the contract; ``field`` names the first bad field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


def validate(item: EventItem, *, known_bodies: set[str], known_states: set[str]) -> EventItem:
    """Check an item against the contract; raise InvalidItem naming the field."""
    if not KEY_RE.match(item.key or ""):
        raise InvalidItem("key", f"{item.key!r} is not a natural key like 'ohchr/CMW/36'")
    if re.search(r"\d{4}-\d{2}-\d{2}", item.key):
        raise InvalidItem("key", f"{item.key!r} contains a date; keys must survive rescheduling")
    if item.body not in known_bodies:
        raise InvalidItem("body", f"unknown body {item.body!r}")
    for name, enum in (("kind", Kind), ("status", Status), ("basis", Basis)):
        try:
            setattr(item, name, enum(getattr(item, name)))
        except ValueError as exc:
            raise InvalidItem(name, f"{getattr(item, name)!r} is not one of {[e.value for e in enum]}") from exc
    # Scraped text goes on to feeds, pages, exports and mail headers: control and
    # line-separator characters stop here, once, whatever the spider did.
    item.title = clean_text(item.title)
    if not item.title:
        raise InvalidItem("title", "empty")
    item.location = clean_text(item.location) or None
    for name in ("description", "action", "evidence"):
        if getattr(item, name):
            setattr(item, name, clean_multiline(getattr(item, name)) or None)
    for name in ("start", "end"):
        value = getattr(item, name)
        if value is None and name == "end":
            continue
        if not isinstance(value, date):
            raise InvalidItem(name, f"{value!r} is not a date")
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise InvalidItem(name, f"{value.isoformat()} is outside {EARLIEST_YEAR}–{LATEST_YEAR}")
        if isinstance(value, datetime) and value.tzinfo is None:
            raise InvalidItem(name, "a timed event needs a timezone-aware datetime")
    if item.end is not None:
        if isinstance(item.start, datetime) != isinstance(item.end, datetime):
            raise InvalidItem("end", "start and end must both be dates or both be datetimes")
        if item.end < item.start:
            raise InvalidItem("end", f"ends ({item.end}) before it starts ({item.start})")
    if item.timezone:
        try:
            ZoneInfo(item.timezone)
        except (KeyError, ValueError) as exc:
            raise InvalidItem("timezone", f"unknown zone {item.timezone!r}") from exc
    if not item.source_url.startswith(("http://", "https://")):
        raise InvalidItem("source_url", f"{item.source_url!r} is not an http(s) URL")
    if item.basis == Basis.DERIVED and not item.rule:
        raise InvalidItem("rule", "a derived event must name its rule")
    states = []
    for link in item.states:
        if not ISO3_RE.match(link.code) or link.code not in known_states:
            raise InvalidItem("states", f"unknown State code {link.code!r}")
        states.append(StateLink(link.code, Role(link.role)))
    item.states = tuple(dict.fromkeys(states))
    return item
