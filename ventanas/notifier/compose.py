"""From a decision to an outbox row: render the templates, add the list headers, key the message.

Dedupe keys are ``reason|recipient|what|which``; ``|`` appears neither in an
address nor in a natural key, so two different messages never share a key.
"""

from __future__ import annotations

from dataclasses import dataclass

from ventanas.calendar import personal, zones
from ventanas.config import Settings
from ventanas.notifier.mail import list_headers, message_id, new_token, token_hash, unsubscribe_url
from ventanas.notifier.render import Rendered, render
from ventanas.storage.models import Subscriber
from ventanas.storage.outbox import NewMessage


def dedupe_key(*parts: object) -> str:
    return "|".join(str(p) for p in parts)


@dataclass(frozen=True)
class Reader:
    """What every list mail says about its reader: language, States, zone, their calendar, how to leave."""

    email: str
    language: str
    states: tuple[str, ...]
    subscriber_id: int | None = None
    zone: str | None = None  # local times beside the events' own (Geneva's, mostly)
    feed_token: str | None = None  # their personal feed

    @classmethod
    def of(cls, subscriber: Subscriber) -> Reader:
        return cls(subscriber.email, subscriber.language, tuple(subscriber.states or ()), subscriber.id,
                   reader_zone(subscriber), subscriber.feed_token)


def reader_zone(subscriber: Subscriber) -> str | None:
    """The subscriber's zone: their own setting, else the zone of the first State they follow."""
    return subscriber.timezone or zones.state_zone((subscriber.states or [None])[0])


def personal_feed(settings: Settings, token: str | None) -> dict[str, str] | None:
    """The personal feed's two addresses for a mail: webcal:// (opens the calendar) and https://."""
    if not token:
        return None
    base = settings.base_url.rstrip("/")
    return {"webcal": personal.webcal_url(base, token), "https": personal.feed_url(base, token)}


def common_context(settings: Settings) -> dict:
    return {
        "base_url": settings.base_url.rstrip("/"),
        "demo_today": settings.today,  # every mail made on the demo clock says so
    }


def list_message(settings: Settings, reader: Reader, *, reason: str, key: str, template: str,
                 event_key: str | None = None, **context) -> NewMessage:
    """A message to a subscriber: its own unsubscribe token, stored only as a hash."""
    token = new_token()
    rendered = render(
        template, reader.language, reader=reader, unsubscribe_url=unsubscribe_url(settings, token),
        personal_feed=personal_feed(settings, reader.feed_token), **common_context(settings), **context,
    )
    return _message(settings, reader.email, reader.language, reason=reason, key=key, rendered=rendered,
                    headers=list_headers(settings, token, f"ventanas {reason}"),
                    subscriber_id=reader.subscriber_id, event_key=event_key,
                    unsubscribe_token_hash=token_hash(token))


def direct_message(settings: Settings, recipient: str, language: str, *, reason: str, key: str,
                   template: str, **context) -> NewMessage:
    """A message that is not list mail (a confirmation request, an operator alert): no unsubscribe."""
    rendered = render(template, language, recipient=recipient, **common_context(settings), **context)
    return _message(settings, recipient, language, reason=reason, key=key, rendered=rendered, headers={})


def _message(settings: Settings, recipient: str, language: str, *, reason: str, key: str,
             rendered: Rendered, headers: dict[str, str], **extra) -> NewMessage:
    return NewMessage(
        recipient=recipient, reason=reason, dedupe_key=key, subject=rendered.subject, text_body=rendered.text,
        html_body=rendered.html, headers=headers, message_id=message_id(settings, key), language=language,
        **extra,
    )
