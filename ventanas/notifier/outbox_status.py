"""The outbox section of `status`: what waits, what failed and why."""

from __future__ import annotations

from typing import Any

from ventanas.storage import Storage
from ventanas.storage import outbox as box


def collect_outbox(storage: Storage, *, failed_shown: int = 10) -> dict[str, Any]:
    with storage.session() as session:
        oldest = box.oldest_pending(session)
        return {
            "counts": box.status_counts(session),
            "oldest_waiting": oldest.isoformat() if oldest else None,
            "failed": [
                {"id": m.id, "recipient": m.recipient, "reason": m.reason, "attempts": m.attempts,
                 "error": m.last_error, "created_at": m.created_at.isoformat()}
                for m in box.failed_messages(session, failed_shown)
            ],
        }


def format_outbox(outbox: dict[str, Any]) -> list[str]:
    counts = outbox["counts"]
    lines = ["", "outbox: " + ", ".join(f"{n} {status}" for status, n in counts.items() if n or status != "cancelled")]
    if outbox["oldest_waiting"]:
        lines.append(f"  oldest waiting since {outbox['oldest_waiting'][:16]}")
    for m in outbox["failed"]:
        lines.append(f"  FAILED #{m['id']} {m['reason']} to {m['recipient']} after {m['attempts']} attempt(s): {m['error']}")
    return lines
