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

import dataclasses
import email
import email.policy
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import ROOT, TODAY, run_cli, settings_env
from tests.test_feeds_scenario import fill
from ventanas.calendar.publisher import publish
from ventanas.config import Settings
from ventanas.normalize.bodies import UN_MEMBER_STATES
from ventanas.normalize.statefind import OBSERVER_STATES
from ventanas.storage import outbox as box
from ventanas.storage import subscribers as store
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


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_sign_up_form_is_served_in_each_language_like_the_pages(site, lang):
    """Regression: /es/subscribe was a 404, and the form had a look of its own."""
    path = f"/{LANG_PREFIX[lang]}subscribe"
    status, text = http(site + path)
    assert status == 200
    page = Html(text)
    assert page.lang == lang
    assert [urlsplit(urljoin(site + path, css)).path for css in page.stylesheets] == ["/style.css"]
    assert {"site", "wrap", "brand"} <= page.classes  # the pages' header and layout
    (form,) = page.forms
    assert urlsplit(urljoin(site + path, form["action"])).path == path
    # the language switch leads to the same form in the other languages
    targets = {urlsplit(urljoin(site + path, href)).path for href, _ in page.links}
    assert {"/subscribe", "/es/subscribe", "/fr/subscribe"} <= targets


def test_states_are_un_member_and_observer_states_by_name_with_a_search(storage, site):
    """Regression: a Ctrl-click list of 249 ISO territories ("Bouvet Island")."""
    status, text = http(f"{site}/es/subscribe")
    page = Html(text)
    boxes = [i for i in page.inputs if i.get("type") == "checkbox" and i.get("name") == "state"]
    assert {i["value"] for i in boxes} == set(UN_MEMBER_STATES) | set(OBSERVER_STATES)
    assert len(boxes) == 195
    assert not any("multiple" in s for s in page.selects)
    assert "Ctrl" not in page.words and "Bouvet" not in text
    assert "México" in page.words and "Santa Sede" in page.words and "Estado de Palestina" in page.words
    # the search: a text field with the names as suggestions (a <datalist>: no script needed)
    (search,) = [i for i in page.inputs if i.get("list")]
    assert search.get("type") in ("text", "search") and "México" in page.datalist_options
    assert len(page.datalist_options) == 195
    # a name typed there (any case or accents, several at once) is understood
    status, text = http(f"{site}/es/subscribe", {"email": "ana@example.org", "state": ["guatemala, Mexico", ""],
                                                 "language": "es", "digest": "weekly"})
    assert status == 200, Html(text).words
    with storage.session() as session:
        assert store.find(session, "ana@example.org").pending["states"] == ["GTM", "MEX"]


@pytest.mark.parametrize(("lang", "fields", "said"), [
    ("es", {"email": "ana@example.org", "state": []}, "Elija al menos un Estado"),
    ("es", {"email": "ana@example", "state": ["MEX"]}, "no es una dirección de correo"),
    ("es", {"email": "ana@example.org", "state": ["Narnia"]}, "Narnia"),
    ("fr", {"email": "pas-une-adresse", "state": ["MEX"]}, "n’est pas une adresse électronique"),
    ("fr", {"email": "ana@example.org", "state": []}, "Choisissez au moins un État"),
], ids=["es-no-state", "es-bad-domain", "es-unknown-state", "fr-bad-address", "fr-no-state"])
def test_form_errors_are_in_the_forms_language_without_command_line_flags(storage, site, lang, fields, said):
    """Regression: the Spanish form answered "follow at least one State (e.g. --state MEX)"."""
    status, text = http(f"{site}/{lang}/subscribe", fields, {"Accept-Language": "en"})
    assert status == 400
    page = Html(text)
    assert page.lang == lang and said in page.words
    assert not FLAG.search(page.words), page.words
    for english in ("follow at least one", "is not an email", "unknown State", "e.g."):
        assert english not in page.words
    assert mails(storage) == []


