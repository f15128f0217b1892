"""Cleaning scraped text before it reaches storage, feeds, pages or mail headers."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_SPACE = re.compile(r"\s+")


def clean_text(text: str | None) -> str:
    """One line of text: control characters removed, white space collapsed, NFC."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def clean_multiline(text: str | None) -> str:
    """Paragraphs kept, control characters removed, runs of spaces collapsed per line."""
    if not text:
        return ""
    lines = [clean_text(line) for line in unicodedata.normalize("NFC", text).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_MONTHS_EN_ES_FR = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|"
                    r"diciembre|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|"
                    r"d[ée]cembre)")
# "fromJuly 2-20": a word glued to a month name by a lost space or tag.
_GLUED_MONTH = re.compile(rf"\b(from|to|until|on|in|del|desde|hasta|du|au|le)(?={_MONTHS_EN_ES_FR}\b)", re.I)
# "10\nJuly: Guyana": a day number alone on a line, its month on the next (a table cell per line).
_SPLIT_DAY = re.compile(rf"(?m)^(\s*[0-3]?\d)[ \t]*\n[ \t]*(?={_MONTHS_EN_ES_FR}\b)", re.I)
# "Seventy- third session": a hyphen whose line break was lost.
_BROKEN_HYPHEN = re.compile(r"(?<=[a-zé])- (?=(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
                            r"premi[eè]re?|deuxi[eè]me|troisi[eè]me|quatri[eè]me|cinqui[eè]me|sixi[eè]me|"
                            r"septi[eè]me|huiti[eè]me|neuvi[eè]me|dix|vingt|cent)\b)", re.I)


def repair_text(text: str) -> str:
    """Undo what copying a page or a PDF into text commonly breaks, before anything reads the dates:
    a space lost before a month name, a day number split from its month, a hyphen split by a space.
    Only these three shapes are touched; offsets shift by at most a character each."""
    text = _GLUED_MONTH.sub(r"\1 ", text)
    text = _SPLIT_DAY.sub(r"\1 ", text)
    return _BROKEN_HYPHEN.sub("-", text)
