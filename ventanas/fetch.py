"""One document by URL, for `run.py extract URL`: a bounded, honest HTTP GET.

Crawls go through Scrapy (robots.txt, politeness, the HTTP cache); this is
the one-off fetch a person asks for by hand, like opening the link in a
browser. It is bounded all the same: http and https only (redirects too), the
configured User-Agent and timeout, at most ``MAX_BYTES`` read, and every
failure a :class:`FetchError` with one line saying what happened.

What comes back is the body and a file name whose suffix tells the document
readers what it is: OHCHR serves information notes from
``Download.aspx?symbolno=…``, a URL that says nothing, so the name comes from
``Content-Disposition``, else the Content-Type, else the URL's path.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import aiohttp

from ventanas.config import Settings
from ventanas.normalize.doctext import MAX_BYTES

MAX_REDIRECTS = 5

SUFFIX_BY_TYPE = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
}
_FILENAME = re.compile(r"""filename\*?\s*=\s*(?:UTF-8'[^']*')?["']?([^"';]+)""", re.I)


class FetchError(Exception):
    """The document could not be fetched; the message is one line for the user."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    name: str  # a file name with the suffix the document readers go by
    data: bytes  # at most MAX_BYTES + 1 bytes
    total_size: int  # Content-Length when the server said it, else what was read


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https")


def fetch(url: str, settings: Settings) -> Fetched:
    if not is_url(url):
        raise FetchError(f"{url}: only http and https URLs can be fetched")
    try:
        return asyncio.run(_fetch(url, settings))
    except TimeoutError as exc:
        raise FetchError(f"{url}: no answer within {settings.download_timeout:g} s") from exc
    except aiohttp.TooManyRedirects as exc:
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects") from exc
    except (aiohttp.InvalidUrlRedirectClientError, aiohttp.NonHttpUrlRedirectClientError) as exc:
        raise FetchError(f"{url}: redirected to {exc}, which is not http or https") from exc
    except aiohttp.ClientResponseError as exc:
        raise FetchError(f"{url}: HTTP {exc.status} {exc.message}") from exc
    except aiohttp.ClientError as exc:
        raise FetchError(f"{url}: {exc.__class__.__name__}: {exc}") from exc


async def _fetch(url: str, settings: Settings) -> Fetched:
    timeout = aiohttp.ClientTimeout(total=settings.download_timeout)
    headers = {"User-Agent": settings.user_agent, "Accept": "text/html, application/pdf, application/msword, "
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document, text/plain;q=0.8, */*;q=0.1"}
    async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session, \
            session.get(url, max_redirects=MAX_REDIRECTS, raise_for_status=True) as response:
        data = await _read_capped(response.content, MAX_BYTES + 1)
        final = str(response.url)
        if not is_url(final):
            raise FetchError(f"{url}: redirected to {final}, which is not http or https")
        return Fetched(final, document_name(final, response.headers.get("Content-Disposition", ""),
                                            response.content_type),
                       data, max(response.content_length or 0, len(data)))


async def _read_capped(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """The body up to ``limit`` bytes. ``StreamReader.read(n)`` gives what has arrived so far (one
    chunk), not n bytes: a document read that way is cut short whenever the network is slower
    than the reader."""
    chunks, size = [], 0
    while size < limit and (chunk := await stream.read(min(limit - size, 1 << 16))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def document_name(url: str, disposition: str, content_type: str) -> str:
    """``attachment; filename="INT_CMW_INF_36_E.docx"`` → that name; else the URL path's last
    part with the suffix of the Content-Type when the path has none the readers know."""
    if (m := _FILENAME.search(disposition or "")) and PurePosixPath(unquote(m[1])).suffix:
        return PurePosixPath(unquote(m[1]).strip()).name
    name = PurePosixPath(unquote(urlsplit(url).path)).name or "document"
    by_type = SUFFIX_BY_TYPE.get((content_type or "").split(";")[0].strip().lower())
    if by_type and PurePosixPath(name).suffix.lower() not in SUFFIX_BY_TYPE.values():
        name = PurePosixPath(name).stem + by_type
    return name
