"""Robustness, a new user: what someone who has only the README meets (the tracker's issue 17, items 9 and 10).

Item 9, the sign-up: every page links to it in its language; the form looks
like the site, offers UN member and observer States by name with a search that
needs no JavaScript and no Ctrl-click; its errors and every answer page are in
the form's language and name no command-line flag; and `serve` sends the
confirmation within seconds, without sending anything twice when `send` runs too.

Item 10, the path after `make demo`: the commands it prints work as printed;
its clock stays on for the commands that follow; webcal links follow the host
and port `serve` is reached at; `config` shows the values in force; exit codes
are the documented ones.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import TODAY, run_cli, settings_env
from tests.test_feeds_scenario import fill
from ventanas.calendar.publisher import publish
from ventanas.config import Settings
from ventanas.storage import outbox as box
from ventanas.web import make_server

LANG_PREFIX = {"en": "", "es": "es/", "fr": "fr/"}
FLAG = re.compile(r"(?<![\w-])--[a-z]")  # a command-line flag such as --state


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Html(HTMLParser):
    """Links, form fields and the visible text of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.stylesheets: list[str] = []
        self.forms: list[dict] = []
        self.inputs: list[dict] = []
        self.selects: list[dict] = []
        self.datalist_options: list[str] = []
        self.classes: set[str] = set()
        self.text: list[str] = []
        self._a: dict | None = None
        self._skip = 0
        self._in_datalist = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.classes.update((attrs.get("class") or "").split())
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "a" and attrs.get("href"):
            self._a = {"href": attrs["href"], "text": []}
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])
        elif tag == "form":
            self.forms.append(attrs)
        elif tag == "input":
            self.inputs.append(attrs)
        elif tag == "select":
            self.selects.append(attrs)
        elif tag == "datalist":
            self._in_datalist = True
        elif tag == "option" and self._in_datalist:
            self.datalist_options.append(attrs.get("value") or "")
        elif tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._a is not None:
            self.links.append((self._a["href"], re.sub(r"\s+", " ", "".join(self._a["text"])).strip()))
            self._a = None
        elif tag == "datalist":
            self._in_datalist = False
        elif tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if self._a is not None:
            self._a["text"].append(data)
        if not self._skip:
            self.text.append(data)

    @property
    def words(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def http(url: str, data: dict | bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
    body = urlencode(data, doseq=True).encode() if isinstance(data, dict) else data
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


def confirm_link(text: str) -> str:
    return re.search(r"https?://\S+/confirm\?token=[\w-]+", text).group(0)


def mails(storage, **filters):
    with storage.session() as session:
        return box.messages(session, **filters)


class Inbox:
    """An aiosmtpd handler keeping every message it accepts, with the time it arrived."""

    def __init__(self):
        self.messages: list[tuple[float, email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((time.monotonic(), email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 2.0.0 accepted"


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The site as `publish` writes it with the default base URL (VENTANAS_BASE_URL unset)."""
    from ventanas.storage import Storage

    root = tmp_path_factory.mktemp("published")
    settings = Settings(var_dir=root / "var", public_dir=root / "public", database_url=f"sqlite:///{root / 'db'}",
                        today=TODAY)
    storage = Storage.open(settings.resolved_database_url)
    fill(storage)
    publish(storage, settings)
    storage.dispose()
    return settings.public_dir


@pytest.fixture
def site(storage, settings, published):
    """The notifier's routes in a real server over the published pages."""
    from ventanas.notifier.web import make_routes

    with make_server(published, port=0, routes=make_routes(storage, settings)) as server:
        yield server.url


# -- 9. the sign-up is easy to find, looks like the site, answers in its language, mails at once ----------


def test_every_page_links_to_the_sign_up_in_its_language(published):
    """Regression: none of the pages linked to /subscribe."""
    wanted = {"en": "/subscribe", "es": "/es/subscribe", "fr": "/fr/subscribe"}
    words = {"en": "Subscribe by email", "es": "Suscribirse por correo", "fr": "S’abonner par courriel"}
    pages = sorted(published.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        relative = path.relative_to(published).as_posix()
        parsed = Html(path.read_text(encoding="utf-8"))
        served_at = "http://h/" + ("states/x/y.html" if relative == "404.html" else relative)  # 404: any depth
        found = {urlsplit(urljoin(served_at, href)).path: text for href, text in parsed.links}
        assert found.get(wanted[parsed.lang]) == words[parsed.lang], (relative, parsed.lang)


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, "serve did not start"
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.1)


# -- 10. the newcomer's path: printed commands, the demo clock, webcal links, config, exit codes -----------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`make demo` as a new user runs it: no VENTANAS_TODAY in the environment."""
    root = tmp_path_factory.mktemp("newcomer")
    (root / "var").mkdir()
    settings = Settings(var_dir=root / "var", public_dir=root / "public",
                        database_url=f"sqlite:///{root / 'var' / 'ventanas.db'}", download_delay=0.0)
    env = settings_env(settings)
    del env["VENTANAS_TODAY"]
    result = run_cli("demo", "--port", "0", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return settings, env, result.stdout


