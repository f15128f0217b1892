"""The extraction engine on the layouts and phrasings real announcements use (issue 14).

Every text here was written for this project. Each reproduces the *shape* of a kind
of real document — a media advisory that never gives the session number, a State on
a line of its own with its slots below, day headings with times before the State, a
whole advisory flattened into one paragraph, a table with ``|`` separators, per-State
days with one rule for the hours, a closing summary announcing the next session, an
NGO note, news about a migration-process meeting dated against its publication — in
English, Spanish and French. No hints are passed: the text alone must say what it is.
"""

from __future__ import annotations

from datetime import date

import pytest

from ventanas.normalize.extraction import extract_events, guess_published
from ventanas.normalize.text import repair_text


def extract(text: str, published: date | None = None, lang: str | None = None) -> list:
    return extract_events(text, published=published, lang=lang)


def of_kind(events: list, kind: str) -> list:
    return [e for e in events if str(e.kind) == kind]


def slots(events: list) -> dict[str, list[str]]:
    """State → dialogue starts in local time, as 'YYYY-MM-DDTHH:MM'."""
    out: dict[str, list[str]] = {}
    for e in of_kind(events, "dialogue"):
        out.setdefault(e.states[0].code, []).append(e.start.strftime("%Y-%m-%dT%H:%M"))
    return {k: sorted(v) for k, v in out.items()}


def reviewed(events: list) -> list[str]:
    return sorted(e.states[0].code for e in of_kind(events, "review"))


def the_session(events: list):
    sessions = of_kind(events, "session")
    assert len(sessions) == 1, [e.key for e in events]
    return sessions[0]


# -- the announced session: body, dates, number only when stated ----------------------------

