"""G6 extraction: events out of 1,000 announcements, against just reading and tokenizing them.

The 1,000 texts are written to a temp dir as .txt files, a third each in
English, Spanish and French, built from the phrasings the extraction tests
cover (information-note deadlines, session announcements, schedule lines,
GFMD/CRM/CSM news) with varying bodies, sessions, dates and States, about
1 kB each. The measured path is what ``run.py extract`` does per file:
``doctext.read_document`` then ``extraction.extract_events``. The baseline
reads the same files and splits them into sentences and words: the least
any reader of the text must do. The figure is the ratio; documents per
second are printed for both.

A second figure compares the date finder with dateparser's
``search.search_dates`` on 100 of the texts (the library the brief suggested
measuring): its speed ratio, and how many of the dates each finds that the
texts were written with.
"""

from __future__ import annotations

import random
import re
import tempfile
import warnings
from datetime import date, timedelta
from pathlib import Path

from babel.dates import get_month_names

from bench.common import Figure, best_of
from ventanas.normalize.dates import find_dates
from ventanas.normalize.doctext import read_document
from ventanas.normalize.extraction import extract_events
from ventanas.normalize.prose import sentences
from ventanas.normalize.states import state_name

N_DOCS = 1000
TARGET = 150.0  # extraction may cost this many times the bare read + tokenize
PUBLISHED = date(2025, 8, 1)
BODIES = ("CMW", "CEDAW", "CRC", "CAT", "CESCR", "CERD", "CRPD", "CED", "CCPR")
STATES = ("MEX", "SLV", "GTM", "HND", "COL", "PER", "BOL", "PHL", "MAR", "NGA", "ECU", "ARG", "CHL", "BRA")


def _month(lang: str, d: date) -> str:
    name = get_month_names("wide", "format", lang)[d.month]
    return name.title() if lang == "en" else name


def _day(lang: str, d: date) -> str:
    if lang == "en":
        return f"{d.day} {_month(lang, d)} {d.year}"
    if lang == "es":
        return f"{d.day} de {_month(lang, d)} de {d.year}"
    return f"{'1er' if d.day == 1 else d.day} {_month(lang, d)} {d.year}"


def _range(lang: str, a: date, b: date) -> str:
    if lang == "en":
        return f"from {a.day} {_month(lang, a)} to {_day(lang, b)}"
    if lang == "es":
        return f"del {a.day} de {_month(lang, a)} al {_day(lang, b)}"
    return f"du {a.day} {_month(lang, a)} au {_day(lang, b)}"


def announcement(rng: random.Random, i: int) -> tuple[str, int]:
    """One text and the number of dates written in it."""
    lang = ("en", "es", "fr")[i % 3]
    body, session = rng.choice(BODIES), rng.randint(20, 99)
    start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 900))
    end = start + timedelta(days=rng.randint(4, 18))
    due, accr = start - timedelta(weeks=3), start - timedelta(weeks=1)
    states = [state_name(c, lang) for c in rng.sample(STATES, 3)]
    slot = start + timedelta(days=1)
    if lang == "en":
        text = (f"{body} {session}th session\nInformation note for NGOs and NHRIs\n"
                f"The Committee will hold its {session}th session {_range(lang, start, end)} at Palais Wilson, "
                f"Geneva. It will review the reports of {states[0]}, {states[1]} and {states[2]}.\n"
                f"Written information should be submitted at least three weeks before the session, i.e. before "
                f"{_day(lang, due)}, to cmw@ohchr.org.\nRequests for accreditation must be sent no later than "
                f"{_day(lang, accr)}.\nThe private meeting with NGOs is scheduled for {_day(lang, start)}, from "
                f"11:00 to 12:00 (Geneva time).\nThe dialogue with {states[0]} will take place on "
                f"{_day(lang, slot)} from 15:00 to 18:00.\n")
    elif lang == "es":
        text = (f"{body}, {session}.º período de sesiones\nNota informativa para las ONG\n"
                f"El Comité celebrará su {session}.º período de sesiones {_range(lang, start, end)} en Ginebra. "
                f"Examinará los informes de {states[0]}, {states[1]} y {states[2]}.\n"
                f"Las ONG deberán enviar su información escrita a más tardar el {_day(lang, due)}.\n"
                f"Las solicitudes de acreditación deberán recibirse antes del {_day(lang, accr)}.\n"
                f"La reunión privada con las ONG tendrá lugar el {_day(lang, start)}, de 13:00 a 14:00 horas "
                f"(hora de Ginebra).\nEl diálogo con {states[0]} se celebrará el {_day(lang, slot)} de 15:00 a "
                f"18:00 horas.\nLa XXX Reunión Viceministerial de la CRM se llevará a cabo los días 4 y 5 de "
                f"diciembre de 2025 en la Ciudad de Panamá.\n")
    else:
        text = (f"{body} – {session}e session\nNote d'information pour les ONG\n"
                f"Le Comité tiendra sa {session}e session {_range(lang, start, end)} au Palais Wilson, à Genève. "
                f"Il examinera les rapports de {states[0]}, {states[1]} et {states[2]}.\n"
                f"Les ONG peuvent soumettre des informations écrites au plus tard le {_day(lang, due)}.\n"
                f"Les demandes d'accréditation doivent parvenir avant le {_day(lang, accr)}.\n"
                f"La réunion privée avec les ONG aura lieu le {_day(lang, start)}, de 13 h à 14 h "
                f"(heure de Genève).\nLe 15e Sommet du FMMD aura lieu du 2 au 4 septembre 2025.\n")
    return text, len(re.findall(r"\b(?:19|20)\d\d\b", text))


