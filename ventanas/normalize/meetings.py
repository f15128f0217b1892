"""The vocabulary of announcements: bodies, meeting types and deadline kinds in three languages.

Meeting-type slugs of the non-binding processes (the middle part of
``ids.process_meeting`` keys), with the kind of event each one is:

=========================  =======================  ==============================================
key                        kind                     what the sources call it
=========================  =======================  ==============================================
gfmd/summit/N              summit                   "15th GFMD Summit", "XV Cumbre del FMMD"
gfmd/civil-society-days/N  civil_society_days       "Civil Society Days" of summit N
gfmd/steering-group/Y-N    preparatory_meeting      "third Steering Group meeting" (chair year Y)
gfmd/friends-of-the-forum  preparatory_meeting      "Friends of the Forum" meeting (same edition)
gfmd/troika/Y-N            preparatory_meeting      "Troika" meeting
gfmd/thematic-workshop/Y-T  preparatory_meeting    "thematic workshop on climate change and human mobility"
crm/viceministerial/N      vice_ministerial         "XXVI Reunión Viceministerial"
crm/grupo-regional-consulta  preparatory_meeting    "Grupo Regional de Consulta sobre Migración" (GRCM)
crm/working-group/Y-T      preparatory_meeting      "Grupo de Trabajo ad hoc sobre Niñez y Adolescencia Migrante"
crm/plenaria-conjunta/Y    other                    joint plenary of CRM and CSM (once a year)
csm/conference/N           conference               "XXIII Conferencia Suramericana sobre Migraciones"
csm/technical-meeting/N    technical_meeting        "Reunión Técnica de Consulta"
csm/intersessional/Y-N     preparatory_meeting      "reunión intersesional"
=========================  =======================  ==============================================

Editions: N is the number the source writes (Arabic, Roman or in words).
Meeting types held several times a chairmanship (``Y-N``) need an ordinal in
the text ("third Steering Group meeting") and a chair year (the text's
"2025 Chairmanship", else the meeting's own year, at a lower confidence).
Types held at most once a year may use the year alone (lower confidence), a
GRCM meeting its qualifier ("2026-mid-term"). Meetings known by their
subject rather than a number (thematic workshops, CRM working groups: ``Y-T``)
take the year and their subject, folded ("2025-ninez-adolescencia-migrante"),
so a news item and a meeting page that name the same workshop meet on one key
however they phrase the connective ("workshop on …", "Workshop: …").
Without a number or an allowed substitute there is no event: a key is never
invented.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ventanas.domain import Kind


@dataclass(frozen=True)
class MeetingType:
    body: str
    slug: str
    kind: Kind
    pattern: re.Pattern[str]
    edition: str  # "number": the text's number; "chair": year-ordinal; "year": number or year; "topic": year-subject
    titles: dict[str, str]  # per language; {n} is the number as the process writes it


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


MEETING_TYPES: tuple[MeetingType, ...] = (
    MeetingType("GFMD", "civil-society-days", Kind.CIVIL_SOCIETY_DAYS,
                _p(r"civil\s+society\s+days|d[ií]as\s+de\s+la\s+sociedad\s+civil|"
                   r"journ[ée]es\s+de\s+la\s+soci[ée]t[ée]\s+civile"),
                "number", {"en": "GFMD Civil Society Days ({nth} Summit)",
                           "es": "Días de la Sociedad Civil del FMMD ({n}.ª Cumbre)",
                           "fr": "Journées de la société civile du FMMD ({n}e Sommet)"}),
    MeetingType("GFMD", "summit", Kind.SUMMIT, _p(r"\bsummit\b|\bcumbre\b|\bsommet\b"),
                "number", {"en": "{nth} GFMD Summit", "es": "{n}.ª Cumbre del FMMD", "fr": "{n}e Sommet du FMMD"}),
    MeetingType("GFMD", "steering-group", Kind.PREPARATORY_MEETING,
                _p(r"steering\s+group|grupo\s+directivo|groupe\s+de\s+pilotage"),
                "chair", {"en": "GFMD Steering Group meeting {n}", "es": "Reunión del Grupo Directivo del FMMD {n}",
                          "fr": "Réunion du Groupe de pilotage du FMMD {n}"}),
    MeetingType("GFMD", "friends-of-the-forum", Kind.PREPARATORY_MEETING,
                _p(r"friends\s+of\s+the\s+forum|amigos\s+del\s+foro|amis\s+du\s+forum"),
                "chair", {"en": "GFMD Friends of the Forum meeting {n}",
                          "es": "Reunión de Amigos del Foro del FMMD {n}", "fr": "Réunion des Amis du Forum du FMMD {n}"}),
    MeetingType("GFMD", "troika", Kind.PREPARATORY_MEETING, _p(r"\btroi[kc]a\b"),
                "chair", {"en": "GFMD Troika meeting {n}", "es": "Reunión de la Troika del FMMD {n}",
                          "fr": "Réunion de la troïka du FMMD {n}"}),
    MeetingType("GFMD", "preparatory-meeting", Kind.PREPARATORY_MEETING,
                _p(r"preparatory\s+meetings?|reuni[oó]n(?:es)?\s+preparatorias?|r[ée]unions?\s+pr[ée]paratoires?"),
                "chair", {"en": "GFMD preparatory meeting {n}", "es": "Reunión preparatoria del FMMD {n}",
                          "fr": "Réunion préparatoire du FMMD {n}"}),
    MeetingType("GFMD", "thematic-workshop", Kind.PREPARATORY_MEETING,
                _p(r"thematic\s+workshop|taller\s+tem[aá]tico|atelier\s+th[ée]matique"),
                "topic", {"en": "GFMD thematic workshop: {n}", "es": "Taller temático del FMMD: {n}",
                          "fr": "Atelier thématique du FMMD : {n}"}),
    MeetingType("CRM", "viceministerial", Kind.VICE_MINISTERIAL,
                _p(r"reuni[oó]n\s+vice-?ministerial|vice-?ministerial\s+meeting|"
                   r"r[ée]union\s+vice-?minist[ée]rielle|"
                   # the yearly Conference is its Vice-Ministerial Meeting: "la XXV Conferencia Regional sobre
                   # Migración", "the 24th Regional Conference on Migration" (same number)
                   r"conferencia\s+regional\s+sobre\s+migraci[oó]n|regional\s+conference\s+on\s+migration|"
                   r"conf[ée]rence\s+r[ée]gionale\s+sur\s+les\s+migrations"),
                "number", {"en": "{r} CRM Vice-Ministerial Meeting", "es": "{r} Reunión Viceministerial de la CRM",
                           "fr": "{r}e Réunion vice-ministérielle de la CRM"}),
    MeetingType("CRM", "grupo-regional-consulta", Kind.PREPARATORY_MEETING,
                _p(r"grupo\s+regional\s+de\s+consulta|\bGRCM\b|regional\s+consultation\s+group|"
                   r"groupe\s+r[ée]gional\s+de\s+consultation"),
                "year", {"en": "CRM Regional Consultation Group meeting {n}",
                         "es": "Reunión del Grupo Regional de Consulta sobre Migración {n}",
                         "fr": "Réunion du Groupe régional de consultation de la CRM {n}"}),
    MeetingType("CRM", "working-group", Kind.PREPARATORY_MEETING,
                _p(r"grupo\s+de\s+trabajo|working\s+group|groupe\s+de\s+travail"),
                "topic", {"en": "CRM working group: {n}", "es": "Grupo de Trabajo de la CRM: {n}",
                          "fr": "Groupe de travail de la CRM : {n}"}),
    MeetingType("CRM", "plenaria-conjunta", Kind.OTHER,
                _p(r"plenaria\s+conjunta|joint\s+plenary|pl[ée]ni[èe]re\s+conjointe"),
                "year", {"en": "Joint plenary of the CRM and the CSM {n}", "es": "Plenaria conjunta CRM–CSM {n}",
                         "fr": "Plénière conjointe CRM–CSM {n}"}),
    MeetingType("CSM", "technical-meeting", Kind.TECHNICAL_MEETING,
                _p(r"reuni[oó]n\s+t[ée]cnica|technical\s+(?:consultation\s+)?meeting|r[ée]union\s+technique"),
                "year", {"en": "CSM technical meeting {n}", "es": "Reunión Técnica de Consulta de la CSM {n}",
                         "fr": "Réunion technique de la CSM {n}"}),
    MeetingType("CSM", "intersessional", Kind.PREPARATORY_MEETING,
                _p(r"reuni[oó]n\s+intersesional|intersessional\s+meeting|r[ée]union\s+intersession"),
                "chair", {"en": "CSM intersessional meeting {n}", "es": "Reunión intersesional de la CSM {n}",
                          "fr": "Réunion intersessions de la CSM {n}"}),
    MeetingType("CSM", "conference", Kind.CONFERENCE,
                _p(r"conferencia\s+su[rd]americana\s+sobre\s+migraci[oó]n(?:es)?|"
                   r"south\s+american\s+conference\s+on\s+migration|"
                   r"conf[ée]rence\s+sud-am[ée]ricaine\s+sur\s+les\s+migrations|\bCSM\b|\bSACM\b"),
                "number", {"en": "{r} South American Conference on Migration",
                           "es": "{r} Conferencia Suramericana sobre Migraciones",
                           "fr": "{r}e Conférence sud-américaine sur les migrations"}),
)

# Bodies named in prose. Codes count only in capitals ("CAT", not "cat").
BODY_PATTERNS: dict[str, re.Pattern[str]] = {
    "CMW": _p(r"migrant\s+workers|trabajadores\s+migratorios|travailleurs\s+migrants|(?-i:\bCMW\b)"),
    "CEDAW": _p(r"discrimination\s+against\s+women|women['’]s\s+(?:rights\s+committee|anti-discrimination)|discriminaci[oó]n\s+contra\s+la\s+mujer|"
                r"discrimination\s+[àa]\s+l['’][ée]gard\s+des\s+femmes|(?-i:\bCEDAW\b)"),
    "CRC": _p(r"rights\s+of\s+the\s+child|child\s+rights\s+committee|derechos\s+del\s+ni[ñn]o|droits\s+de\s+l['’]enfant|(?-i:\bCRC\b)"),
    "CCPR": _p(r"human\s+rights\s+committee|comit[ée]\s+de\s+derechos\s+humanos|"
               r"comit[ée]\s+des\s+droits\s+de\s+l['’]homme|(?-i:\bCCPR\b)"),
    "CESCR": _p(r"committee\s+on\s+economic,\s+social|comit[ée]\s+de\s+derechos\s+econ[oó]micos|"
                r"comit[ée]\s+des\s+droits\s+[ée]conomiques|(?-i:\bCESCR\b)"),
    "CAT": _p(r"committee\s+against\s+torture|comit[ée]\s+contra\s+la\s+tortura|comit[ée]\s+contre\s+la\s+torture|"
              r"(?-i:\bCAT\b)"),
    "CERD": _p(r"racial\s+discrimination|discriminaci[oó]n\s+racial|discrimination\s+raciale|(?-i:\bCERD\b)"),
    "CRPD": _p(r"persons\s+with\s+disabilities|disability\s+rights\s+committee|personas\s+con\s+discapacidad|personnes\s+handicap[ée]es|"
               r"(?-i:\bCRPD\b)"),
    "CED": _p(r"enforced\s+disappearances?|desaparici[oó]n\s+forzada|disparitions\s+forc[ée]es|(?-i:\bCED\b)"),
    "SPT": _p(r"subcommittee\s+on\s+(?:the\s+)?prevention\s+of\s+torture|subcomit[ée]\s+para\s+la\s+prevenci[oó]n|"
              r"sous-comit[ée]\s+pour\s+la\s+pr[ée]vention|(?-i:\bSPT\b)"),
    "UPR": _p(r"universal\s+periodic\s+review|examen\s+peri[oó]dico\s+universal|examen\s+p[ée]riodique\s+universel|"
              r"(?-i:\bUPR\b)|(?-i:\bEPU\b)"),
    "GFMD": _p(r"global\s+forum\s+on\s+migration|foro\s+(?:mundial|global)\s+sobre\s+migraci[oó]n|"
               r"forum\s+mondial\s+sur\s+la\s+migration|(?-i:\bGFMD\b)|(?-i:\bFMMD\b)"),
    "CRM": _p(r"conferencia\s+regional\s+sobre\s+migraci[oó]n|regional\s+conference\s+on\s+migration|"
              r"conf[ée]rence\s+r[ée]gionale\s+sur\s+les\s+migrations|proceso\s+puebla|puebla\s+process|"
              r"(?-i:\bCRM\b)|(?-i:\bRCM\b)"),
    "CSM": _p(r"conferencia\s+su[rd]americana|south\s+american\s+conference|conf[ée]rence\s+sud-am[ée]ricaine|"
              r"(?-i:\bCSM\b)|(?-i:\bSACM\b)"),
}

SESSION_WORDS = _p(r"per[ií]odo\s+de\s+sesiones|\bsessions?\b|\bsesi[oó]n\b")
PRE_SESSIONAL = _p(r"pre-?sessional|anterior\s+al\s+per[ií]odo\s+de\s+sesiones|pr[ée]-?session|pr[ée]sessionnel")

# Deadline kinds (DESIGN §4), by the words of information notes in three languages.
NGO_BRIEFING = _p(
    r"(?:private|closed|informal)\s+(?:meeting|briefing)s?\b[^.;]{0,40}?\b(?:NGOs?|civil\s+society|"
    r"non-governmental|national\s+human\s+rights|NHRIs?)|"
    r"(?:meeting|briefing)s?\s+(?:with|for)\s+(?:NGOs|civil\s+society)|NGO\s+briefing|"
    r"reuni[oó]n(?:es)?\s+(?:privada|informativa|cerrada)s?\s+con\s+(?:las\s+|los\s+)?(?:ONG|organizaciones|"
    r"la\s+sociedad\s+civil|instituciones\s+nacionales)|"
    r"r[ée]union(?:s)?\s+(?:priv[ée]e|d['’]information|informelle)s?\s+avec\s+(?:les\s+)?(?:ONG|organisations|"
    r"la\s+soci[ée]t[ée]\s+civile|institutions\s+nationales)")
ACCREDITATION = _p(r"accredit|acredita|accr[ée]dit")
REGISTRATION = _p(r"\bregist(?:er|ration|ered)\b|inscripci[oó]n|inscribirse|\binscri(?:ption|re|vez)|"
                  r"s['’]inscrire|\bregistro\b|enregistrement")
REPLIES = _p(r"repl(?:y|ies)\b[^.;]{0,60}?\blist\s+of\s+issues|respuestas?\b[^.;]{0,60}?\blista\s+de\s+cuestiones|"
             r"r[ée]ponses?\b[^.;]{0,60}?\bliste\s+de(?:s)?\s+points")
SUBMISSION = _p(
    r"written\s+(?:information|submissions?|contributions?|reports?|input)|(?:alternative|shadow|parallel)\s+reports?|"
    r"\bsubmi(?:t|ssions?|tted)\b|informaci[oó]n\s+(?:escrita|por\s+escrito)|informes?\s+(?:alternativos?|"
    r"paralelos?|sombra)|contribuciones\s+(?:escritas|por\s+escrito)|presentar\s+informaci[oó]n|"
    r"informations?\s+[ée]crites?|rapports?\s+(?:alternatifs?|parall[èe]les?)|contributions?\s+[ée]crites?|"
    r"soumettre|\bsoumissions?\b|transmettre\s+(?:des|leurs|ses)\s+informations|enviar\s+informaci[oó]n|"
    r"send\s+(?:written\s+)?information")
NHRI = _p(r"national\s+human\s+rights\s+institutions?|\bNHRIs?\b|instituciones?\s+nacionales?\s+de\s+derechos|"
          r"(?-i:\bINDH\b)|institutions?\s+nationales?\s+des\s+droits")
CSO = _p(r"\bNGOs?\b|non-governmental|civil\s+society|\bONGs?\b|sociedad\s+civil|soci[ée]t[ée]\s+civile|"
         r"organizaciones|organisations")
DEADLINE_TRIGGER = _p(
    r"\bbefore\b|no\s+later\s+than|\bby\b|deadline|at\s+the\s+latest|\bdue\b|\buntil\b|closes?\b|"
    r"\bcierran?\b|\bse\s+cierra|cl[ôo]tur|"
    r"antes\s+del?|a\s+m[aá]s\s+tardar|fecha\s+l[ií]mite|\bplazo\b|hasta\s+el|\bvence\b|"
    r"avant\s+le|au\s+plus\s+tard|date\s+limite|d['’]ici\s+le|jusqu['’]au|\bi\.\s?e\.|es\s+decir|c['’]est-[àa]-dire")
DIALOGUE = _p(
    r"dialogue|di[aá]logo|consider|review|examin|report\s+of|informe|rapport|delegation|delegaci[oó]n|"
    r"d[ée]l[ée]gation|\bcontinued\b|\(cont|continuaci[oó]n|suite\b")
REVIEW = _p(
    r"\breview(?:ed|s|ing)?\b|\bconsider(?:ed|s|ing|ation)?\b|\bexamin|\bStates?\s+under\s+review|"
    r"\bexaminar[aá]n?\b|\bexamen\b|\bexaminados?\b|\bexaminera\b|\b[ée]tats?\s+examin[ée]s|"
    r"\bdialogue|\bdi[aá]logo")
# "will adopt a list of issues for Bolivia": a State named after this is not under review.
LIST_OF_ISSUES = _p(r"list\s+of\s+issues|lista\s+de\s+cuestiones|liste\s+de(?:s)?\s+points")
RELATIVE_WEEKS = _p(
    r"(?P<n>\w+)\s+(?:\(\d+\)\s+)?(?:weeks?|semanas?|semaines?)\s+(?:before|prior\s+to|antes\s+del?|avant)\s+"
    r"(?:the\s+|el\s+|la\s+|le\s+)?(?:(?:beginning|start|opening|inicio|comienzo|d[ée]but|ouverture)\s+"
    r"(?:of\s+the\s+|del?\s+|de\s+la\s+)?)?(?:session|per[ií]odo\s+de\s+sesiones|sesi[oó]n)")
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4,
                "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "une": 1, "deux": 2,
                "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10}

DEADLINE_TITLES = {
    "cso_submission": {"en": "written submissions from civil society due",
                       "es": "plazo para la información escrita de la sociedad civil",
                       "fr": "date limite des contributions écrites de la société civile"},
    "nhri_submission": {"en": "written submissions from NHRIs due",
                        "es": "plazo para la información escrita de las INDH",
                        "fr": "date limite des contributions écrites des INDH"},
    "accreditation": {"en": "accreditation deadline", "es": "plazo de acreditación",
                      "fr": "date limite d'accréditation"},
    "registration": {"en": "registration deadline", "es": "plazo de inscripción", "fr": "date limite d'inscription"},
    "ngo_briefing": {"en": "private meeting with NGOs and NHRIs", "es": "reunión privada con ONG e INDH",
                     "fr": "réunion privée avec les ONG et les INDH"},
    "replies_due": {"en": "replies to the list of issues due", "es": "plazo de respuestas a la lista de cuestiones",
                    "fr": "date limite des réponses à la liste de points"},
}
SESSION_TITLES = {"en": "{body} {nth} session", "es": "{body}, {n}.º período de sesiones", "fr": "{body}, {n}e session"}
UNNUMBERED_SESSION_TITLES = {"en": "{body} session", "es": "{body}, período de sesiones", "fr": "{body}, session"}
PRE_SESSIONAL_TITLES = {"en": "{body} pre-sessional working group ({nth} session)",
                        "es": "{body}, grupo de trabajo anterior al {n}.º período de sesiones",
                        "fr": "{body}, groupe de travail présession ({n}e session)"}
REVIEW_TITLES = {"en": "review of {state}", "es": "examen de {state}", "fr": "examen : {state}"}
DIALOGUE_TITLES = {"en": "public dialogue with {state} (meeting {part})",
                   "es": "diálogo público con {state} (sesión {part})",
                   "fr": "dialogue public : {state} (séance {part})"}


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex: each body pattern is a list of phrases."""
    parts, depth, current, i = [], 0, "", 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            current += pattern[i:i + 2]
            i += 2
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
        i += 1
    return parts + [current]


