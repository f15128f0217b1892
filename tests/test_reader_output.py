"""The demo's whole output, read as a subscriber reads it: no internal words, no news as a calendar event.

One run of `run.py demo` (crawl of the snapshot site, publish, the demo reader's
digest) in a temporary directory; then every reader-facing text of every file
under public/ and of every mail in the outbox is scanned. What a program reads
(UIDs, keys, rule ids in the `rule` field of the exports, URLs) is left out:
those identifiers are the API, documented in docs/api.md.
"""

from __future__ import annotations

import csv
import email
import io
import json
import re
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import pytest

from tests.conftest import TODAY, run_cli, settings_env
from ventanas.config import Settings
from ventanas.crawl import spider_names
from ventanas.normalize.rules import PSWG_SUBMISSION, RULES

URL = re.compile(r"(?:https?|webcal|mailto):[^\s<>\"')]+")
INTERNAL = [
    ("rule id", re.compile("|".join(re.escape(rule.name) for rule in RULES) + f"|{PSWG_SUBMISSION}")),
    ("design reference", re.compile(r"DESIGN|§")),
    ("natural key", re.compile(r"\b(?:ohchr/[A-Z]+/|(?:gfmd|crm|csm|news|upr)/[a-z0-9])")),
    ("key part", re.compile(r"/(?:review|dialogue|deadline|report-due|pswg)/")),
    ("key slug", re.compile(r"\b20\d\d-[a-z]+-[a-z]")),
    ("edition slug", re.compile(r"\b(?:session|sesión|période de sessions|session n°)\s+20\d\d-\d")),
    ("uid", re.compile(r"@ventanas\b")),
    ("spider name", re.compile(r"\b(?:" + "|".join(spider_names()) + r")\b")),
]
# The feeds are in English; a title in another language carries its status in that language.
ENGLISH_PREFIX = re.compile(r"\[(?:Postponed|Cancelled|No longer listed)\]")

# Properties of a VEVENT or VCALENDAR a calendar application shows to its user.
SHOWN = {"SUMMARY", "DESCRIPTION", "LOCATION", "CATEGORIES", "NAME", "X-WR-CALNAME", "X-WR-CALDESC", "COMMENT"}
# Export fields that are text for people; the others (uid, key, rule, session…) are identifiers.
TEXT_FIELDS = ("title", "description", "action", "location")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    (root / "var").mkdir()
    settings = Settings(var_dir=root / "var", public_dir=root / "public",
                        database_url=f"sqlite:///{root / 'var' / 'ventanas.db'}", today=TODAY, download_delay=0.0)
    result = run_cli("demo", "--port", "0", env=settings_env(settings))
    assert result.returncode == 0, result.stdout + result.stderr
    return root


class _Text(HTMLParser):
    """The text of a page or an HTML mail, and the attributes a reader sees (title, alt, aria-label)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in ("title", "alt", "aria-label", "placeholder") and value]

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    return "\n".join(parser.parts)


def ics_texts(data: bytes) -> list[str]:
    calendar = icalendar.Calendar.from_ical(data)
    texts = []
    for component in calendar.walk():
        for name, value in component.property_items(recursive=False):
            if name in SHOWN:
                texts.append(value.to_ical().decode() if hasattr(value, "to_ical") else str(value))
    return [text.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";") for text in texts]


def mail_texts(path: Path) -> list[str]:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    texts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            texts.append(part.get_content())
        elif part.get_content_type() == "text/html":
            texts.append(html_text(part.get_content()))
    return texts


def reader_texts(root: Path) -> list[tuple[str, str]]:
    """(file, text) for every reader-facing text the demo produced."""
    found: list[tuple[str, str]] = []
    public = root / "public"
    for path in sorted(public.rglob("*")):
        name = str(path.relative_to(root))
        if path.suffix == ".ics":
            found += [(name, text) for text in ics_texts(path.read_bytes())]
        elif path.suffix == ".html":
            found.append((name, html_text(path.read_text(encoding="utf-8"))))
        elif path.suffix == ".json":
            for event in json.loads(path.read_text(encoding="utf-8"))["events"]:
                found += [(f"{name} {event['key']}", event[f]) for f in TEXT_FIELDS if event.get(f)]
        elif path.suffix == ".csv":
            for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
                found += [(f"{name} {row['key']}", row[f]) for f in TEXT_FIELDS if row.get(f)]
    for path in sorted((root / "var" / "outbox").glob("*.eml")):
        found += [(str(path.relative_to(root)), text) for text in mail_texts(path)]
    return found


def test_the_demo_published_pages_feeds_exports_and_mail(demo):
    public = demo / "public"
    assert (public / "feeds" / "all.ics").exists() and (public / "es" / "states" / "MEX.html").exists()
    assert (public / "api" / "events.json").exists() and list((demo / "var" / "outbox").glob("*.eml"))


def test_no_internal_identifier_reaches_a_reader(demo):
    leaks = []
    for name, text in reader_texts(demo):
        plain = URL.sub(" ", text)
        for what, pattern in INTERNAL:
            for match in pattern.finditer(plain):
                around = plain[max(0, match.start() - 60):match.end() + 40].replace("\n", " ")
                leaks.append(f"{name}: {what}: …{around}…")
    assert not leaks, f"{len(leaks)} leaks, e.g.\n" + "\n".join(sorted(set(leaks))[:40])


def test_news_is_never_a_calendar_event(demo):
    events = json.loads((demo / "public" / "api" / "events.json").read_text())["events"]
    news = {e["uid"] for e in events if e["kind"] == "news"}
    assert news, "the demo has news items: this test must see some"
    for feed in sorted((demo / "public" / "feeds").rglob("*.ics")):
        calendar = icalendar.Calendar.from_ical(feed.read_bytes())
        for event in calendar.walk("VEVENT"):
            assert str(event["UID"]) not in news, f"{feed.name}: news item {event['UID']} is a VEVENT"


def test_news_stays_a_link_on_the_pages(demo):
    events = json.loads((demo / "public" / "api" / "events.json").read_text())["events"]
    newsletter = next(e for e in events if e["kind"] == "news" and e["body"] == "CRM")
    for page in ("bodies/CRM.html", "es/states/MEX.html", "fr/bodies/CRM.html"):
        markup = (demo / "public" / page).read_text()
        assert newsletter["title"] in markup and newsletter["source_url"] in markup, page


def test_a_title_in_another_language_has_its_status_in_that_language(demo):
    summaries = {}
    for feed in sorted((demo / "public" / "feeds").rglob("*.ics")):
        for event in icalendar.Calendar.from_ical(feed.read_bytes()).walk("VEVENT"):
            summaries[str(event["UID"])] = (str(event["SUMMARY"]), event.get("CATEGORIES").cats[0])
    postponed, _ = summaries["crm/working-group/2025-ninez-adolescencia-migrante@ventanas"]
    assert postponed == "[Aplazado] Grupo de Trabajo de la CRM: Niñez y Adolescencia Migrante"
    # CRM and CSM write in Spanish: none of their titles carries an English status
    assert not [s for s, body in summaries.values() if body in ("CRM", "CSM") and ENGLISH_PREFIX.search(s)]
