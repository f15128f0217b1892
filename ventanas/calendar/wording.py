"""What a reader reads about an event in every output: its title, its status mark, how its date was estimated.

Stored events keep what the sources and the rules produced, identifiers
included. A process meeting known by its year and a qualifier has a key such
as ``crm/grupo-regional-consulta/2026-mid-term``, and the extraction writes its
edition into the title ("Reunión del Grupo Regional de Consulta sobre
Migración 2026-mid-term"); an estimated deadline names its rule by id
(``cescr-pswg-submission-8w``), and the rule's description cites the design
document. Feeds, pages, exports and mail take their words from here instead,
so that none of them shows a key fragment, a rule id or an internal reference:

- :func:`reader_title`: the stored title, an edition slug in it spelled out in
  the title's own language ("… sobre Migración (medio término, 2026)");
- :func:`title_language` and :func:`marked_title`: "[Aplazado]" before a
  Spanish title, "[Postponed]" before an English one (feeds are read in every
  language and cannot translate the sources' titles, so the mark follows the
  title);
- :func:`estimate_how` and :func:`estimate_note`: how a date was estimated, in
  words, from the rule's data in :mod:`ventanas.normalize.rules`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache

from babel.dates import format_timedelta

from ventanas.normalize.meetings import MEETING_TYPES, ordinal_suffix_en
from ventanas.normalize.rules import RULES, Rule

_RULES = {rule.name: rule for rule in RULES}
_MEETING_TYPES = {(t.body.lower(), t.slug): t for t in MEETING_TYPES}
_PLACEHOLDER = re.compile(r"\{(?:n|nth|r)\}")
_EDITION_SLUG = re.compile(r"(?P<year>(?:19|20)\d\d)-(?P<words>[a-z]+(?:-[a-z]+)*)")
_LOCALES = {"en": "en_GB", "es": "es", "fr": "fr"}
# The language a process writes in, for a title no meeting-type form explains.
BODY_LANGUAGE = {"CRM": "es", "CSM": "es"}

# The qualifier of an edition slug ("2026-mid-term"), in words.
QUALIFIERS: dict[str, dict[str, str]] = {
    "mid-term": {"en": "mid-term", "es": "medio término", "fr": "mi-parcours"},
}

MARKS: dict[str, dict[str, str]] = {
    "en": {"vanished": "[No longer listed] {title}", "cancelled": "[Cancelled] {title}",
           "postponed": "[Postponed] {title}", "estimated": "{title} (estimated)"},
    "es": {"vanished": "[Ya no publicado] {title}", "cancelled": "[Cancelado] {title}",
           "postponed": "[Aplazado] {title}", "estimated": "{title} (estimado)"},
    "fr": {"vanished": "[Plus publié] {title}", "cancelled": "[Annulé] {title}",
           "postponed": "[Reporté] {title}", "estimated": "{title} (estimé)"},
}

# How a date was estimated; {weeks} is "8 weeks" in the language, {day} the day of the month.
ESTIMATES: dict[str, dict[str, str]] = {
    "en": {
        "session": "{weeks} before the session, according to the Committee's practice",
        "pre_sessional": "{weeks} before the pre-sessional working group, according to the Committee's practice",
        "day_before": "on the {day} of the month before the session, according to the Committee's practice",
        "practice": "according to the Committee's usual practice",
    },
    "es": {
        "session": "{weeks} antes del período de sesiones, según la práctica del Comité",
        "pre_sessional": "{weeks} antes del grupo de trabajo previo al período de sesiones, según la práctica del Comité",
        "day_before": "el día {day} del mes anterior al período de sesiones, según la práctica del Comité",
        "practice": "según la práctica habitual del Comité",
    },
    "fr": {
        "session": "{weeks} avant la session, selon la pratique du Comité",
        "pre_sessional": "{weeks} avant le groupe de travail présessionnel, selon la pratique du Comité",
        "day_before": "le {day} du mois précédant la session, selon la pratique du Comité",
        "practice": "selon la pratique habituelle du Comité",
    },
}


# -- titles -------------------------------------------------------------------------------


@cache
def _form(template: str) -> re.Pattern[str]:
    """A meeting type's title form as a pattern: "{r} Reunión Viceministerial de la CRM" → ".+? Reunión …"."""
    return re.compile(".+?".join(re.escape(part) for part in _PLACEHOLDER.split(template)), re.S)