def run() -> list[Figure]:
    rng = random.Random(6)
    docs = [announcement(rng, i) for i in range(N_DOCS)]
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (text, _n) in enumerate(docs):
            path = Path(tmp) / f"announcement-{i:04d}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(path)

        def baseline() -> int:
            words = 0
            for path in paths:
                text = read_document(path).text
                words += len(sentences(text)) + len(re.findall(r"\w+", text))
            return words

        counted: list[int] = []

        def extraction() -> None:
            counted.clear()
            for path in paths:
                counted.append(len(extract_events(read_document(path).text, published=PUBLISHED)))

        base_s = best_of(baseline, repeat=3)
        extract_s = best_of(extraction, repeat=1)
    ratio = extract_s / base_s
    figures = [Figure(
        "G6 extraction", ratio, "x baseline", f"<= {TARGET:g}x", ratio <= TARGET,
        {"documents": N_DOCS, "extract_s": round(extract_s, 3), "baseline_s": round(base_s, 4),
         "docs_per_s": round(N_DOCS / extract_s, 1), "baseline_docs_per_s": round(N_DOCS / base_s),
         "events": sum(counted), "docs_without_events": sum(1 for n in counted if n == 0)},
    )]
    figures.append(_versus_dateparser([text for text, _n in docs[:100]]))
    return figures


def _versus_dateparser(texts: list[str]) -> Figure:
    """find_dates against dateparser.search.search_dates on the same texts."""
    from dateparser.search import search_dates

    written = [set(re.findall(r"\b\d{1,2}(?:er)?\s+(?:de\s+)?[^\W\d_]+\s+(?:de\s+)?\d{4}", t)) for t in texts]

    def ours() -> list:
        return [find_dates(t, published=PUBLISHED) for t in texts]

    def theirs() -> list:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [search_dates(t, languages=["en", "es", "fr"],
                                 settings={"RELATIVE_BASE": __import__("datetime").datetime(2025, 8, 1)}) or []
                    for t in texts]

    ours_s, theirs_s = best_of(ours, repeat=1), best_of(theirs, repeat=1)
    found_ours = sum(len(spans) for spans in ours())
    found_theirs = theirs()
    # dateparser reports a range's two ends as two dates and numbers such as "11:00" as dates of today
    today_noise = sum(1 for hits in found_theirs for _text, value in hits if value.date() == date.today())
    speedup = theirs_s / ours_s
    return Figure(
        "G6 find_dates vs dateparser.search", speedup, "x faster", ">= 10x", speedup >= 10,
        {"texts": len(texts), "find_dates_s": round(ours_s, 3), "dateparser_s": round(theirs_s, 3),
         "find_dates_spans": found_ours, "dateparser_hits": sum(len(h) for h in found_theirs),
         "dateparser_hits_dated_today": today_noise, "full_dates_written": sum(len(w) for w in written)},
    )
