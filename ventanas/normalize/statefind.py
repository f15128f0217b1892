"""States named in running English, Spanish and French text.

Every form :mod:`ventanas.normalize.states` knows (pycountry, CLDR names,
the UN aliases) is matched word by word, longest first, so "Democratic
Republic of the Congo" is not read as "Congo", "Guinea-Bissau" not as
"Guinea", and "Trinidad and Tobago" stays one State inside a list joined by
"and". Only UN Member States and the two observer States are found: a
territory name is far more often an ordinary word ("la Reunión Viceministerial"
is a meeting, not Réunion). A name must be capitalized, as proper names are in
all three languages ("Chile" the State, not "chile" the pepper).

What cannot be resolved is reported by :func:`unresolved_states`, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from ventanas.normalize.bodies import UN_MEMBER_STATES, resolve_body
from ventanas.normalize.states import fold, name_index, resolve_state

OBSERVER_STATES = ("VAT", "PSE")
# States that are parties to UN human rights treaties without being UN members: reviewed like any other.
NON_MEMBER_PARTIES = ("COK", "NIU")

# Phrases that contain a State's name but name something else.
NOT_STATES = {"new mexico", "nuevo mexico", "nouveau mexique", "guinea pig", "gulf of mexico",
              "golfo de mexico", "golfe du mexique", "georgia state", "jordan river", "la reunion",
              "el salvador del mundo"}
# Names that fit several States: reported as ambiguous, never resolved.
AMBIGUOUS = {"korea": ("KOR", "PRK"), "corea": ("KOR", "PRK"), "coree": ("KOR", "PRK"),
             "guinea": (), "sudan": ()}
_ARTICLES = {"the", "la", "le", "les", "l", "los", "las"}
# Long official forms that UN documents write in running text and the alias
# table of states.py lacks (it serves table cells, which use the short forms).
RUNNING_TEXT_FORMS = {
    "GBR": ("Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
            "Reino Unido de Gran Bretaña e Irlanda del Norte"),
    "MKD": ("The former Yugoslav Republic of Macedonia", "ex-République yougoslave de Macédoine",
            "ex República Yugoslava de Macedonia", "Macedonia", "Macédoine"),
    "IRN": ("Iran (République islamique d')", "République islamique d'Iran", "República Islámica del Irán"),
    "FSM": ("Micronésie (États fédérés de)", "Micronesia (Estados Federados de)",
            "Federated States of Micronesia"),
    "LAO": ("République démocratique populaire lao", "República Democrática Popular Lao"),
    "NLD": ("Pays-Bas (Royaume des)", "Países Bajos (Reino de los)"),
    "VNM": ("Viet Nam", "Vietnam"),
}


@dataclass(frozen=True)
class StateMention:
    code: str  # ISO 3166-1 alpha-3
    text: str
    pos: int


@dataclass(frozen=True)
class UnresolvedState:
    """A name written where a State is expected that ventanas cannot resolve."""

    text: str
    pos: int  # -1 when the name was given by the caller and does not occur in the text
    reason: str  # "unknown" or "ambiguous: KOR, PRK"


_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


@cache
def _matcher() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First folded word → [(all folded words of a name, alpha-3)], longest names first."""
    wanted = set(UN_MEMBER_STATES) | set(OBSERVER_STATES) | set(NON_MEMBER_PARTIES)
    table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    names = dict(name_index())
    names.update({fold(form): code for code, forms in RUNNING_TEXT_FORMS.items() for form in forms})
    for name, code in names.items():
        if code not in wanted:
            continue
        words = tuple(name.split())
        while words and words[0] in _ARTICLES and len(words) > 1:
            words = words[1:]  # "the Philippines" is found as "Philippines"
        if words:
            table.setdefault(words[0], []).append((words, code))
    for forms in table.values():
        forms.sort(key=lambda f: -len(f[0]))
    return table


@cache
def _blocked() -> dict[str, list[tuple[str, ...]]]:
    table: dict[str, list[tuple[str, ...]]] = {}
    for phrase in NOT_STATES:
        words = tuple(phrase.split())
        table.setdefault(words[0], []).append(words)
    return table


def _tokens(text: str) -> list[tuple[str, int, int]]:
    tokens = []
    for m in _WORD.finditer(text):
        folded = _fold_word(m.group())
        if " " in folded:  # a ligature or compatibility form that folds to two words
            tokens.extend((part, m.start(), m.end()) for part in folded.split())
        elif folded:
            tokens.append((folded, m.start(), m.end()))
    return tokens


def _extend_parenthesis(text: str, start: int, end: int) -> int:
    """Include the ")" of "Bolivia (Plurinational State of)"."""
    if text.count("(", start, end) > text.count(")", start, end):
        close = text.find(")", end)
        if close != -1 and close - end <= 2:
            return close + 1
    return end