SESSIONS = [
    # (id, text, published, body, start, end, session)
    ("en-upcoming-no-number",
     "GENEVA (12 May 2026) - The UN Committee against Torture will hold its upcoming session from 18 May "
     "to 5 June, during which it will review Chile and Kenya.",
     date(2026, 5, 12), "CAT", "2026-05-18", "2026-06-05", None),
    ("en-short-name",
     "The UN Child Rights Committee will meet in Geneva from January 11 to January 29 to review Peru and "
     "Norway.", date(2027, 1, 4), "CRC", "2027-01-11", "2027-01-29", None),
    ("en-ordinal-words",
     "The Human Rights Committee will open its one hundred and forty-seventh session on 2 March 2026; the "
     "session will run from 2 to 27 March 2026 and the Committee will review Mexico.",
     None, "CCPR", "2026-03-02", "2026-03-27", "147"),
    ("en-round-of-sessions",
     "Information note for civil society: Committee on Migrant Workers, 31st round of sessions "
     "(September 1st to September 10th, 2026).", None, "CMW", "2026-09-01", "2026-09-10", "31"),
    ("en-closing-summary-next-session",
     "The Committee on Enforced Disappearances today concluded its thirtieth session, after adopting "
     "concluding observations on Iraq and Spain. The thirty-first session of the Committee will be held "
     "from 14 to 25 September 2026, when it will consider the reports of Uruguay and Gabon.",
     date(2026, 4, 10), "CED", "2026-09-14", "2026-09-25", "31"),
    ("en-hashtag-number",
     "The UN Disability Rights Committee will meet from 3 to 21 August to review Fiji and Nepal. Follow "
     "the session with #CRPD35 on social media.", date(2026, 7, 28), "CRPD", "2026-08-03", "2026-08-21", "35"),
    ("en-title-block",
     "Committee on the Elimination of Racial Discrimination\nOne hundred and twentieth session\n"
     "9–27 November 2026\nItem 2 of the provisional agenda", None, "CERD", "2026-11-09", "2026-11-27", "120"),
    ("en-glued-month",
     "The Committee on Economic, Social and Cultural Rights is meeting in Geneva fromSeptember 21-October 9 "
     "to review Chad.", date(2026, 9, 14), "CESCR", "2026-09-21", "2026-10-09", None),
    ("en-from-today",
     "The UN Committee on the Elimination of Discrimination against Women will review Peru and Chad in its "
     "latest session from today to 26 June.", date(2026, 6, 8), "CEDAW", "2026-06-08", "2026-06-26", None),
    ("es-closing-next-number-in-apposition",
     "El Comité contra la Tortura clausuró hoy su 85º período de sesiones, durante el cual examinó los informes "
     "de Chile y Kenya. El próximo período de sesiones, el 86º, se celebrará del 12 al 30 de abril de 2027.",
     date(2026, 12, 4), "CAT", "2027-04-12", "2027-04-30", "86"),
    ("en-opened-this-morning",
     "The Committee on the Rights of the Child this morning opened its one hundred and second session, during "
     "which it will review the reports of Benin and Ireland. The session will run until 29 January.",
     date(2027, 1, 11), "CRC", "2027-01-11", "2027-01-29", "102"),
    ("es-proxima-sesion",
     "GINEBRA (2 de abril de 2026) – El Comité de los Derechos del Niño celebrará su próxima sesión del 6 "
     "al 24 de abril, durante la cual examinará la situación de Honduras.",
     date(2026, 4, 2), "CRC", "2026-04-06", "2026-04-24", None),
    ("es-ordinal",
     "Del 7 al 17 de septiembre de 2026, el Comité para la Protección de los Derechos de Todos los "
     "Trabajadores Migratorios llevará a cabo su cuadragésima segunda sesión en Ginebra.",
     None, "CMW", "2026-09-07", "2026-09-17", "42"),
    ("es-hasta-el-primero",
     "El Comité que vigila la Convención sobre los Derechos del Niño se reunirá en Ginebra del 11 de enero "
     "hasta el primero de febrero.", date(2027, 1, 5), "CRC", "2027-01-11", "2027-02-01", None),
    ("fr-prochaine-session",
     "Le Comité pour l'élimination de la discrimination raciale a clos les travaux de sa cent-dix-huitième "
     "session. Lors de sa cent-dix-neuvième session, qui se tiendra à Genève du 3 au 21 août 2026, le "
     "Comité doit examiner les rapports de la Bolivie et du Mali.",
     date(2026, 5, 2), "CERD", "2026-08-03", "2026-08-21", "119"),
    ("fr-written-apart",
     "LE COMITÉ DES DROITS DE L'ENFANT COMMENCE SES TRAVAUX LE 14 SEPTEMBRE\n"
     "Au cours de cette session de trois semaines, qui devrait s'achever le 2 octobre, le Comité "
     "examinera les rapports des pays suivants : Niger, Tchad et Pérou.",
     date(2026, 9, 10), "CRC", "2026-09-14", "2026-10-02", None),
]


@pytest.mark.parametrize(("text", "published", "body", "start", "end", "session"),
                         [c[1:] for c in SESSIONS], ids=[c[0] for c in SESSIONS])
def test_the_announced_session(text, published, body, start, end, session):
    events = extract(text, published)
    found = the_session(events)
    assert (found.body, found.start.isoformat(), found.end.isoformat()) == (body, start, end)
    assert found.session == session  # a number only when the text states one
    if session is None:
        assert found.key == f"ohchr/{body}/unnumbered"
        assert all(e.session is None for e in events)


# -- the States under review ----------------------------------------------------------------

