"""Mail text from Jinja2 templates, in English, Spanish or French.

Each message kind has three templates in ``templates/``: ``<name>.subject.j2``,
``<name>.txt.j2`` and ``<name>.html.j2`` (the HTML ones autoescape). The
words of the templates are gettext messages, translated in
``locale/<lang>/LC_MESSAGES/messages.po`` (read at run time with Babel: no
compile step); the words of the calendar (kinds, actions, composed titles,
link sentences) and every date come from :mod:`ventanas.calendar.i18n`, the
same as the site, so a deadline reads the same on the page and in the mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ventanas.calendar import i18n
from ventanas.calendar.labels import source_name, ui
from ventanas.notifier.mail import header_text

TEMPLATES = Path(__file__).with_name("templates")
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("en", "es", "fr")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def translations(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()  # the templates are written in English
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def _format_when(value: date | datetime, lang: str) -> str:
    return i18n.fmt_date(value.date() if isinstance(value, datetime) else value, lang, "long")


@cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.filters.update(
        longdate=lambda d: _format_when(d, lang),
        shortdate=lambda d: i18n.fmt_date(d, lang, "medium"),
        daterange=lambda pair: i18n.fmt_range(pair[0], pair[1], lang),
        number=lambda n: format_decimal(n, locale=i18n.locale(lang)),
        state=lambda code: i18n.state_name(code, lang),
        body=lambda code: i18n.body_name(code, lang),
        kind=lambda kind: i18n.kind_label(kind, lang),
        gap=lambda days: i18n.fmt_gap(days, lang),
        oneline=lambda text: header_text(text or "", 300),
        source=lambda spider: source_name(spider, lang),
    )
    env.globals["lang"] = lang
    env.globals["site"] = lambda key: ui(lang, key)  # the site's own words, for the sign-up pages' header
    return env


def render(name: str, lang: str, **context) -> Rendered:
    """The three parts of one message; the subject is made one safe line whatever went in."""
    env = environment(lang if lang in LANGUAGES else "en")
    subject = env.get_template(f"{name}.subject.j2").render(**context)
    text = env.get_template(f"{name}.txt.j2").render(**context)
    html = env.get_template(f"{name}.html.j2").render(**context)
    return Rendered(subject=header_text(subject), text=text, html=html)
