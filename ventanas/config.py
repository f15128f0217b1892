"""One typed settings object for the whole product.

Every setting has a documented default here (like Scrapy's default_settings),
an optional ``ventanas.toml`` overrides the defaults, and ``VENTANAS_*``
environment variables override the file. Secrets (the SMTP URL with its
password) are read only from the environment.

A wrong value raises :class:`ConfigError` with a one-line message that names
the setting; ``run.py`` prints it without a traceback.

The demo clock: ``run.py demo`` writes the "today" it ran on to
``<var_dir>/demo-clock``, and every later command reads it from there when
neither the environment nor the file set ``today``, so the demo's results
stay upcoming for the commands that follow it, until that file is deleted
(or ``VENTANAS_TODAY`` is set; set empty, it means the real date).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CONFIG_FILE_ENV = "VENTANAS_CONFIG"
DEFAULT_CONFIG_FILE = "ventanas.toml"
DEMO_CLOCK_FILE = "demo-clock"  # in var_dir: the demo's "today", kept for the commands that follow it

# The live sites each source reads. The demo and the tests point these at a
# loopback copy of ventanas/demo_site/; what is stored and published always
# names the live URL (see Settings.canonical_url).
LIVE_BASE_URLS: dict[str, str] = {
    "ohchr_tb": "https://tbinternet.ohchr.org",
    "ohchr_www": "https://www.ohchr.org",
    "ungeneva": "https://www.ungeneva.org",
    "gfmd": "https://www.gfmd.org",
    "crm": "https://crmsv.org",
    "csm": "https://csmigraciones.org",
}


class ConfigError(ValueError):
    """A setting has a value ventanas cannot use; the message names it."""


def _setting(default: Any, doc: str, *, env: str | None = None, secret: bool = False) -> Any:
    metadata = {"doc": doc, "env": env, "secret": secret}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: type(default)(default), metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    """Everything ventanas can be told. Paths are relative to the working directory."""

    var_dir: Path = _setting(Path("var"), "Where the database, HTTP cache, lock files and outbox live.")
    database_url: str = _setting(
        "",
        "SQLAlchemy URL. Empty means SQLite at <var_dir>/ventanas.db. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    public_dir: Path = _setting(Path("public"), "Where feeds, pages and exports are published.")
    outbox_dir: Path = _setting(
        Path(""), "Where mail is written as .eml files when no SMTP URL is set. Empty means <var_dir>/outbox."
    )
    base_url: str = _setting(
        "http://127.0.0.1:8000",
        "Public https URL of the published site, used in links, webcal:// feeds and mail.",
    )
    smtp_url: str = _setting(
        "",
        "smtp://, smtps:// or smtp+starttls://user:pass@host:port. Empty writes .eml files. Environment only.",
        secret=True,
    )
    mail_from: str = _setting("ventanas <ventanas@localhost>", "From: address of every mail.", env="VENTANAS_FROM")
    operator_email: str = _setting("", "Who gets operator alerts when a source breaks.")
    today: date | None = _setting(
        None, "Demo clock: a fixed 'today' (YYYY-MM-DD). Empty means the real date."
    )
    timezone: str = _setting("Europe/Zurich", "Zone of the scheduler and of digests (an IANA name).")
    link_span_days: int = _setting(
        120, "A non-binding meeting this many days or fewer before a binding review is a link opportunity."
    )
    serve_idle_timeout: float = _setting(
        15.0,
        "Seconds `serve` keeps a connection that has not sent a whole request header: idle between "
        "requests (keep-alive) or sending its headers slowly.",
    )
    serve_body_timeout: float = _setting(
        30.0, "Seconds `serve` waits for a whole request body before answering 408 and closing."
    )
    serve_busy_timeout: float = _setting(
        2.0,
        "Seconds a `serve` request waits for a database another writer holds (a crawl) before "
        "answering 503 with Retry-After; the command line waits 30 s.",
    )
    serve_trusted_proxies: tuple[str, ...] = _setting(
        (),
        "Addresses (or networks, like 10.0.0.0/8) of reverse proxies in front of `serve`, such as "
        "nginx on 127.0.0.1: from them, the client is the last address of X-Forwarded-For not "
        "theirs. Empty: the connection's address is the client (comma-separated in the environment).",
    )
    signup_per_client_hour: int = _setting(
        10,
        "Sign-ups (a valid POST /subscribe) one client may make in an hour, in bursts of as many; "
        "more are answered 429 with Retry-After. An IPv6 client counts by its /64.",
    )
    signup_per_hour: int = _setting(
        100, "Sign-ups all clients together may make in an hour; more are answered 429 with Retry-After."
    )
    signup_resend_minutes: int = _setting(
        10,
        "Minutes after a confirmation mail during which the form sends no other one to that address "
        "(it answers the same page). At most the 48 hours a confirmation link lasts.",
    )
    download_delay: float = _setting(2.0, "Seconds between two requests to the same domain.")
    download_timeout: float = _setting(60.0, "Seconds before a request is abandoned.")
    max_page_bytes: int = _setting(20_000_000, "A response larger than this is dropped (and counted as an error).")
    user_agent: str = _setting(
        "ventanas/0.1 (+https://github.com/ventanas; calendar of UN reporting deadlines)",
        "User-Agent of every request: honest, naming the project.",
    )
    feeds: tuple[str, ...] = _setting((), "RSS/Atom feed URLs to read for announcements (comma-separated in the environment).")
    ohchr_tb_url: str = _setting(LIVE_BASE_URLS["ohchr_tb"], "Base URL of the OHCHR treaty-body database.")
    ohchr_www_url: str = _setting(LIVE_BASE_URLS["ohchr_www"], "Base URL of www.ohchr.org (media advisories).")
    ungeneva_url: str = _setting(LIVE_BASE_URLS["ungeneva"], "Base URL of UN Geneva (meeting summaries).")
    gfmd_url: str = _setting(LIVE_BASE_URLS["gfmd"], "Base URL of the GFMD site.")
    crm_url: str = _setting(LIVE_BASE_URLS["crm"], "Base URL of the CRM (Proceso Puebla) site.")
    csm_url: str = _setting(LIVE_BASE_URLS["csm"], "Base URL of the CSM site.")

    # -- derived values -------------------------------------------------

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'ventanas.db'}"

    @property
    def resolved_outbox_dir(self) -> Path:
        return self.outbox_dir if str(self.outbox_dir) not in ("", ".") else self.var_dir / "outbox"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def source_base_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url") for name in LIVE_BASE_URLS}

    def canonical_url(self, url: str) -> str:
        """The live URL a fetched URL stands for.

        When a source's base URL points at a copy (the demo site, a recording),
        stored events still name the live page, so that a feed never links to
        a loopback address and a re-run on another port changes nothing.
        """
        for name, base in self.source_base_urls().items():
            live = LIVE_BASE_URLS[name]
            if base != live and url.startswith(base.rstrip("/") + "/"):
                return live + url[len(base.rstrip("/")) :]
        return url

    def allowed_domains(self) -> list[str]:
        return sorted({urlsplit(url).hostname or "" for url in self.source_base_urls().values()} - {""})


def describe() -> list[tuple[str, str, str, str]]:
    """(name, environment variable, default, doc) for every setting: used by --help and README."""
    rows = []
    for f in fields(Settings):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        rows.append((f.name, _env_name(f), "" if default is None else str(default), f.metadata["doc"]))
    return rows


def _env_name(f: dataclasses.Field) -> str:
    return f.metadata.get("env") or f"VENTANAS_{f.name.upper()}"


# What a value of each field type must look like, in words (a message never shows a type hint).
_KIND_WORDS = {
    "Path": "a path",
    "int": "a whole number",
    "float": "a finite number",
    "date | None": "a date like 2025-08-01 (or empty)",
    "tuple[str, ...]": "a comma-separated list",
    "str": "text",
}


def _coerce(f: dataclasses.Field, raw: Any, where: str) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind == "Path":
            return Path(str(raw))
        if kind == "int":
            if isinstance(raw, bool):
                raise ValueError
            return int(raw)
        if kind == "float":
            if isinstance(raw, bool):
                raise ValueError
            number = float(raw)
            if not math.isfinite(number):  # nan would switch a check off, inf would wait forever
                raise ValueError
            return number
        if kind == "date | None":
            if raw in (None, ""):
                return None
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        if kind == "tuple[str, ...]":
            items = raw.split(",") if isinstance(raw, str) else list(raw)
            return tuple(item.strip() for item in items if str(item).strip())
        if not isinstance(raw, str):
            raise ValueError
        return raw
    except (TypeError, ValueError) as exc:
        words = _KIND_WORDS.get(kind, "a value of another kind")
        raise ConfigError(f"{where}: {raw!r} is not {words}. {f.metadata['doc']}") from exc


def _scheme(url: str) -> str | None:
    try:
        return urlsplit(url).scheme
    except ValueError:  # e.g. an unclosed [ in an IPv6 host
        return None


def _is_http_url(url: str, *, need_host: bool) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (bool(parts.hostname) or not need_host)
    except ValueError:
        return False


def _check_database_url(url: str) -> None:
    """A URL SQLAlchemy can use with a driver that is installed, and for SQLite a file in a
    folder that exists: a typo in the path would otherwise start a new, empty database.
    (Only a URL set by the user: the default, in var_dir, is created on first use.)
    The URL is never echoed whole: it may hold a password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ConfigError("VENTANAS_DATABASE_URL: not a database URL "
                          "(like sqlite:////srv/ventanas/var/ventanas.db or postgresql+psycopg://user:pass@host/db)"
                          ) from exc
    try:
        parsed.get_dialect().import_dbapi()
    except NoSuchModuleError as exc:
        raise ConfigError(f"VENTANAS_DATABASE_URL: no database driver is known for {parsed.drivername!r} "
                          "(use sqlite:/// or postgresql+psycopg://)") from exc
    except ImportError as exc:
        raise ConfigError(f"VENTANAS_DATABASE_URL: the driver for {parsed.drivername!r} is not installed "
                          f"(no module {exc.name or '?'}; use sqlite:/// or postgresql+psycopg://)") from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and parsed.query.get("uri") != "true":
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise ConfigError(f"VENTANAS_DATABASE_URL: the SQLite database's folder {folder} does not exist "
                              "(create it, or correct the path)")


