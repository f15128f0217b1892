"""Who gets mail: checking a subscription, double opt-in, and unsubscribing.

The CLI adds confirmed subscribers (the operator vouches for the address);
the web form only asks: the address gets a confirmation mail with a random,
expiring token, and nothing else is sent until the link is used. Tokens are
stored hashed. Unsubscribing stops every list mail at once, including the
ones already waiting in the outbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from sqlalchemy.orm import Session

from ventanas.calendar import personal, zones
from ventanas.config import Settings
from ventanas.domain import Kind
from ventanas.normalize.bodies import BODIES, resolve_body
from ventanas.normalize.states import resolve_state
from ventanas.notifier.compose import dedupe_key, direct_message
from ventanas.notifier.mail import new_token, token_hash
from ventanas.storage import outbox as box
from ventanas.storage import subscribers as store
from ventanas.storage.models import Subscriber

LANGUAGES = ("en", "es", "fr")
DIGESTS = ("weekly", "daily", "off")
DEFAULT_LEAD_DAYS = (30, 7, 1)
MAX_LEAD_DAYS = 365
CONFIRM_TTL = timedelta(hours=48)
# A form submitted again within this time sends no second mail: the form cannot be used to flood an inbox.
CONFIRM_RESEND_AFTER = timedelta(minutes=10)

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class InvalidSubscription(ValueError):
    """A subscription that cannot be stored; the message says what to fix (on the command line).

    ``problem`` and ``details`` say the same for the web form, which words it
    in the reader's language: ``address`` (with ``address``, ``part`` and
    ``domain``), ``no_state``, ``unknown_state`` (``names``), ``unknown_body``,
    ``unknown_kind``, ``lead_days``, ``choice`` (``what``).
    """

    def __init__(self, message: str, problem: str = "other", **details: object):
        super().__init__(message)
        self.problem = problem
        self.details = details


@dataclass(frozen=True)
class Preferences:
    states: tuple[str, ...]
    language: str = "en"
    bodies: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS
    digest: str = "weekly"
    timezone: str | None = None  # None: the zone of the first State (ventanas.calendar.zones)

    def as_row(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def normalize_email(text: str) -> str:
    """A plain, deliverable-looking address, lower-cased; InvalidSubscription otherwise.

    No DNS lookup: a typo in a domain that exists cannot be caught anyway, and
    the confirmation mail is the real test. Quoted local parts and display
    names are refused: nobody subscribes with them and they complicate headers.
    """
    raw = (text or "").strip()
    name, address = parseaddr(raw)
    if not raw or name or address != raw or address.count("@") != 1 or len(address) > 254:
        raise InvalidSubscription(f"{raw!r} is not an email address (write it as name@example.org)",
                                  "address", address=raw, part="format", domain="")
    local, domain = address.rsplit("@", 1)
    if not (1 <= len(local) <= 64) or not _LOCAL.match(local):
        raise InvalidSubscription(f"{raw!r} is not an email address: the part before @ has characters mail cannot carry",
                                  "address", address=raw, part="local", domain=domain)
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidSubscription(f"{raw!r} is not an email address: {domain!r} is not a domain name",
                                  "address", address=raw, part="domain", domain=domain) from exc
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise InvalidSubscription(f"{raw!r} is not an email address: {domain!r} is not a domain name",
                                  "address", address=raw, part="domain", domain=domain)
    return f"{local}@{ascii_domain}".lower()


def parse_states(values: Iterable[str]) -> tuple[str, ...]:
    """ISO codes or names in English, Spanish or French; every unknown one is named in the error."""
    codes, unknown = [], []
    for value in _split(values):
        code = resolve_state(value.upper() if len(value) == 3 else value)
        (codes if code else unknown).append(code or value)
    if unknown:
        raise InvalidSubscription(
            "unknown State: " + ", ".join(repr(u) for u in unknown)
            + " (use ISO 3166 alpha-3 codes such as MEX, GTM, SLV, or a name such as 'Mexico')",
            "unknown_state", names=tuple(unknown),
        )
    if not codes:
        raise InvalidSubscription("follow at least one State (e.g. --state MEX)", "no_state")
    return tuple(dict.fromkeys(codes))


def parse_bodies(values: Iterable[str]) -> tuple[str, ...]:
    codes, unknown = [], []
    for value in _split(values):
        code = resolve_body(value)
        (codes if code else unknown).append(code or value)
    if unknown:
        raise InvalidSubscription(
            "unknown body: " + ", ".join(repr(u) for u in unknown) + f" (known: {', '.join(BODIES)})",
            "unknown_body", names=tuple(unknown),
        )
    return tuple(dict.fromkeys(codes))


def parse_kinds(values: Iterable[str]) -> tuple[str, ...]:
    known = {k.value for k in Kind}
    kinds = [v.strip().lower().replace("-", "_") for v in _split(values)]
    unknown = [k for k in kinds if k not in known]
    if unknown:
        raise InvalidSubscription(f"unknown kind: {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                                  "unknown_kind", names=tuple(unknown))
    return tuple(dict.fromkeys(kinds))


def parse_lead_days(text: str | Iterable[int] | None) -> tuple[int, ...]:
    if text is None or text == "":
        return DEFAULT_LEAD_DAYS
    parts = text.split(",") if isinstance(text, str) else list(text)
    try:
        days = sorted({int(str(p).strip()) for p in parts if str(p).strip()}, reverse=True)
    except ValueError as exc:
        raise InvalidSubscription(f"lead days must be whole numbers like 30,7,1, not {text!r}", "lead_days") from exc
    if not days or any(d < 0 or d > MAX_LEAD_DAYS for d in days):
        raise InvalidSubscription(f"lead days must be between 0 and {MAX_LEAD_DAYS}, like 30,7,1", "lead_days")
    return tuple(days)


def parse_timezone(value: str | None) -> str | None:
    """An IANA zone name ("America/Mexico_City"), or None for the first State's zone."""
    name = (value or "").strip()
    if not name:
        return None
    if not zones.valid_zone(name):
        raise InvalidSubscription(f"time zone must be an IANA name such as America/Mexico_City, not {value!r}")
    return name


