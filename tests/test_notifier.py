"""What the notifier decides and says, on a fixed database and a frozen clock (today = 2025-08-01).

The calendar: the CMW reviews Mexico at its 42nd session (13–24 April 2026) and
the written information of civil society is due three weeks earlier (an
estimate); Guatemala's third CMW report is due on 15 September 2025; the 15th
GFMD Summit meets in Riohacha on 2–4 September 2025; a CRM vice-ministerial
meeting in Mexico on 4 December 2025; an accreditation deadline 30 days out
and a briefing registration 7 days out, for the reminders.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.conftest import TODAY
from ventanas.clock import utcnow
from ventanas.domain import Basis, EventItem, Kind, Role, StateLink, Status
from ventanas.normalize import ids
from ventanas.normalize.bodies import UN_MEMBER_STATES
from ventanas.notifier import digest_now, notify, preview_digest, send
from ventanas.notifier import subscriptions as subs
from ventanas.notifier.alerts import MAX_SEPARATE_ALERTS
from ventanas.notifier.reminders import reminder_stage
from ventanas.notifier.render import LOCALE_DIR, TEMPLATES
from ventanas.storage import outbox as box
from ventanas.storage import subscribers as store
from ventanas.storage.upsert import upsert

TB = "https://tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx?SessionID=2871&Lang=en"


def _item(key, body, kind, title, start, end=None, states=(), **extra) -> EventItem:
    return EventItem(key=key, body=body, kind=kind, title=title, start=start, end=end, source_url=extra.pop("url", TB),
                     source_name=extra.pop("source", "ohchr_sessions"), states=tuple(states), **extra)


def calendar(review_start=date(2026, 4, 13), review_end=date(2026, 4, 24)) -> list[EventItem]:
    mex = StateLink("MEX", Role.REVIEWED)
    return [
        _item(ids.ohchr_session("CMW", 42), "CMW", Kind.SESSION, "CMW 42nd session", review_start, review_end,
              session="42", location="Palais Wilson, Geneva"),
        _item(ids.ohchr_review("CMW", 42, "MEX"), "CMW", Kind.REVIEW, "CMW 42nd session: review of Mexico",
              review_start, review_end, states=[mex], session="42"),
        _item(ids.ohchr_session_deadline("CMW", 42, "cso-submission"), "CMW", Kind.CSO_SUBMISSION,
              "CMW 42nd session: written information from civil society (estimated deadline)",
              review_start - timedelta(weeks=3), session="42", basis=Basis.DERIVED,
              rule="cmw-written-information-3w", confidence=0.6),
        _item(ids.ohchr_report_due("CMW", "GTM", "3"), "CMW", Kind.REPORT_DUE,
              "Guatemala: Third periodic report due to the CMW", date(2025, 9, 15),
              states=[StateLink("GTM", Role.DUE_BY)], details={"cycle": "3"}, source="ohchr_master_calendar"),
        _item(ids.process_meeting("GFMD", "summit", 15), "GFMD", Kind.SUMMIT, "15th GFMD Summit",
              date(2025, 9, 2), date(2025, 9, 4), location="Riohacha, La Guajira, Colombia",
              states=[StateLink(code, Role.MEMBER) for code in UN_MEMBER_STATES], source="gfmd_meetings",
              url="https://www.gfmd.org/meetings/colombia2025/summit"),
        _item(ids.process_meeting("CRM", "vice-ministerial", 30), "CRM", Kind.VICE_MINISTERIAL,
              "XXX Reunión Viceministerial de la CRM", date(2025, 12, 4), date(2025, 12, 5), location="Ciudad de México",
              states=[StateLink("MEX", Role.HOST)], source="crm_news", url="https://crmsv.org/noticias/xxx-viceministerial"),
        _item(ids.ohchr_session_deadline("CED", 29, "accreditation", "MEX"), "CED", Kind.ACCREDITATION,
              "CED 29th session: accreditation for Mexico's dialogue", TODAY + timedelta(days=30),
              states=[StateLink("MEX", Role.CONCERNED)], session="29", action="Write to ced@ohchr.org"),
        _item(ids.ohchr_session_deadline("CED", 29, "registration", "MEX"), "CED", Kind.REGISTRATION,
              "CED 29th session: registration for the NGO briefing on Mexico", TODAY + timedelta(days=7),
              states=[StateLink("MEX", Role.CONCERNED)], session="29"),
    ]


def store_items(storage, items, *, when=None, today=TODAY):
    with storage.transaction() as session:
        return upsert(session, items, source_name="ohchr_sessions", now=when or utcnow(), today=today)


@pytest.fixture
def world(storage, settings):
    """The calendar stored a day before anyone subscribed, and three readers, one per language."""
    store_items(storage, calendar(), when=utcnow() - timedelta(days=1))
    with storage.transaction() as session:
        for address, lang in (("ana@example.org", "es"), ("ben@example.org", "en"), ("chloe@example.org", "fr")):
            prefs = subs.preferences(states=["MEX", "GTM"], language=lang)
            subs.add_confirmed(session, address, prefs, now=utcnow() - timedelta(hours=1),
                               change_id=store.latest_change_id(session))
    return storage


def plain(text: str) -> str:
    """Babel puts thin and narrow no-break spaces around dashes and in French punctuation."""
    return re.sub("[\u2009\u202f\u00a0]", " ", text)


def outbox(storage, **filters):
    with storage.session() as session:
        return box.messages(session, **filters)


def on(settings, day: date):
    return dataclasses.replace(settings, today=day)


# -- digests ---------------------------------------------------------------------------------

DIGEST_TEXT = {
    "es": ["ventanas: resumen semanal, 28 jul", "======== MÉXICO ========", "Próximos exámenes: CMW 13–24 abr 2026",
           "CMW 42: plazo para información escrita de la sociedad civil", "Fecha estimada: 3 semanas antes",
           "Prepara: CMW: examen de México, 13–24 abr 2026", "Guatemala: vence el 3.º informe al CMW",
           "15 sept 2025 (dentro de 45 días)", "Cumbre del GFMD", "Riohacha", "Concierne a: México, Guatemala",
           "Reunión viceministerial de la CRM el 4 dic", "Oportunidades de vinculación", "Nada cambió.",
           "Reloj de demostración", "Darse de baja con un clic: http://127.0.0.1:8000/unsubscribe?token="],
    "en": ["ventanas: weekly digest, 28 Jul", "======== MEXICO ========", "Next reviews: CMW 13 – 24 Apr 2026",
           "Estimated date: 3 weeks before the session", "It prepares: CMW 42nd session: review of Mexico",
           "Guatemala: Third periodic report due to the CMW", "15 Sept 2025 (in 45 days)", "2 – 4 Sept 2025 (in 32 days) — 15th GFMD Summit",
           "Concerns: Mexico, Guatemala", "Link opportunities", "Nothing changed.",
           "Unsubscribe with one click: http://127.0.0.1:8000/unsubscribe?token="],
    "fr": ["ventanas : résumé hebdomadaire, 28 juil.", "======== MEXIQUE ========",
           "Prochains examens : CMW 13–24 avr. 2026", "Date estimée : 3 semaines avant la session",
           "Prépare : CMW : examen — Mexique, 13–24 avr. 2026", "Guatemala : 3e rapport attendu par le CMW",
           "15 sept. 2025 (dans 45 jours)", "Concerne : Mexique, Guatemala", "Occasions de faire le lien",
           "Rien n’a changé.", "Se désabonner en un clic"],
}
READER = {"es": "ana@example.org", "en": "ben@example.org", "fr": "chloe@example.org"}


@pytest.mark.parametrize("lang", ["es", "en", "fr"])
def test_digest_content(world, settings, lang):
    notify(world, settings)
    (digest,) = outbox(world, recipient=READER[lang], reason="digest")
    text = plain(digest.text_body)
    missing = [phrase for phrase in DIGEST_TEXT[lang] if phrase not in text]
    assert not missing, text
    # the CMW deadline is in "later" (after 90 days), the Guatemala report in "the next 90 days"
    assert text.index("CMW 42") > text.index("======== ") and "{{" not in text and "%(" not in text
    assert digest.html_body.count("<h2") == 4  # two States, the migration dialogues, what changed
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_digest_subject_says_the_week_and_states(world, settings):
    notify(world, settings)
    subjects = {m.recipient: m.subject for m in outbox(world, reason="digest")}
    assert subjects == {
        "ana@example.org": "Su resumen semanal de ventanas: México, Guatemala, semana del 28 jul 2025",
        "ben@example.org": "Your weekly ventanas digest: Mexico, Guatemala, week of 28 Jul 2025",
        "chloe@example.org": "Votre résumé hebdomadaire ventanas : Mexique, Guatemala, semaine du 28 juil. 2025",
    }


def test_digest_once_per_week_whatever_runs(world, settings):
    assert notify(world, settings).digests == 3
    assert notify(world, settings).digests == 0
    assert digest_now(world, settings) == 0
    assert notify(world, on(settings, TODAY + timedelta(days=2))).digests == 0  # Sunday: the same ISO week
    assert notify(world, on(settings, TODAY + timedelta(days=3))).digests == 3  # Monday: a new week


def test_digest_lists_what_changed_since_the_last_one(world, settings):
    notify(world, settings)
    store_items(world, calendar(date(2026, 4, 20), date(2026, 5, 1)))  # the review moves a week
    monday = on(settings, TODAY + timedelta(days=3))
    notify(world, monday)
    (digest,) = [m for m in outbox(world, recipient="ana@example.org", reason="digest") if "W32" in m.dedupe_key]
    text = plain(digest.text_body)
    assert "Cambio de fecha: CMW: examen de México\n    Antes: 13–24 abr 2026\n    Ahora: 20 abr – 1 may 2026" in text


def test_daily_and_off_digests(world, settings):
    with world.transaction() as session:
        store.find(session, "ben@example.org").digest = "daily"
        store.find(session, "chloe@example.org").digest = "off"
    notify(world, settings)
    assert {m.recipient for m in outbox(world, reason="digest")} == {"ana@example.org", "ben@example.org"}
    notify(world, on(settings, TODAY + timedelta(days=1)))
    assert [m.recipient for m in outbox(world, reason="digest")].count("ben@example.org") == 2


def test_preview_prints_without_enqueuing(world, settings):
    rendered = preview_digest(world, settings, "ana@example.org")
    assert "Próximos exámenes" in rendered.text and rendered.subject.startswith("Su resumen semanal")
    assert outbox(world) == []
    assert preview_digest(world, settings, "nobody@example.org") is None


# -- alerts ----------------------------------------------------------------------------------

ALERT_TEXT = {
    "es": ("Cambio de fecha: CMW: examen de México (20 abr – 1 may 2026)",
           ["Cambió una fecha en el calendario", "Antes: 13–24 abr 2026", "Ahora: 20 abr – 1 may 2026",
            "Fuente: " + TB + " (páginas de sesiones del ACNUDH)"]),
    "en": ("Date changed: CMW 42nd session: review of Mexico (20 Apr – 1 May 2026)",
           ["A date in the calendar of the States you follow has changed.", "Before: 13 – 24 Apr 2026",
            "Now: 20 Apr – 1 May 2026"]),
    "fr": ("Date modifiée : CMW : examen — Mexique (20 avr. – 1 mai 2026)",
           ["Une date a changé dans le calendrier", "Avant : 13–24 avr. 2026", "Désormais : 20 avr. – 1 mai 2026"]),
}


@pytest.mark.parametrize("lang", ["es", "en", "fr"])
def test_moved_review_alert(world, settings, lang):
    notify(world, settings, digests=False)
    store_items(world, calendar(date(2026, 4, 20), date(2026, 5, 1)))
    report = notify(world, settings, digests=False)
    assert report.alerts == 9  # the session, the review and the estimate made from it, for three readers
    alerts = [m for m in outbox(world, recipient=READER[lang], reason="alert")
              if m.event_key == ids.ohchr_review("CMW", 42, "MEX")]
    (alert,) = alerts
    subject, phrases = ALERT_TEXT[lang]
    assert plain(alert.subject) == subject
    missing = [p for p in phrases if p not in plain(alert.text_body)]
    assert not missing, alert.text_body


def test_second_notify_with_no_change_enqueues_nothing(world, settings):
    first = notify(world, settings)
    assert first.enqueued > 0
    assert notify(world, settings).as_dict() | {"subscribers": 0} == {
        "alerts": 0, "reminders": 0, "digests": 0, "subscribers": 0, "enqueued": 0}


def test_no_alert_about_what_happened_before_the_subscription(world, settings):
    assert notify(world, settings, digests=False).alerts == 0


def test_cancelled_and_superseded_alerts(world, settings):
    items = calendar()
    items[5].status = Status.CANCELLED  # the CRM meeting
    announced = dataclasses.replace(items[2], basis=Basis.ANNOUNCED, rule=None, confidence=1.0,
                                    start=date(2026, 3, 16), action="Send to ohchr-cmw@un.org")
    items[2] = announced
    store_items(world, items)
    notify(world, settings, digests=False)
    spanish = {m.event_key: m for m in outbox(world, recipient="ana@example.org", reason="alert")}
    crm = spanish[ids.process_meeting("CRM", "vice-ministerial", 30)]
    assert crm.subject.startswith("Cancelado: ")
    estimate = spanish[ids.ohchr_session_deadline("CMW", 42, "cso-submission")]
    assert estimate.subject.startswith("La fecha anunciada reemplaza la estimada: ")
    assert "Antes: 23 mar 2026\n    Ahora: 16 mar 2026" in estimate.text_body
    assert "La fuente indica (en su idioma): Send to ohchr-cmw@un.org" in estimate.text_body


CRM_30 = ids.process_meeting("CRM", "vice-ministerial", 30)


@pytest.mark.parametrize(("off", "said"), [(Status.CANCELLED, ["Cancelado", "Cancelled", "Annulé"]),
                                           (Status.POSTPONED, ["Aplazado", "Postponed", "Reporté"])])
def test_reversed_cancellation_or_lifted_postponement_is_alerted(world, settings, off, said):
    # Readers were told the meeting was off; the feed showed it on again, and no mail said so.
    items = calendar()
    items[5].status = off
    store_items(world, items)
    notify(world, settings, digests=False)
    store_items(world, calendar())  # the source lists it as confirmed again
    assert notify(world, settings, digests=False).alerts == 3
    for reader, off_word, on_word in zip(READER.values(), said, ["Restablecido", "Restored", "Rétabli"], strict=True):
        alerts = [m for m in outbox(world, recipient=reader, reason="alert") if m.event_key == CRM_30]
        assert [plain(m.subject).split(":")[0].strip() for m in alerts] == [off_word, on_word]


def test_lifted_postponement_with_a_new_date_says_both(world, settings):
    items = calendar()
    items[5].status = Status.POSTPONED
    store_items(world, items)
    notify(world, settings, digests=False)
    items = calendar()
    items[5].start, items[5].end = date(2026, 1, 15), date(2026, 1, 16)
    store_items(world, items)
    notify(world, settings, digests=False)
    restored = [m for m in outbox(world, recipient="ana@example.org", reason="alert") if m.event_key == CRM_30][-1]
    assert restored.subject.startswith("Restablecido: XXX Reunión Viceministerial de la CRM")
    assert "Antes: 4–5 dic 2025\n    Ahora: 15–16 ene 2026" in plain(restored.text_body)
    assert "Qué hacer: Reunión de un proceso migratorio no vinculante" in restored.text_body


def test_news_is_in_the_digest_not_in_an_alert(world, settings):
    news = _item(ids.news_item("crmsv.org", "boletin-julio"), "CRM", Kind.NEWS,
                 "La CRM publica su boletín informativo de julio", TODAY - timedelta(days=3), source="rss_feeds",
                 url="https://crmsv.org/noticias/boletin-julio")
    store_items(world, [*calendar(), news])
    assert notify(world, settings, digests=False).alerts == 0  # a newsletter changes no date
    notify(world, on(settings, TODAY + timedelta(days=3)))
    (digest,) = [m for m in outbox(world, recipient="ana@example.org", reason="digest") if "W32" in m.dedupe_key]
    changed = digest.text_body[digest.text_body.index("QUÉ CAMBIÓ"):]
    assert "* Noticia: La CRM publica su boletín informativo de julio" in changed
    assert "Fuente: https://crmsv.org/noticias/boletin-julio" in changed


def test_many_changes_at_once_are_one_message(world, settings):
    sessions = [_item(ids.ohchr_review("CAT", 90 + n, "GTM"), "CAT", Kind.REVIEW, f"CAT {90 + n}th session: review of "
                      "Guatemala", date(2026, 1, 5) + timedelta(weeks=n), states=[StateLink("GTM", Role.REVIEWED)],
                      session=str(90 + n)) for n in range(MAX_SEPARATE_ALERTS + 2)]
    store_items(world, sessions)
    assert notify(world, settings, digests=False).alerts == 3  # one per reader
    (grouped,) = outbox(world, recipient="ben@example.org", reason="alert")
    assert grouped.subject == f"{MAX_SEPARATE_ALERTS + 2} changes in the calendar of the States you follow"
    assert grouped.text_body.count("* New: ") == MAX_SEPARATE_ALERTS + 2


def test_scraped_title_cannot_reach_a_header(world, settings):
    items = calendar()
    items[1].title = "Review of Mexico\r\nBcc: victim@example.org\x1b\u2028<script>alert(1)</script>"
    items[1].start, items[1].end = date(2026, 4, 14), date(2026, 4, 24)
    store_items(world, items)
    notify(world, settings, digests=False)
    (alert,) = [m for m in outbox(world, recipient="ben@example.org", reason="alert")
                if m.event_key == ids.ohchr_review("CMW", 42, "MEX")]
    assert not any(ch in alert.subject for ch in "\r\n\x1b\u2028")
    assert "<script>" not in alert.html_body and "&lt;script&gt;" in alert.html_body
    send(world, settings)
    (eml,) = [f for f in settings.resolved_outbox_dir.glob("*-alert-en-*.eml")
              if "Review of Mexico" in f.read_text(errors="replace")]
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["To"] == "ben@example.org"
    assert parsed["Subject"] == alert.subject


# -- reminders -------------------------------------------------------------------------------

@pytest.mark.parametrize(("days_left", "leads", "stage"), [
    (30, (30, 7, 1), 30), (29, (30, 7, 1), 30), (28, (30, 7, 1), 30), (27, (30, 7, 1), None),
    (8, (30, 7, 1), None), (7, (30, 7, 1), 7), (5, (30, 7, 1), 7), (1, (30, 7, 1), 1), (0, (30, 7, 1), 1),
    (-1, (30, 7, 1), None), (0, (0,), 0), (14, (14,), 14), (40, (30, 7, 1), None),
], ids=lambda v: str(v))
def test_reminder_stage(days_left, leads, stage):
    assert reminder_stage(days_left, leads) == stage


def test_reminders_once_per_lead_day_and_never_again(world, settings):
    accreditation = ids.ohchr_session_deadline("CED", 29, "accreditation", "MEX")
    registration = ids.ohchr_session_deadline("CED", 29, "registration", "MEX")
    fired: dict[str, list[tuple[str, int]]] = {}
    for offset in range(0, 32):
        day = on(settings, TODAY + timedelta(days=offset))
        for _ in range(2):  # a re-run the same day adds nothing
            notify(world, day, digests=False)
        for m in outbox(world, recipient="ben@example.org", reason="reminder"):
            stage = int(m.dedupe_key.rsplit("T-", 1)[1])
            fired.setdefault(m.event_key, [])
            if (m.dedupe_key, stage) not in fired[m.event_key]:
                fired[m.event_key].append((m.dedupe_key, stage))
    assert [stage for _, stage in fired[accreditation]] == [30, 7, 1]
    assert [stage for _, stage in fired[registration]] == [7, 1]
    # Guatemala's report (15 Sep) reaches its 30-day stage on 16 Aug, inside the month looked at
    assert [stage for _, stage in fired[ids.ohchr_report_due("CMW", "GTM", "3")]] == [30]
    assert len(outbox(world, recipient="ben@example.org", reason="reminder")) == 6


def test_reminder_text(world, settings):
    notify(world, settings, digests=False)
    spanish = {m.event_key: m for m in outbox(world, recipient="ana@example.org", reason="reminder")}
    reminder = spanish[ids.ohchr_session_deadline("CED", 29, "registration", "MEX")]
    assert reminder.subject == "Dentro de 7 días: CED 29: plazo de inscripción (8 ago 2025)"
    assert "Quedan 7 días para este plazo:" in reminder.text_body
    french = {m.event_key: m for m in outbox(world, recipient="chloe@example.org", reason="reminder")}
    assert "Il reste 30 jours avant cette échéance" in french[
        ids.ohchr_session_deadline("CED", 29, "accreditation", "MEX")].text_body


def test_moved_deadline_is_reminded_again(world, settings):
    notify(world, settings, digests=False)
    items = calendar()
    items[7].start = TODAY + timedelta(days=29)  # the registration moves from T-7 to T-29
    store_items(world, items)
    notify(world, settings, digests=False)
    keys = [m.dedupe_key for m in outbox(world, recipient="ben@example.org", reason="reminder")]
    assert any(k.endswith("2025-08-30|T-30") for k in keys)


def test_filters_limit_what_a_reader_gets(world, settings):
    with world.transaction() as session:
        ben = store.find(session, "ben@example.org")
        ben.bodies = ["CMW"]
        ben.states = ["GTM"]
    notify(world, settings)
    (digest,) = outbox(world, recipient="ben@example.org", reason="digest")
    assert "GUATEMALA" in digest.text_body and "MEXICO" not in digest.text_body
    assert "GFMD Summit" not in digest.text_body and "CED 29" not in digest.text_body
    assert outbox(world, recipient="ben@example.org", reason="reminder") == []


# -- translations ----------------------------------------------------------------------------

def test_every_template_message_is_translated():
    method_map = [("**.j2", "jinja2.ext:babel_extract")]
    options = {"**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
    wanted = {m[2] for m in extract_from_dir(str(TEMPLATES), method_map, options_map=options)}
    assert len(wanted) > 50
    for lang in ("es", "fr"):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        have = {m.id: m.string for m in catalog if m.id}
        missing = [w for w in wanted if w not in have]
        empty = [w for w, s in have.items() if not (all(s) if isinstance(s, tuple) else s)]
        assert not missing and not empty, (lang, missing, empty)
        for msgid, text in have.items():  # a placeholder lost in translation would print "%(x)s" or fail
            ids_ = msgid if isinstance(msgid, tuple) else (msgid,)
            texts = text if isinstance(text, tuple) else (text,)
            wanted_names = set(re.findall(r"%\((\w+)\)", ids_[-1]))
            assert all(set(re.findall(r"%\((\w+)\)", t)) == wanted_names for t in texts), (lang, msgid)


def test_digest_says_an_estimate_was_confirmed_and_skips_trivia(world, settings):
    notify(world, settings)
    items = calendar()
    items[2] = dataclasses.replace(items[2], basis=Basis.ANNOUNCED, rule=None, confidence=1.0)  # same date
    items[3].description = "Reworded by the source"  # not news to a reader
    store_items(world, items)
    assert notify(world, settings, digests=False).alerts == 0  # the date did not change: no alert
    notify(world, on(settings, TODAY + timedelta(days=3)))
    (digest,) = [m for m in outbox(world, recipient="ben@example.org", reason="digest") if "W32" in m.dedupe_key]
    changed = digest.text_body[digest.text_body.index("WHAT CHANGED"):digest.text_body.index("\n-- \n")]
    assert "Announced date replaces the estimate: CMW 42nd session: written information" in changed
    assert "Guatemala" not in changed and changed.count("\n  * ") == 1


# -- operator alerts and the demo ------------------------------------------------------------

def test_operator_alerts_once_a_day_and_healed_once(storage, settings):
    from ventanas.notifier import enqueue_operator_alert, enqueue_operator_healed

    with storage.transaction() as session:
        assert enqueue_operator_alert(session, settings, source="gfmd_meetings", health="failed",
                                      detail="0 items (minimum 3)", run_id=4) is False  # nobody to tell
    settings = dataclasses.replace(settings, operator_email="ops@example.org")
    for day, expected in ((TODAY, True), (TODAY, False), (TODAY + timedelta(days=1), True)):
        with storage.transaction() as session:
            sent = enqueue_operator_alert(session, settings, source="gfmd_meetings", health="failed",
                                          detail="0 items (minimum 3)\r\nX-Evil: 1", run_id=4, day=day)
        assert sent is expected
    with storage.transaction() as session:
        assert enqueue_operator_healed(session, settings, source="gfmd_meetings", run_id=9,
                                       broken_since=TODAY) is True
        assert enqueue_operator_healed(session, settings, source="gfmd_meetings", run_id=9) is False
    alerts = outbox(storage, recipient="ops@example.org")
    assert [m.reason for m in alerts] == ["operator_alert", "operator_alert", "operator_healed"]
    assert alerts[0].subject == "Source gfmd_meetings is broken (failed)"
    assert "0 items (minimum 3) X-Evil: 1" in alerts[0].text_body and "repeated once a day" in alerts[0].text_body
    assert alerts[2].subject == "Source gfmd_meetings works again"
    assert "It had been failing since 1 August 2025." in alerts[2].text_body
    assert "List-Unsubscribe" not in alerts[0].headers


def test_demo_mail_is_written_once(world, settings):
    from ventanas.notifier.demo import DEMO_SUBSCRIBER, run_demo_mail

    first = run_demo_mail(world, dataclasses.replace(settings, smtp_url="smtp://127.0.0.1:9"))  # never used
    assert first.added and first.digest_file is not None and first.digest_file.exists()
    assert str(first.digest_file) in first.written
    spanish = first.digest_file.read_text()
    assert "Subject: Su resumen semanal de ventanas:" in spanish and f"To: {DEMO_SUBSCRIBER}" in spanish
    again = run_demo_mail(world, settings)
    assert (again.added, again.enqueued, again.written) == (False, 0, [])
    assert again.digest_file == first.digest_file


# -- local time and the personal calendar ------------------------------------------------------

def dialogue_with_guatemala() -> EventItem:
    geneva = ZoneInfo("Europe/Zurich")
    start = datetime(2025, 8, 6, 15, 0, tzinfo=geneva)
    return _item("ohchr/CERD/116/dialogue/GTM/1", "CERD", Kind.DIALOGUE, "CERD 116th session: dialogue with Guatemala",
                 start, start + timedelta(hours=3), timezone="Europe/Zurich", session="116",
                 states=[StateLink("GTM", Role.REVIEWED)])


@pytest.mark.parametrize(("lang", "said"), [
    ("es", "6 ago 2025, 15:00–18:00 Ginebra · 07:00–10:00 Ciudad de México"),
    ("en", "6 Aug 2025, 15:00–18:00 Geneva · 07:00–10:00 Mexico City"),
    ("fr", "6 août 2025, 15:00–18:00 Genève · 07:00–10:00 Mexico"),
])
def test_mail_says_geneva_time_and_the_readers_time(world, settings, lang, said):
    """The readers follow Mexico first: their mail gives Mexico City's hours beside Geneva's."""
    store_items(world, calendar() + [dialogue_with_guatemala()], when=utcnow() - timedelta(days=1))
    notify(world, settings)
    (digest,) = outbox(world, recipient=READER[lang], reason="digest")
    assert said in plain(digest.text_body) and said in plain(digest.html_body)


def test_a_readers_own_zone_wins_over_the_first_states(world, settings):
    store_items(world, calendar() + [dialogue_with_guatemala()], when=utcnow() - timedelta(days=1))
    with world.transaction() as session:
        prefs = subs.preferences(states=["MEX", "GTM"], language="en", timezone="America/New_York")
        subs.add_confirmed(session, "dana@example.org", prefs, now=utcnow() - timedelta(hours=1),
                           change_id=store.latest_change_id(session))
    notify(world, settings)
    (digest,) = outbox(world, recipient="dana@example.org", reason="digest")
    assert "15:00–18:00 Geneva · 09:00–12:00 New York" in plain(digest.text_body)
    with pytest.raises(subs.InvalidSubscription, match="IANA"):
        subs.preferences(states=["MEX"], timezone="Mexico City")


@pytest.mark.parametrize("lang", ["es", "en", "fr"])
def test_every_list_mail_links_the_personal_calendar(world, settings, lang):
    notify(world, settings)
    with world.session() as session:
        token = store.find(session, READER[lang]).feed_token
    assert token and len(token) == 32
    mails = outbox(world, recipient=READER[lang])
    assert {m.reason for m in mails} >= {"digest", "reminder"}
    for mail in mails:
        assert f"webcal://127.0.0.1:8000/personal/{token}.ics" in mail.text_body
        assert f"http://127.0.0.1:8000/personal/{token}.ics" in mail.html_body
