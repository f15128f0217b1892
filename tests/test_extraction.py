"""Announcements and information-note sentences → events (DESIGN §6).

Tables (STYLE 11): each row is a text, what the caller knows (body, session,
publication date), and the events expected as (key, start, end) with ISO
values. End-to-end: the reconstructed information notes (.docx, en/es/fr) and
media advisory (.html) in tests/files/extraction/, and the `extract` command.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from run import main
from ventanas.domain import KEY_RE, Basis, Kind
from ventanas.fetch import document_name
from ventanas.normalize.extraction import extract, extract_events, extract_file
from ventanas.normalize.meetings import meeting_topic

FILES = Path(__file__).resolve().parent / "files" / "extraction"
P = date(2025, 8, 1)


def keyed(events) -> list[tuple[str, str, str]]:
    return [(e.key, e.start.isoformat(), e.end.isoformat() if e.end else None) for e in events]


# -- information-note sentences: deadlines -----------------------------------------

DEADLINES = [
    ("en-three-weeks-ie", "Written information from NGOs should be submitted at least three weeks before the "
     "beginning of the session, i.e. before 5 August 2016.", "CMW", "25", None,
     [("ohchr/CMW/25/deadline/cso-submission", "2016-08-05", "2016-08-05")]),
    ("en-no-later-than-accreditation", "Requests for accreditation must be received no later than 22 August 2016.",
     "CMW", "25", None, [("ohchr/CMW/25/deadline/accreditation", "2016-08-22", "2016-08-22")]),
    ("en-ngo-briefing-timed", "The private meeting with NGOs is scheduled for Monday, 29 August 2016, "
     "from 11:00 to 12:00.", "CMW", "25", None,
     [("ohchr/CMW/25/deadline/ngo-briefing", "2016-08-29T11:00:00+02:00", "2016-08-29T12:00:00+02:00")]),
    ("en-nhri-only", "NHRIs may submit written contributions by 1 March 2024.", "CESCR", "75", None,
     [("ohchr/CESCR/75/deadline/nhri-submission", "2024-03-01", "2024-03-01")]),
    ("en-ngos-and-nhris", "NGOs and NHRIs are invited to send written submissions by 1 March 2024.", "CESCR",
     "75", None, [("ohchr/CESCR/75/deadline/cso-submission", "2024-03-01", "2024-03-01"),
                  ("ohchr/CESCR/75/deadline/nhri-submission", "2024-03-01", "2024-03-01")]),
    ("en-alternative-report-deadline", "The deadline for alternative reports is 15 September 2025.", "CAT",
     "83", None, [("ohchr/CAT/83/deadline/cso-submission", "2025-09-15", "2025-09-15")]),
    ("en-shadow-report-year-inferred", "Shadow reports are due by 20 January.", "CEDAW", "91",
     date(2024, 11, 5), [("ohchr/CEDAW/91/deadline/cso-submission", "2025-01-20", "2025-01-20")]),
    ("en-registration", "Participants must register through Indico by 10 October 2025.", "CRC", "100", None,
     [("ohchr/CRC/100/deadline/registration", "2025-10-10", "2025-10-10")]),
    ("en-replies-per-state", "The replies of Mexico to the list of issues are due by 15 January 2026.",
     "CMW", "42", None, [("ohchr/CMW/42/deadline/replies/MEX", "2026-01-15", "2026-01-15")]),
    ("en-briefing-per-state", "The private briefing with civil society on Mexico: 13 April 2026, 13:00-14:00 "
     "(Geneva time).", "CMW", "42", None,
     [("ohchr/CMW/42/deadline/ngo-briefing/MEX", "2026-04-13T13:00:00+02:00", "2026-04-13T14:00:00+02:00")]),
    ("en-informal-briefing-by-ngos-on-a-state", "The informal briefing of the Committee by NGOs and NHRIs on "
     "Colombia will take place on Monday, 13 October 2025, from 13:00 to 14:00 (Geneva time).", "CCPR", "145", None,
     [("ohchr/CCPR/145/deadline/ngo-briefing/COL", "2025-10-13T13:00:00+02:00", "2025-10-13T14:00:00+02:00")]),
    ("en-deadline-with-time", "Submissions must reach the secretariat by 5 August 2016 at 12:00 noon.",
     "CMW", "25", None, [("ohchr/CMW/25/deadline/cso-submission", "2016-08-05", "2016-08-05")]),
    ("en-session-words-in-number", "For its thirty-sixth session, the Committee invites written submissions "
     "before 6 March 2023.", "CMW", None, None,
     [("ohchr/CMW/36/deadline/cso-submission", "2023-03-06", "2023-03-06")]),
    ("es-a-mas-tardar", "Las ONG deberán enviar su información escrita a más tardar el 23 de marzo de 2026.",
     "CMW", "42", None, [("ohchr/CMW/42/deadline/cso-submission", "2026-03-23", "2026-03-23")]),
    ("es-informe-alternativo", "El plazo para presentar informes alternativos vence el 23 de marzo de 2026.",
     "CMW", "42", None, [("ohchr/CMW/42/deadline/cso-submission", "2026-03-23", "2026-03-23")]),
    ("es-acreditacion", "Las solicitudes de acreditación deberán recibirse antes del 6 de abril de 2026.",
     "CMW", "42", None, [("ohchr/CMW/42/deadline/accreditation", "2026-04-06", "2026-04-06")]),
    ("es-reunion-privada", "La reunión privada con las ONG tendrá lugar el lunes 13 de abril de 2026, de 13:00 "
     "a 14:00 horas (hora de Ginebra).", "CMW", "42", None,
     [("ohchr/CMW/42/deadline/ngo-briefing", "2026-04-13T13:00:00+02:00", "2026-04-13T14:00:00+02:00")]),
    ("es-indh", "Las instituciones nacionales de derechos humanos podrán presentar información escrita hasta el "
     "2 de marzo de 2026.", "CMW", "42", None,
     [("ohchr/CMW/42/deadline/nhri-submission", "2026-03-02", "2026-03-02")]),
    ("es-respuestas", "Las respuestas de México a la lista de cuestiones deberán presentarse a más tardar el "
     "15 de enero de 2026.", "CMW", "42", None, [("ohchr/CMW/42/deadline/replies/MEX", "2026-01-15", "2026-01-15")]),
    ("es-inscripcion", "La fecha límite de inscripción es el 30 de marzo de 2026.", "CMW", "42", None,
     [("ohchr/CMW/42/deadline/registration", "2026-03-30", "2026-03-30")]),
    ("fr-au-plus-tard", "Les ONG peuvent soumettre des informations écrites au plus tard le 6 mars 2023.",
     "CMW", "36", None, [("ohchr/CMW/36/deadline/cso-submission", "2023-03-06", "2023-03-06")]),
    ("fr-accreditation", "Les demandes d'accréditation doivent parvenir avant le 20 mars 2023.", "CMW", "36",
     None, [("ohchr/CMW/36/deadline/accreditation", "2023-03-20", "2023-03-20")]),
    ("fr-reunion-privee", "La réunion privée avec les ONG aura lieu le lundi 27 mars 2023, de 13 h à 14 h "
     "(heure de Genève).", "CMW", "36", None,
     [("ohchr/CMW/36/deadline/ngo-briefing", "2023-03-27T13:00:00+02:00", "2023-03-27T14:00:00+02:00")]),
    ("fr-rapport-alternatif", "Les rapports alternatifs doivent être envoyés d'ici le 1er septembre 2025.",
     "CAT", "83", None, [("ohchr/CAT/83/deadline/cso-submission", "2025-09-01", "2025-09-01")]),
    ("fr-inscription", "Les participants doivent s'inscrire avant le 15 octobre 2025.", "CRC", "100", None,
     [("ohchr/CRC/100/deadline/registration", "2025-10-15", "2025-10-15")]),
    # -- no event: a key is never invented
    ("no-session-no-deadline", "Written submissions must be sent before 5 August 2016.", "CMW", None, None, []),
    ("no-body-no-deadline", "Written submissions must be sent before 5 August 2016.", None, "25", None, []),
    ("no-date-no-deadline", "Written submissions should be sent as early as possible.", "CMW", "25", None, []),
    ("no-year-no-published", "Written submissions must be sent before 5 August.", "CMW", "25", None, []),
    ("impossible-date", "Written submissions must be sent before 30 February 2016.", "CMW", "25", None, []),
]


@pytest.mark.parametrize(("text", "body", "session", "published", "expected"), [r[1:] for r in DEADLINES],
                         ids=[r[0] for r in DEADLINES])
def test_deadline_sentences(text, body, session, published, expected):
    events = extract_events(text, body=body, session=session, published=published)
    assert keyed(events) == expected
    for event in events:
        assert event.evidence == text and event.basis == Basis.ANNOUNCED


def test_relative_deadline_is_computed_from_the_session_with_lower_confidence():
    text = ("The 25th session will be held from 29 August to 7 September 2016. Written information should be "
            "submitted at least three weeks before the beginning of the session.")
    (deadline,) = [e for e in extract_events(text, body="CMW") if e.kind == Kind.CSO_SUBMISSION]
    assert deadline.start == date(2016, 8, 8) and deadline.confidence < 1
    assert deadline.details["computed"]


def test_inferred_year_lowers_the_confidence():
    (event,) = extract_events("Shadow reports are due by 20 January.", body="CEDAW", session="91",
                              published=date(2024, 11, 5))
    assert 0 < event.confidence < 1


# -- announcements: sessions, reviews, dialogues -----------------------------------

ANNOUNCEMENTS = [
    ("en-session", "The Committee on Migrant Workers will hold its 36th session from 27 March to 6 April 2023 "
     "in Geneva.", None, [("ohchr/CMW/36", "2023-03-27", "2023-04-06")]),
    ("en-session-words", "The Committee against Torture will hold its eighty-third session from 10 to 28 "
     "November 2025.", None, [("ohchr/CAT/83", "2025-11-10", "2025-11-28")]),
    ("en-session-heading", "CEDAW 91st session (16 Jun 2025 - 04 Jul 2025)", None,
     [("ohchr/CEDAW/91", "2025-06-16", "2025-07-04")]),
    ("es-periodo", "El Comité de los Derechos del Niño celebrará su 100.º período de sesiones del 8 al 26 de "
     "septiembre de 2025.", None, [("ohchr/CRC/100", "2025-09-08", "2025-09-26")]),
    ("es-periodo-words", "El Comité contra la Tortura celebrará su octogésimo tercer período de sesiones del 10 "
     "al 28 de noviembre de 2025.", None, [("ohchr/CAT/83", "2025-11-10", "2025-11-28")]),
    ("fr-session", "Le Comité des droits de l'enfant tiendra sa 100e session du 8 au 26 septembre 2025.", None,
     [("ohchr/CRC/100", "2025-09-08", "2025-09-26")]),
    ("fr-session-words", "Le Comité des travailleurs migrants tiendra sa trente-sixième session du 27 mars au "
     "6 avril 2023.", None, [("ohchr/CMW/36", "2023-03-27", "2023-04-06")]),
    ("en-pre-sessional", "The pre-sessional working group for the 78th session of the Committee on Economic, "
     "Social and Cultural Rights will meet from 9 to 13 March 2026.", None,
     [("ohchr/CESCR/78/pswg", "2026-03-09", "2026-03-13")]),
    ("en-upr", "The Universal Periodic Review Working Group will hold its 50th session from 3 to 14 November "
     "2025.", None, [("ohchr/UPR/50", "2025-11-03", "2025-11-14")]),
    ("en-review-with-session-dates", "The Committee on Migrant Workers will hold its 36th session from 27 March "
     "to 6 April 2023, during which it will review the reports of Morocco, Nigeria, the Philippines and El "
     "Salvador.", None,
     [("ohchr/CMW/36", "2023-03-27", "2023-04-06"), ("ohchr/CMW/36/review/MAR", "2023-03-27", "2023-04-06"),
      ("ohchr/CMW/36/review/NGA", "2023-03-27", "2023-04-06"), ("ohchr/CMW/36/review/PHL", "2023-03-27",
                                                                 "2023-04-06"),
      ("ohchr/CMW/36/review/SLV", "2023-03-27", "2023-04-06")]),
    ("en-dialogue-two-slots", "CMW 36th session. The dialogue with El Salvador will take place on 4 April 2023 "
     "from 15:00 to 18:00 and on 5 April 2023 from 10:00 to 13:00.", None,
     [("ohchr/CMW/36/dialogue/SLV/1", "2023-04-04T15:00:00+02:00", "2023-04-04T18:00:00+02:00"),
      ("ohchr/CMW/36/review/SLV", "2023-04-04", "2023-04-05"),
      ("ohchr/CMW/36/dialogue/SLV/2", "2023-04-05T10:00:00+02:00", "2023-04-05T13:00:00+02:00")]),
    ("es-dialogo", "CMW, 42.º período de sesiones. El diálogo con México será el 14 de abril de 2026 de 15:00 a "
     "18:00 horas (hora de Ginebra).", None,
     [("ohchr/CMW/42/dialogue/MEX/1", "2026-04-14T15:00:00+02:00", "2026-04-14T18:00:00+02:00"),
      ("ohchr/CMW/42/review/MEX", "2026-04-14", "2026-04-14")]),
    ("en-schedule-under-heading", "CMW 36th session\nTuesday, 28 March 2023\n15:00 - 18:00 Morocco\n"
     "Wednesday, 29 March 2023\n10:00 - 13:00 Morocco (continued)", None,
     [("ohchr/CMW/36/dialogue/MAR/1", "2023-03-28T15:00:00+02:00", "2023-03-28T18:00:00+02:00"),
      ("ohchr/CMW/36/review/MAR", "2023-03-28", "2023-03-29"),
      ("ohchr/CMW/36/dialogue/MAR/2", "2023-03-29T10:00:00+02:00", "2023-03-29T13:00:00+02:00")]),
    ("en-cancelled-session-keeps-key", "The 37th session of the Committee on Migrant Workers, scheduled from "
     "2 to 13 September 2024, has been cancelled.", None, [("ohchr/CMW/37", "2024-09-02", "2024-09-13")]),
    # -- GFMD, CRM, CSM
    ("gfmd-summit", "The 15th GFMD Summit will take place in Riohacha, Colombia, from 2 to 4 September 2025.",
     None, [("gfmd/summit/15", "2025-09-02", "2025-09-04")]),
    ("gfmd-summit-words", "The Fifteenth Summit of the Global Forum on Migration and Development will be held "
     "from 2 to 4 September 2025.", None, [("gfmd/summit/15", "2025-09-02", "2025-09-04")]),
    ("gfmd-cumbre", "La XV Cumbre del Foro Mundial sobre Migración y Desarrollo se celebrará del 2 al 4 de "
     "septiembre de 2025 en Riohacha.", None, [("gfmd/summit/15", "2025-09-02", "2025-09-04")]),
    ("gfmd-sommet", "Le 15e Sommet du FMMD aura lieu du 2 au 4 septembre 2025.", None,
     [("gfmd/summit/15", "2025-09-02", "2025-09-04")]),
    ("gfmd-csd", "The Civil Society Days of the 15th GFMD Summit will take place on 1 September 2025.", None,
     [("gfmd/civil-society-days/15", "2025-09-01", "2025-09-01")]),
    ("gfmd-steering-group", "The third Steering Group meeting of the 2025 GFMD Chairmanship will be held on "
     "18 August 2025.", None, [("gfmd/steering-group/2025-3", "2025-08-18", "2025-08-18")]),
    ("crm-vice-ministerial", "La XXVI Reunión Viceministerial de la Conferencia Regional sobre Migración se "
     "celebró los días 2 y 3 de diciembre de 2021 en México.", None,
     [("crm/viceministerial/26", "2021-12-02", "2021-12-03")]),
    ("crm-vice-ministerial-en", "The 26th Vice-Ministerial Meeting of the Regional Conference on Migration was "
     "held on 2-3 December 2021 in Mexico City.", None, [("crm/viceministerial/26", "2021-12-02", "2021-12-03")]),
    ("crm-date-first", "Los días 4 y 5 de diciembre de 2025 se llevará a cabo la XXX Reunión Viceministerial de "
     "la CRM.", None, [("crm/viceministerial/30", "2025-12-04", "2025-12-05")]),
    ("crm-grcm-numbered", "La II Reunión del Grupo Regional de Consulta sobre Migración de la CRM se realizará "
     "del 24 al 26 de febrero de 2026.", None, [("crm/grupo-regional-consulta/2", "2026-02-24", "2026-02-26")]),
    ("csm-conference", "La XXIII Conferencia Suramericana sobre Migraciones (CSM) se realizará los días 18 y 19 "
     "de noviembre de 2025 en Brasília.", None, [("csm/conference/23", "2025-11-18", "2025-11-19")]),
    ("csm-conference-en", "The 23rd South American Conference on Migration will be held in Brasília on 18-19 "
     "November 2025.", None, [("csm/conference/23", "2025-11-18", "2025-11-19")]),
    ("csm-technical-numbered", "La III Reunión Técnica de Consulta de la CSM será el 16 de septiembre de 2025.",
     None, [("csm/technical-meeting/3", "2025-09-16", "2025-09-16")]),
    ("csm-reference-is-not-the-meeting", "La Reunión Técnica preparatoria de la XXIII CSM será el 16 de "
     "septiembre de 2025.", None, [("csm/technical-meeting/2025", "2025-09-16", "2025-09-16")]),
    ("gfmd-workshop-by-subject", "The GFMD thematic workshop on climate change and human mobility, planned for "
     "24 July 2025, has been postponed.", None,
     [("gfmd/thematic-workshop/2025-climate-change-human-mobility", "2025-07-24", "2025-07-24")]),
    ("gfmd-taller-by-subject", "El taller temático del FMMD sobre vías regulares y movilidad laboral se celebrará "
     "el 8 de julio de 2025.", None,
     [("gfmd/thematic-workshop/2025-vias-regulares-movilidad-laboral", "2025-07-08", "2025-07-08")]),
    ("crm-working-group", "La reunión del Grupo de Trabajo ad hoc sobre Niñez y Adolescencia Migrante de la CRM "
     "será los días 9 y 10 de septiembre de 2025 en San Salvador.", None,
     [("crm/working-group/2025-ninez-adolescencia-migrante", "2025-09-09", "2025-09-10")]),
    ("crm-working-group-en", "The CRM Working Group on Migrant Children and Adolescents will meet on "
     "9-10 September 2025.", None,
     [("crm/working-group/2025-migrant-children-adolescents", "2025-09-09", "2025-09-10")]),
    ("gfmd-registration-closes", "Registration for the 15th GFMD Summit closes on 15 August 2025.", None,
     [("gfmd/registration/15", "2025-08-15", None)]),
    ("gfmd-inscripciones-cierran", "Las inscripciones para la XV Cumbre del FMMD cierran el 15 de agosto de 2025.",
     None, [("gfmd/registration/15", "2025-08-15", None)]),
    ("gfmd-inscriptions-cloturees", "Les inscriptions au 15e Sommet du FMMD seront clôturées le 15 août 2025.",
     None, [("gfmd/registration/15", "2025-08-15", None)]),
    # -- no event
    ("workshop-without-subject", "A GFMD thematic workshop will be held on 8 July 2025.", None, []),
    ("registration-without-summit-number", "Registration for the GFMD Summit closes on 15 August 2025.", None, []),
    ("no-number-no-summit", "The GFMD Summit will take place from 2 to 4 September 2025.", None, []),
    ("no-date-past-mention", "Como se acordó en la XXV Reunión Viceministerial en 2020, la reunión dará "
     "seguimiento al Plan Estratégico.", None, []),
    ("no-body", "The 36th session will be held from 27 March to 6 April 2023.", None, []),
    ("no-date-at-all", "The Committee welcomed the delegation of Mexico.", None, []),
]


@pytest.mark.parametrize(("text", "published", "expected"), [r[1:] for r in ANNOUNCEMENTS],
                         ids=[r[0] for r in ANNOUNCEMENTS])
def test_announcements(text, published, expected):
    assert keyed(extract_events(text, published=published)) == expected


def test_cancelled_and_postponed_are_statuses():
    cancelled = extract_events("The 37th session of the Committee on Migrant Workers, scheduled from 2 to 13 "
                               "September 2024, has been cancelled.")
    postponed = extract_events("La III Reunión Técnica de Consulta de la CSM, prevista para el 16 de septiembre "
                               "de 2025, ha sido pospuesta.")
    assert [str(e.status) for e in cancelled] == ["cancelled"]
    assert [str(e.status) for e in postponed] == ["postponed"]


def test_process_meeting_place_and_host():
    (summit,) = extract_events("The 15th GFMD Summit will take place in Riohacha, Colombia, from 2 to 4 "
                               "September 2025.")
    assert summit.location == "Riohacha, Colombia"
    assert [(s.code, str(s.role)) for s in summit.states if str(s.role) == "host"] == [("COL", "host")]
    (crm,) = extract_events("La XXX Reunión Viceministerial de la CRM se llevará a cabo los días 4 y 5 de "
                            "diciembre de 2025 en la Ciudad de Panamá.")
    roles = {s.code: str(s.role) for s in crm.states}
    assert roles["PAN"] == "host" and roles["MEX"] == "member" and len(roles) == 11


def test_timed_process_meeting_in_cet():
    (meeting,) = extract_events("Second Steering Group meeting | 3 June 2025 | 14:00–16:00 CEST | Geneva",
                                body="GFMD", published=P)
    assert meeting.start.isoformat() == "2025-06-03T14:00:00+02:00" and meeting.timezone == "Europe/Zurich"


def test_hints_from_the_caller_fill_what_the_text_does_not_say():
    text = "Written submissions must be sent before 5 August 2016."
    assert keyed(extract_events(text, body="Committee on Migrant Workers", session="25")) == [
        ("ohchr/CMW/25/deadline/cso-submission", "2016-08-05", "2016-08-05")]


def test_language_is_detected():
    assert extract("El Comité celebrará su período de sesiones en Ginebra.").language == "es"
    assert extract("Le Comité tiendra sa session à Genève avec les ONG.").language == "fr"
    assert extract("The Committee will hold its session in Geneva.").language == "en"


def test_titles_follow_the_language():
    (es,) = extract_events("Las ONG deberán enviar su información escrita a más tardar el 23 de marzo de 2026.",
                           body="CMW", session="42")
    assert es.title == "CMW, 42.º período de sesiones: plazo para la información escrita de la sociedad civil"


def test_list_of_issues_adoption_is_not_a_review():
    # A State for which the Committee only adopts a list of issues is not reviewed at that session.
    events = extract_events("The Committee on Migrant Workers will hold its 42nd session from 13 to 24 April 2026. "
                            "It will consider the report of Mexico and will adopt a list of issues prior to "
                            "reporting for the Plurinational State of Bolivia.")
    assert [e.key for e in events if e.kind == Kind.REVIEW] == ["ohchr/CMW/42/review/MEX"]


def test_unresolved_state_names_are_reported_not_guessed():
    result = extract("The Committee on Migrant Workers will hold its 36th session from 27 March to 6 April "
                     "2023 and review the reports of Morocco, Ruritania and El Salvador.")
    assert [u.text for u in result.unresolved] == ["Ruritania"]
    reviewed = sorted(e.states[0].code for e in result.events if e.kind == Kind.REVIEW)
    assert reviewed == ["MAR", "SLV"]


# -- end to end: the reconstructed documents ----------------------------------------


@pytest.fixture(scope="module")
def note_en():
    return extract_file(str(FILES / "INT_CMW_INF_25_reconstruction_E.docx"))[0]


def by_key(events):
    return {e["key"]: e for e in events}


def test_english_note_deadlines(note_en):
    events = by_key(note_en)
    assert events["ohchr/CMW/25/deadline/cso-submission"]["start"] == "2016-08-05"
    assert events["ohchr/CMW/25/deadline/nhri-submission"]["start"] == "2016-08-05"
    assert events["ohchr/CMW/25/deadline/accreditation"]["start"] == "2016-08-22"
    briefing = events["ohchr/CMW/25/deadline/ngo-briefing"]
    assert (briefing["start"], briefing["end"], briefing["timezone"], briefing["all_day"]) == (
        "2016-08-29T11:00:00+02:00", "2016-08-29T12:00:00+02:00", "Europe/Zurich", False)
    assert "i.e. before 5 August 2016" in events["ohchr/CMW/25/deadline/cso-submission"]["evidence"]
    assert events["ohchr/CMW/25/deadline/cso-submission"]["action"] == "Send to cmw@ohchr.org"


def test_english_note_session_reviews_and_table_slots(note_en):
    events = by_key(note_en)
    session = events["ohchr/CMW/25"]
    assert (session["start"], session["end"], session["all_day"]) == ("2016-08-29", "2016-09-07", True)
    assert session["location"] == "Palais Wilson, Geneva"
    assert {k for k in events if "/review/" in k} == {"ohchr/CMW/25/review/GTM", "ohchr/CMW/25/review/HND",
                                                      "ohchr/CMW/25/review/LKA"}
    assert events["ohchr/CMW/25/dialogue/HND/2"]["start"] == "2016-09-02T10:00:00+02:00"
    assert events["ohchr/CMW/25/review/HND"]["start"] == "2016-09-01"
    # Sri Lanka has no slot in the note: its review spans the session, with a lower confidence
    assert events["ohchr/CMW/25/review/LKA"]["end"] == "2016-09-07"
    assert events["ohchr/CMW/25/review/LKA"]["confidence"] < 1
    assert events["ohchr/CMW/25/deadline/cso-submission"]["states"] == ["GTM", "HND", "LKA"]


def test_spanish_note_tells_the_demo_story():
    events = by_key(extract_file(str(FILES / "INT_CMW_INF_42_reconstruction_S.docx"))[0])
    assert (events["ohchr/CMW/42"]["start"], events["ohchr/CMW/42"]["end"]) == ("2026-04-13", "2026-04-24")
    cso = events["ohchr/CMW/42/deadline/cso-submission"]
    assert cso["start"] == "2026-03-23" and "MEX" in cso["states"]
    assert cso["title"].startswith("CMW, 42.º período de sesiones")
    assert events["ohchr/CMW/42/dialogue/MEX/2"]["start"] == "2026-04-15T10:00:00+02:00"
    assert events["ohchr/CMW/42/review/MEX"]["roles"] == {"MEX": "reviewed"}
    assert events["ohchr/CMW/42/deadline/ngo-briefing"]["start"] == "2026-04-13T13:00:00+02:00"
    assert set(events["ohchr/CMW/42/deadline/accreditation"]["states"]) == {"MEX", "BOL", "PHL"}


def test_french_note():
    events = by_key(extract_file(str(FILES / "INT_CMW_INF_36_reconstruction_F.docx"))[0])
    assert (events["ohchr/CMW/36"]["start"], events["ohchr/CMW/36"]["end"]) == ("2023-03-27", "2023-04-06")
    assert events["ohchr/CMW/36/deadline/cso-submission"]["start"] == "2023-03-06"
    assert events["ohchr/CMW/36/deadline/accreditation"]["start"] == "2023-03-20"
    assert events["ohchr/CMW/36/deadline/ngo-briefing"]["end"] == "2023-03-27T14:00:00+02:00"
    assert events["ohchr/CMW/36/dialogue/SLV/2"]["start"] == "2023-04-05T10:00:00+02:00"
    assert {k for k in events if "/review/" in k} == {f"ohchr/CMW/36/review/{c}" for c in ("MAR", "NGA", "PHL",
                                                                                           "SLV")}


def test_media_advisory_slots_with_year_from_publication():
    events = by_key(extract_file(str(FILES / "media_advisory_cmw36.html"), published=date(2023, 3, 24))[0])
    dialogues = sorted(k for k in events if "/dialogue/" in k)
    assert dialogues == [f"ohchr/CMW/36/dialogue/{c}/{n}" for c in ("MAR", "NGA", "PHL", "SLV") for n in (1, 2)]
    assert events["ohchr/CMW/36/dialogue/PHL/1"]["start"] == "2023-04-03T15:00:00+02:00"
    assert events["ohchr/CMW/36/review/SLV"]["start"] == "2023-04-04"
    assert events["ohchr/CMW/36"]["end"] == "2023-04-06"
    assert all(e["confidence"] < 1 for e in events.values())  # every year was inferred


def test_every_event_keeps_the_contract():
    for path, published in ((FILES / "INT_CMW_INF_25_reconstruction_E.docx", None),
                            (FILES / "INT_CMW_INF_42_reconstruction_S.docx", None),
                            (FILES / "INT_CMW_INF_36_reconstruction_F.docx", None),
                            (FILES / "media_advisory_cmw36.html", date(2023, 3, 24))):
        events, _notes = extract_file(str(path), published=published)
        assert events
        for event in events:
            assert KEY_RE.match(event["key"]) and not any(ch.isdigit() and len(part) == 10
                                                          for part in event["key"].split("/") for ch in part[:1])
            assert event["basis"] == "announced" and event["evidence"]
            assert 0 < event["confidence"] <= 1
            assert event["end"] is None or event["end"] >= event["start"]
            assert event["all_day"] == (event["timezone"] is None)


# -- the extract command --------------------------------------------------------------


REQUIRED = {"kind", "body", "session", "title", "start", "end", "all_day", "timezone", "states", "basis", "evidence"}


def test_extract_command_prints_json(capsys):
    assert main(["extract", str(FILES / "INT_CMW_INF_25_reconstruction_E.docx")]) == 0
    events = json.loads(capsys.readouterr().out)
    assert events and all(set(e) >= REQUIRED for e in events)


def test_extract_command_published_and_lang(tmp_path, capsys):
    path = tmp_path / "news.txt"
    path.write_text("La XXX Reunión Viceministerial de la CRM será los días 4 y 5 de diciembre.", encoding="utf-8")
    assert main(["extract", str(path), "--lang", "es", "--published", "2025-08-01"]) == 0
    (event,) = json.loads(capsys.readouterr().out)
    assert (event["start"], event["end"], event["kind"]) == ("2025-12-04", "2025-12-05", "vice_ministerial")


@pytest.mark.parametrize(("name", "data", "code", "message"), [
    ("empty.txt", b"", 0, "no text"),
    ("junk.txt", bytes(range(256)) * 64, 3, "looks binary"),
    ("scan.pdf", b"%PDF-1.4 junk", 3, "not a readable PDF"),
    ("sheet.xlsx", b"PK\x03\x04", 3, "unsupported file type"),
])
def test_extract_command_bad_input_is_one_line(tmp_path, capsys, name, data, code, message):
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["extract", str(path)]) == code
    captured = capsys.readouterr()
    assert message in captured.err and len(captured.err.strip().splitlines()) == 1
    if code == 0:
        assert json.loads(captured.out) == []


def test_extract_command_bad_date_is_usage_error(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["extract", str(path), "--published", "2016-13-01"])
    assert info.value.code == 2 and "not a date" in capsys.readouterr().err


def test_extract_command_bounds_a_huge_text(tmp_path, capsys):
    import time

    path = tmp_path / "huge.txt"
    sentence = "Written submissions for the 25th session of the CMW are due by 5 August 2016. "
    path.write_text(sentence * (3 * 1024 * 1024 // len(sentence)), encoding="utf-8")
    started = time.perf_counter()
    assert main(["extract", str(path)]) == 0
    assert time.perf_counter() - started < 60
    captured = capsys.readouterr()
    assert "text cut at" in captured.err
    assert [e["key"] for e in json.loads(captured.out)] == ["ohchr/CMW/25/deadline/cso-submission"]


@pytest.mark.parametrize(("after", "slug"), [
    (": Climate change and human mobility", "climate-change-human-mobility"),
    (" on climate change and human mobility, planned for 24 July 2025", "climate-change-human-mobility"),
    (" on Climate Change and Human Mobility postponed", "climate-change-human-mobility"),
    (" ad hoc sobre Niñez y Adolescencia Migrante, prevista para", "ninez-adolescencia-migrante"),
    (" sobre niñez y adolescencia migrante de la CRM se reunirá", "ninez-adolescencia-migrante"),
    (" sur les migrations de main-d’œuvre prévue le 3 mai", "migrations-main-d-oeuvre"),
    (" on a fair recruitment of migrant workers in Asia", "fair-recruitment-migrant-workers"),
    (" will meet on 3 May", None),
    (" de la CRM", None),
    ("", None),
], ids=["page-label", "news-on", "title-with-status", "ad-hoc-sobre", "lower-case-then-body", "french",
        "article-kept", "no-subject", "only-the-process", "nothing"])
def test_meeting_subject_is_the_same_however_it_is_introduced(after, slug):
    found = meeting_topic(after)
    assert (found[0] if found else None) == slug


# -- extract URL: fetched once from a loopback server ------------------------------------


class _DocumentSite(http.server.BaseHTTPRequestHandler):
    """Imitates how OHCHR serves a note: Download.aspx?symbolno=… with the name in Content-Disposition."""

    def do_GET(self) -> None:
        if self.path.startswith("/_layouts/15/treatybodyexternal/Download.aspx"):
            body = (FILES / "INT_CMW_INF_25_reconstruction_E.docx").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Disposition", 'attachment; filename="INT_CMW_INF_25_E.docx"')
        elif self.path == "/note":  # no name anywhere: the Content-Type says what it is
            body = b"The 25th session of the CMW: written submissions are due by 5 August 2016."
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        elif self.path == "/moved":
            body = b""
            self.send_response(302)
            self.send_header("Location", "/note")
        elif self.path == "/to-a-file":
            body = b""
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
        elif self.path == "/slow":
            time.sleep(3)
            body = b"late"
            self.send_response(200)
        else:
            body = b"not here"
            self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # in pieces, as a slow network delivers them: the reader must wait for all of it
        step = max(1, len(body) // 4)
        try:
            for start in range(0, len(body), step):
                self.wfile.write(body[start:start + step])
                self.wfile.flush()
                time.sleep(0.02)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client hung up: it timed out (/slow) or stopped at an error status (/gone)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def document_site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _DocumentSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_extract_url_reads_a_note_named_by_content_disposition(document_site, capsys):
    url = f"{document_site}/_layouts/15/treatybodyexternal/Download.aspx?symbolno=INT%2fCMW%2fINF%2f25&Lang=en"
    assert main(["extract", url]) == 0
    events = json.loads(capsys.readouterr().out)
    assert "ohchr/CMW/25/deadline/cso-submission" in {e["key"] for e in events}
    from_file = extract_file(str(FILES / "INT_CMW_INF_25_reconstruction_E.docx"))[0]
    assert [e["key"] for e in events] == [e["key"] for e in from_file]  # the same reading as the file


def test_extract_url_follows_redirects_and_knows_text_by_its_type(document_site, capsys):
    assert main(["extract", f"{document_site}/moved"]) == 0
    (event,) = json.loads(capsys.readouterr().out)
    assert (event["key"], event["start"]) == ("ohchr/CMW/25/deadline/cso-submission", "2016-08-05")


@pytest.mark.parametrize(("path", "message"), [
    ("/gone", "HTTP 404"),
    ("/to-a-file", "not http or https"),
    ("/slow", "no answer within 1 s"),
], ids=["404", "redirect-to-file", "timeout"])
def test_extract_url_failures_are_one_line(document_site, capsys, monkeypatch, path, message):
    monkeypatch.setenv("VENTANAS_DOWNLOAD_TIMEOUT", "1")
    assert main(["extract", f"{document_site}{path}"]) == 3
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("url", "disposition", "content_type", "name"), [
    ("https://x/Download.aspx?symbolno=A", 'attachment; filename="INT_CMW_INF_36_F.docx"', "", "INT_CMW_INF_36_F.docx"),
    ("https://x/Download.aspx?symbolno=A", "attachment; filename*=UTF-8''nota%20informativa.pdf", "", "nota informativa.pdf"),
    ("https://x/Download.aspx?symbolno=A", "", "application/pdf", "Download.pdf"),
    ("https://x/notes/note.docx", "", "application/octet-stream", "note.docx"),
    ("https://x/", "", "text/html; charset=utf-8", "document.html"),
], ids=["disposition", "disposition-rfc5987", "type", "path-suffix", "nothing-but-type"])
def test_document_name(url, disposition, content_type, name):
    assert document_name(url, disposition, content_type) == name
