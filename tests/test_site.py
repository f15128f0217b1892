"""The static site: pages in three languages, working links, subscribe links, exports matching docs/api.md."""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import ROOT
from tests.test_feeds_scenario import TODAY, fill, moved, ohchr_items, process_items, record
from ventanas.calendar.exports import CSV_COLUMNS
from ventanas.calendar.publisher import publish
from ventanas.config import Settings
from ventanas.domain import Status
from ventanas.storage import Storage


class Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.links: list[str] = []
        self.inputs: list[dict] = []
        self.labels: set[str] = set()
        self.ids: set[str] = set()
        self.h1 = 0
        self.lang = None
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "input":
            self.inputs.append(attrs)
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag == "h1":
            self.h1 += 1

    def handle_data(self, data):
        self.text.append(data)

    @property
    def words(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    """Published once for the read-only tests of this module (SQLite: pages do not depend on the backend)."""
    root = tmp_path_factory.mktemp("site")
    settings = Settings(var_dir=root / "var", public_dir=root / "public", database_url=f"sqlite:///{root / 'db'}",
                        today=TODAY)
    storage = Storage.open(settings.resolved_database_url)
    fill(storage)
    publish(storage, settings)
    storage.dispose()
    return settings.public_dir


def pages(public: Path) -> list[Path]:
    return sorted(public.rglob("*.html"))


@functools.cache
def page(public: Path, relative: str) -> Page:
    return Page((public / relative).read_text(encoding="utf-8"))


def test_one_tree_per_language(public):
    for lang, prefix in (("en", ""), ("es", "es/"), ("fr", "fr/")):
        for name in ("index.html", "history.html", "states/MEX.html", "bodies/CMW.html", "bodies/GFMD.html"):
            parsed = page(public, prefix + name)
            assert parsed.lang == lang, (prefix + name)
            assert parsed.h1 == 1
    assert (public / "style.css").exists() and (public / "404.html").exists()


def test_every_relative_link_resolves(public):
    for path in pages(public):
        if path.name == "404.html":
            continue  # served at any depth: its links are absolute
        base = "file://" + str(path)
        for href in page(public, str(path.relative_to(public))).links:
            if href.startswith(("http://", "https://", "webcal://")):
                continue
            target = urlsplit(urljoin(base, href))
            if target.path.endswith("/subscribe"):
                continue  # the sign-up form: answered by `serve`, not a file (tests/test_robustness_newcomer.py)
            if target.fragment and not target.path.endswith(".html"):
                continue
            assert Path(target.path).exists(), (path.relative_to(public), href)
            if target.fragment:
                assert target.fragment in page(public, str(Path(target.path).relative_to(public))).ids, href


def test_language_switch_links_the_same_page(public):
    parsed = page(public, "es/states/MEX.html")
    assert "../../states/MEX.html" in parsed.links and "../../fr/states/MEX.html" in parsed.links


def test_index_has_every_feed_with_webcal_and_https(public):
    parsed = page(public, "index.html")
    states = sorted(p.stem for p in (public / "feeds" / "states").glob("???.ics"))
    assert "MEX" in states and "URY" in states
    values = {i.get("value") for i in parsed.inputs}
    for code in states:
        assert f"webcal://127.0.0.1:8000/feeds/states/{code}.ics" in parsed.links
        assert f"webcal://127.0.0.1:8000/feeds/states/{code}-deadlines.ics" in parsed.links
        assert f"http://127.0.0.1:8000/feeds/states/{code}.ics" in values
    assert "webcal://127.0.0.1:8000/feeds/all.ics" in parsed.links
    assert "webcal://127.0.0.1:8000/feeds/bodies/CMW.ics" in parsed.links


def test_subscribe_links_use_the_base_url(storage, settings):
    fill(storage)
    custom = dataclasses.replace(settings, base_url="https://ventanas.example.org/cal")
    publish(storage, custom)
    parsed = page(Path(custom.public_dir), "es/states/MEX.html")
    assert "webcal://ventanas.example.org/cal/es/feeds/states/MEX.ics" in parsed.links
    assert "https://ventanas.example.org/cal/es/feeds/states/MEX-deadlines.ics" in {i.get("value") for i in parsed.inputs}


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_each_language_links_its_own_feeds(public, lang):
    """The Spanish pages' buttons open the Spanish feeds, which exist; no English feed is offered there."""
    for name in ("index.html", "states/MEX.html", "bodies/CMW.html"):
        parsed = page(public, f"{lang}/{name}")
        feeds = [link for link in parsed.links if link.startswith("webcal://")]
        assert feeds, name
        for link in feeds:
            relative = link.removeprefix("webcal://127.0.0.1:8000/")
            assert relative.startswith(f"{lang}/feeds/"), (name, link)
            assert (public / relative).is_file(), link


def test_every_input_has_a_label(public):
    for path in pages(public):
        parsed = page(public, str(path.relative_to(public)))
        for field in parsed.inputs:
            assert field.get("id") in parsed.labels, (path, field)


@pytest.mark.parametrize(
    ("relative", "phrases"),
    [
        ("states/MEX.html", [
            "CRM Vice-ministerial meeting on 3 Feb, 10 weeks before Mexico's CMW review: a chance to raise the CMW's recommendations.",
            "CMW 42nd session: review of Mexico (fourth periodic report)", "Open reporting windows",
            "Demo clock: every date is computed as if today were 1 August 2025.",
            "estimated: 3 weeks before the session, according to the Committee's practice",
        ]),
        ("es/states/MEX.html", [
            "Reunión viceministerial de la CRM el 3 feb, 10 semanas antes del examen de México por el CMW",
            "CMW: examen de México", "CMW 42: plazo para información escrita de la sociedad civil",
            "México: vence el 10.º informe al CEDAW", "XXX Reunión Viceministerial de la CRM", "Plazos abiertos",
            "Reloj de demostración", "estimado: 3 semanas antes del período de sesiones, según la práctica del Comité",
        ]),
        ("fr/states/MEX.html", ["CMW : examen — Mexique", "Échéances ouvertes", "Horloge de démonstration",
                                "estimée : 1 semaine avant la session, selon la pratique du Comité"]),
        ("es/states/BRA.html", ["XXIII Conferencia Suramericana sobre Migraciones"]),
        ("es/index.html", ["Próximos plazos, todos los Estados", "México: vence el 10.º informe al CEDAW"]),
    ],
)
def test_page_says(public, relative, phrases):
    words = page(public, relative).words
    for phrase in phrases:
        assert phrase in words, phrase


def test_state_page_draws_both_lanes_and_the_links(public):
    text = (public / "states" / "MEX.html").read_text()
    svg = text[text.index("<svg"):text.index("</svg>")]
    assert svg.count('class="mark binding') >= 4 and svg.count('class="mark non-binding') >= 3
    assert svg.count('class="link') >= 2
    assert 'class="today"' in svg


def test_history_says_a_cancellation_was_reversed(storage, settings):
    fill(storage)
    record(storage, "csm_news", [i for i in process_items(csm_status=Status.CANCELLED) if i.body == "CSM"])
    record(storage, "csm_news", [i for i in process_items() if i.body == "CSM"])
    publish(storage, settings)
    words = page(Path(settings.public_dir), "es/history.html").words
    assert re.search(r"Restablecido\s*cambió: estado", words) and "Publicado de nuevo" not in words


def test_history_says_what_moved(storage, settings):
    fill(storage)
    publish(storage, settings)
    record(storage, "ohchr_sessions", moved(ohchr_items(), "ohchr/CMW/42", start=date(2026, 4, 20), end=date(2026, 5, 1)))
    publish(storage, settings)
    words = page(Path(settings.public_dir), "history.html").words
    assert "moved from 13 – 24 Apr 2026 to 20 Apr – 1 May 2026" in words
    assert "OHCHR session pages" in words and "ohchr_sessions" not in words  # the source by its name, not its id


def documented_fields() -> list[str]:
    doc = (ROOT / "docs" / "api.md").read_text()
    table = doc[doc.index("## Event fields"):]
    return re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M)