STATES = [
    ("en-prose-list",
     "The UN Committee on Migrant Workers is meeting from 5 to 14 October to review the initial reports "
     "presented by Honduras, Nicaragua and Niger.", date(2026, 9, 30), ["HND", "NER", "NIC"]),
    ("en-official-long-names",
     "The Committee against Torture will hold its upcoming session from 2 to 27 November, during which it "
     "will review the Lao People's Democratic Republic, the Plurinational State of Bolivia and the Syrian "
     "Arab Republic.", date(2026, 10, 28), ["BOL", "LAO", "SYR"]),
    ("en-dateline-and-visit",
     "GENEVA, Switzerland, March 2, 2026 – The UN Committee on Enforced Disappearances will hold its "
     "upcoming session from 9 to 20 March, during which it will review Peru, Togo and adopt its visit "
     "report on Mexico.", None, ["PER", "TGO"]),
    ("en-other-session-and-expert",
     "The Committee against Torture will hold its next session from 6 to 24 July 2026 to review Chile, "
     "Ghana and Qatar. At its seventy-ninth session, in November, it would review Spain and Oman. The "
     "Committee re-elected as its Chair an expert from Denmark.", date(2026, 5, 30), ["CHL", "GHA", "QAT"]),
    ("en-list-of-issues-not-reviewed",
     "The Human Rights Committee will meet from 5 to 30 October 2026 to review Kenya and Peru, and will "
     "adopt lists of issues for Chad and Fiji.", None, ["KEN", "PER"]),
    ("en-bulleted-list",
     "The 80th session of the Committee on Economic, Social and Cultural Rights will take place from 21 "
     "September to 9 October 2026.\nDuring the session the Committee will examine the reports of the "
     "following States:\n  • Armenia\n  • Czech Republic\n  • Cook Islands\n  • the Former Yugoslav "
     "Republic of Macedonia", None, ["ARM", "COK", "CZE", "MKD"]),
    ("es-articles",
     "El Comité contra la Tortura examinará del 4 al 22 de mayo de 2026 los informes de la República "
     "Dominicana, el Ecuador y los Países Bajos. También se evaluará a El Salvador.", None,
     ["DOM", "ECU", "NLD", "SLV"]),
    ("es-presentaran-informes",
     "Guatemala y Chile figuran entre los países que presentarán informes al Comité de los Derechos del "
     "Niño, que se reunirá en Ginebra del 12 al 30 de enero de 2026.", None, ["CHL", "GTM"]),
    ("fr-articles",
     "Le Comité des droits de l'homme tiendra sa prochaine session du 6 au 31 juillet 2026. Au cours de "
     "cette session, il examinera les rapports du Congo, de la Fédération de Russie et des îles Cook.",
     None, ["COG", "COK", "RUS"]),
    ("fr-heures",
     "Le Comité des droits de l'homme se réunira du 1er au 26 mars 2027 pour examiner les rapports de la "
     "Belgique et du Chili.\nBelgique : 2 mars de 15 heures à 18 heures et 3 mars de 10 heures à 13 heures\n"
     "Chili : 3 mars de 15 heures à 18 heures", date(2027, 2, 24), ["BEL", "CHL"]),
    ("fr-past-session-excluded",
     "Le Comité des droits de l'enfant a clos les travaux de sa quatre-vingt-dix-huitième session, au cours "
     "de laquelle il a examiné les rapports de l'Arménie et de la Slovénie. Lors de sa prochaine session, "
     "qui se tiendra du 14 septembre au 2 octobre 2026, le Comité doit examiner les rapports présentés par "
     "la Chine et le Luxembourg.", date(2026, 6, 5), ["CHN", "LUX"]),
]


@pytest.mark.parametrize(("text", "published", "expected"), [c[1:] for c in STATES], ids=[c[0] for c in STATES])
def test_the_states_under_review(text, published, expected):
    events = extract(text, published)
    assert reviewed(events) == expected
    assert sorted({s.code for e in events for s in e.states}) == expected  # and no other State anywhere


# -- dialogue slots in every layout ----------------------------------------------------------

STATE_ON_ITS_LINE = """GENEVA (20 February 2026) – The UN Committee on the Elimination of Discrimination against \
Women will hold its upcoming session from 23 February to 13 March, during which it will review Chile, Ghana \
and Nepal.
The Committee will hold public meetings with the three delegations on the following dates:
Chile
24 February 10:00 – 13:00 and 15:00 – 17:00 (Geneva time)
Ghana
25 February 15:00 – 18:00
26 February 10:00 – 12.00
Nepal dialogue (online):
3 March at 15:00 Geneva time
4 March at 10:00
The Committee will close its session on 13 March at 18:00 and publish its findings.
"""