def parse_choice(value: str | None, choices: tuple[str, ...], what: str, default: str) -> str:
    chosen = (value or default).strip().lower()
    if chosen not in choices:
        raise InvalidSubscription(f"{what} must be one of {', '.join(choices)}, not {value!r}", "choice", what=what)
    return chosen


def preferences(*, states: Iterable[str], language: str | None = None, bodies: Iterable[str] = (),
                kinds: Iterable[str] = (), lead_days: str | Iterable[int] | None = None,
                digest: str | None = None, timezone: str | None = None) -> Preferences:
    return Preferences(
        states=parse_states(states), language=parse_choice(language, LANGUAGES, "language", "en"),
        bodies=parse_bodies(bodies), kinds=parse_kinds(kinds), lead_days=parse_lead_days(lead_days),
        digest=parse_choice(digest, DIGESTS, "digest", "weekly"), timezone=parse_timezone(timezone),
    )


def _split(values: Iterable[str]) -> list[str]:
    """Repeated options and comma-separated lists are the same thing."""
    if isinstance(values, str):
        values = [values]
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def _apply(subscriber: Subscriber, prefs: Preferences) -> None:
    for name, value in prefs.as_row().items():
        setattr(subscriber, name, value)


def _start_fresh(subscriber: Subscriber, now: datetime, change_id: int) -> None:
    """A (re)confirmed subscription: mail from now on, and no alerts about what happened before.

    A new personal feed token too: a feed revoked by an unsubscription stays revoked."""
    subscriber.feed_token = personal.new_token()
    subscriber.confirmed = True
    subscriber.confirmed_at = now
    subscriber.unsubscribed_at = None
    subscriber.confirm_token_hash = None
    subscriber.confirm_expires_at = None
    subscriber.pending = None
    subscriber.digest_change_id = change_id


def add_confirmed(session: Session, email: str, prefs: Preferences, *, now: datetime,
                  change_id: int) -> tuple[Subscriber, bool]:
    """The CLI's add: confirmed at once. Returns (subscriber, created)."""
    subscriber = store.find(session, email)
    created = subscriber is None
    if subscriber is None:
        subscriber = store.create(session, email=email, now=now, **prefs.as_row())
    else:
        _apply(subscriber, prefs)
    if created or not subscriber.confirmed or subscriber.unsubscribed_at is not None:
        _start_fresh(subscriber, now, change_id)
    else:
        subscriber.pending = None
    return subscriber, created


def request(session: Session, email: str, prefs: Preferences, *, now: datetime, token: str,
            resend_after: timedelta = CONFIRM_RESEND_AFTER) -> Subscriber | None:
    """The web form: store the wish and a confirmation token. None if a mail went out less than
    ``resend_after`` ago.

    A confirmed subscriber's current choices stay in force until the new ones
    are confirmed from the mailbox; the form itself changes nothing a stranger
    could abuse. The address's row is claimed and held first (store.claim), so a
    form submitted twice at once is handled once, then found "moments ago".
    """
    subscriber, created = store.claim(session, email=email, now=now, **prefs.as_row())
    if (not created and subscriber.confirm_expires_at is not None
            and subscriber.confirm_expires_at - CONFIRM_TTL + resend_after > now):
        return None
    subscriber.pending = prefs.as_row()
    subscriber.confirm_token_hash = token_hash(token)
    subscriber.confirm_expires_at = now + CONFIRM_TTL
    return subscriber


