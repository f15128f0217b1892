"""The snippets of docs/deploy.md are checked, so the deployment story stays true."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess

import pytest

from run import build_parser
from tests.conftest import DEMO_SITE, ROOT, settings_env
from ventanas.sitecopy import SiteCopyServer

DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def block(language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", DOC, re.S)
    assert match, f"docs/deploy.md has no ```{language} block"
    return match.group(1)


def crontab_commands() -> list[str]:
    lines = [line for line in block("crontab").splitlines() if line.strip() and not line.startswith("#")]
    return [" ".join(line.split()[5:]) for line in lines]


def subcommands() -> set[str]:
    parser = build_parser()
    return set(parser._subparsers._group_actions[0].choices)  # argparse keeps them here


def test_crontab_lines_name_real_commands():
    for command in crontab_commands():
        words = shlex.split(command.split("&&", 1)[1].split(">>")[0])
        assert words[1] == "run.py" and words[2] in subcommands(), command


def test_crontab_run_line_runs(settings, tmp_path):
    """The crawl line, as cron would run it, in a copy of the install directory."""
    command = next(c for c in crontab_commands() if "run.py run" in c)
    install = tmp_path / "srv"
    install.mkdir()
    (install / ".venv").symlink_to(ROOT / ".venv")
    (install / "run.py").symlink_to(ROOT / "run.py")
    (install / "var").mkdir()
    site_root = tmp_path / "site"
    shutil.copytree(DEMO_SITE, site_root)
    with SiteCopyServer(site_root) as site:
        env = settings_env(settings, **{f"VENTANAS_{k.upper()}": v for k, v in site.source_overrides().items()})
        line = command.replace("/srv/ventanas", str(install)).replace("run.py run", "run.py run --source ohchr_master_calendar")
        done = subprocess.run(["/bin/sh", "-c", line], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, (install / "var" / "run.log").read_text()
    assert "ohchr_master_calendar: ok" in (install / "var" / "run.log").read_text()


def test_systemd_unit_runs_the_scheduler():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read_string(block("ini"))
    exec_start = shlex.split(unit["Service"]["ExecStart"])
    assert exec_start[-2:] == ["run.py", "schedule"] and "schedule" in subcommands()
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_nginx_site_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if (ROOT / "/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (.ci/run installs it)")
    site = block("nginx").replace("/srv/ventanas/public", str(tmp_path / "public"))
    (tmp_path / "public").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{\n access_log off;\n{site}\n}}\n")
    done = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
