"""What readers read instead of identifiers: titles, status marks, estimates and what to do, per language."""

from __future__ import annotations

import pytest

from ventanas.calendar import i18n
from ventanas.calendar.wording import (
    estimate_how,
    estimate_note,
    marked_title,
    reader_title,
    title_language,
)
from ventanas.domain import DEADLINE_KINDS
from ventanas.normalize.rules import RULES

GRCM = "crm/grupo-regional-consulta/2026-mid-term"


@pytest.mark.parametrize(
    ("title", "key", "body", "expected"),
    [
        pytest.param("Reunión del Grupo Regional de Consulta sobre Migración 2026-mid-term", GRCM, "CRM",
                     "Reunión del Grupo Regional de Consulta sobre Migración (medio término, 2026)", id="es-mid-term"),
        pytest.param("CRM Regional Consultation Group meeting 2026-mid-term", GRCM, "CRM",
                     "CRM Regional Consultation Group meeting (mid-term, 2026)", id="en-mid-term"),
        pytest.param("Réunion du Groupe régional de consultation de la CRM 2026-mid-term", GRCM, "CRM",
                     "Réunion du Groupe régional de consultation de la CRM (mi-parcours, 2026)", id="fr-mid-term"),
        # a subject the title already says in words ("Niñez y Adolescencia Migrante") is left alone
        pytest.param("Grupo de Trabajo de la CRM: Niñez y Adolescencia Migrante",
                     "crm/working-group/2025-ninez-adolescencia-migrante", "CRM",
                     "Grupo de Trabajo de la CRM: Niñez y Adolescencia Migrante", id="topic"),
        pytest.param("Plenaria conjunta CRM–CSM 2025", "crm/plenaria-conjunta/2025", "CRM",
                     "Plenaria conjunta CRM–CSM 2025", id="year"),
        pytest.param("CMW 42nd session: review of Mexico", "ohchr/CMW/42/review/MEX", "CMW",
                     "CMW 42nd session: review of Mexico", id="ohchr"),
    ],
)
def test_reader_title(title, key, body, expected):
    assert reader_title(title, key, body) == expected


@pytest.mark.parametrize(
    ("title", "key", "body", "lang"),
    [
        ("Grupo de Trabajo de la CRM: Niñez y Adolescencia Migrante",
         "crm/working-group/2025-ninez-adolescencia-migrante", "CRM", "es"),
        ("CRM working group: Unaccompanied children", "crm/working-group/2025-unaccompanied-children", "CRM", "en"),
        ("XXIII Conferencia Suramericana sobre Migraciones", "csm/conference/23", "CSM", "es"),
        ("XV Cumbre del FMMD", "gfmd/summit/15", "GFMD", "en"),  # "{n}.ª Cumbre" is the form: not this title
        ("15e Sommet du FMMD", "gfmd/summit/15", "GFMD", "fr"),
        ("GFMD First Steering Group meeting", "gfmd/steering-group/2025-1", "GFMD", "en"),
        ("Plenaria conjunta CRM–CSM 2025", "crm/plenaria-conjunta/2025", "CRM", "es"),
        ("CMW 41st session: accreditation deadline", "ohchr/CMW/41/deadline/accreditation", "CMW", "en"),
    ],
)
def test_title_language(title, key, body, lang):
    assert title_language(title, key, body) == lang


@pytest.mark.parametrize(
    ("mark", "title", "key", "body", "expected"),
    [
        ("postponed", "Grupo de Trabajo de la CRM: Niñez y Adolescencia Migrante",
         "crm/working-group/2025-ninez-adolescencia-migrante", "CRM",
         "[Aplazado] Grupo de Trabajo de la CRM: Niñez y Adolescencia Migrante"),
        ("cancelled", "XXIII Conferencia Suramericana sobre Migraciones", "csm/conference/23", "CSM",
         "[Cancelado] XXIII Conferencia Suramericana sobre Migraciones"),
        ("vanished", "Réunion technique de la CSM 2025", "csm/technical-meeting/2025", "CSM",
         "[Plus publié] Réunion technique de la CSM 2025"),
        ("postponed", "CMW 41st session", "ohchr/CMW/41", "CMW", "[Postponed] CMW 41st session"),
        ("estimated", "CMW 42nd session: observer registration deadline", "ohchr/CMW/42/deadline/registration", "CMW",
         "CMW 42nd session: observer registration deadline (estimated)"),
        (None, "15th GFMD Summit", "gfmd/summit/15", "GFMD", "15th GFMD Summit"),
    ],
)
def test_marked_title(mark, title, key, body, expected):
    assert marked_title(title, key, body, mark) == expected


@pytest.mark.parametrize(
    ("rule", "lang", "expected"),
    [
        ("cescr-pswg-submission-8w", "es",
         "8 semanas antes del grupo de trabajo previo al período de sesiones, según la práctica del Comité"),
        ("cmw-written-information-3w", "es", "3 semanas antes del período de sesiones, según la práctica del Comité"),
        ("cmw-accreditation-1w", "en", "1 week before the session, according to the Committee's practice"),
        ("cat-submission-4w", "fr", "4\u00a0semaines avant la session, selon la pratique du Comité"),  # Babel: no-break space
        ("crc-additional-information-15th", "en",
         "on the 15th of the month before the session, according to the Committee's practice"),
        ("crc-additional-information-15th", "es",
         "el día 15 del mes anterior al período de sesiones, según la práctica del Comité"),
        ("a-rule-renamed-since", "fr", "selon la pratique habituelle du Comité"),
        (None, "en", "according to the Committee's usual practice"),
    ],
)
def test_estimate_how(rule, lang, expected):
    assert estimate_how(rule, lang) == expected


@pytest.mark.parametrize("rule", [rule.name for rule in RULES])
@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_estimate_is_said_in_words(rule, lang):
    """No rule reaches a reader by its id, nor the design document its source cites."""
    for text in (estimate_how(rule, lang), estimate_note(rule)):
        assert rule not in text and "DESIGN" not in text and "§" not in text


# Every kind, and the words its "What to do" must contain: a deadline, a session, a dialogue,
# a meeting of a process, news.
ACTION_WORDS = {
    ("cso_submission", "CMW"): "send written information", ("registration", "GFMD"): "Register by this date",
    ("session", "CMW"): "Committee session", ("review", "CMW"): "reviews the State",
    ("dialogue", "CMW"): "Public dialogue", ("summit", "GFMD"): "non-binding migration process",
    ("vice_ministerial", "CRM"): "non-binding migration process", ("other", "CRM"): "non-binding migration process",
    ("news", "CRM"): "no meeting or deadline", ("news", "GFMD"): "no meeting or deadline",
    ("news", "CMW"): "no meeting or deadline",
}


@pytest.mark.parametrize(("kind", "body"), list(ACTION_WORDS))
def test_what_to_do_fits_the_kind(kind, body):
    assert ACTION_WORDS[(kind, body)] in i18n.action_for(kind, body, "en")


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_news_is_never_advice_for_a_meeting(lang):
    news = i18n.action_for("news", "CRM", lang)
    assert news and news != i18n.action_for("summit", "GFMD", lang)


def test_every_deadline_of_a_treaty_body_has_advice():
    assert all(i18n.action_for(str(kind), "CMW", "es") for kind in DEADLINE_KINDS)
