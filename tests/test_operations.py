"""`run` for cron: the whole job under a lock, with exit codes that say how it went."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import DEMO_SITE, ROOT, run_cli, settings_env
from ventanas.locking import DatabaseLock
from ventanas.sitecopy import SiteCopyServer


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(DEMO_SITE, root)
    with SiteCopyServer(root) as server:
        yield server


def env_for(settings, site, **extra):
    overrides = {f"VENTANAS_{k.upper()}": v for k, v in site.source_overrides().items()}
    return settings_env(settings, **overrides, **extra)


def test_run_crawls_and_publishes(settings, site):
    done = run_cli("run", "--source", "ohchr_master_calendar", "--json", env=env_for(settings, site))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["health"] == "ok"
    assert summary["crawl"][0]["inserted"] > 0
    assert summary["publish"]["written"] > 0
    assert (settings.public_dir / "feeds" / "states" / "MEX.ics").exists()


def test_run_refuses_while_another_holds_the_lock(settings, storage, site):
    with DatabaseLock(storage, "run", settings.var_dir):
        done = run_cli("run", "--source", "ohchr_master_calendar", env=env_for(settings, site))
    assert done.returncode == 4
    assert "another ventanas process holds the 'run' lock" in done.stderr
    assert "Traceback" not in done.stderr


def test_two_runs_at_once_one_refuses(settings, storage, site):
    env = env_for(settings, site, VENTANAS_DOWNLOAD_DELAY="1.5")  # keeps the first run busy a few seconds
    first = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "run", "--source", "ohchr_master_calendar"],
                             env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    probe = DatabaseLock(storage, "run", settings.var_dir)
    deadline = time.monotonic() + 60
    while probe.acquire():  # wait until the first run holds the lock
        probe.release()
        assert time.monotonic() < deadline and first.poll() is None, "the first run never took the lock"
        time.sleep(0.05)
    second = run_cli("run", "--source", "ohchr_master_calendar", env=env)
    out, err = first.communicate(timeout=120)
    assert second.returncode == 4, second.stderr
    assert first.returncode == 0, err


def test_failed_source_gives_exit_3_and_keeps_data(settings, site):
    env = env_for(settings, site)
    assert run_cli("run", "--source", "ohchr_master_calendar", env=env).returncode == 0
    page = site.root / "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx@Lang=en"
    page.write_text("<html><body>maintenance</body></html>")
    done = run_cli("run", "--source", "ohchr_master_calendar", "--json", env=env)
    assert done.returncode == 3
    assert json.loads(done.stdout)["health"] == "failed"
    assert (settings.public_dir / "feeds" / "states" / "MEX.ics").exists()


def test_cron_output_is_plain_lines(settings, site):
    done = run_cli("run", "--source", "ohchr_master_calendar", env=env_for(settings, site))
    assert "crawl ohchr_master_calendar: finished (finished)" in done.stdout
    assert "\x1b[" not in done.stdout  # no terminal escapes in a cron mail


def operator_mail(settings, reason):
    from ventanas.storage import Storage
    from ventanas.storage import outbox as box

    storage = Storage.open(settings.resolved_database_url)
    try:
        with storage.session() as session:
            return [(m.recipient, m.subject) for m in box.messages(session, reason=reason)]
    finally:
        storage.dispose()


def test_broken_source_alerts_the_operator_once_then_heals(settings, site):
    env = env_for(settings, site, VENTANAS_OPERATOR_EMAIL="operator@example.org")
    assert run_cli("run", "--source", "ohchr_master_calendar", env=env).returncode == 0
    page = site.root / "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/MasterCalendar.aspx@Lang=en"
    good = page.read_text()
    page.write_text("<html><body>maintenance</body></html>")
    for _ in range(2):  # a re-run the same day must not alert twice
        assert run_cli("run", "--source", "ohchr_master_calendar", env=env).returncode == 3
    alerts = operator_mail(settings, "operator_alert")
    assert len(alerts) == 1 and alerts[0][0] == "operator@example.org"
    assert "ohchr_master_calendar" in alerts[0][1]
    assert operator_mail(settings, "operator_healed") == []

    page.write_text(good)
    assert run_cli("run", "--source", "ohchr_master_calendar", env=env).returncode == 0
    assert run_cli("run", "--source", "ohchr_master_calendar", env=env).returncode == 0
    healed = operator_mail(settings, "operator_healed")
    assert len(healed) == 1 and "ohchr_master_calendar" in healed[0][1]
    eml = list((settings.var_dir / "outbox").glob("*.eml"))
    assert len(eml) == 2  # the alert and the healed mail, each written once
