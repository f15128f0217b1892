"""The published pages in real headless Chromium, served by `serve`'s server: they load, every subscribe
link is there, and screenshots of a State page land in tests/artifacts/ (gitignored) for a human to look at.

Without Chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_feeds_scenario import TODAY, fill
from ventanas.calendar.publisher import publish
from ventanas.config import Settings
from ventanas.storage import Storage
from ventanas.web import make_server

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"


def chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Chromium is missing: .ci/run installs it")
        pytest.skip("no Chromium (install Debian's chromium)")
    return path


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--hide-scrollbars", *args,
    ]
    result = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    settings = Settings(var_dir=root / "var", public_dir=root / "public", database_url=f"sqlite:///{root / 'db'}",
                        today=TODAY)
    storage = Storage.open(settings.resolved_database_url)
    fill(storage)
    publish(storage, settings)
    storage.dispose()
    with make_server(settings.public_dir, port=0) as server:
        yield server, settings.public_dir


def dom(tmp_path: Path, url: str) -> str:
    return run_chromium(tmp_path, "--dump-dom", url).stdout.decode("utf-8")


def test_index_loads_with_every_subscribe_link(site, tmp_path):
    server, public = site
    html = dom(tmp_path, f"{server.url}/index.html")
    assert "<h1>ventanas</h1>" in html
    hrefs = set(re.findall(r'href="(webcal://[^"]+)"', html))
    expected = {f"webcal://127.0.0.1:8000/feeds/{p.relative_to(public / 'feeds').as_posix()}"
                for p in (public / "feeds").rglob("*.ics")}
    assert hrefs == expected


@pytest.mark.parametrize("lang_prefix", ["", "es/", "fr/"])
def test_state_page_loads_with_its_feeds_and_timeline(site, tmp_path, lang_prefix):
    server, _ = site
    html = dom(tmp_path, f"{server.url}/{lang_prefix}states/MEX.html")
    # each language's page opens its own language's feeds
    assert f'href="webcal://127.0.0.1:8000/{lang_prefix}feeds/states/MEX.ics"' in html
    assert f'href="webcal://127.0.0.1:8000/{lang_prefix}feeds/states/MEX-deadlines.ics"' in html
    assert f'value="http://127.0.0.1:8000/{lang_prefix}feeds/states/MEX.ics"' in html
    assert "<svg" in html and 'class="mark non-binding' in html


def test_language_directory_without_slash_loads(site, tmp_path):
    server, _ = site
    assert "Próximos plazos" in dom(tmp_path, f"{server.url}/es")


@pytest.mark.parametrize(
    ("name", "path", "size"),
    [("state-MEX-es.png", "es/states/MEX.html", "1280,2600"), ("state-MEX-mobile.png", "states/MEX.html", "390,2400")],
)
def test_state_page_screenshot(site, tmp_path, name, path, size):
    server, _ = site
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    target.unlink(missing_ok=True)
    run_chromium(tmp_path, f"--window-size={size}", f"--screenshot={target}", f"{server.url}/{path}")
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    assert width == int(size.split(",")[0]) and len(data) > 20_000


# -- a timeline that stays legible ------------------------------------------------------------

BINDING_BODIES = ("CMW", "CEDAW", "CRC", "CCPR", "CESCR", "CAT", "CERD", "CRPD", "CED")
PROCESSES = ("GFMD", "CRM", "CSM")
# In the page, after the drawing: every text's box as Chromium lays it out, then the pairs that overlap
# and the texts that leave the drawing.
CHECK = """
const svg = document.querySelector("svg.timeline");
const box = svg.viewBox.baseVal;
const texts = [...svg.querySelectorAll("text")].filter(t => t.textContent.trim());
const boxes = texts.map(t => { const b = t.getBBox(); return {text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height}; });
const overlaps = [];
for (let i = 0; i < boxes.length; i++) {
  for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1) {
      overlaps.push([a.text, b.text]);
    }
  }
}
const outside = boxes.filter(b => b.x < 0 || b.y < 0 || b.x + b.w > box.width || b.y + b.h > box.height).map(b => b.text);
document.getElementById("result").textContent = JSON.stringify({overlaps, outside, texts: boxes.map(b => b.text)});
"""


def crowded() -> list:
    """Ninety events of one State in two years: deadlines every few days, several on one day, long sessions,
    process meetings in bursts (what a State reviewed by many committees at once looks like)."""
    from ventanas.calendar.events import EventView

    first = TODAY.replace(day=1) - timedelta(days=180)
    found = []

    def add(body, kind, start, days=0):
        n = len(found)
        found.append(EventView(
            id=n, key=f"test/{body}/{kind}/{n}", body=body, kind=kind, title=f"{body} {kind} {n}", start=start,
            end=start + timedelta(days=days), first_day=start, last_day=start + timedelta(days=days), all_day=True,
            timezone=None, location=None, status="confirmed", basis="announced", rule=None, session=None,
            source_url="https://example.org/", source_name="test", description=None, action=None, details={},
            states=(("MEX", "reviewed"),), sequence=0, content_hash="", first_seen=datetime(2025, 1, 1, tzinfo=UTC),
            last_changed=datetime(2025, 1, 1, tzinfo=UTC), vanished_at=None))

    for n in range(50):
        day = first + timedelta(days=4 + n * 14)
        add(BINDING_BODIES[n % 9], "cso_submission", day)
        if n % 4 == 0:
            add(BINDING_BODIES[(n + 3) % 9], "report_due", day)  # two deadlines on one day
        if n % 7 == 0:
            add(BINDING_BODIES[(n + 5) % 9], "accreditation", day + timedelta(days=2))
    for n in range(10):
        add(BINDING_BODIES[n % 9], "session", first + timedelta(days=30 + n * 70), days=18)
    for n in range(22):
        day = first + timedelta(days=20 + n * 32)
        add(PROCESSES[n % 3], "preparatory_meeting", day, days=n % 3)
        if n % 3 == 0:
            add(PROCESSES[(n + 1) % 3], "technical_meeting", day)
    return found


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_a_crowded_timeline_has_no_text_over_another_and_none_cut_off(tmp_path, lang):
    from ventanas.calendar.labels import ui
    from ventanas.calendar.timeline import render_timeline

    events = crowded()
    svg = render_timeline(events, [], today=TODAY, lang=lang, title="t",
                          lane_titles=(ui(lang, "binding"), ui(lang, "non_binding")),
                          anchor=lambda e: f"ev-{e.id}", event_title=lambda e: e.title)
    style = (ROOT / "ventanas/calendar/static/style.css").read_text()
    page = tmp_path / "timeline.html"
    page.write_text(f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><style>{style}</style>'
                    f'<div class="timeline-wrap">{svg}</div><pre id="result"></pre><script>{CHECK}</script></html>',
                    encoding="utf-8")
    found = re.search(r'<pre id="result">(.*?)</pre>', dom(tmp_path, page.as_uri()), re.S)
    result = json.loads(html.unescape(found[1]))
    assert result["overlaps"] == [] and result["outside"] == [], result
    texts = result["texts"]
    assert any("×2" in t for t in texts)  # two deadlines of one day: one label
    last_month = {"en": "Jan 2027", "es": "ene 2027", "fr": "janv. 2027"}[lang]
    assert last_month in texts  # the last month is named, not cut off at the edge
    assert sum(1 for t in texts if re.search(r"\d", t)) > 40  # most groups keep their label