def test_every_answer_page_is_in_the_forms_language(storage, site):
    """Regression: a second click on the confirmation link answered in English."""
    english = {"Accept-Language": "en-GB,en;q=0.9"}
    status, text = http(f"{site}/fr/subscribe", {"email": "ana@example.org", "state": ["MEX"], "language": "fr",
                                                 "digest": "weekly"}, english)
    assert status == 200 and Html(text).lang == "fr"
    (confirmation,) = mails(storage, reason="confirm")
    link = urlsplit(confirm_link(confirmation.text_body))
    token = link.query.split("=", 1)[1]
    path = f"{link.path}?{link.query}"
    status, text = http(site + path, headers=english)
    assert status == 200 and Html(text).lang == "fr" and "<form" in text
    status, text = http(site + link.path, {"token": token}, english)
    assert status == 200 and Html(text).lang == "fr" and "Abonnement confirmé" in Html(text).words
    assert "Votre calendrier, avec vos rappels" in Html(text).words  # her personal calendar
    for again in (lambda: http(site + path, headers=english), lambda: http(site + link.path, {"token": token}, english)):
        status, text = again()
        page = Html(text)
        assert page.lang == "fr" and "déjà confirmé" in page.words, page.words
        assert "Votre calendrier, avec vos rappels" in page.words
    with storage.session() as session:
        assert store.find(session, "ana@example.org").confirmed


def test_confirmation_mail_arrives_within_seconds_of_the_post(settings, published, inbox):
    """Regression: the confirmation waited in the outbox until someone ran `send`."""
    handler, smtp_port = inbox
    port = free_port()
    env = settings_env(settings, VENTANAS_PUBLIC_DIR=str(published), VENTANAS_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}")
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, proc)
        posted = time.monotonic()
        status, text = http(f"http://127.0.0.1:{port}/es/subscribe",
                            {"email": "ana@example.org", "state": ["MEX"], "language": "es", "digest": "weekly"})
        assert status == 200, text
        while not handler.messages and time.monotonic() < posted + 10:
            time.sleep(0.1)
        assert handler.messages, "no confirmation within 10 s of the POST"
        arrived, message = handler.messages[0]
        assert arrived - posted < 10 and message["To"] == "ana@example.org"
        body = message.get_body(("plain",)).get_content()
        link = confirm_link(body)
        assert link.startswith(f"http://127.0.0.1:{port}/")  # the server that was asked
        status, text = http(f"http://127.0.0.1:{port}/es/confirm", {"token": link.rsplit("=", 1)[1]})
        assert status == 200 and f"webcal://127.0.0.1:{port}/personal/" in text  # her calendar, there too
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert len(handler.messages) == 1


def test_serve_and_send_at_once_send_each_confirmation_once(storage, settings, published, inbox):
    """`serve`'s sender and `run.py send` share the outbox and its leases: nothing goes out twice."""
    from ventanas.clock import utcnow
    from ventanas.notifier import send
    from ventanas.notifier import subscriptions as subs
    from ventanas.notifier.instant import ConfirmationSender
    from ventanas.notifier.web import make_routes

    handler, smtp_port = inbox
    mailed = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{smtp_port}")
    addresses = [f"reader{i}@example.org" for i in range(40)]
    with storage.transaction() as session:
        for address in addresses:
            subs.ask_confirmation(session, mailed, address, subs.preferences(states=["MEX"]), now=utcnow())
    sender = ConfirmationSender(storage, mailed)
    with make_server(published, port=0, routes=make_routes(storage, mailed, on_enqueued=sender.wake),
                     background=[sender.run]):
        other = threading.Thread(target=send, args=(storage, mailed))
        other.start()
        other.join(timeout=60)
        deadline = time.monotonic() + 20
        while len(handler.messages) < len(addresses) and time.monotonic() < deadline:
            time.sleep(0.1)
    received = sorted(str(m["To"]) for _, m in handler.messages)
    assert received == sorted(addresses)
    assert {m.status for m in mails(storage)} == {"sent"}


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


def test_the_commands_the_demo_prints_work_as_printed(demo):
    """Regression: the demo's closing lines said `python run.py status`, which fails outside .venv."""
    _settings, env, output = demo
    commands = [inside.split(",")[0] for inside in re.findall(r"\(([^()]*)\)", output)
                if re.search(r"(?:ventanas|run\.py) (?:status|serve|config|send)\b", inside)]
    assert any(c.split()[-1] == "status" for c in commands), output
    for command in commands:
        argv = shlex.split(command)
        if "serve" in argv:
            argv.append("--help")  # serve runs until stopped
        result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, (command, result.stderr[-1000:])


