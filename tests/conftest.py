"""Shared fixtures: settings in a temp dir, storage on SQLite or PostgreSQL, saved pages as responses.

Backends: the ``storage`` fixture uses SQLite unless VENTANAS_TEST_BACKEND=postgresql,
then the server at VENTANAS_TEST_POSTGRES_URL (`.ci/run` runs the suite both ways).
Under CI=true a PostgreSQL test that would be skipped fails instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from ventanas.config import Settings
from ventanas.storage import Storage

ROOT = Path(__file__).resolve().parent.parent
FILES = Path(__file__).resolve().parent / "files"
DEMO_SITE = ROOT / "ventanas" / "demo_site"
TODAY = date(2025, 8, 1)


def _server_url() -> str:
    url = os.environ.get("VENTANAS_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but VENTANAS_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI")
        pytest.skip("no PostgreSQL server (set VENTANAS_TEST_POSTGRES_URL)")
    return url


_own_database: dict[str, str] = {}


def postgres_url() -> str:
    """A database of this pytest process's own on the test server, so parallel runs never collide."""
    if "url" not in _own_database:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        server = make_url(_server_url())
        name = f"{server.database}_{os.getpid()}"
        engine = create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        _own_database["url"] = server.set(database=name).render_as_string(hide_password=False)
        _own_database["server"] = server.render_as_string(hide_password=False)
        _own_database["name"] = name
    return _own_database["url"]


@pytest.fixture(scope="session", autouse=True)
def _drop_own_postgres_database():
    yield
    if "name" in _own_database:
        from sqlalchemy import create_engine, text

        engine = create_engine(_own_database["server"], isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_own_database["name"]}" WITH (FORCE)'))
        engine.dispose()


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh, empty database of the backend under test."""
    if os.environ.get("VENTANAS_TEST_BACKEND", "sqlite") == "postgresql":
        url = postgres_url()
        reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path / 'var' / 'ventanas.db'}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    (tmp_path / "var").mkdir(exist_ok=True)  # a database URL's folder must exist (the default var_dir is made)
    return Settings(
        var_dir=tmp_path / "var", public_dir=tmp_path / "public", database_url=database_url,
        today=TODAY, download_delay=0.0,
    )


@pytest.fixture
def storage(settings: Settings):
    store = Storage.open(settings.resolved_database_url)
    yield store
    store.dispose()


@pytest.fixture
def pg_storage():
    """PostgreSQL whatever the backend under test: for what only PostgreSQL has."""
    url = postgres_url()
    reset_postgres(url)
    store = Storage.open(url)
    yield store
    store.dispose()


def file_response(relative: str, url: str, *, encoding: str = "utf-8") -> TextResponse:
    """A saved page (tests/files/… or a demo_site path) as the Scrapy response for ``url``."""
    path = FILES / relative
    if not path.exists():
        path = DEMO_SITE / relative
    body = path.read_bytes()
    return HtmlResponse(url=url, request=Request(url=url), body=body, encoding=encoding)


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment that makes a `run.py` subprocess use these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANAS_") or k.startswith("VENTANAS_TEST_")}
    env.update({
        "VENTANAS_VAR_DIR": str(settings.var_dir), "VENTANAS_PUBLIC_DIR": str(settings.public_dir),
        "VENTANAS_DATABASE_URL": settings.resolved_database_url,
        "VENTANAS_TODAY": settings.today.isoformat() if settings.today else "",
        "VENTANAS_DOWNLOAD_DELAY": str(settings.download_delay),
    })
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args], env=env, cwd=cwd or ROOT, capture_output=True,
        text=True, timeout=timeout, check=False,
    )
