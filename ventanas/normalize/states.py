"""States: ISO 3166-1 alpha-3 codes from the names the UN and the regional sites use.

Built from pycountry (English names), Babel's CLDR data (Spanish and French
names) and :data:`ALIASES`, the forms the UN, OHCHR, GFMD, CRM and CSM write
that neither library knows. An unknown name is reported (``None`` or
:class:`UnknownState`), never guessed: there is no fuzzy matching here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry
from babel import Locale

# UN and regional forms, in English, Spanish and French. Keys are written as
# the sources write them; lookups fold case, accents and punctuation.
ALIASES: dict[str, tuple[str, ...]] = {
    "BOL": (
        "Bolivia (Plurinational State of)", "Plurinational State of Bolivia",
        "Estado Plurinacional de Bolivia", "Bolivia (Estado Plurinacional de)",
        "Bolivie (État plurinational de)", "État plurinational de Bolivie",
    ),
    "VEN": (
        "Venezuela (Bolivarian Republic of)", "Bolivarian Republic of Venezuela",
        "República Bolivariana de Venezuela", "Venezuela (República Bolivariana de)",
        "Venezuela (République bolivarienne du)", "République bolivarienne du Venezuela",
    ),
    "TUR": ("Türkiye", "Turkey", "Turquía", "Turquie", "Republic of Türkiye"),
    "CIV": ("Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast", "Costa de Marfil"),
    "VNM": ("Viet Nam", "Vietnam", "Viêt Nam"),
    "KOR": ("Republic of Korea", "South Korea", "República de Corea", "République de Corée"),
    "PRK": (
        "Democratic People's Republic of Korea", "North Korea",
        "República Popular Democrática de Corea", "République populaire démocratique de Corée",
    ),
    "PSE": ("State of Palestine", "Palestine", "Estado de Palestina", "État de Palestine", "Palestina"),
    "VAT": ("Holy See", "Santa Sede", "Saint-Siège", "Vatican"),
    "USA": (
        "United States", "United States of America", "USA", "U.S.", "Estados Unidos",
        "Estados Unidos de América", "EE.UU.", "EEUU", "États-Unis", "États-Unis d'Amérique",
    ),
    "MEX": ("Estados Unidos Mexicanos", "United Mexican States"),
    "DOM": ("Dominican Republic", "República Dominicana", "République dominicaine"),
    "CPV": ("Cabo Verde", "Cape Verde", "Cap-Vert"),
    "PHL": ("Philippines", "the Philippines", "Filipinas"),
    "IRN": ("Iran (Islamic Republic of)", "Islamic Republic of Iran", "Irán (República Islámica del)"),
    "FSM": ("Micronesia (Federated States of)",),
    "MDA": ("Republic of Moldova", "República de Moldova", "République de Moldova"),
    "TZA": ("United Republic of Tanzania", "República Unida de Tanzanía", "République-Unie de Tanzanie"),
    "LAO": ("Lao People's Democratic Republic", "Laos"),
    "SYR": ("Syrian Arab Republic", "Syria", "República Árabe Siria", "République arabe syrienne"),
    "RUS": ("Russian Federation", "Russia", "Federación de Rusia", "Fédération de Russie"),
    "GBR": (
        "United Kingdom of Great Britain and Northern Ireland", "United Kingdom", "UK",
        "Reino Unido", "Royaume-Uni",
    ),
    "NLD": ("Netherlands (Kingdom of the)", "Kingdom of the Netherlands", "Netherlands", "Países Bajos"),
    "CZE": ("Czechia", "Czech Republic", "Chequia", "Tchéquie", "République tchèque", "República Checa"),
    "MKD": ("North Macedonia", "Macedonia del Norte", "Macédoine du Nord"),
    "SWZ": ("Eswatini", "Swaziland"),
    "COD": (
        "Democratic Republic of the Congo", "DR Congo", "DRC", "RDC", "RD Congo", "República Democrática del Congo",
        "République démocratique du Congo",
    ),
    "COG": ("Congo", "Republic of the Congo", "República del Congo", "République du Congo"),
    "GMB": ("Gambia", "The Gambia"),
    "BHS": ("Bahamas", "The Bahamas"),
    "BRA": ("Brasil",),
    "BLZ": ("Belice",),
    "SUR": ("Surinam", "Suriname"),
    "GUY": ("Guyana",),
    "PER": ("Perú",),
    "PAN": ("Panamá",),
    "HTI": ("Haití",),
    "SLV": ("El Salvador",),
}

_ARTICLES = ("the ", "la ", "le ", "les ", "l ", "los ")
_PUNCT = re.compile(r"[^\w]+", re.UNICODE)


class UnknownState(LookupError):
    """A name that is no State ventanas knows: reported, never guessed."""

    def __init__(self, name: str):
        super().__init__(f"unknown State name {name!r}")
        self.name = name


@dataclass(frozen=True)
class StateInfo:
    code: str
    alpha2: str
    name_en: str
    name_es: str
    name_fr: str

    def name(self, lang: str) -> str:
        return {"es": self.name_es, "fr": self.name_fr}.get(lang, self.name_en)


def fold(text: str) -> str:
    """Fold case, accents, apostrophes and punctuation: the key of every lookup."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _PUNCT.sub(" ", text.casefold()).strip()


