"""Subscriptions: what is accepted and refused, and the `subscribers` commands through the real CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import run_cli, settings_env
from ventanas.notifier import subscriptions as subs


@pytest.mark.parametrize(("text", "expected"), [
    ("ana@example.org", "ana@example.org"),
    ("  Ana.Lopez@Example.ORG ", "ana.lopez@example.org"),
    ("red+digest@migrantes-cdmx.example", "red+digest@migrantes-cdmx.example"),
    ("josé@correo.mx", None),  # non-ASCII local parts need SMTPUTF8, which many servers lack
    ("ana@correo-méxico.mx", "ana@xn--correo-mxico-ieb.mx"),  # an internationalised domain, in its ASCII form
    ("ana@localhost", None),
    ("ana@@example.org", None),
    ("ana example@example.org", None),
    ("Ana <ana@example.org>", None),
    ('"ana"@example.org', None),
    (".ana@example.org", None),
    ("ana..lopez@example.org", None),
    ("ana@-example.org", None),
    ("ana@example.123", None),
    ("ana@example.org\r\nBcc: x@example.org", None),
    ("", None),
    ("a" * 65 + "@example.org", None),
], ids=lambda v: repr(v)[:40])
def test_email_addresses(text, expected):
    if expected is None:
        with pytest.raises(subs.InvalidSubscription, match="not an email address"):
            subs.normalize_email(text)
    else:
        assert subs.normalize_email(text) == expected


@pytest.mark.parametrize(("given", "codes"), [
    (["MEX", "gtm"], ("MEX", "GTM")),
    (["México", "Guatemala"], ("MEX", "GTM")),
    (["Mexique, El Salvador"], ("MEX", "SLV")),
    (["Bolivia (Plurinational State of)", "Estados Unidos"], ("BOL", "USA")),
    (["MEX", "Mexico"], ("MEX",)),
], ids=["codes", "spanish-names", "french-and-comma", "un-forms", "duplicates"])
def test_states_by_code_or_name(given, codes):
    assert subs.parse_states(given) == codes


def test_unknown_states_are_all_named():
    with pytest.raises(subs.InvalidSubscription) as info:
        subs.parse_states(["MEX", "Atlantis", "XYZ"])
    assert "'Atlantis'" in str(info.value) and "'XYZ'" in str(info.value) and "MEX" in str(info.value)


@pytest.mark.parametrize(("text", "days"), [
    ("30,7,1", (30, 7, 1)), ("1, 7, 30, 7", (30, 7, 1)), ("0", (0,)), ("", (30, 7, 1)), (None, (30, 7, 1)),
])
def test_lead_days(text, days):
    assert subs.parse_lead_days(text) == days


@pytest.mark.parametrize("text", ["thirty", "-1", "400", ","])
def test_bad_lead_days(text):
    with pytest.raises(subs.InvalidSubscription, match="lead days"):
        subs.parse_lead_days(text)


def test_bodies_and_kinds():
    assert subs.parse_bodies(["cmw", "Proceso Puebla"]) == ("CMW", "CRM")
    assert subs.parse_kinds(["cso-submission", "review"]) == ("cso_submission", "review")
    with pytest.raises(subs.InvalidSubscription, match="unknown body"):
        subs.parse_bodies(["UNICEF"])
    with pytest.raises(subs.InvalidSubscription, match="unknown kind"):
        subs.parse_kinds(["party"])


def test_subscribers_commands(settings):
    env = settings_env(settings)
    added = run_cli("subscribers", "add", "Ana@Example.org", "--state", "MEX", "--state", "Guatemala",
                    "--body", "CMW", "--lead", "14,3", "--digest", "daily", "--lang", "es", env=env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added ana@example.org: active; lang es; States MEX,GTM; bodies CMW; digest daily")
    assert run_cli("subscribers", "add", "ben@example.org", "--state", "SLV", env=env).returncode == 0

    listed = json.loads(run_cli("subscribers", "list", "--json", env=env).stdout)
    ana = next(s for s in listed if s["email"] == "ana@example.org")
    assert (ana["states"], ana["lead_days"], ana["confirmed"]) == (["MEX", "GTM"], [14, 3], True)

    exported = run_cli("subscribers", "export", "--format", "csv", env=env).stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["email"] for r in rows] == ["ana@example.org", "ben@example.org"] and rows[0]["states"] == "MEX GTM"
    target = settings.var_dir / "subscribers.json"
    assert run_cli("subscribers", "export", "--format", "json", "--output", str(target), env=env).returncode == 0
    assert len(json.loads(target.read_text())) == 2

    assert run_cli("subscribers", "remove", "ben@example.org", env=env).returncode == 0
    gone = run_cli("subscribers", "remove", "ben@example.org", env=env)
    assert gone.returncode == 2 and "no subscriber ben@example.org" in gone.stderr


def test_subscribers_add_refuses_clearly(settings):
    env = settings_env(settings)
    bad = run_cli("subscribers", "add", "ana@", "--state", "MEX", env=env)
    assert bad.returncode == 2 and bad.stderr.strip() == "ventanas: 'ana@' is not an email address (write it as name@example.org)"
    unknown = run_cli("subscribers", "add", "ana@example.org", "--state", "Narnia", env=env)
    assert unknown.returncode == 2 and "unknown State: 'Narnia'" in unknown.stderr
    help_text = run_cli("subscribers", "add", "--help", env=env).stdout
    help_words = " ".join(help_text.split())
    assert "confirmed at once" in help_words and "the operator vouches" in help_words


def test_notify_send_digest_commands(settings):
    env = settings_env(settings)
    run_cli("subscribers", "add", "ana@example.org", "--state", "MEX", "--lang", "es", env=env)
    preview = run_cli("digest", "--preview", "ana@example.org", env=env)
    assert preview.returncode == 0 and preview.stdout.startswith("Subject: Su resumen semanal de ventanas: México")
    assert json.loads(run_cli("notify", "--json", env=env).stdout)["digests"] == 1
    assert json.loads(run_cli("notify", "--json", env=env).stdout)["enqueued"] == 0
    assert "0 digests enqueued" in run_cli("digest", "--now", env=env).stdout
    sent = run_cli("send", env=env)
    assert sent.returncode == 0 and sent.stdout.startswith("send: 1 sent (1 .eml files in ")
    assert len(list(settings.resolved_outbox_dir.glob("*.eml"))) == 1
    status = run_cli("status", env=env).stdout
    assert "outbox: 0 pending, 0 sending, 1 sent, 0 failed" in status
