"""Prose in three languages: which language a text is in, and its sentences.

Language is guessed from stopwords, which is enough to tell English, Spanish
and French apart on a paragraph (dateparser's detector measured slower and
no more accurate on these three). Sentences keep their offsets in the text,
so evidence can point back into the document.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

LANGUAGES = ("en", "es", "fr")

_STOPWORDS = {
    "en": {"the", "and", "of", "to", "will", "on", "is", "be", "for", "with", "by", "from", "at", "this",
           "that", "which", "its", "are", "session", "committee", "meeting", "held", "before"},
    "es": {"el", "los", "las", "del", "y", "que", "se", "por", "con", "para", "una", "será", "sobre",
           "reunión", "comité", "como", "su", "sus", "al", "días", "celebrará", "lo"},
    "fr": {"le", "les", "des", "du", "et", "que", "est", "une", "pour", "avec", "par", "au", "aux",
           "sera", "sur", "réunion", "comité", "ses", "sont", "dans", "qui", "l", "d"},
}
_WORDS = re.compile(r"[^\W\d_]+")


def detect_language(text: str, default: str = "en") -> str:
    """"en", "es" or "fr": the language whose stopwords the text uses most (``default`` if none)."""
    counts: Counter[str] = Counter()
    for word in _WORDS.findall(text[:20000].casefold()):
        for lang, words in _STOPWORDS.items():
            if word in words:
                counts[lang] += 1
    if not counts:
        return default
    (best, n), *rest = counts.most_common(2) + [("", 0)]
    return best if n > rest[0][1] else default


@dataclass(frozen=True)
class Sentence:
    text: str
    pos: int  # offset of ``text`` in the document
    line: int  # index of the line (paragraph, table row) it belongs to


# Abbreviations after which a full stop does not end the sentence.
_ABBREVIATIONS = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "a.m", "p.m",
    "no", "nos", "nr", "i.e", "e.g", "mr", "mrs", "ms", "dr", "st", "vol", "p", "pp", "art", "arts",
    "para", "paras", "cf", "etc", "núm", "sr", "sra", "dra", "av", "ave", "janv", "févr", "avr", "juil",
    "déc", "ene", "abr", "ago", "dic", "m", "mme", "mlle", "approx", "ca", "op", "cit", "inc",
}
_BREAK = re.compile(r"(?<=[.!?])[\"”»)]?\s+(?=[\"“«(¿¡]?[A-ZÁÉÍÓÚÑÀÂÇÈÊÎÔ0-9])")


def sentences(text: str) -> list[Sentence]:
    """Sentences with their offsets; a line break always ends one (headings, table rows)."""
    out: list[Sentence] = []
    offset = 0
    for index, line in enumerate(text.split("\n")):
        start = 0
        for m in _BREAK.finditer(line):
            before = line[start:m.start()].rstrip(".!?\"”»)")
            last_word = before.rsplit(None, 1)[-1].casefold() if before.split() else ""
            if last_word.rstrip(".") in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
                continue
            chunk = line[start:m.start()].strip()
            if chunk:
                out.append(Sentence(chunk, offset + start + (len(line[start:]) - len(line[start:].lstrip())), index))
            start = m.end()
        chunk = line[start:].strip()
        if chunk:
            out.append(Sentence(chunk, offset + start + (len(line[start:]) - len(line[start:].lstrip())), index))
        offset += len(line) + 1
    return out