DAY_HEADINGS = """The UN Committee against Torture will meet in Geneva from 20 April to 15 May, 2026 to review \
Benin, the Democratic Republic of the Congo and Mexico.
The public meetings will follow this schedule:
Tuesday, 21 April 10:00-13:00 DRC
Wednesday, 22 April 10:00-13:00 Mexico 15:00-18:00 DRC
Thursday, 23 April 15:00-18:00 Mexico
Monday, 27 April 10:00-13:00 Benin
Tuesday, 28 April 15:00-18:00 Benin
"""

FLATTENED = ("GENEVA (30 June 2026) - The UN Human Rights Committee will hold its upcoming session from 6 to 31 "
             "July, during which it will review Kenya, Peru and Syrian Arab Republic. The Committee will discuss "
             "a range of issues with the three delegations through public dialogues on the following dates at "
             "Geneva time: Kenya 7 July 15:00 – 18:00 8 July 10:00 – 13:00 Peru 8 July 15:00 – 18:00 9 July "
             "10:00 – 13:00 Syrian Arab Republic (hybrid) 13 July 15:00 – 17:00 14 July 10:00 – 12:00 The above "
             "dialogues will take place in Palais Wilson, Geneva.")

TABLE = """GENEVA (June 26, 2026) — The UN Committee on the Elimination of Discrimination against Women (CEDAW) \
is meeting in Geneva from July 6-24 to review women's rights in the following countries: Fiji, Cook Islands \
and State of Palestine.
The schedule of dialogues will be as follows:
Tuesday, July 7 | 10:00-13:00 Fiji
15:00-17:00 Fiji |
Wednesday, July 8 | 10:00-13:00 State of Palestine
15:00-17:00 State of Palestine |
Thursday, July 9 | 10:00-13:00 Cook Islands
15:00-17:00 Cook Islands |
"""

TIMETABLE = """Committee against Torture
Eighty- first session
20 April–15 May 2026
Tentative timetable for the consideration of reports
Tuesday, 21 April
10 a.m.–1 p.m.
Chile: seventh periodic report
Wednesday, 22 April
3–6 p.m.
Chile: replies
"""

START_TIMES_ONLY = """The UN Committee against Torture (CAT) will hold its upcoming session from 9 November to \
4 December, during which it will review Norway and the Plurinational State of Bolivia.
Norway: 10 November 10:00am, 11 November 3:00pm Geneva time
Bolivia: 12 November 10:00am, 13 November 3:00pm
"""

PARALLEL_CHAMBERS = """The Committee on the Elimination of Discrimination against Women will meet in two \
parallel chambers from 5 to 23 October 2026 to review Chile, Ghana, Nepal and Peru.
Tuesday, 6 October
Chamber A: 10:00-13:00 Chile
Chamber B: 10:00-13:00 Ghana
Wednesday, 7 October
Chamber A: 15:00-18:00 Nepal
Chamber B: 15:00-18:00 Peru
"""

DAYS_WITH_A_RULE = """GENEVA (August 24, 2026) – The UN Committee on Migrant Workers is meeting from 31 August \
to 10 September to review:
Chile (31 Aug- 1 Sep); Ghana (1- 2 Sep);
Nepal (2-3 Sep)
The dialogues, held at Palais Wilson, begin at 15:00 to 18:00 Geneva time and resume the following day from \
10:00 to 13:00.
"""

ONE_DAY_A_STATE = """The UN Committee on the Elimination of Discrimination against Women (CEDAW) is meeting \
in Geneva from 15 February to 5 March to review women's rights in the following countries:
Chad (16 Feb); Fiji (17 Feb)
CEDAW's dialogues with the above States will take place from 10:00 to 13:00 and from 15:00 to 17:00.
"""

ES_ONE_STATE = """GINEBRA (21 de agosto de 2026) – El Comité de los Derechos del Niño celebrará su próxima \
sesión del 24 de agosto al 11 de septiembre, durante la cual examinará la situación de Uruguay.
El Comité debatirá con la delegación del Estado en diálogos públicos en las siguientes fechas (hora de Ginebra):
31 de agosto 15:00 – 18:00
1 de septiembre 10:00 – 13:00
"""

