"""`serve`'s subscription endpoints: /subscribe, /confirm, /unsubscribe (registered through ventanas.web's routes).

Each also under /es/ and /fr/: the path gives the page's language, as the
site's trees do (ventanas/notifier/signup.py), and every answer, error or
not, is in it.

- ``GET /subscribe`` shows the form (States, bodies, language, digest);
  ``POST /subscribe`` checks it and puts a confirmation mail in the outbox
  (``on_enqueued`` then wakes `serve`'s own sender: ventanas/notifier/instant.py):
  at most ``signup_per_client_hour`` an hour per client and
  ``signup_per_hour`` in all (more: 429 with Retry-After), and no second mail
  to an address within ``signup_resend_minutes`` (the same page, no mail).
- ``GET /confirm?token=…`` shows a button; ``POST /confirm`` confirms. Link
  scanners fetch every URL in a mail, so no GET changes anything.
- ``GET /unsubscribe?token=…`` only asks; ``POST /unsubscribe?token=…``
  unsubscribes, with no login: the RFC 8058 one-click POST of mail clients
  (body ``List-Unsubscribe=One-Click``) and the page's button alike.

Handlers run in the server's threads and open their own transactions, which
wait at most ``serve_busy_timeout`` for a database another writer holds (a
crawl's transaction): past it the answer is 503 with Retry-After, and nothing
was written. GET handlers only read, and readers wait for no writer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import timedelta
from urllib.parse import parse_qs

from ventanas.clock import utcnow
from ventanas.config import Settings
from ventanas.normalize.bodies import BODIES
from ventanas.notifier import signup
from ventanas.notifier import subscriptions as subs
from ventanas.notifier.mail import token_hash
from ventanas.notifier.personal import personal_feed_links
from ventanas.notifier.render import LANGUAGES, environment
from ventanas.ratelimit import SignupLimits
from ventanas.storage import DatabaseBusy, Storage
from ventanas.storage import outbox as box
from ventanas.storage import subscribers as store
from ventanas.web import Handler, Request, Response

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}  # pages with tokens in their URL


def page_language(request: Request, fallback: str | None = None, *, path_decides: bool = False) -> str:
    """``?lang=`` (or the form's ``lang``), then the path (/es/…), then ``fallback`` (the reader's own),
    then Accept-Language; with ``path_decides`` (the form) a path without a language is English."""
    wanted = request.arg("lang")
    if not wanted and request.method == "POST":
        wanted = _first(_multi_form(request.body), "lang")
    if wanted in LANGUAGES:
        return wanted
    if signup.path_language(request.path) or path_decides:
        return signup.path_language(request.path) or "en"
    if fallback in LANGUAGES:
        return fallback
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


def _page(status: int, lang: str, template: str, request: Request, **context) -> Response:
    page = signup.page_context(request.path, lang, "subscribe" if template == "subscribe" else "")
    html = environment(lang).get_template(f"web_{template}.html.j2").render(**page, **context)
    return Response.html(status, html, NO_STORE)


def _not_allowed() -> Response:
    return Response.text(405, "Method not allowed\n", {"Allow": "GET, HEAD, POST"})


BUSY_RETRY_AFTER = 10  # seconds: a crawl's transaction is usually over by then

# Plain text (no page template for these yet), in the reader's language.
_TRY_LATER = {
    "busy": {"en": "The service is busy. Please try again in a few seconds.",
             "es": "El servicio está ocupado. Vuelva a intentarlo en unos segundos.",
             "fr": "Le service est occupé. Veuillez réessayer dans quelques secondes."},
    "limited": {"en": "Too many sign-ups just now. Please try again later.",
                "es": "Demasiadas suscripciones en este momento. Vuelva a intentarlo más tarde.",
                "fr": "Trop d’inscriptions en ce moment. Veuillez réessayer plus tard."},
}


def try_later(status: int, reason: str, lang: str, retry_after: int) -> Response:
    return Response.text(status, _TRY_LATER[reason].get(lang, _TRY_LATER[reason]["en"]) + "\n",
                         {**NO_STORE, "Retry-After": str(max(1, retry_after))})


def _unless_busy(handler: Handler) -> Handler:
    """The handler, answering 503 with Retry-After when the database stays locked too long."""

    def answer(request: Request) -> Response:
        try:
            return handler(request)
        except DatabaseBusy:
            return try_later(503, "busy", page_language(request), BUSY_RETRY_AFTER)

    return answer


def _form(status: int, lang: str, request: Request, values: dict, errors: list) -> Response:
    chosen, typed = signup.chosen_states(values.get("states", []))
    return _page(status, lang, "subscribe", request, errors=errors, values=values, groups=signup.state_groups(lang),
                 chosen=chosen, typed=typed, bodies=list(BODIES), languages=LANGUAGES)


def make_routes(storage: Storage, settings: Settings, *,
                on_enqueued: Callable[[], None] | None = None) -> dict[str, Handler]:
    """The handlers for ventanas.web.make_server(routes=…); ``on_enqueued`` is called after a
    confirmation mail was put in the outbox (`serve` wakes its sender with it)."""
    wait = settings.serve_busy_timeout
    limits = SignupLimits(settings.signup_per_client_hour, settings.signup_per_hour)
    resend_after = timedelta(minutes=settings.signup_resend_minutes)

    def writing():
        return storage.transaction(busy_timeout=wait)

    def reading():
        return storage.reading(busy_timeout=wait)

    def calendar_of(subscriber, request: Request) -> dict[str, str] | None:
        """The subscriber's personal calendar, at the address serve was reached at when no base URL is set."""
        here = dataclasses.replace(settings, base_url=request.served_base) if request.served_base else settings
        return personal_feed_links(here, subscriber)

    def subscribe(request: Request) -> Response:
        lang = page_language(request, path_decides=True)
        if request.method in ("GET", "HEAD"):
            return _form(200, lang, request, {"language": lang, "digest": "weekly"}, [])
        if request.method != "POST":
            return _not_allowed()
        fields = _multi_form(request.body)
        values = {"email": _first(fields, "email"), "states": fields.get("state", []),
                  "bodies": fields.get("body", []), "language": _first(fields, "language") or lang,
                  "digest": _first(fields, "digest") or "weekly"}
        errors = []  # every problem at once, in the form's language (the exceptions' words are the CLI's)
        try:
            email = subs.normalize_email(values["email"])
        except subs.InvalidSubscription as exc:
            errors.append(exc)
        try:
            prefs = subs.preferences(states=values["states"], bodies=values["bodies"],
                                     language=values["language"], digest=values["digest"])
        except subs.InvalidSubscription as exc:
            errors.append(exc)
        if errors:
            return _form(400, lang, request, values, errors)
        # Counted before the database is touched: a flood costs neither mail nor writes.
        retry_after = limits.admit(request.client)
        if retry_after:
            return try_later(429, "limited", lang, retry_after)
        with writing() as session:
            enqueued = subs.ask_confirmation(session, settings, email, prefs, now=utcnow(), resend_after=resend_after,
                                             base_url=request.served_base or None)
        if enqueued and on_enqueued is not None:
            on_enqueued()
        # The same answer whether a mail went out or one did moments ago: the page tells a stranger nothing.
        return _page(200, lang, "check_mail", request, email=email)

    def confirm(request: Request) -> Response:
        token = request.arg("token") or _first(_multi_form(request.body), "token")
        with reading() as session:
            pending = store.by_confirm_token(session, token_hash(token)) if token else None
            done = subs.already_confirmed(session, token) if pending else None
            lang = page_language(request, done.language if done else
                                 ((pending.pending or {}).get("language") if pending else None))
        if request.method not in ("GET", "HEAD", "POST"):
            return _not_allowed()
        if done is not None:  # the link clicked again: say so, in the reader's language
            return _page(200, lang, "message", request, title_key="already_confirmed", email=done.email,
                         states=list(done.states), personal_feed=calendar_of(done, request))
        if request.method in ("GET", "HEAD"):
            if pending is None:
                return _page(404, lang, "message", request, title_key="unknown_link")
            return _page(200, lang, "confirm", request, token=token, email=pending.email)
        with writing() as session:
            subscriber = subs.confirm(session, token, now=utcnow(), change_id=store.latest_change_id(session))
            if subscriber is None:
                return _page(404, lang, "message", request, title_key="unknown_link")
            return _page(200, lang, "message", request, title_key="confirmed", email=subscriber.email,
                         states=list(subscriber.states), personal_feed=calendar_of(subscriber, request))

    def unsubscribe(request: Request) -> Response:
        token = request.arg("token")
        with reading() as session:
            found = box.recipient_of_token(session, token_hash(token)) if token else None
            sub = store.find(session, found[0]) if found else None
            lang = page_language(request, sub.language if sub else None)
        if found is None:
            return _page(404, lang, "message", request, title_key="unknown_link")
        if request.method in ("GET", "HEAD"):
            return _page(200, lang, "unsubscribe", request, token=token, email=found[0])
        if request.method != "POST":
            return _not_allowed()
        with writing() as session:
            subs.unsubscribe_by_token(session, token, now=utcnow())
        return _page(200, lang, "message", request, title_key="unsubscribed", email=found[0])

    handlers = {"subscribe": subscribe, "confirm": confirm, "unsubscribe": unsubscribe}
    return {f"/{prefix}{name}": _unless_busy(handler)
            for name, handler in handlers.items() for prefix in signup.PREFIX.values()}


def _multi_form(body: bytes) -> Mapping[str, list[str]]:
    return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)


def _first(fields: Mapping[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[0].strip()