def find_states(text: str) -> list[StateMention]:
    """Resolved State mentions, in order."""
    if not text:
        return []
    tokens = _tokens(text)
    words = [t[0] for t in tokens]
    matcher, blocked = _matcher(), _blocked()
    mentions: list[StateMention] = []
    i = 0
    while i < len(tokens):
        word = words[i]
        skip = next((len(b) for b in blocked.get(word, ()) if tuple(words[i:i + len(b)]) == b), 0)
        if skip:
            i += skip
            continue
        for form, code in matcher.get(word, ()):
            if tuple(words[i:i + len(form)]) != form:
                continue
            start, end = tokens[i][1], tokens[i + len(form) - 1][2]
            first, last = text[start], text[tokens[i + len(form) - 1][1]]
            if not first.isupper() and not (len(form) > 1 and last.isupper()):
                continue  # "chile" the pepper, "turkey" the bird; but French "les îles Cook"
            end = _extend_parenthesis(text, start, end)
            mentions.append(StateMention(code, text[start:end], start))
            i += len(form)
            break
        else:
            i += 1
    return mentions


_CAPITALIZED = re.compile(
    r"[A-ZÁÉÍÓÚÑÇÔÎÈ][\w'’.-]*(?:\s+(?:(?:of|the|de|del|la|las|los|du|des|d['’])\s+)*"
    r"[A-ZÁÉÍÓÚÑÇÔÎÈ(][\w'’().-]*)*")
_LIST_SEP = r"\s*(?:,|;|\band\b|\by\b|\be\b|\bet\b)\s*"
_GAP = re.compile(rf"^{_LIST_SEP}(?P<middle>.*?){_LIST_SEP}$", re.S)
_AFTER = re.compile(rf"^{_LIST_SEP}(?:the\s+|la\s+|le\s+|l['’])?(?P<name>{_CAPITALIZED.pattern})")
_BEFORE = re.compile(rf"(?P<name>{_CAPITALIZED.pattern})\s*,\s*$")
_NOT_A_STATE_WORD = {"committee", "comite", "geneva", "ginebra", "geneve", "session", "sesion",
                     "conference", "conferencia", "the committee", "state party", "estado parte",
                     "etat partie", "ngos", "ong", "nhris"}


def _reason(name: str) -> str | None:
    """Why ``name`` is reported, or None when it is no State candidate at all (or resolves)."""
    key = fold(name)
    for article in _ARTICLES:
        if key.startswith(article + " "):
            key = key[len(article) + 1:]
    if not key or key in _NOT_A_STATE_WORD or resolve_body(name) or resolve_state(name):
        return None
    if key in AMBIGUOUS:
        codes = AMBIGUOUS[key]
        return "ambiguous: " + ", ".join(codes) if codes else "ambiguous"
    return "unknown"


def unresolved_states(text: str, candidates: Iterable[str] | None = None, *,
                      mentions: list[StateMention] | None = None) -> list[UnresolvedState]:
    """Names that stand where a State is expected but resolve to none.

    With ``candidates`` (names a caller read from a structure: a table cell, a
    "States under review" field), each one that does not resolve is reported.
    Without, the text's lists of States are read: a capitalized name listed
    with resolved States ("Morocco, Ruritania and El Salvador") that is not
    one itself is reported. Nothing here is ever resolved by similarity.
    """
    if candidates is not None:
        found = []
        for name in candidates:
            cleaned = name.strip(" ,.;:")
            if cleaned and resolve_state(cleaned) is None:
                key = fold(cleaned)
                reason = ("ambiguous: " + ", ".join(AMBIGUOUS[key])) if AMBIGUOUS.get(key) else "unknown"
                found.append(UnresolvedState(cleaned, text.find(cleaned) if text else -1, reason))
        return found
    if mentions is None:  # a caller that already read the text's States passes them
        mentions = find_states(text)
    reported: dict[int, UnresolvedState] = {}

    spans = [(m.pos, m.pos + len(m.text)) for m in mentions]

    def report(name: str, pos: int) -> None:
        name = name.strip(" ,.;:")
        if any(a < pos + len(name) and pos < b for a, b in spans):
            return  # part of a resolved name: "Ivoire" in "Côte d'Ivoire"
        reason = _reason(name)
        if reason and len(name.split()) <= 6:
            reported.setdefault(pos, UnresolvedState(name, pos, reason))

    for a, b in zip(mentions, mentions[1:], strict=False):
        gap_start = a.pos + len(a.text)
        gap = text[gap_start:b.pos]
        if "\n" in gap or len(gap) > 120:
            continue
        if m := _GAP.match(gap):
            middle_start = gap_start + m.start("middle")
            for part in re.finditer(rf"(?:(?!{_LIST_SEP}).)+", m["middle"]):
                if _CAPITALIZED.fullmatch(part.group().strip()):
                    report(part.group(), middle_start + part.start() + (len(part.group()) - len(part.group().lstrip())))
    for mention in mentions:
        line_end = text.find("\n", mention.pos)
        after = text[mention.pos + len(mention.text): line_end if line_end != -1 else len(text)]
        if m := _AFTER.match(after):
            report(m["name"], mention.pos + len(mention.text) + m.start("name"))
        line_start = text.rfind("\n", 0, mention.pos) + 1
        before = text[line_start:mention.pos]
        if m := _BEFORE.search(before):
            report(m["name"], line_start + m.start("name"))
    return [reported[pos] for pos in sorted(reported)]
