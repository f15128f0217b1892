"""Report types as OHCHR names them → the event kind and the cycle in the natural key.

"Fourth periodic report" → (report_due, "4"); "Combined fifth and sixth
periodic reports" → (report_due, "5-6"); "Initial report" → (report_due, "1");
"Follow-up report" → (follow_up_due, "follow-up"); "Replies to the list of
issues" → (replies_due, "replies").
"""

from __future__ import annotations

import re

from ventanas.domain import Kind
from ventanas.normalize.states import fold

_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_TEENS = ("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
          "eighteenth", "nineteenth")
_TENS = {"twent": 20, "thirt": 30, "fort": 40, "fift": 50}  # "twenty-first", "twentieth"
ORDINAL_WORDS = {
    **{word: n for n, word in enumerate(_UNITS, 1)},
    **{word: n for n, word in enumerate(_TEENS, 10)},
    **{f"{stem}ieth": tens for stem, tens in _TENS.items()},
    **{f"{stem}y {unit}": tens + n for stem, tens in _TENS.items() for n, unit in enumerate(_UNITS, 1)},
    "initial": 1,
}
_ORDINAL = re.compile(
    r"\b(" + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True)) + r"|\d{1,2}(?:st|nd|rd|th))\b"
)


class UnknownDocumentType(ValueError):
    pass


def _number(token: str) -> int:
    return ORDINAL_WORDS.get(token) or int(re.match(r"\d+", token).group())


def report_cycle(document_type: str) -> tuple[Kind, str]:
    text = fold(document_type).replace("-", " ")
    if "follow up" in text or "follow" in text:
        return Kind.FOLLOW_UP_DUE, "follow-up"
    if "replies" in text or "reply" in text:
        return Kind.REPLIES_DUE, "replies"
    numbers = sorted({_number(m) for m in _ORDINAL.findall(text)})
    if "report" in text and numbers:
        label = str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"
        return Kind.REPORT_DUE, label
    if "common core" in text:
        return Kind.REPORT_DUE, "core"
    raise UnknownDocumentType(f"unknown document type {document_type!r}")


def ordinal_en(n: int) -> str:
    words = {v: k for k, v in ORDINAL_WORDS.items() if k != "initial"}
    return words.get(n, f"{n}th").replace(" ", "-")