def title_language(title: str, key: str, body: str) -> str:
    """The language a stored title is written in: the meeting type's form it was composed from,
    else the language its process writes in (CRM, CSM: Spanish), else English (OHCHR, GFMD)."""
    parts = key.split("/")
    meeting = _MEETING_TYPES.get((parts[0], parts[1])) if len(parts) == 3 else None
    if meeting is not None:
        for lang, template in meeting.titles.items():
            if _form(template).fullmatch(title):
                return lang
    return BODY_LANGUAGE.get(body, "en")


def reader_title(title: str, key: str, body: str) -> str:
    """The stored title, with the edition slug of its key (``2026-mid-term``) spelled out when the
    title carries it: "… sobre Migración (medio término, 2026)". Any other title is returned as is."""
    edition = key.rsplit("/", 1)[-1]
    found = _EDITION_SLUG.fullmatch(edition)
    if found is None or edition not in title:
        return title
    lang = title_language(title, key, body)
    words = QUALIFIERS.get(found["words"], {}).get(lang) or found["words"].replace("-", " ")
    return title.replace(edition, f"({words}, {found['year']})")


def marked_title(title: str, key: str, body: str, mark: str | None) -> str:
    """The title with its mark (vanished, cancelled, postponed, estimated) in the title's language."""
    if mark is None:
        return title
    forms = MARKS.get(title_language(title, key, body), MARKS["en"])
    return forms[mark].format(title=title)


# -- estimates ----------------------------------------------------------------------------


@cache
def _weeks(n: int, lang: str) -> str:
    return format_timedelta(timedelta(weeks=n), granularity="week", threshold=10**6,
                            locale=_LOCALES.get(lang, "en_GB"))


def _day_before(rule: Rule) -> int | None:
    """The day a fixed-date rule sets when it is always that day of the month before the
    session (CRC: 15 August for September, 15 December for January, 15 April for May)."""
    dates = rule.by_start_month
    if not dates or any(month != (start - 2) % 12 + 1 for start, month, _day, _years in dates):
        return None
    days = {day for _start, _month, day, _years in dates}
    return days.pop() if len(days) == 1 else None


def estimate_how(rule_name: str | None, lang: str) -> str:
    """How an estimated date was estimated: "8 weeks before the session, according to the Committee's
    practice". An unknown rule (renamed since the event was stored) says only that it is the practice."""
    forms = ESTIMATES.get(lang, ESTIMATES["en"])
    rule = _RULES.get(rule_name or "")
    if rule is None:
        return forms["practice"]
    if rule.weeks_before is not None:
        return forms[rule.anchor].format(weeks=_weeks(rule.weeks_before, lang))
    day = _day_before(rule)
    if day is not None:
        return forms["day_before"].format(day=ordinal_suffix_en(day) if lang == "en" else day)
    return forms["practice"]


def estimate_note(rule_name: str | None, lang: str = "en") -> str:
    """What feeds and exports say of an estimated date, in place of the rule's id and the stored
    description (which cites where the rule was recorded, not what a reader can check). The rule's
    own words (``Rule.says``) are English: only the English note quotes them."""
    rule = _RULES.get(rule_name or "")
    words = FEED_WORDS.get(lang, FEED_WORDS["en"])
    note = words["estimated"].format(how=estimate_how(rule_name, lang))
    if rule is not None and lang == "en":
        note += f" The practice recorded for this committee: {rule.says}"
    return note + " " + words["estimate_replaced"]