def _validate(settings: Settings) -> Settings:
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"VENTANAS_TIMEZONE: unknown time zone {settings.timezone!r}") from exc
    for name, url in [("base_url", settings.base_url), *[(f"{n}_url", u) for n, u in settings.source_base_urls().items()]]:
        if not _is_http_url(url, need_host=True):
            raise ConfigError(f"VENTANAS_{name.upper()}: {url!r} is not an http(s) URL")
    for url in settings.feeds:
        if not _is_http_url(url, need_host=False):
            raise ConfigError(f"VENTANAS_FEEDS: {url!r} is not an http(s) URL")
    if settings.smtp_url and _scheme(settings.smtp_url) not in ("smtp", "smtps", "smtp+starttls"):
        raise ConfigError("VENTANAS_SMTP_URL: scheme must be smtp, smtps or smtp+starttls")
    if settings.database_url:
        _check_database_url(settings.database_url)
    if settings.download_delay < 0:
        raise ConfigError("VENTANAS_DOWNLOAD_DELAY: must be zero or more seconds")
    if settings.download_timeout <= 0:
        raise ConfigError("VENTANAS_DOWNLOAD_TIMEOUT: must be a positive number of seconds")
    for name in ("serve_idle_timeout", "serve_body_timeout", "serve_busy_timeout"):
        if not 0 < getattr(settings, name) < math.inf:
            raise ConfigError(f"VENTANAS_{name.upper()}: must be a positive, finite number of seconds")
    for proxy in settings.serve_trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError as exc:
            raise ConfigError(f"VENTANAS_SERVE_TRUSTED_PROXIES: {proxy!r} is not an IP address or network "
                              "(like 127.0.0.1, ::1 or 10.0.0.0/8)") from exc
    for name in ("signup_per_client_hour", "signup_per_hour"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"VENTANAS_{name.upper()}: must be a positive number of sign-ups")
    if not 1 <= settings.signup_resend_minutes <= 48 * 60:
        raise ConfigError("VENTANAS_SIGNUP_RESEND_MINUTES: must be between 1 and 2880 minutes "
                          "(the 48 hours a confirmation link lasts)")
    if settings.link_span_days <= 0:
        raise ConfigError("VENTANAS_LINK_SPAN_DAYS: must be a positive number of days")
    if settings.max_page_bytes <= 0:
        raise ConfigError("VENTANAS_MAX_PAGE_BYTES: must be a positive number of bytes")
    return settings


