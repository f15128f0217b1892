"""A subscriber's personal feed over HTTP: ``/personal/<token>.ics``, and 410 Gone once they have left.

The feeds are files the publisher writes (:mod:`ventanas.calendar.personal`).
``serve`` answers them through this route rather than as plain static files,
so that an unsubscription takes effect at once, before the next publication
removes the file:

- the token of an active subscriber: the file (written now if the
  subscription is newer than the last publication), with a strong ETag and
  ``304 Not Modified``, ``Cache-Control: private, no-cache`` (the URL is a
  secret: no shared cache keeps it);
- the token of someone who unsubscribed, or a token whose file or
  ``<token>.gone`` marker is there but whose subscriber is not (removed, or
  subscribed again under a new token): ``410 Gone``, so calendar applications
  stop polling;
- anything else: 404.

Behind nginx, proxy ``/personal/`` to ``serve`` like ``/subscribe`` (docs/deploy.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ventanas.calendar import personal
from ventanas.config import Settings
from ventanas.notifier.compose import personal_feed
from ventanas.notifier.subscriptions import is_active
from ventanas.storage import Storage
from ventanas.storage import subscribers as store
from ventanas.storage.models import Subscriber
from ventanas.web import Handler, Request, Response, _http_date, _not_modified

PREFIX = "/personal"
HEADERS = {"Cache-Control": "private, no-cache", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def personal_feed_url(settings: Settings, subscriber: Subscriber) -> str | None:
    """The https address of an active subscriber's personal feed (None for anyone else): what the
    confirmation page and every list mail link. Its webcal:// twin: :func:`personal_feed_links`."""
    links = personal_feed_links(settings, subscriber)
    return links["https"] if links else None


def personal_feed_links(settings: Settings, subscriber: Subscriber) -> dict[str, str] | None:
    """``{"webcal": …, "https": …}`` for an active subscriber, as the mail templates take it."""
    if not is_active(subscriber) or not subscriber.feed_token:
        return None
    return personal_feed(settings, subscriber.feed_token)


def revoke_for(storage: Storage, settings: Settings, email: str) -> bool:
    """Remove the personal feed of ``email`` now if they are no longer active (after an unsubscription);
    the publisher does it too at its next run. True if a feed was removed."""
    with storage.session() as session:
        subscriber = store.find(session, email)
        token = subscriber.feed_token if subscriber is not None and not is_active(subscriber) else None
    return bool(token) and personal.revoke(Path(settings.public_dir), token)


def make_routes(storage: Storage, settings: Settings) -> dict[str, Handler]:
    """The handler for ventanas.web.make_server(routes=…)."""
    public = Path(settings.public_dir)

    def feed(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response.text(405, "Method not allowed\n", {"Allow": "GET, HEAD"})
        name = request.path.removeprefix(PREFIX + "/")
        token = name.removesuffix(".ics")
        if not name.endswith(".ics") or not personal.TOKEN.fullmatch(token):
            return Response.text(404, "Not found\n", HEADERS)
        path = public / personal.relative_path(token)
        with storage.session() as session:
            subscriber = store.by_feed_token(session, token)
            active = subscriber is not None and is_active(subscriber)
            if active and not path.exists():  # subscribed since the last publication
                personal.publish_for(session, settings, [subscriber.id])
        if not active:
            if subscriber is not None or path.exists() or personal.is_revoked(public, token):
                return Response.text(410, "This calendar was cancelled with its subscription.\n", HEADERS)
            return Response.text(404, "Not found\n", HEADERS)
        try:
            data, mtime = path.read_bytes(), int(path.stat().st_mtime)
        except FileNotFoundError:  # removed between the check and the read: it was just revoked
            return Response.text(410, "This calendar was cancelled with its subscription.\n", HEADERS)
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        common = {**HEADERS, "ETag": etag, "Last-Modified": _http_date(mtime)}
        if _not_modified(request.headers, etag, mtime):
            return Response(304, common)
        return Response(200, {"Content-Type": "text/calendar; charset=utf-8", **common}, data)

    return {PREFIX: feed}