# -- feeds --------------------------------------------------------------------------------

# The DESCRIPTION of an event in a feed, per language (feeds/…, es/feeds/…, fr/feeds/…).
FEED_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "session": ", session {n}", "states": "States: {states}{more}.", "more": " and {n} more",
        "todo": "What to do: {todo}", "source_todo": "The source says: {todo}", "source_text": "{text}",
        "announced": "Date announced by the source.",
        "estimated": "Date estimated by ventanas, not announced: {how}.",
        "estimate_replaced": "The committee's information note will replace this estimate when it is published.",
        "cancelled": "The source says this event is cancelled.",
        "postponed": "The source says this event is postponed; the date shown is the last one announced.",
        "vanished": "The source stopped listing this event on {date}: it may have been moved, cancelled or "
        "dropped from the page. Check the source.",
        "source": "Source: {url}", "also": "Also announced at: {urls}",
        "alarm": "{days} days to go", "alarm_1": "Tomorrow", "alarm_0": "Today",
    },
    "es": {
        "session": ", {n}.º período de sesiones", "states": "Estados: {states}{more}.", "more": " y {n} más",
        "todo": "Qué hacer: {todo}", "source_todo": "La fuente indica (en su idioma): {todo}",
        "source_text": "Según la fuente: {text}",
        "announced": "Fecha anunciada por la fuente.",
        "estimated": "Fecha estimada por ventanas, no anunciada: {how}.",
        "estimate_replaced": "La nota informativa del comité reemplazará esta estimación cuando se publique.",
        "cancelled": "La fuente indica que este evento se canceló.",
        "postponed": "La fuente indica que este evento se aplazó; la fecha que se muestra es la última anunciada.",
        "vanished": "La fuente dejó de publicar este evento el {date}: puede haberse trasladado, cancelado o "
        "retirado de la página. Consulte la fuente.",
        "source": "Fuente: {url}", "also": "También anunciado en: {urls}",
        "alarm": "Faltan {days} días", "alarm_1": "Mañana", "alarm_0": "Hoy",
    },
    "fr": {
        "session": ", {n}e session", "states": "États : {states}{more}.", "more": " et {n} autres",
        "todo": "Que faire : {todo}", "source_todo": "La source indique (dans sa langue) : {todo}",
        "source_text": "Selon la source : {text}",
        "announced": "Date annoncée par la source.",
        "estimated": "Date estimée par ventanas, non annoncée : {how}.",
        "estimate_replaced": "La note d’information du comité remplacera cette estimation lorsqu’elle sera publiée.",
        "cancelled": "La source indique que cet événement est annulé.",
        "postponed": "La source indique que cet événement est reporté ; la date indiquée est la dernière annoncée.",
        "vanished": "La source a cessé de publier cet événement le {date} : il a pu être déplacé, annulé ou "
        "retiré de la page. Vérifiez la source.",
        "source": "Source : {url}", "also": "Également annoncé sur : {urls}",
        "alarm": "Dans {days} jours", "alarm_1": "Demain", "alarm_0": "Aujourd’hui",
    },
}

# A State's role in an event, as a feed's DESCRIPTION says it after the State's name.
ROLE_WORDS: dict[str, dict[str, str]] = {
    "en": {"reviewed": "reviewed", "due_by": "report due", "member": "member", "host": "host",
           "concerned": "concerned"},
    "es": {"reviewed": "examinado", "due_by": "informe pendiente", "member": "miembro", "host": "anfitrión",
           "concerned": "concernido"},
    "fr": {"reviewed": "examiné", "due_by": "rapport attendu", "member": "membre", "host": "hôte",
           "concerned": "concerné"},
}


def feed_words(lang: str) -> dict[str, str]:
    return FEED_WORDS.get(lang, FEED_WORDS["en"])


def role_word(role: str, lang: str) -> str:
    return ROLE_WORDS.get(lang, ROLE_WORDS["en"]).get(role, role)