def test_json_export_matches_docs(public):
    data = json.loads((public / "api" / "events.json").read_text())
    assert data["version"] == 1
    assert len(data["events"]) == 13
    fields = documented_fields()
    assert fields and all(list(e) == fields for e in data["events"])
    per_state = json.loads((public / "api" / "states" / "MEX.json").read_text())
    assert per_state["state"] == "MEX"
    assert "ohchr/CMW/42/deadline/cso-submission" in {e["key"] for e in per_state["events"]}


def test_csv_export(public):
    rows = list(csv.reader(io.StringIO((public / "api" / "events.csv").read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 14
    review = next(r for r in rows if r[1] == "ohchr/CMW/42/review/MEX")
    assert dict(zip(CSV_COLUMNS, review, strict=True))["states"] == "MEX:reviewed"


@pytest.mark.parametrize(("key", "lang", "title"), [
    ("ohchr/CESCR/79/deadline/cso-submission", "es", "CESCR 79: plazo para información escrita de la sociedad civil"),
    ("ohchr/CESCR/79/deadline/pswg-cso-submission", "es",
     "CESCR 79: plazo para información escrita de la sociedad civil (grupo de trabajo previo al período de sesiones)"),
    ("ohchr/CESCR/79/deadline/pswg-cso-submission", "fr",
     "CESCR 79 : date limite des contributions écrites de la société civile (groupe de travail présessionnel)"),
    ("ohchr/CESCR/79/deadline/pswg-cso-submission", "en", "stored English title"),  # the stored title says it
])
def test_pre_sessional_deadline_is_told_apart_from_the_sessions(key, lang, title):
    from ventanas.calendar.i18n import localized_title

    assert localized_title(title="stored English title", kind="cso_submission", body="CESCR", session="79",
                           state=None, cycle=None, lang=lang, key=key) == title
