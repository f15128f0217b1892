"""Words of the site, the feeds and the digests in English, Spanish and French, and dates per language.

Event titles are stored as the sources write them (English for OHCHR, often
Spanish for CRM and CSM). For the Spanish and French pages a title is
composed from the event's kind, body, session and State when the stored
title is one of the generic forms the OHCHR spiders build ("Mexico: Fifth
periodic report due to the CMW"); the names of process meetings ("XXVI
Reunión Viceministerial", "15th GFMD Summit") are proper names and are kept
as stored. English pages always show the stored title, an edition slug in it
spelled out (:func:`ventanas.calendar.wording.reader_title`).

Dates are formatted with Babel; English uses en_GB ("2 Dec 2025"), as the UN does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_time, format_timedelta, match_skeleton

from ventanas.calendar.wording import reader_title
from ventanas.normalize.bodies import BODIES
from ventanas.normalize.rules import PSWG_SUBMISSION
from ventanas.normalize.states import state_name as _state_name

LANGS = ("en", "es", "fr")
LOCALES = {"en": "en_GB", "es": "es", "fr": "fr"}
LANG_NAMES = {"en": "English", "es": "Español", "fr": "Français"}

KIND_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "session": "Session", "pre_sessional_wg": "Pre-sessional working group", "review": "Review",
        "dialogue": "Public dialogue", "report_due": "State report due", "replies_due": "Replies to the list of issues due",
        "follow_up_due": "Follow-up report due", "cso_submission": "Civil-society written information due",
        "nhri_submission": "NHRI written information due", "accreditation": "Accreditation deadline",
        "ngo_briefing": "NGO briefing", "registration": "Registration deadline", "summit": "Summit",
        "preparatory_meeting": "Preparatory meeting", "civil_society_days": "Civil Society Days",
        "conference": "Conference", "technical_meeting": "Technical meeting",
        "vice_ministerial": "Vice-ministerial meeting", "news": "News", "other": "Meeting",
    },
    "es": {
        "session": "Período de sesiones", "pre_sessional_wg": "Grupo de trabajo previo al período de sesiones",
        "review": "Examen", "dialogue": "Diálogo público", "report_due": "Vence el informe del Estado",
        "replies_due": "Vencen las respuestas a la lista de cuestiones", "follow_up_due": "Vence el informe de seguimiento",
        "cso_submission": "Plazo para información escrita de la sociedad civil",
        "nhri_submission": "Plazo para información escrita de la INDH", "accreditation": "Plazo de acreditación",
        "ngo_briefing": "Reunión informativa con ONG", "registration": "Plazo de inscripción", "summit": "Cumbre",
        "preparatory_meeting": "Reunión preparatoria", "civil_society_days": "Días de la Sociedad Civil",
        "conference": "Conferencia", "technical_meeting": "Reunión técnica",
        "vice_ministerial": "Reunión viceministerial", "news": "Noticia", "other": "Reunión",
    },
    "fr": {
        "session": "Session", "pre_sessional_wg": "Groupe de travail présessionnel", "review": "Examen",
        "dialogue": "Dialogue public", "report_due": "Rapport de l’État attendu",
        "replies_due": "Réponses à la liste de points attendues", "follow_up_due": "Rapport de suivi attendu",
        "cso_submission": "Date limite des contributions écrites de la société civile",
        "nhri_submission": "Date limite des contributions écrites de l’INDH", "accreditation": "Date limite d’accréditation",
        "ngo_briefing": "Séance d’information des ONG", "registration": "Date limite d’inscription", "summit": "Sommet",
        "preparatory_meeting": "Réunion préparatoire", "civil_society_days": "Journées de la société civile",
        "conference": "Conférence", "technical_meeting": "Réunion technique",
        "vice_ministerial": "Réunion vice-ministérielle", "news": "Actualité", "other": "Réunion",
    },
}

# What a reader should do about an event of each kind, when the source says nothing more precise.
ACTIONS: dict[str, dict[str, str]] = {
    "en": {
        "cso_submission": "Civil society: send written information (an alternative report) to the committee "
        "secretariat by this date; the information note at the source says where and how.",
        "nhri_submission": "National human-rights institutions: send written information by this date.",
        "accreditation": "To attend the session in Geneva, ask for accreditation by this date.",
        "ngo_briefing": "Civil society can brief the committee in private: ask the secretariat for a slot.",
        "registration": "Register by this date to take part.",
        "report_due": "The State's report is due: civil society can prepare an alternative report for the review that follows.",
        "replies_due": "The State's replies to the list of issues are due: civil society can comment on them.",
        "follow_up_due": "The State's follow-up report is due: civil society can send follow-up information.",
        "review": "The committee reviews the State in public: follow it on UN Web TV; accredited NGOs can attend.",
        "dialogue": "Public dialogue with the State: follow it on UN Web TV; accredited NGOs can attend.",
        "session": "Committee session: see the States reviewed and the civil-society deadlines.",
        "pre_sessional_wg": "The committee prepares lists of issues: civil society can send information before it.",
        "process": "A meeting of a non-binding migration process: a chance to raise the treaty bodies' recommendations.",
        "news": "News from the source, with no meeting or deadline in it: read it at the source.",
    },
    "es": {
        "cso_submission": "Sociedad civil: enviar información escrita (informe alternativo) a la secretaría del "
        "comité antes de esta fecha; la nota informativa de la fuente indica dónde y cómo.",
        "nhri_submission": "Instituciones nacionales de derechos humanos: enviar información escrita antes de esta fecha.",
        "accreditation": "Para asistir al período de sesiones en Ginebra, solicitar la acreditación antes de esta fecha.",
        "ngo_briefing": "La sociedad civil puede informar al comité en privado: solicitar un espacio a la secretaría.",
        "registration": "Inscribirse antes de esta fecha para participar.",
        "report_due": "Vence el informe del Estado: la sociedad civil puede preparar un informe alternativo para el examen.",
        "replies_due": "Vencen las respuestas del Estado a la lista de cuestiones: la sociedad civil puede comentarlas.",
        "follow_up_due": "Vence el informe de seguimiento del Estado: la sociedad civil puede enviar información de seguimiento.",
        "review": "El comité examina al Estado en público: seguirlo en UN Web TV; las ONG acreditadas pueden asistir.",
        "dialogue": "Diálogo público con el Estado: seguirlo en UN Web TV; las ONG acreditadas pueden asistir.",
        "session": "Período de sesiones del comité: ver los Estados examinados y los plazos para la sociedad civil.",
        "pre_sessional_wg": "El comité prepara las listas de cuestiones: la sociedad civil puede enviar información antes.",
        "process": "Reunión de un proceso migratorio no vinculante: una oportunidad para plantear las recomendaciones "
        "de los órganos de tratados.",
        "news": "Noticia de la fuente, sin reunión ni plazo: leerla en la fuente.",
    },
    "fr": {
        "cso_submission": "Société civile : envoyer des informations écrites (rapport alternatif) au secrétariat du "
        "comité avant cette date ; la note d’information de la source précise où et comment.",
        "nhri_submission": "Institutions nationales des droits de l’homme : envoyer des informations écrites avant cette date.",
        "accreditation": "Pour assister à la session à Genève, demander l’accréditation avant cette date.",
        "ngo_briefing": "La société civile peut informer le comité à huis clos : demander un créneau au secrétariat.",
        "registration": "S’inscrire avant cette date pour participer.",
        "report_due": "Le rapport de l’État est attendu : la société civile peut préparer un rapport alternatif pour l’examen.",
        "replies_due": "Les réponses de l’État à la liste de points sont attendues : la société civile peut les commenter.",
        "follow_up_due": "Le rapport de suivi de l’État est attendu : la société civile peut envoyer des informations de suivi.",
        "review": "Le comité examine l’État en public : à suivre sur UN Web TV ; les ONG accréditées peuvent y assister.",
        "dialogue": "Dialogue public avec l’État : à suivre sur UN Web TV ; les ONG accréditées peuvent y assister.",
        "session": "Session du comité : voir les États examinés et les délais pour la société civile.",
        "pre_sessional_wg": "Le comité prépare les listes de points : la société civile peut envoyer des informations avant.",
        "process": "Réunion d’un processus migratoire non contraignant : l’occasion de faire valoir les recommandations "
        "des organes conventionnels.",
        "news": "Actualité de la source, sans réunion ni échéance : à lire à la source.",
    },
}

# Titles composed for es/fr pages; {body} is the body's code, {n} the session, {state} the State's name.
TITLES: dict[str, dict[str, str]] = {
    "es": {
        "session": "{body}: {n}.º período de sesiones", "pre_sessional_wg": "{body}: grupo de trabajo previo al {n}.º período de sesiones",
        "review": "{body}: examen de {state}", "dialogue": "{body}: diálogo con {state}",
        "report_due": "{state}: vence el informe al {body}", "report_due_cycle": "{state}: vence el {cycle}.º informe al {body}",
        "replies_due": "{state}: vencen las respuestas a la lista de cuestiones del {body}",
        "follow_up_due": "{state}: vence el informe de seguimiento al {body}",
        "cso_submission": "{body} {n}: plazo para información escrita de la sociedad civil",
        "nhri_submission": "{body} {n}: plazo para información escrita de las INDH",
        "accreditation": "{body} {n}: plazo de acreditación", "ngo_briefing": "{body} {n}: reunión informativa con ONG",
        "registration": "{body} {n}: plazo de inscripción",
    },
    "fr": {
        "session": "{body} : {n}e session", "pre_sessional_wg": "{body} : groupe de travail présessionnel de la {n}e session",
        "review": "{body} : examen — {state}", "dialogue": "{body} : dialogue — {state}",
        "report_due": "{state} : rapport attendu par le {body}", "report_due_cycle": "{state} : {cycle}e rapport attendu par le {body}",
        "replies_due": "{state} : réponses à la liste de points du {body} attendues",
        "follow_up_due": "{state} : rapport de suivi attendu par le {body}",
        "cso_submission": "{body} {n} : date limite des contributions écrites de la société civile",
        "nhri_submission": "{body} {n} : date limite des contributions écrites des INDH",
        "accreditation": "{body} {n} : date limite d’accréditation", "ngo_briefing": "{body} {n} : séance d’information des ONG",
        "registration": "{body} {n} : date limite d’inscription",
    },
}

# A link opportunity in one sentence (DESIGN §1: carry the binding recommendations into the informal forums).
LINK_SENTENCES = {
    "en": {
        "review": "{meeting} on {date}, {gap} before {state}'s {body} review: a chance to raise the {body}'s recommendations.",
        "deadline": "{meeting} on {date}, {gap} before a {body} deadline for {state} ({what}): a chance to bring the meeting's commitments into it.",
    },
    "es": {
        "review": "{meeting} el {date}, {gap} antes del examen de {state} por el {body}: una oportunidad para plantear las recomendaciones del {body}.",
        "deadline": "{meeting} el {date}, {gap} antes de un plazo del {body} para {state} ({what}): una oportunidad para llevar a él los compromisos de la reunión.",
    },
    "fr": {
        "review": "{meeting} le {date}, {gap} avant l’examen par le {body} (État examiné : {state}) : l’occasion de faire valoir les recommandations du {body}.",
        "deadline": "{meeting} le {date}, {gap} avant une échéance du {body} (État : {state} ; {what}) : l’occasion d’y porter les engagements de la réunion.",
    },
}
MEETING_OF = {"en": "{body} {kind}", "es": "{kind} {of_body}", "fr": "{kind} {of_body}"}
# "of the Forum" / "of the Conference": the article follows the process's name, not its acronym.
OF_BODY = {
    "es": {"GFMD": "del GFMD", "CRM": "de la CRM", "CSM": "de la CSM"},
    "fr": {"GFMD": "du GFMD", "CRM": "de la CRM", "CSM": "de la CSM"},
}


def locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["en"])


def kind_label(kind: str, lang: str) -> str:
    return KIND_LABELS.get(lang, KIND_LABELS["en"]).get(kind) or KIND_LABELS["en"].get(kind, kind)


def action_for(kind: str, body: str, lang: str) -> str:
    """What to do, by kind: a deadline, a session, a review or dialogue, a meeting of a process, news.

    Every kind of a process (GFMD, CRM, CSM) but its registration deadlines and its news is a meeting."""
    actions = ACTIONS.get(lang, ACTIONS["en"])
    if kind == "news":
        return actions["news"]
    body_info = BODIES.get(body)
    if body_info is not None and not body_info.binding and kind != "registration":
        return actions["process"]
    return actions.get(kind, "")


def body_name(code: str, lang: str) -> str:
    body = BODIES.get(code)
    return body.name(lang) if body else code


def state_name(code: str, lang: str) -> str:
    return _state_name(code, lang)


# Babel resolves locales and skeletons anew on every call (a few milliseconds for a skeleton);
# a site has a few thousand distinct dates, so every formatted date is computed once.


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(locale(lang))


@cache
def _skeleton_pattern(skeleton: str, lang: str) -> str:
    loc = _locale(lang)
    return loc.datetime_skeletons[match_skeleton(skeleton, loc.datetime_skeletons)].pattern


@cache
def fmt_date(day: date, lang: str, style: str = "medium") -> str:
    return format_date(day, style, locale=_locale(lang))


def fmt_day_month(day: date, lang: str) -> str:
    return fmt_skeleton("dMMM", day, lang)


@cache
def fmt_skeleton(skeleton: str, day: date, lang: str) -> str:
    return format_date(day, _skeleton_pattern(skeleton, lang), locale=_locale(lang))


@cache
def fmt_range(first: date, last: date, lang: str) -> str:
    if first == last:
        return fmt_date(first, lang)
    return format_interval(first, last, "yMMMd", locale=_locale(lang))


def fmt_time(moment: datetime, zone: str | None, lang: str) -> str:
    tz = ZoneInfo(zone) if zone else moment.tzinfo
    return format_time(moment, "HH:mm", tzinfo=tz, locale=_locale(lang))


@cache
def fmt_gap(days: int, lang: str) -> str:
    """'10 weeks', '5 days': weeks from two weeks on, as people plan."""
    if days >= 14:
        return format_timedelta(timedelta(weeks=round(days / 7)), granularity="week", threshold=10**6,
                                locale=_locale(lang))
    return format_timedelta(timedelta(days=days), granularity="day", threshold=10**6, locale=_locale(lang))


# A deadline for the pre-sessional working group (its key ends in rules.PSWG_SUBMISSION) shares
# its kind with the session's own deadline: said apart, or a digest lists two identical lines.
PRE_SESSIONAL_QUALIFIER = {"es": " (grupo de trabajo previo al período de sesiones)",
                           "fr": " (groupe de travail présessionnel)"}


def localized_title(*, title: str, kind: str, body: str, session: str | None, state: str | None,
                    cycle: str | None, lang: str, key: str = "") -> str:
    """The title for a page in ``lang``: stored (en, process meetings) or composed from the event's parts."""
    composed = _composed_title(kind=kind, body=body, session=session, state=state, cycle=cycle, lang=lang)
    if composed is None:
        # stored in English, or not enough parts to say it better than the source did
        return reader_title(title, key, body) if key else title
    if key.endswith(f"/{PSWG_SUBMISSION}"):
        composed += PRE_SESSIONAL_QUALIFIER.get(lang, "")
    return composed


def _composed_title(*, kind: str, body: str, session: str | None, state: str | None, cycle: str | None,
                    lang: str) -> str | None:
    forms = TITLES.get(lang)
    if not forms or kind not in forms:
        return None
    if kind == "report_due" and cycle and cycle.isdigit():
        form = forms["report_due_cycle"]
    else:
        form = forms[kind]
    if ("{state}" in form and not state) or ("{n}" in form and not session):
        return None
    return form.format(body=body, n=session or "", state=state_name(state, lang) if state else "", cycle=cycle or "")


def meeting_label(body: str, kind: str, lang: str) -> str:
    label = kind_label(kind, lang)
    of_body = OF_BODY.get(lang, {}).get(body, f"de {body}")
    return MEETING_OF.get(lang, MEETING_OF["en"]).format(body=body, kind=label, of_body=of_body)