FR_STATE_LINES = """GENÈVE (2 octobre 2026) – Le Comité des droits des personnes handicapées tiendra sa \
prochaine session du 5 au 23 octobre, au cours de laquelle il examinera le Niger et le Pérou.
Les dialogues publics auront lieu aux dates suivantes (heure de Genève) :
Niger
6 octobre 15 h à 18 h
7 octobre 10 h à 13 h
Pérou
7 octobre 15 h à 18 h
8 octobre 10 h à 13 h
"""

UNLABELLED = """The UN Committee on Enforced Disappearances will hold its upcoming session from 16 to 27 \
March, during which it will review Peru and Togo.
The session will begin on 16 March at 10:00 am Geneva time with a public meeting.
The dialogues will take place as follows:
16 March 15:00-18:00 Geneva time
17 March 10:00-13:00
"""

LAYOUTS = [
    ("state-on-its-line", STATE_ON_ITS_LINE, date(2026, 2, 20),
     {"CHL": ["2026-02-24T10:00", "2026-02-24T15:00"], "GHA": ["2026-02-25T15:00", "2026-02-26T10:00"],
      "NPL": ["2026-03-03T15:00", "2026-03-04T10:00"]}),
    ("day-headings-time-then-state", DAY_HEADINGS, None,
     {"COD": ["2026-04-21T10:00", "2026-04-22T15:00"], "MEX": ["2026-04-22T10:00", "2026-04-23T15:00"],
      "BEN": ["2026-04-27T10:00", "2026-04-28T15:00"]}),
    ("flattened-paragraph", FLATTENED, date(2026, 6, 30),
     {"KEN": ["2026-07-07T15:00", "2026-07-08T10:00"], "PER": ["2026-07-08T15:00", "2026-07-09T10:00"],
      "SYR": ["2026-07-13T15:00", "2026-07-14T10:00"]}),
    ("table-with-pipes", TABLE, date(2026, 6, 26),
     {"FJI": ["2026-07-07T10:00", "2026-07-07T15:00"], "PSE": ["2026-07-08T10:00", "2026-07-08T15:00"],
      "COK": ["2026-07-09T10:00", "2026-07-09T15:00"]}),
    ("timetable-one-cell-a-line", TIMETABLE, None, {"CHL": ["2026-04-21T10:00", "2026-04-22T15:00"]}),
    ("start-times-only", START_TIMES_ONLY, date(2026, 11, 5),
     {"NOR": ["2026-11-10T10:00", "2026-11-11T15:00"], "BOL": ["2026-11-12T10:00", "2026-11-13T15:00"]}),
    ("parallel-chambers", PARALLEL_CHAMBERS, None,
     {"CHL": ["2026-10-06T10:00"], "GHA": ["2026-10-06T10:00"], "NPL": ["2026-10-07T15:00"],
      "PER": ["2026-10-07T15:00"]}),
    ("per-state-days-following-day-rule", DAYS_WITH_A_RULE, date(2026, 8, 24),
     {"CHL": ["2026-08-31T15:00", "2026-09-01T10:00"], "GHA": ["2026-09-01T15:00", "2026-09-02T10:00"],
      "NPL": ["2026-09-02T15:00", "2026-09-03T10:00"]}),
    ("one-day-a-state-two-times", ONE_DAY_A_STATE, date(2026, 2, 9),
     {"TCD": ["2026-02-16T10:00", "2026-02-16T15:00"], "FJI": ["2026-02-17T10:00", "2026-02-17T15:00"]}),
    ("es-the-one-state-unlabelled", ES_ONE_STATE, date(2026, 8, 21),
     {"URY": ["2026-08-31T15:00", "2026-09-01T10:00"]}),
    ("fr-state-lines-15h", FR_STATE_LINES, date(2026, 10, 2),
     {"NER": ["2026-10-06T15:00", "2026-10-07T10:00"], "PER": ["2026-10-07T15:00", "2026-10-08T10:00"]}),
    ("unlabelled-slots-give-none", UNLABELLED, date(2026, 3, 10), {}),
]


