"""Meeting and session numbers as sources write them: "25th", "36e", "36º",
"XXVI", "thirty-sixth", "trigésimo sexto", "trente-sixième".

Ordinal words are generated for 1–199 in English, Spanish and French (UN
sessions reach the hundreds: CEDAW held its 90th in 2025, CRC its 100th in
2025), so a number written out is read the same way as one in digits.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from ventanas.normalize.states import fold

_ROMAN = re.compile(r"^(?=[MDCLXVI])M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_to_int(text: str) -> int | None:
    """``XXVI`` → 26; None for anything that is not a well-formed Roman numeral."""
    token = text.strip().upper()
    if not token or not _ROMAN.match(token):
        return None
    total = 0
    for ch, nxt in zip(token, token[1:] + " ", strict=True):
        value = _ROMAN_VALUES[ch]
        total += -value if nxt != " " and _ROMAN_VALUES[nxt] > value else value
    return total


_EN_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_EN_ORD = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
           "nine": "ninth", "twelve": "twelfth"}


def _en_cardinal(n: int) -> str:
    if n >= 100:
        rest = n - 100
        return "one hundred" + (f" and {_en_cardinal(rest)}" if rest else "")
    if n < 20:
        return _EN_UNITS[n]
    tens, unit = divmod(n, 10)
    return _EN_TENS[tens] + (f"-{_EN_UNITS[unit]}" if unit else "")


def _en_ordinal(n: int) -> str:
    words = _en_cardinal(n)
    head, sep, last = words.rpartition(" " if " " in words and "-" not in words.split(" ")[-1] else "-")
    if not sep:
        head, last = "", words
    if last in _EN_ORD:
        last = _EN_ORD[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}"


_ES_UNITS = ["", "primero", "segundo", "tercero", "cuarto", "quinto", "sexto", "séptimo", "octavo", "noveno"]
_ES_TENS = ["", "décimo", "vigésimo", "trigésimo", "cuadragésimo", "quincuagésimo", "sexagésimo",
            "septuagésimo", "octogésimo", "nonagésimo"]


def _es_ordinals(n: int) -> list[str]:
    """Masculine and feminine forms ("vigésimo sexto período", "vigésima sexta reunión")."""
    hundreds, rest = divmod(n, 100)
    tens, unit = divmod(rest, 10)
    parts = (["centésimo"] if hundreds else []) + ([_ES_TENS[tens]] if tens else []) + (
        [_ES_UNITS[unit]] if unit else [])
    masculine = " ".join(parts)
    feminine = " ".join(p[:-1] + "a" if p.endswith("o") else p for p in parts)
    forms = [masculine, feminine]
    if unit in (1, 3):  # apocope before a noun: "primer período", "octogésimo tercer período"
        forms.append(masculine[: -len(_ES_UNITS[unit])] + {1: "primer", 3: "tercer"}[unit])
    if tens == 1 and unit:  # "decimoquinto" is also written in one word
        unit_m = _ES_UNITS[unit]
        forms += ["decimo" + unit_m, "decimo" + (unit_m[:-1] + "a" if unit_m.endswith("o") else unit_m)]
    return forms


_FR_UNITS = ["", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
             "douze", "treize", "quatorze", "quinze", "seize"]


def _fr_cardinal(n: int) -> str:
    if n >= 100:
        rest = n - 100
        return "cent" + (f" {_fr_cardinal(rest)}" if rest else "")
    if n <= 16:
        return _FR_UNITS[n]
    if n < 20:
        return "dix-" + _FR_UNITS[n - 10]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):
        base = "soixante" if tens == 7 else "quatre-vingt"
        sep = "-et-" if n == 71 else "-"
        return base + sep + _fr_cardinal(10 + unit)
    base = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante", 8: "quatre-vingt"}[tens]
    if unit == 0:
        return base + ("s" if tens == 8 else "")
    return base + ("-et-un" if unit == 1 and tens != 8 else "-" + _FR_UNITS[unit])


def _fr_ordinal(n: int) -> str:
    if n == 1:
        return "premier"
    words = _fr_cardinal(n)
    if words.endswith("cinq"):
        return words + "uième"
    if words.endswith("neuf"):
        return words[:-1] + "vième"
    if words.endswith("e"):
        return words[:-1] + "ième"
    if words.endswith("s") and words.endswith("vingts"):
        return words[:-1] + "ième"
    return words + "ième"


@cache
def ordinal_words() -> dict[str, int]:
    """Folded ordinal word (en, es, fr, 1–199) → number."""
    table: dict[str, int] = {}
    for n in range(1, 200):
        forms = [_en_ordinal(n), _fr_ordinal(n), *_es_ordinals(n)]
        if n == 1:
            forms.append("première")
        if n in (11, 12):  # the learned Spanish forms are the usual ones
            forms.append({11: "undécimo", 12: "duodécimo"}[n])
            forms.append({11: "undécima", 12: "duodécima"}[n])
        for form in forms:
            table.setdefault(fold(form), n)
    return table


# Digits with an ordinal mark: 25th, 1st, 36e, 36ème, 36º, 36ª, 36.ª, 36°, 25.
ORDINAL_SUFFIX = r"(?:st|nd|rd|th|e|ème|eme|ᵉ|er|re|\.?[ºª°]|\.?o|\.?a|ro|ra)"
_DIGITS = re.compile(rf"^(\d{{1,3}}){ORDINAL_SUFFIX}?\.?$", re.I)


@lru_cache(maxsize=8192)
def read_number(token: str) -> int | None:
    """A session or meeting number from one token or phrase: digits, ordinal, Roman numeral or words."""
    text = token.strip()
    if m := _DIGITS.match(text):
        return int(m[1]) or None
    if (roman := roman_to_int(text)) is not None and text.isupper():
        return roman
    return ordinal_words().get(fold(text).replace(" y ", " "))