def load_settings(
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Defaults, then the TOML file, then the environment, then ``overrides`` (from the CLI)."""
    environ = os.environ if environ is None else environ
    by_name = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}

    explicit = config_file or environ.get(CONFIG_FILE_ENV)
    path = Path(explicit) if explicit else Path(DEFAULT_CONFIG_FILE)
    if path.exists():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
        table = table.get("ventanas", table)
        for key, raw in table.items():
            if key not in by_name:
                raise ConfigError(f"{path}: unknown setting {key!r}")
            if by_name[key].metadata["secret"]:
                raise ConfigError(f"{path}: {key} is a secret; set {_env_name(by_name[key])} in the environment instead")
            values[key] = _coerce(by_name[key], raw, f"{path}: {key}")
    elif explicit:
        raise ConfigError(f"{CONFIG_FILE_ENV}: configuration file {path} does not exist")

    for f in by_name.values():
        env = _env_name(f)
        if env in environ:
            values[f.name] = _coerce(f, environ[env], env)

    for key, raw in overrides.items():
        if raw is not None:
            values[key] = _coerce(by_name[key], raw, f"--{key.replace('_', '-')}")

    if "today" not in values:
        kept = kept_demo_clock(values.get("var_dir", Settings.var_dir))
        if kept is not None:
            values["today"] = kept

    return _validate(Settings(**values))


def demo_clock_file(var_dir: Path) -> Path:
    return Path(var_dir) / DEMO_CLOCK_FILE


def kept_demo_clock(var_dir: Path) -> date | None:
    """The date the demo left in ``<var_dir>/demo-clock``, or None without that file."""
    path = demo_clock_file(var_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the demo clock ({exc}); delete the file for the real date") from exc
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    try:
        return date.fromisoformat(lines[-1])
    except (IndexError, ValueError) as exc:
        raise ConfigError(f"{path}: not a date like 2025-08-01; delete the file for the real date") from exc


def keep_demo_clock(var_dir: Path, day: date) -> Path:
    """Write the demo's "today" where load_settings reads it (see the module's docstring)."""
    path = demo_clock_file(var_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# The demo clock, written by `ventanas demo`: every command takes \"today\" from here when\n"
        "# VENTANAS_TODAY is not set. Delete this file (or set VENTANAS_TODAY) for the real date.\n"
        f"{day.isoformat()}\n", encoding="utf-8")
    return path
