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

ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "twenty first": 21, "twenty second": 22, "twenty third": 23, "twenty fourth": 24, "twenty fifth": 25,
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
    return words.get(n, f"{n}th")