def test_run_py_finds_the_project_environment(settings):
    """Regression: `python run.py status` with a Python that lacks the dependencies: ModuleNotFoundError."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    if not venv_python.exists():
        pytest.skip("no .venv beside run.py (make demo creates it)")
    env = settings_env(settings)
    result = subprocess.run([sys.executable, "-S", str(ROOT / "run.py"), "status"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ModuleNotFoundError" not in result.stderr and "today:" in result.stdout


def test_the_demo_clock_stays_on_for_the_commands_that_follow(demo):
    """Regression: after the demo every command switched to the real date, so nothing looked upcoming."""
    settings, env, output = demo
    clock_file = settings.var_dir / "demo-clock"
    assert "demo-clock" in output  # the demo says where its clock is kept, and how to stop it
    assert clock_file.read_text().strip().splitlines()[-1] == "2025-08-01"
    status = json.loads(run_cli("status", "--json", env=env).stdout)
    assert status["today"] == "2025-08-01" and status["demo_clock"]
    # until the user changes it: VENTANAS_TODAY wins, empty means the real date
    assert json.loads(run_cli("status", "--json", env={**env, "VENTANAS_TODAY": "2025-09-01"}).stdout)["today"] \
        == "2025-09-01"
    real = json.loads(run_cli("status", "--json", env={**env, "VENTANAS_TODAY": ""}).stdout)
    assert not real["demo_clock"] and real["today"] != "2025-08-01"


def test_webcal_links_follow_the_host_and_port_serve_is_reached_at(settings, published):
    """Regression: `serve --port 8080` served pages whose webcal links pointed at port 8000."""
    port = free_port()
    env = settings_env(settings, VENTANAS_PUBLIC_DIR=str(published))
    env.pop("VENTANAS_BASE_URL", None)
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, proc)
        for host, expected in ((f"127.0.0.1:{port}", f"127.0.0.1:{port}"), (f"localhost:{port}", f"localhost:{port}"),
                               (f"evil.example:{port}", f"127.0.0.1:{port}")):  # a forged Host is not echoed
            status, text = http(f"http://127.0.0.1:{port}/es/states/MEX.html", headers={"Host": host})
            assert status == 200
            assert re.search(rf"webcal://{re.escape(expected)}/(es/)?feeds/states/MEX\.ics", text), host
            assert re.search(rf"http://{re.escape(expected)}/(es/)?feeds/states/MEX\.ics", text)
            assert "127.0.0.1:8000" not in text and "evil.example" not in text
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_webcal_links_keep_a_base_url_that_was_set(settings, tmp_path):
    public = tmp_path / "custom"
    from ventanas.storage import Storage

    custom = dataclasses.replace(settings, public_dir=public, base_url="https://ventanas.example.org",
                                 database_url=f"sqlite:///{tmp_path / 'custom.db'}")
    storage = Storage.open(custom.resolved_database_url)
    fill(storage)
    publish(storage, custom)
    storage.dispose()
    from ventanas.web import make_server as server_for

    with server_for(public, port=0, published_base=None) as server:
        _status, text = http(f"{server.url}/states/MEX.html")
    assert "webcal://ventanas.example.org/feeds/states/MEX.ics" in text


def test_config_shows_the_values_in_force(settings):
    """Regression: `config` showed VENTANAS_OUTBOX_DIR = . while mail went to var/outbox."""
    env = settings_env(settings, VENTANAS_DATABASE_URL="postgresql+psycopg://ana:s3cret@db.example/ventanas")
    env.pop("VENTANAS_TODAY")
    result = run_cli("config", env=env)
    assert result.returncode == 0, result.stderr
    values = dict(re.findall(r"^(VENTANAS_\w+) = (.*)$", result.stdout, re.M))
    assert values["VENTANAS_OUTBOX_DIR"].startswith(str(settings.var_dir / "outbox"))
    assert values["VENTANAS_DATABASE_URL"].startswith("postgresql+psycopg://ana:***@db.example/ventanas")
    assert "s3cret" not in result.stdout
    assert values["VENTANAS_TODAY"].startswith(f"{date.today().year}-") and "real date" in values["VENTANAS_TODAY"]
    assert "None" not in result.stdout and "()" not in result.stdout
    env = settings_env(settings)
    env.pop("VENTANAS_DATABASE_URL")
    values = dict(re.findall(r"^(VENTANAS_\w+) = (.*)$", run_cli("config", env=env).stdout, re.M))
    assert values["VENTANAS_DATABASE_URL"].startswith(f"sqlite:///{settings.var_dir / 'ventanas.db'}")
    assert values["VENTANAS_TODAY"].startswith("2025-08-01")


@pytest.mark.parametrize("argv", [
    ("serve", "--port", "70000"), ("demo", "--port", "-1"), ("send", "--lease", "-1"), ("send", "--limit", "0"),
    ("status", "--runs", "-1"), ("subscribers", "remove", "nobody@example.org"),
    ("digest", "--preview", "nobody@example.org"),
], ids=["serve-port", "demo-port", "send-lease", "send-limit", "status-runs", "remove-unknown", "preview-unknown"])
def test_exit_codes_are_the_documented_ones(settings, argv):
    """Regression: `serve --port 70000` ended in a traceback (OverflowError); `send --lease -1` let a second
    sender take messages in flight; naming a subscriber who does not exist exited 3, as if a step had failed."""
    result = run_cli(*argv, env=settings_env(settings), timeout=120)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr  # argparse: usage line + error


def test_serve_on_a_taken_port_says_so_in_one_line(settings):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), env=settings_env(settings), timeout=60)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and f"127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


def test_output_piped_into_head_is_no_error(settings):
    """Regression: `ventanas config | head -1` said "ventanas: [Errno 32] Broken pipe" and exited 3."""
    process = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "config"], cwd=ROOT, env=settings_env(settings),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the first line
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0 and err == b"", err


def test_readme_sign_up_walkthrough(storage, settings, published):
    """The README's steps: a local SMTP server that prints mail, `serve` with VENTANAS_SMTP_URL, the form,
    the confirmation link printed whole within 10 s, confirm, a digest, its one-click unsubscribe."""
    import queue

    fill(storage)  # something for the digest to say
    smtp_port, port = free_port(), free_port()
    # the README serves on port 8000, the default base URL; here on a free port, so it is the base URL
    # (`send` cannot know where serve runs: the list mail's links come from the base URL)
    env = settings_env(settings, VENTANAS_PUBLIC_DIR=str(published), VENTANAS_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
                       VENTANAS_BASE_URL=f"http://127.0.0.1:{port}")
    printer = subprocess.Popen([sys.executable, "-m", "ventanas.devsmtp", "--port", str(smtp_port)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in printer.stdout], daemon=True).start()

    def printed_until(pattern: str, seconds: float) -> str:
        deadline, seen = time.monotonic() + seconds, ""
        while time.monotonic() < deadline:
            try:
                seen += lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if found := re.search(pattern, seen):
                return found.group(0)
        raise AssertionError(f"not printed within {seconds} s: {pattern}\n{seen}")

    serve = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "serve", "--port", str(port)], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        printed_until("listening", 30)
        _wait_for_port(port, serve)
        site = f"http://127.0.0.1:{port}"
        assert http(f"{site}/es/subscribe", {"email": "ana@example.org", "state": ["México", "GTM"],
                                              "language": "es"})[0] == 200
        link = printed_until(r"http://\S+/es/confirm\?token=[\w-]+", 10)  # whole, not quoted-printable
        status, text = http(link)
        assert status == 200 and "Confirmar mi suscripción" in text
        token = link.rsplit("=", 1)[1]
        status, text = http(f"{site}/es/confirm", {"token": token})
        assert status == 200 and "Suscripción confirmada" in text
        for command in (("digest", "--now"), ("send",)):
            assert run_cli(*command, env=env).returncode == 0
        header = printed_until(r"List-Unsubscribe: <(http://[^>]+)>", 10)
        unsubscribe = re.search(r"<(http://[^>]+)>", header).group(1)
        status, text = http(unsubscribe, b"List-Unsubscribe=One-Click",
                            {"Content-Type": "application/x-www-form-urlencoded"})  # what a mail client sends
        assert status == 200 and "Baja confirmada" in text
    finally:
        for process in (serve, printer):
            process.terminate()
            process.communicate(timeout=10)


def test_readme_commands_are_ones_that_work():
    """The README names no command that needs an activated environment (`python run.py …`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if not (ROOT / ".venv" / "bin" / "ventanas").exists():
        pytest.skip("no .venv beside run.py (make demo creates it)")
    told = "\n".join(line for line in readme.splitlines() if not line.startswith("|"))  # the tables quote old failures
    assert not re.search(r"(?<![\w/.])python3? run\.py", told)
    for command in sorted(set(re.findall(r"\.venv/bin/ventanas ([a-z]+)", readme))):
        result = subprocess.run([str(ROOT / ".venv" / "bin" / "ventanas"), command, "--help"], cwd=ROOT,
                                capture_output=True, text=True, timeout=60, check=False, env=dict(os.environ))
        assert result.returncode == 0, (command, result.stderr)