def _folded_words(words: str) -> frozenset[str]:
    return frozenset(_fold_word(word) for word in words.split())


def _fold_word(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.casefold().replace("’", "'"))
    return "".join(ch for ch in word if not unicodedata.combining(ch))


# The subject of a workshop or working group: the words after its name, up to the first
# word that starts saying something else ("…, planned for", "prevista para", "in Bogotá").
_PROCESSES = "crm rcm csm sacm gfmd fmmd"
_TOPIC_LEAD = _folded_words("ad hoc on about sobre de del la el los las sur du des le les d l : the of regional "
                            + _PROCESSES)
_TOPIC_FILLER = _folded_words("and y e et of de del la el los las the du des le les d l a an")
# "… Migrante de la CRM": the process is not the subject either
_TOPIC_STOP = _folded_words(
    "planned scheduled postponed cancelled canceled will would is are has have was were to held took takes in at "
    "from between on during which that this prevista previsto programada programado pospuesta pospuesto suspendida "
    "cancelada se que ha han fue será en para con durante celebrada celebrado realizada realizado tendrá "
    "est été aura lieu prévue prévu reporté reportée annulée annulé au aux dans pour qui " + _PROCESSES)
_TOPIC_WORD = re.compile(r"[^\W\d_][\w'’-]*|[,.;:()\[\]|–—\"“”]|\d+")
TOPIC_WORDS = 5


