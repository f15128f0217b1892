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
