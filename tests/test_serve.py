"""`serve`: static files with the right types, validators and 304s, no traversal, dynamic routes."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, settings_env
from ventanas.web import Request, Response, make_server


@pytest.fixture
def public(tmp_path: Path) -> Path:
    root = tmp_path / "public"
    (root / "feeds" / "states").mkdir(parents=True)
    (root / "feeds" / "states" / "MEX.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    (root / "index.html").write_text("<!doctype html><title>home</title>")
    (root / "es").mkdir()
    (root / "es" / "index.html").write_text("<!doctype html><title>inicio</title>")
    (root / "api").mkdir()
    (root / "api" / "events.json").write_text("[]")
    (root / "api" / "events.csv").write_text("key\n")
    (tmp_path / "secret.txt").write_text("outside the public directory")
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    return root


def echo(request: Request) -> Response:
    return Response.text(200, f"{request.method} {request.path} {dict(request.query)} {request.form()}")


@pytest.fixture
def server(public: Path):
    with make_server(public, port=0, routes={"/subscribe": echo, "/subscribe/confirm": lambda r: Response.text(201, "c")}) as srv:
        yield srv


def fetch(server, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/feeds/states/MEX.ics", "text/calendar; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/es/", "text/html; charset=utf-8"),
        ("/api/events.json", "application/json"),
        ("/api/events.csv", "text/csv; charset=utf-8"),
    ],
)
def test_types(server, path, content_type):
    response, body = fetch(server, "GET", path)
    assert response.status == 200
    assert response.getheader("Content-Type") == content_type
    assert int(response.getheader("Content-Length")) == len(body) > 0


def test_etag_and_304_on_if_none_match(server):
    first, body = fetch(server, "GET", "/feeds/states/MEX.ics")
    etag = first.getheader("ETag")
    assert etag and etag.startswith('"')
    again, again_body = fetch(server, "GET", "/feeds/states/MEX.ics", {"If-None-Match": etag})
    assert again.status == 304 and again_body == b""
    assert again.getheader("ETag") == etag
    other, _ = fetch(server, "GET", "/feeds/states/MEX.ics", {"If-None-Match": '"something-else"'})
    assert other.status == 200


def test_304_on_if_modified_since(server):
    first, _ = fetch(server, "GET", "/feeds/states/MEX.ics")
    modified = first.getheader("Last-Modified")
    assert fetch(server, "GET", "/feeds/states/MEX.ics", {"If-Modified-Since": modified})[0].status == 304
    assert fetch(server, "GET", "/feeds/states/MEX.ics",
                 {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0].status == 200


def test_rewritten_file_gets_a_new_etag(server, public):
    etag = fetch(server, "GET", "/feeds/states/MEX.ics")[0].getheader("ETag")
    feed = public / "feeds" / "states" / "MEX.ics"
    feed.write_bytes(b"BEGIN:VCALENDAR\r\nX-CHANGED:1\r\nEND:VCALENDAR\r\n")
    response, _ = fetch(server, "GET", "/feeds/states/MEX.ics", {"If-None-Match": etag})
    assert response.status == 200 and response.getheader("ETag") != etag


def test_remembered_paths_follow_removal_and_symlink_swaps(server, public, tmp_path):
    # serve remembers which file a URL path names; a removed file, or one replaced by a
    # symlink out of the public directory, must not be served from that memory
    feed = public / "feeds" / "states" / "MEX.ics"
    assert fetch(server, "GET", "/feeds/states/MEX.ics")[0].status == 200
    feed.unlink()
    assert fetch(server, "GET", "/feeds/states/MEX.ics")[0].status == 404
    feed.symlink_to(tmp_path / "secret.txt")
    response, body = fetch(server, "GET", "/feeds/states/MEX.ics")
    assert response.status == 404 and b"outside the public directory" not in body


def test_head_has_headers_and_no_body(server):
    response, body = fetch(server, "HEAD", "/feeds/states/MEX.ics")
    assert response.status == 200 and body == b""
    assert response.getheader("Content-Type") == "text/calendar; charset=utf-8"
    assert int(response.getheader("Content-Length")) > 0


@pytest.mark.parametrize(
    "path",
    ["/nope.ics", "/../secret.txt", "/%2e%2e/secret.txt", "/feeds/../../secret.txt", "/escape.txt",
     "/feeds/%2e%2e/%2e%2e/secret.txt", "/feeds/states/MEX.ics%00.html"],
)
def test_missing_and_traversal_are_404(server, path):
    response, body = fetch(server, "GET", path)
    assert response.status == 404
    assert b"outside the public directory" not in body


def test_directory_without_slash_redirects(server):
    response, _ = fetch(server, "GET", "/es")
    assert response.status == 301 and response.getheader("Location") == "/es/"


def test_post_to_static_is_405(server):
    assert fetch(server, "POST", "/index.html", body=b"x")[0].status == 405


def test_dynamic_route_gets_method_query_and_body(server):
    response, body = fetch(server, "POST", "/subscribe?lang=es", {"Content-Type": "application/x-www-form-urlencoded"},
                           b"email=a%40example.org&state=MEX")
    assert response.status == 200
    assert body.decode() == "POST /subscribe {'lang': ['es']} {'email': 'a@example.org', 'state': 'MEX'}"


def test_longest_prefix_wins_and_prefix_is_a_folder(server):
    assert fetch(server, "GET", "/subscribe/confirm?t=1")[0].status == 201
    assert fetch(server, "GET", "/subscribe/other")[0].status == 200
    assert fetch(server, "GET", "/subscribers")[0].status == 404


def test_failing_handler_is_a_500(public):
    def broken(request: Request) -> Response:
        raise RuntimeError("boom")

    with make_server(public, port=0, routes={"/x": broken}) as srv:
        assert fetch(srv, "GET", "/x")[0].status == 500


def test_oversized_body_is_refused(server):
    response, _ = fetch(server, "POST", "/subscribe", body=b"x" * (65 * 1024))
    assert response.status == 413


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_answers(settings, public):
    port = _free_port()
    env = settings_env(settings, VENTANAS_PUBLIC_DIR=str(public))
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "serve", "--port", str(port)], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/feeds/states/MEX.ics")
                response = conn.getresponse()
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "serve did not start"
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.1)
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/calendar; charset=utf-8"
        conn.close()
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=10)
    assert b"GET /feeds" not in err  # quiet: no line per request unless --verbose


def test_pages_follow_the_address_they_are_served_at(public):
    """Without a base URL, pages' absolute links name a placeholder that serve points at its own address;
    each address gets its own ETag, so a 304 never hands one client another's links."""
    page = '<a href="webcal://127.0.0.1:8000/feeds/all.ics">x</a><input value="http://127.0.0.1:8000/feeds/all.ics">'
    (public / "index.html").write_text(page)
    with make_server(public, port=0, published_base="http://127.0.0.1:8000") as srv:
        port = srv.server_address[1]
        first, body = fetch(srv, "GET", "/index.html")
        assert body.decode() == page.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        by_name, named = fetch(srv, "GET", "/index.html", {"Host": f"localhost:{port}"})
        assert f"webcal://localhost:{port}/feeds/all.ics" in named.decode()
        assert by_name.getheader("ETag") != first.getheader("ETag")
        again, _ = fetch(srv, "GET", "/index.html", {"Host": f"localhost:{port}", "If-None-Match": by_name.getheader("ETag")})
        assert again.status == 304
        other, _ = fetch(srv, "GET", "/index.html", {"If-None-Match": by_name.getheader("ETag")})
        assert other.status == 200
        _, data = fetch(srv, "GET", "/feeds/states/MEX.ics")  # only pages are rewritten
        assert data == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    with make_server(public, port=0) as srv:  # a base URL was set: served byte for byte
        assert fetch(srv, "GET", "/index.html")[1].decode() == page