@pytest.mark.parametrize(("text", "published", "expected"), [c[1:] for c in LAYOUTS], ids=[c[0] for c in LAYOUTS])
def test_dialogue_slots_in_every_layout(text, published, expected):
    events = extract(text, published)
    assert slots(events) == expected
    for e in of_kind(events, "dialogue"):
        assert str(e.start.tzinfo) == "Europe/Zurich"  # Geneva time, with its summer offset
    assert set(reviewed(events)) >= set(expected)


def test_a_review_spans_its_slots_and_a_state_without_hours_gets_its_days():
    events = extract(DAYS_WITH_A_RULE, date(2026, 8, 24))
    reviews = {e.states[0].code: (e.start.isoformat(), e.end.isoformat()) for e in of_kind(events, "review")}
    assert reviews["GHA"] == ("2026-09-01", "2026-09-02")
    no_hours = extract("The UN Committee on Migrant Workers will meet from 5 to 14 October to review Chile "
                       "(5-6 October) and Peru (7-8 October).", date(2026, 9, 30))
    reviews = {e.states[0].code: (e.start.isoformat(), e.end.isoformat()) for e in of_kind(no_hours, "review")}
    assert reviews == {"CHL": ("2026-10-05", "2026-10-06"), "PER": ("2026-10-07", "2026-10-08")}
    assert not of_kind(no_hours, "dialogue")


def test_a_new_york_session_keeps_new_york_time():
    text = ("NEW YORK, 2 July – The Committee on the Elimination of Discrimination against Women will meet at "
            "United Nations Headquarters from 6 to 24 July 2026 to review Chile and Peru.\nChile\n"
            "7 July 10:00 – 13:00\nPeru\n8 July 15:00 – 18:00")
    events = extract(text)
    assert {str(e.start.tzinfo) for e in of_kind(events, "dialogue")} == {"America/New_York"}
    assert the_session(events).location == "New York"


# -- deadlines for civil society ------------------------------------------------------------

DEADLINES = [
    ("en-i-e-before",
     "Information note for NGOs — Committee on Migrant Workers, 33rd round of sessions (April 6th to April "
     "15th, 2027). NGOs are invited to send written information at least three weeks before the start of "
     "the session, i.e. before March 15, 2027.", "cso_submission", "2027-03-15"),
    ("en-no-later-than",
     "The Committee on the Rights of the Child will hold its 104th session from 11 to 29 January 2027. "
     "Alternative reports from civil society must reach the secretariat no later than 1 November 2026.",
     "cso_submission", "2026-11-01"),
    ("es-a-mas-tardar",
     "El Comité contra la Tortura celebrará su 82.º período de sesiones del 12 al 30 de abril de 2027. Las "
     "organizaciones de la sociedad civil pueden presentar informes alternativos a más tardar el 8 de marzo "
     "de 2027.", "cso_submission", "2027-03-08"),
    ("fr-au-plus-tard",
     "La 85e session du Comité des droits économiques, sociaux et culturels aura lieu du 1er au 19 mars "
     "2027. Les ONG peuvent transmettre leurs informations au Comité au plus tard le 18 janvier 2027.",
     "cso_submission", "2027-01-18"),
]


@pytest.mark.parametrize(("text", "kind", "day"), [c[1:] for c in DEADLINES], ids=[c[0] for c in DEADLINES])
def test_deadlines_keep_their_evidence(text, kind, day):
    deadlines = of_kind(extract(text), kind)
    assert [d.start.isoformat() for d in deadlines] == [day]
    assert deadlines[0].evidence and day[:4] in deadlines[0].evidence


# -- migration processes in news ------------------------------------------------------------

