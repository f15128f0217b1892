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


_JSON_START = re.compile(r"(?m)^\s*[{\[]")
# Where a CMS's JSON keeps what a reader sees (WordPress: title.rendered, content.rendered).
_RENDERED = re.compile(r'"rendered"\s*:\s*"(?P<value>(?:[^"\\]|\\.)*)')
_JSON_TEXT_KEYS = ("title", "content", "excerpt", "body", "text", "description", "summary", "rendered")


def unwrap_json(text: str) -> str:
    """A page saved as its CMS's raw JSON (a WordPress REST answer): the text a reader would see —
    the title and content, their HTML read as text — in place of the JSON. Anything else unchanged."""
    m = _JSON_START.search(text)
    if m is None or "rendered" not in text and '"content"' not in text:
        return text
    import json

    parts: list[str] = []
    try:
        value, _end = json.JSONDecoder().raw_decode(text[m.start():].lstrip())
    except ValueError:  # a stored copy cut short: read the "rendered" strings one by one
        for found in _RENDERED.finditer(text, m.start()):
            raw = found["value"]
            for cut in range(7):  # a copy may stop inside an escape: "\u00"
                try:
                    parts.append(json.loads(f'"{raw[:len(raw) - cut]}"', strict=False))
                    break
                except ValueError:
                    continue
        value = None

    def visit(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                visit(v, k if k != "rendered" else key)
        elif isinstance(node, list):
            for v in node:
                visit(v, key)
        elif isinstance(node, str) and key in _JSON_TEXT_KEYS and node.strip():
            parts.append(node)

    visit(value)
    if not parts:
        return text
    from ventanas.normalize.doctext import html_to_text

    return text[:m.start()] + "\n\n".join(html_to_text(part) for part in parts)