@cache
def all_states() -> dict[str, StateInfo]:
    """Every State by alpha-3 code, with names in English, Spanish and French."""
    es, fr = Locale.parse("es").territories, Locale.parse("fr").territories
    english_overrides = {  # the short forms the UN writes, where pycountry's name is a catalogue form
        "BOL": "Bolivia", "VEN": "Venezuela", "IRN": "Iran", "KOR": "Republic of Korea",
        "PRK": "Democratic People's Republic of Korea", "PSE": "State of Palestine", "VAT": "Holy See",
        "TZA": "United Republic of Tanzania", "MDA": "Republic of Moldova", "FSM": "Micronesia",
        "COD": "Democratic Republic of the Congo", "LAO": "Lao People's Democratic Republic",
        "SYR": "Syrian Arab Republic", "RUS": "Russian Federation", "VNM": "Viet Nam",
    }
    localized_overrides = {  # CLDR's names that the UN does not use
        "es": {"PSE": "Estado de Palestina", "VAT": "Santa Sede", "KOR": "República de Corea"},
        "fr": {"PSE": "État de Palestine", "VAT": "Saint-Siège", "KOR": "République de Corée"},
    }
    states = {}
    for country in pycountry.countries:
        code, a2 = country.alpha_3, country.alpha_2
        en = english_overrides.get(code) or getattr(country, "common_name", None) or country.name
        states[code] = StateInfo(
            code=code,
            alpha2=a2,
            name_en=en,
            name_es=localized_overrides["es"].get(code) or es.get(a2, en),
            name_fr=localized_overrides["fr"].get(code) or fr.get(a2, en),
        )
    return states


@cache
def name_index() -> dict[str, str]:
    """Folded name → alpha-3, over every known form of every State."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_3
        info = all_states()[code]
        forms = [
            country.name, getattr(country, "official_name", None), getattr(country, "common_name", None),
            info.name_en, info.name_es, info.name_fr,
        ]
        for form in forms:
            if form:
                index.setdefault(fold(form), code)
    for code, forms in ALIASES.items():
        for form in forms:
            index[fold(form)] = code  # aliases win over catalogue forms
    return index


def resolve_state(name: str) -> str | None:
    """Alpha-3 code for a State name in any of the three languages, or None."""
    if re.fullmatch(r"[A-Z]{3}", name.strip()) and name.strip() in all_states():
        return name.strip()
    key = fold(name)
    if not key:
        return None
    index = name_index()
    if key in index:
        return index[key]
    for article in _ARTICLES:
        if key.startswith(article) and key[len(article):] in index:
            return index[key[len(article):]]
    return None


def require_state(name: str) -> str:
    code = resolve_state(name)
    if code is None:
        raise UnknownState(name)
    return code


def state_name(code: str, lang: str = "en") -> str:
    return all_states()[code].name(lang)