PROCESSES = [
    ("en-nth-meeting-of",
     "The 3rd meeting of the GFMD Friends of the Forum will be held on 12 May 2026 in Geneva.", None,
     "GFMD", "preparatory_meeting", "2026-05-12", "2026-05-12"),
    ("en-title-over-date-line",
     "The Global Forum on Migration and Development (GFMD) Third Preparatory Meeting\n"
     "March 4, 2026 12:00 am — 11:59 pm Timezone: Europe/Berlin\nGeneva & Online", None,
     "GFMD", "preparatory_meeting", "2026-03-04", "2026-03-04"),
    ("en-rcm-is-the-vice-ministerial",
     "The 31st Regional Conference on Migration (RCM) was held November 3-5, 2026 in Tegucigalpa.", None,
     "CRM", "vice_ministerial", "2026-11-03", "2026-11-05"),
    ("es-this-month",
     "Chile albergará la XVII Cumbre del Foro Global sobre Migraciones y Desarrollo. Entre los próximos 9 y "
     "11 de este mes se reunirán en Santiago delegaciones de más de cien países.", date(2026, 6, 2),
     "GFMD", "summit", "2026-06-09", "2026-06-11"),
    ("es-last-week",
     "Durante la XXIV Conferencia Suramericana sobre Migraciones, celebrada en Bolivia la semana pasada, "
     "participaron las delegaciones de Argentina, Chile y Perú.", date(2026, 10, 14),
     "CSM", "conference", "2026-10-05", "2026-10-09"),
]


@pytest.mark.parametrize(("text", "published", "body", "kind", "start", "end"), [c[1:] for c in PROCESSES],
                         ids=[c[0] for c in PROCESSES])
def test_process_meetings_named_in_one_place_dated_in_another(text, published, body, kind, start, end):
    meetings = [e for e in extract(text, published) if e.body == body and str(e.kind) == kind]
    assert [(m.start.isoformat()[:10], (m.end or m.start).isoformat()[:10]) for m in meetings] == [(start, end)]
    assert "/" not in meetings[0].title and "-mid-term" not in meetings[0].title  # no key fragment in a title


def test_a_relative_week_is_an_estimate():
    text = ("Durante la XXIV Conferencia Suramericana sobre Migraciones, celebrada en Bolivia la semana "
            "pasada, se aprobó una declaración.")
    meeting = extract(text, date(2026, 10, 14))[0]
    assert meeting.confidence < 0.6
    assert [e for e in extract(text) if str(e.kind) != "news"] == []  # no publication date: no week to count back


# -- noise is not an event ------------------------------------------------------------------

NOISE = [
    ("another-gfmd", "The Global Forum for Media Development (GFMD) will hold its members' meeting from 3 to 5 "
                     "March 2026 in Brussels, with sessions on press freedom."),
    ("chrome-and-ads", "Skip to main content\nHome | News | Contact\nSubscribe to our newsletter\n"
                       "Advertisement\nBest deals of 4 to 10 May 2026!\nShare on Facebook"),
    ("json-wrapper", '{"id":12,"date":"2026-05-01T10:00:00","title":{"rendered":"Annual report"},'
                     '"content":{"rendered":"<p>The association published its annual report.</p>"}}'),
    ("news-without-a-meeting", "The Committee on Migrant Workers welcomed a new ratification of the "
                               "Convention on 3 May 2026."),
]


@pytest.mark.parametrize("text", [c[1] for c in NOISE], ids=[c[0] for c in NOISE])
def test_noise_gives_no_meeting(text):
    events = extract(text, date(2026, 5, 1))
    assert [e.key for e in events if str(e.kind) != "news"] == []


# -- text damage and missing publication dates -----------------------------------------------

def test_repairs_only_what_copying_breaks():
    assert repair_text("in Geneva fromJuly 2-20") == "in Geneva from July 2-20"
    assert repair_text("10\nJuly: Guyana") == "10 July: Guyana"
    assert repair_text("Seventy- third session") == "Seventy-third session"
    assert repair_text("Tomorrow- the meeting, 10\n\nJuly") == "Tomorrow- the meeting, 10\n\nJuly"