def confirm(session: Session, token: str, *, now: datetime, change_id: int) -> Subscriber | None:
    """Apply the pending choices of the token's address; None for an unknown or expired token."""
    subscriber = store.by_confirm_token(session, token_hash(token)) if token else None
    if subscriber is None or subscriber.confirm_expires_at is None or subscriber.confirm_expires_at < now:
        return None
    if subscriber.pending:
        for name, value in subscriber.pending.items():
            setattr(subscriber, name, value)
    was_active = subscriber.confirmed and subscriber.unsubscribed_at is None
    spent = subscriber.confirm_token_hash
    if was_active:
        subscriber.pending = None
        subscriber.confirm_expires_at = None
    else:
        _start_fresh(subscriber, now, change_id)
    # The used token's hash stays, without an expiry: it confirms nothing any more, but a second
    # click on the link can say "already confirmed" in the reader's language (already_confirmed).
    subscriber.confirm_token_hash = spent
    return subscriber


def already_confirmed(session: Session, token: str) -> Subscriber | None:
    """The active subscriber whose confirmation link this is, once the link has been used."""
    subscriber = store.by_confirm_token(session, token_hash(token)) if token else None
    if subscriber is None or subscriber.confirm_expires_at is not None or not is_active(subscriber):
        return None
    return subscriber


def unsubscribe(session: Session, email: str, *, now: datetime) -> bool:
    """Stop all list mail to ``email``; the waiting messages are cancelled too. True if it was active.

    The personal feed token stays in the row: ``serve`` answers 410 Gone for it at once, and the
    next publication removes the file (ventanas.calendar.personal)."""
    subscriber = store.find(session, email)
    box.cancel_for_recipient(session, email, reason="unsubscribed")
    if subscriber is None or subscriber.unsubscribed_at is not None:
        return False
    subscriber.unsubscribed_at = now
    subscriber.pending = None
    subscriber.confirm_token_hash = None
    subscriber.confirm_expires_at = None
    return True


def unsubscribe_by_token(session: Session, token: str, *, now: datetime) -> str | None:
    """The one-click POST: the token of any message names its recipient. Returns the address, or None."""
    found = box.recipient_of_token(session, token_hash(token)) if token else None
    if found is None:
        return None
    unsubscribe(session, found[0], now=now)
    return found[0]


def remove(session: Session, email: str) -> bool:
    """Forget the address (the operator's `subscribers remove`); waiting mail is cancelled."""
    subscriber = store.find(session, email)
    box.cancel_for_recipient(session, email, reason="subscriber removed")
    if subscriber is None:
        return False
    store.delete(session, subscriber)
    return True


def is_active(subscriber: Subscriber) -> bool:
    return subscriber.confirmed and subscriber.unsubscribed_at is None


def ask_confirmation(session: Session, settings: Settings, email: str, prefs: Preferences, *, now: datetime,
                     resend_after: timedelta = CONFIRM_RESEND_AFTER, base_url: str | None = None) -> bool:
    """The web form's whole effect: the wish stored and a confirmation mail in the outbox, in one transaction.

    False when a confirmation went to this address less than ``resend_after`` ago
    (the form then says the same thing either way, so it tells a stranger nothing).
    The mail is rendered before the first statement, so the transaction (and, on
    SQLite, the write lock) lasts a few statements, not a template's rendering.
    ``base_url`` is where the link leads when not ``settings.base_url``: the address
    `serve` was reached at, when no base URL is set (ventanas/web.py).
    """
    token = new_token()
    # the page the link opens is in the mail's language: /es/confirm, /fr/confirm (ventanas/notifier/web.py)
    prefix = "" if prefs.language == "en" else f"{prefs.language}/"
    confirm_url = f"{(base_url or settings.base_url).rstrip('/')}/{prefix}confirm?token={token}"
    message = direct_message(
        settings, email, prefs.language, reason="confirm",
        key=dedupe_key("confirm", email, token_hash(token)), template="confirm",
        confirm_url=confirm_url, prefs=prefs, expires_hours=int(CONFIRM_TTL.total_seconds() // 3600),
    )
    if request(session, email, prefs, now=now, token=token, resend_after=resend_after) is None:
        return False
    return box.enqueue(session, message, now=now)
