"""The site copy: URL ↔ file mapping, conditional answers, and robots.txt per copied host."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from ventanas.sitecopy import SiteCopyServer, copy_path_for_url


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://tbinternet.ohchr.org/_layouts/15/X.aspx?Lang=en", "tbinternet.ohchr.org/_layouts/15/X.aspx@Lang=en"),
        ("https://www.gfmd.org/meetings/", "www.gfmd.org/meetings/index.html"),
        ("https://crmsv.org/../../etc/passwd", "crmsv.org/etc/passwd"),
    ],
)
def test_copy_path(url, path):
    assert str(copy_path_for_url(url)) == path


def fetch(url: str) -> str:
    with urllib.request.urlopen(url) as answer:
        return answer.read().decode()


@pytest.fixture
def site(tmp_path):
    (tmp_path / "a.example").mkdir()
    (tmp_path / "a.example" / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n\nUser-agent: BadBot\nDisallow: /\n")
    (tmp_path / "a.example" / "page.html").write_text("<html>hello</html>")
    with SiteCopyServer(tmp_path) as server:
        yield server


def test_root_robots_prefixes_each_hosts_rules(site):
    body = fetch(site.url + "/robots.txt")
    assert "Disallow: /a.example/private/" in body
    assert "Disallow: /a.example/\n" not in body  # BadBot's rule is not for us


def test_conditional_get_answers_304(site):
    with urllib.request.urlopen(site.url + "/a.example/page.html") as first:
        etag = first.headers["ETag"]
    request = urllib.request.Request(site.url + "/a.example/page.html", headers={"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request)
    assert answer.value.code == 304
    answer.value.close()


def test_scrapy_obeys_a_copied_hosts_robots(site, tmp_path):
    from protego import Protego

    rules = Protego.parse(fetch(site.url + "/robots.txt"))
    assert not rules.can_fetch(site.url + "/a.example/private/x.html", "ventanas")
    assert rules.can_fetch(site.url + "/a.example/page.html", "ventanas")
