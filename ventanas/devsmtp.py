"""A local SMTP server to try the mail on one machine: it prints each message it receives, decoded, and delivers none.

    .venv/bin/python -m ventanas.devsmtp                  # listens on 127.0.0.1:8025
    VENTANAS_SMTP_URL=smtp://127.0.0.1:8025 .venv/bin/ventanas serve

aiosmtpd's own ``python -m aiosmtpd`` prints messages as they travel, in
quoted-printable: a confirmation link comes out as ``token=3D…=`` cut over
two lines, which a reader cannot open. This prints the headers a reader
looks at (List-Unsubscribe too) and the text part as the mail client shows
it. For trying things only: it accepts mail for anyone and keeps nothing.
aiosmtpd is installed with the test extras (``make demo`` installs them).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import sys
import threading
from datetime import datetime

HEADERS = ("From", "To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post")


def show(data: bytes, number: int) -> str:
    message = email.message_from_bytes(data, policy=email.policy.default)
    lines = [f"=== mail {number}, received {datetime.now():%H:%M:%S} ==="]
    lines += [f"{name}: {message[name]}" for name in HEADERS if message[name] is not None]
    body = message.get_body(("plain",))
    lines += ["", body.get_content().rstrip() if body is not None else "(no text part)", ""]
    return "\n".join(lines)


class Printer:
    """aiosmtpd handler: accept every message and print it."""

    def __init__(self, out=sys.stdout):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        print(show(envelope.original_content or envelope.content, self.count), file=self.out, flush=True)
        return "250 2.0.0 accepted (printed, not delivered)"


def main(argv: list[str] | None = None) -> int:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser(prog="python -m ventanas.devsmtp", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8025, help="port to listen on (default 8025)")
    args = parser.parse_args(argv)
    controller = Controller(Printer(), hostname=args.host, port=args.port)
    try:
        controller.start()
    except (OSError, RuntimeError) as exc:
        print(f"devsmtp: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 3
    print(f"devsmtp: listening on {args.host}:{args.port}; set VENTANAS_SMTP_URL=smtp://{args.host}:{args.port} "
          "(Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
