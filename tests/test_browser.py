"""The published pages in real headless Chromium, served by `serve`'s server: they load, every subscribe
link is there, and screenshots of a State page land in tests/artifacts/ (gitignored) for a human to look at.

Without Chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
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
