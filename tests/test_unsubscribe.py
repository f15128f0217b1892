"""The web flow through a real `serve` (ventanas.web with the notifier's routes): subscribe, confirm,
and RFC 8058 one-click unsubscribe. GETs never change anything: mail scanners prefetch links."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest

from ventanas.clock import utcnow
from ventanas.notifier import notify, send
from ventanas.notifier import subscriptions as subs
from ventanas.notifier.web import make_routes
from ventanas.storage import outbox as box
from ventanas.storage import subscribers as store
from ventanas.web import make_server


@pytest.fixture
def site(storage, settings):
    settings.public_dir.mkdir(parents=True, exist_ok=True)
    server = make_server(settings.public_dir, port=0, routes=make_routes(storage, settings))
    with server:
        yield server.url


def http(url: str, data: dict | bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
    body = urlencode(data, doseq=True).encode() if isinstance(data, dict) else data
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:  # an unclosed error response leaks its socket (a ResourceWarning, an error here)
            return error.code, error.read().decode("utf-8")


def mails(storage, **filters):
    with storage.session() as session:
        return box.messages(session, **filters)


def link(text: str, path: str) -> str:
    return re.search(rf"https?://\S+{path}\?token=[\w-]+", text).group(0)


def subscriber(storage, email_address):
    with storage.session() as session:
        return store.find(session, email_address)


def test_subscribe_confirm_then_one_click_unsubscribe(storage, settings, site):
    status, page = http(f"{site}/subscribe?lang=es")
    assert status == 200 and 'name="state"' in page and "Correo electrónico" in page and 'value="MEX"' in page

    status, page = http(f"{site}/subscribe", {"email": "Ana@Example.org", "state": ["MEX", "GTM"], "body": [],
                                             "language": "es", "digest": "weekly", "lang": "es"})
    assert status == 200 and "Revise su correo" in page
    pending = subscriber(storage, "ana@example.org")
    assert pending is not None and not pending.confirmed
    assert pending.confirm_token_hash and len(pending.confirm_token_hash) == 64  # only a hash is stored
    (confirmation,) = mails(storage, reason="confirm")
    assert confirmation.subject == "Confirme su suscripción a ventanas"
    assert "List-Unsubscribe" not in confirmation.headers  # not list mail: nobody subscribed yet
    confirm_url = link(confirmation.text_body, "/confirm")
    token = confirm_url.rsplit("=", 1)[1]
    assert token not in (pending.confirm_token_hash or "")

    status, page = http(site + urlsplit(confirm_url).path + "?" + urlsplit(confirm_url).query)
    assert status == 200 and "<form" in page and "Confirmar mi suscripción" in page
    assert not subscriber(storage, "ana@example.org").confirmed  # a prefetching scanner confirms nothing

    status, page = http(f"{site}/confirm", {"token": token})
    assert status == 200 and "Suscripción confirmada" in page and "México, Guatemala" in page
    active = subscriber(storage, "ana@example.org")
    assert active.confirmed and active.states == ["MEX", "GTM"] and active.language == "es"
    status, page = http(f"{site}/confirm", {"token": token})  # a used token is spent: it changes nothing
    assert status == 200 and "Suscripción ya confirmada" in page and "México, Guatemala" in page

    assert notify(storage, settings).digests == 1
    send(storage, settings)
    (digest_file,) = settings.resolved_outbox_dir.glob("*-digest-es-*.eml")
    digest = email.message_from_bytes(digest_file.read_bytes(), policy=email.policy.default)
    header = str(digest["List-Unsubscribe"])
    https_link, mailto = re.findall(r"<([^>]+)>", header)
    assert https_link.startswith(settings.base_url + "/unsubscribe?token=") and mailto.startswith("mailto:")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_path = https_link[len(settings.base_url):]

    status, page = http(site + unsubscribe_path)
    assert status == 200 and "<form" in page and "ana@example.org" in page
    assert subscriber(storage, "ana@example.org").unsubscribed_at is None  # GET only asks

    # RFC 8058: the mail client POSTs this body to the header's URL, without cookies or login
    status, page = http(site + unsubscribe_path, b"List-Unsubscribe=One-Click",
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "Baja confirmada" in page
    assert subscriber(storage, "ana@example.org").unsubscribed_at is not None


def test_unsubscribe_stops_all_mail_including_what_waits(world_one, settings):
    storage = world_one
    notify(storage, settings)
    (digest,) = mails(storage, recipient="ana@example.org", reason="digest")
    assert digest.status == "pending"
    token = link(digest.text_body, "/unsubscribe").rsplit("=", 1)[1]
    with storage.transaction() as session:
        assert subs.unsubscribe_by_token(session, token, now=utcnow()) == "ana@example.org"
    (digest,) = mails(storage, recipient="ana@example.org", reason="digest")
    assert digest.status == "cancelled"
    assert send(storage, settings).sent == 0
    # a week later: no digest, no reminder, no alert for that address
    later = notify(storage, dataclasses.replace(settings, today=settings.today + timedelta(days=7)))
    assert later.enqueued == 0
    assert [m.status for m in mails(storage, recipient="ana@example.org")] == ["cancelled"]


@pytest.fixture
def world_one(storage):
    with storage.transaction() as session:
        subs.add_confirmed(session, "ana@example.org", subs.preferences(states=["MEX"], language="es"),
                           now=utcnow(), change_id=0)
    return storage


@pytest.mark.parametrize(("fields", "message"), [
    ({"email": "not-an-address", "state": ["MEX"]}, "is not an email address"),
    ({"email": "ana@example", "state": ["MEX"]}, "is not a domain name"),
    ({"email": "ana@example.org", "state": []}, "Choose at least one State"),
    ({"email": "ana@example.org", "state": ["Narnia"]}, "Not a State we know: Narnia"),
    ({"email": "ana@example.org", "state": ["MEX"], "digest": "hourly"}, "Part of the form could not be read"),
], ids=["bad-address", "no-tld", "no-state", "unknown-state", "bad-digest"])
def test_bad_subscriptions_are_refused_with_a_clear_message(storage, site, fields, message):
    status, page = http(f"{site}/subscribe", fields)
    assert status == 400 and message in page
    assert mails(storage) == []


def test_form_cannot_flood_an_inbox(storage, site):
    for _ in range(3):
        assert http(f"{site}/subscribe", {"email": "ana@example.org", "state": ["MEX"]})[0] == 200
    assert len(mails(storage, reason="confirm")) == 1


def test_expired_confirmation_link_is_refused(storage, settings, site):
    http(f"{site}/subscribe", {"email": "ana@example.org", "state": ["MEX"]})
    (confirmation,) = mails(storage, reason="confirm")
    token = link(confirmation.text_body, "/confirm").rsplit("=", 1)[1]
    with storage.transaction() as session:
        store.find(session, "ana@example.org").confirm_expires_at = utcnow() - timedelta(minutes=1)
    status, page = http(f"{site}/confirm", {"token": token})
    assert status == 404 and "not valid" in page
    assert not subscriber(storage, "ana@example.org").confirmed


def test_form_cannot_change_a_confirmed_subscription_without_the_mailbox(world_one, site):
    storage = world_one
    http(f"{site}/subscribe", {"email": "ana@example.org", "state": ["USA"], "language": "en"})
    ana = subscriber(storage, "ana@example.org")
    assert ana.states == ["MEX"] and ana.language == "es" and ana.pending["states"] == ["USA"]
    (confirmation,) = mails(storage, reason="confirm")
    token = link(confirmation.text_body, "/confirm").rsplit("=", 1)[1]
    assert http(f"{site}/confirm", {"token": token})[0] == 200
    assert subscriber(storage, "ana@example.org").states == ["USA"]


def test_unknown_tokens_and_methods(site):
    assert http(f"{site}/unsubscribe?token=nope")[0] == 404
    assert http(f"{site}/unsubscribe?token=nope", b"List-Unsubscribe=One-Click")[0] == 404
    assert http(f"{site}/confirm?token=nope")[0] == 404
    request = urllib.request.Request(f"{site}/subscribe", method="DELETE")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    with info.value:
        assert info.value.code == 405
