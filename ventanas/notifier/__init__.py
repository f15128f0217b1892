"""The notifier (DESIGN §9): subscribers, change alerts, reminders, digests, operator alerts, and the sender.

Decisions go into the outbox (``ventanas/storage/outbox.py``) in the
transaction that made them; :func:`send` drains it. The functions below are
what the CLI, the scheduler and the operations code call.
"""

from __future__ import annotations

from ventanas.notifier.notify import NotifyReport, digest_now, notify, preview_digest
from ventanas.notifier.operator import enqueue_operator_alert, enqueue_operator_healed
from ventanas.notifier.sender import SendReport, send

__all__ = [
    "NotifyReport", "SendReport", "digest_now", "enqueue_operator_alert", "enqueue_operator_healed", "notify",
    "preview_digest", "send",
]
