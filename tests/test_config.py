from datetime import date
from pathlib import Path

import pytest

from ventanas.config import ConfigError, Settings, load_settings


def test_defaults_need_no_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    assert s.resolved_database_url == "sqlite:///var/ventanas.db"
    assert s.public_dir == Path("public")
    assert s.resolved_outbox_dir == Path("var/outbox")
    assert s.today is None


def test_file_then_environment_override(tmp_path):
    config = tmp_path / "v.toml"
    config.write_text('public_dir = "site"\ndownload_delay = 5\nlink_span_days = 90\n')
    s = load_settings(config, environ={"VENTANAS_DOWNLOAD_DELAY": "0.5", "VENTANAS_TODAY": "2025-08-01"})
    assert s.public_dir == Path("site")
    assert s.download_delay == 0.5  # environment beats the file
    assert s.link_span_days == 90
    assert s.today == date(2025, 8, 1)


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"VENTANAS_DOWNLOAD_DELAY": "fast"}, "VENTANAS_DOWNLOAD_DELAY"),
        ({"VENTANAS_TODAY": "2025-02-30"}, "VENTANAS_TODAY"),
        ({"VENTANAS_TIMEZONE": "Mars/Olympus"}, "VENTANAS_TIMEZONE"),
        ({"VENTANAS_GFMD_URL": "ftp://gfmd.org"}, "VENTANAS_GFMD_URL"),
        ({"VENTANAS_SMTP_URL": "http://mail"}, "VENTANAS_SMTP_URL"),
        ({"VENTANAS_LINK_SPAN_DAYS": "-3"}, "VENTANAS_LINK_SPAN_DAYS"),
        ({"VENTANAS_CONFIG": "/nonexistent/ventanas.toml"}, "VENTANAS_CONFIG"),
        ({"VENTANAS_SERVE_IDLE_TIMEOUT": "0"}, "VENTANAS_SERVE_IDLE_TIMEOUT"),
        ({"VENTANAS_SERVE_BODY_TIMEOUT": "inf"}, "VENTANAS_SERVE_BODY_TIMEOUT"),
    ],
    ids=["not-a-number", "impossible-date", "unknown-zone", "not-http", "smtp-scheme", "negative-span", "missing-file",
         "no-idle-timeout", "endless-body-timeout"],
)
def test_wrong_value_names_the_setting(environ, named):
    with pytest.raises(ConfigError) as info:
        load_settings(environ=environ)
    assert named in str(info.value)
    assert "\n" not in str(info.value)


def test_secret_refused_in_file(tmp_path):
    config = tmp_path / "v.toml"
    config.write_text('smtp_url = "smtp://u:p@host"\n')
    with pytest.raises(ConfigError, match="secret"):
        load_settings(config, environ={})


def test_unknown_key_in_file_is_an_error(tmp_path):
    config = tmp_path / "v.toml"
    config.write_text("pubic_dir = 'x'\n")
    with pytest.raises(ConfigError, match="pubic_dir"):
        load_settings(config, environ={})


def test_canonical_url_maps_copy_back_to_live():
    s = Settings(ohchr_tb_url="http://127.0.0.1:8753/tbinternet.ohchr.org")
    assert (
        s.canonical_url("http://127.0.0.1:8753/tbinternet.ohchr.org/_layouts/15/X.aspx?Lang=en")
        == "https://tbinternet.ohchr.org/_layouts/15/X.aspx?Lang=en"
    )
    assert s.canonical_url("https://elsewhere.org/x") == "https://elsewhere.org/x"


def test_demo_clock_is_kept_until_changed(tmp_path, monkeypatch):
    from ventanas.config import keep_demo_clock

    monkeypatch.chdir(tmp_path)
    keep_demo_clock(Path("var"), date(2025, 8, 1))
    assert load_settings(environ={}).today == date(2025, 8, 1)  # what `demo` left, for the next commands
    assert load_settings(environ={"VENTANAS_TODAY": "2025-09-01"}).today == date(2025, 9, 1)
    assert load_settings(environ={"VENTANAS_TODAY": ""}).today is None  # set empty: the real date
    (tmp_path / "v.toml").write_text('today = "2025-10-01"\n')
    assert load_settings(tmp_path / "v.toml", environ={}).today == date(2025, 10, 1)
    assert load_settings(environ={"VENTANAS_VAR_DIR": "elsewhere"}).today is None  # read from the var_dir in use
    (tmp_path / "var" / "demo-clock").write_text("soon\n")
    with pytest.raises(ConfigError, match="demo-clock"):
        load_settings(environ={})
    (tmp_path / "var" / "demo-clock").unlink()
    assert load_settings(environ={}).today is None
