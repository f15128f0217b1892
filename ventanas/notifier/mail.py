"""Mail as bytes: an outbox row becomes an RFC 5322 message; scraped text is made safe for headers.

Every header goes through :class:`email.message.EmailMessage` with the default
policy (which refuses CR/LF in a header value) and anything that came from a
scraped page is first cleaned by :func:`header_text`, so a crafted title can
neither add a header nor break a line.
"""

from __future__ import annotations

import email.policy
import email.utils
import hashlib
import re
import secrets
import unicodedata
from email.message import EmailMessage
from urllib.parse import quote, urlencode

from ventanas.config import Settings
from ventanas.storage.models import Outbox

SUBJECT_MAX = 180  # characters; mail clients cut long subjects anyway
# CRLF, and header lines up to RFC 5322's hard limit: at the default 78 the generator turns a long
# List-Unsubscribe URL into RFC 2047 encoded words, which no mail client parses as a URL.
WIRE_POLICY = email.policy.SMTP.clone(max_line_length=998)
_SPACES = re.compile(r"\s+")


def header_text(text: str, limit: int = SUBJECT_MAX) -> str:
    """One line of printable text: control and line-separator characters become spaces."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in str(text)
    )
    cleaned = _SPACES.sub(" ", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of a token: a leaked table gives nobody a working link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sender_address(settings: Settings) -> str:
    return email.utils.parseaddr(settings.mail_from)[1] or "ventanas@localhost"


def message_id(settings: Settings, dedupe_key: str) -> str:
    """Stable per outbox row: a message sent twice (the one in flight at a crash) keeps its id,
    so receiving systems can recognise the duplicate."""
    domain = sender_address(settings).rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(dedupe_key.encode('utf-8')).hexdigest()[:32]}@{domain}>"


def unsubscribe_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/unsubscribe?{urlencode({'token': token})}"


def list_headers(settings: Settings, token: str, list_name: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: an https link that takes a one-click POST, and a mailto."""
    mailto = f"mailto:{sender_address(settings)}?subject={quote('unsubscribe ' + token)}"
    domain = sender_address(settings).rpartition("@")[2] or "localhost"
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(settings, token)}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{header_text(list_name, 80)} <{list_name.split()[0].lower()}.{domain}>",
    }


def build_message(row: Outbox, settings: Settings) -> EmailMessage:
    """The message for an outbox row: the same bytes every time it is built."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row.recipient
    message["Subject"] = header_text(row.subject)
    message["Date"] = email.utils.format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: vacation responders stay quiet
    for name, value in (row.headers or {}).items():
        message[name] = header_text(value, 2000)
    # quoted-printable: 7-bit safe on any relay, and still readable in a saved .eml file
    message.set_content(row.text_body, cte="quoted-printable")
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html", cte="quoted-printable")
        # A fixed boundary keeps the bytes (and so an .eml file) identical on every build.
        message.set_boundary("=_ventanas_" + hashlib.sha256(row.message_id.encode()).hexdigest()[:24])
    message["Content-Language"] = row.language  # after set_content, which drops every Content-* header
    return message


def to_bytes(message: EmailMessage) -> bytes:
    """The bytes that go on the wire and into an .eml file: the same for both."""
    return message.as_bytes(policy=WIRE_POLICY)