@pytest.mark.parametrize(("text", "url", "expected"), [
    (" date 2026-01-29 Committee to review Chad", "https://file.invalid/x.txt", date(2026, 1, 29)),
    ("No date here.", "https://press.example.org/2009/07/cedaw-review.html", date(2009, 7, 1)),
    ("# source: https://news.example.org/2019/11/rcm.html\n\nThe 24th Conference", "", date(2019, 11, 1)),
    ("No date here.", "https://example.org/press/cedaw.html", None),
])
def test_the_year_from_the_page_itself(text, url, expected):
    assert guess_published(text, url) == expected


def test_a_dateline_is_not_the_meeting_date():
    text = ("Quito, Ecuador, 14 de octubre de 2026.– El 6 y 7 de octubre tuvo lugar en La Paz la XXIV "
            "Conferencia Suramericana sobre Migraciones (CSM).")
    meeting = [e for e in extract(text, date(2026, 10, 14)) if e.key == "csm/conference/24"]
    assert [(m.start.isoformat(), m.end.isoformat()) for m in meeting] == [("2026-10-06", "2026-10-07")]


def test_a_page_saved_as_its_cms_json_is_read_as_its_text():
    text = ('{"id":7,"date":"2026-03-02T10:00:00","title":{"rendered":"GFMD Second Preparatory Meeting"},'
            '"content":{"rendered":"<p><em>On 10-11 March 2026, the Chair convened its second preparatory '
            'meeting in Geneva.<\\/em><\\/p>\\n<p>The Friends of the Forum met on 10 March.<\\/p>"},"link":"x"}')
    meetings = [e for e in extract(text, date(2026, 3, 12)) if str(e.kind) == "preparatory_meeting"]
    assert [(m.start.isoformat(), m.end.isoformat()) for m in meetings] == [("2026-03-10", "2026-03-11")]
    assert "<p>" not in meetings[0].evidence and "rendered" not in meetings[0].evidence
    cut_short = text[:text.index("The Friends")]  # a stored copy that stops mid-string
    assert [m.start.isoformat() for m in extract(cut_short, date(2026, 3, 12))
            if str(m.kind) == "preparatory_meeting"] == ["2026-03-10"]


def test_french_hours_written_out_are_one_slot_each():
    text = ("Le Comité des droits de l'homme se réunira du 1er au 26 mars 2027 pour examiner les rapports de la "
            "Belgique et du Chili.\nBelgique : 2 mars de 15 heures à 18 heures et 3 mars de 10 heures à 13 heures")
    dialogues = of_kind(extract(text, date(2027, 2, 24)), "dialogue")
    assert [(d.start.strftime("%d %H:%M"), d.end.strftime("%H:%M")) for d in dialogues] == [
        ("02 15:00", "18:00"), ("03 10:00", "13:00")]


@pytest.mark.parametrize(("text", "expected"), [
    ("WOMEN'S COMMITTEE MEETS ON COUNTRY REPORTS, 6 – 24 JULY\n3 July 2026\nNEW YORK – The Committee will review "
     "Chile from 6 to 24 July.", date(2026, 7, 3)),
    ("La XXIV Conferencia Suramericana sobre Migraciones se celebró la semana pasada.\n"
     + "Texto de relleno.\n" * 120 + "Asunción, 14 de octubre de 2026\nCompartir esta noticia", date(2026, 10, 14)),
])
def test_the_dateline_dates_a_page_that_gives_no_other_date(text, expected):
    assert guess_published(text, "https://file.invalid/x.txt") == expected


def test_an_application_deadline_for_a_civil_society_day_named_by_its_year():
    text = ("Organisations that wish to take part in the 2026 GFMD Civil Society Day should submit an "
            "application for participation by 14 August.")
    deadlines = of_kind(extract(text, date(2026, 6, 1)), "registration")
    assert [(d.key, d.start.isoformat()) for d in deadlines] == [("gfmd/registration/2026", "2026-08-14")]
    assert deadlines[0].confidence < 1  # named by its year, not by the summit's number