def meeting_topic(after: str) -> tuple[str, str] | None:
    """The subject written after a meeting's name, as (slug, phrase), or None.

    ``": Climate change and human mobility"`` and ``" on climate change and human
    mobility, planned for 24 July"`` both give ``("climate-change-human-mobility",
    "climate change and human mobility")``; the slug keeps at most five words
    that carry meaning, folded, so connectives and casing do not split a key.
    """
    words = _TOPIC_WORD.findall(after[:300])
    i = 0
    while i < len(words) and (_fold_word(words[i]) in _TOPIC_LEAD or words[i] in "-–—"):
        i += 1
    phrase, slug = [], []
    for word in words[i:]:
        folded = _fold_word(word)
        if not word[0].isalpha() or folded in _TOPIC_STOP or len(slug) == TOPIC_WORDS:
            break
        phrase.append(word)
        if folded not in _TOPIC_FILLER:
            slug.append(re.sub(r"[^a-z0-9]+", "-", folded.replace("œ", "oe").replace("æ", "ae")).strip("-"))
    while phrase and _fold_word(phrase[-1]) in _TOPIC_FILLER:
        phrase.pop()
    slug = [w for w in slug if w]
    return ("-".join(slug), " ".join(phrase)) if slug else None


def ordinal_suffix_en(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
