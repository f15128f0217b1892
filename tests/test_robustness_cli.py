"""Robustness, command line: wrong settings and arguments, through `run.py` as a user runs it.

Every row is a value someone could set by mistake (or a file that is not
there). The command must stop before doing anything, with exit code 2 (bad
usage or configuration, as run.py documents), one line on stderr that names
the setting, and no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import run_cli, settings_env

EXIT_USAGE = 2


@dataclass
class Row:
    id: str
    variable: str
    value: str
    why: str


ROWS = [
    Row("delay-nan", "VENTANAS_DOWNLOAD_DELAY", "nan", "nan passed 'delay < 0' and turned politeness off"),
    Row("delay-inf", "VENTANAS_DOWNLOAD_DELAY", "inf", "an endless pause between requests: the crawl hung"),
    Row("delay-negative", "VENTANAS_DOWNLOAD_DELAY", "-1", "a negative pause"),
    Row("timeout-inf", "VENTANAS_DOWNLOAD_TIMEOUT", "inf", "a request never abandoned"),
    Row("timeout-zero", "VENTANAS_DOWNLOAD_TIMEOUT", "0", "every request abandoned at once"),
    Row("serve-timeout-nan", "VENTANAS_SERVE_IDLE_TIMEOUT", "nan", "connections never closed"),
    Row("database-driver-missing", "VENTANAS_DATABASE_URL", "mysql://x/y",
        "SQLAlchemy's ModuleNotFoundError (MySQLdb) came out as a traceback"),
    Row("database-unknown-dialect", "VENTANAS_DATABASE_URL", "nosuchdb://x/y", "no dialect by that name"),
    Row("database-not-a-url", "VENTANAS_DATABASE_URL", "nonsense", "exit 3, as if a step had failed"),
    Row("sqlite-folder-missing", "VENTANAS_DATABASE_URL", "sqlite:///{tmp}/no/such/folder/ventanas.db",
        "a typo in the path silently started a new, empty database in new folders"),
    Row("today-impossible", "VENTANAS_TODAY", "2025-13-45", "the message showed the type hint 'date | None'"),
    Row("base-url-broken-ipv6", "VENTANAS_BASE_URL", "http://[::1", "urlsplit's ValueError came out as a traceback"),
    Row("busy-timeout-inf", "VENTANAS_SERVE_BUSY_TIMEOUT", "inf", "a sign-up waiting on a locked database forever"),
    Row("signup-limit-zero", "VENTANAS_SIGNUP_PER_HOUR", "0", "a sign-up form that refuses everyone"),
    Row("signup-limit-words", "VENTANAS_SIGNUP_PER_CLIENT_HOUR", "ten", "not a number"),
    Row("resend-past-the-link", "VENTANAS_SIGNUP_RESEND_MINUTES", "5000", "no new link after the old one expired"),
    Row("proxy-not-an-address", "VENTANAS_SERVE_TRUSTED_PROXIES", "127.0.0.1,nginx",
        "a proxy that can never match: every client behind it one client"),
]


@pytest.mark.parametrize("command", ["config", "status"])
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_setting_is_one_line_naming_it(row: Row, command: str, settings, tmp_path: Path):
    value = row.value.format(tmp=tmp_path)
    result = run_cli(command, env=settings_env(settings, **{row.variable: value}), timeout=120)
    assert result.returncode == EXIT_USAGE, (row.why, result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, row.why
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and row.variable in lines[0], (row.why, result.stderr[-2000:])
    assert "None" not in lines[0] and "float" not in lines[0], lines[0]  # words, not Python types
    assert result.stdout == ""
    assert not (tmp_path / "no").exists()  # nothing created on the way


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_extract_of_no_document_is_a_usage_error(what: str, settings, tmp_path: Path):
    """Regression: `extract` of a file that is not there exited 3 (a step failed), not 2: the
    user named the wrong file, nothing failed."""
    target = tmp_path / "nope.docx" if what == "missing" else tmp_path
    result = run_cli("extract", str(target), env=settings_env(settings), timeout=120)
    assert result.returncode == EXIT_USAGE, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(target) in lines[0], result.stderr[-2000:]
    assert result.stdout == ""
