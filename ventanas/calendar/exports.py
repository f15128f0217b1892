"""JSON and CSV exports of events (schema: docs/api.md).

Like feeds, exports are assembled from one rendered fragment per event, and
depend only on stored data (never on the clock), so an unchanged export is
byte-identical after re-publishing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from ventanas.calendar import wording
from ventanas.calendar.events import EventView

SCHEMA_VERSION = 1
CSV_COLUMNS = (
    "uid", "key", "body", "binding", "kind", "title", "start", "end", "all_day", "timezone", "location",
    "status", "basis", "rule", "session", "states", "vanished", "sequence", "last_changed", "source_url",
    "source_name", "action",
)


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def event_record(view: EventView) -> dict[str, Any]:
    return {
        "uid": view.uid,
        "key": view.key,
        "body": view.body,
        "binding": view.binding,
        "kind": view.kind,
        "title": wording.reader_title(view.title, view.key, view.body),
        "start": _iso(view.start),
        "end": _iso(view.end),
        "first_day": view.first_day.isoformat(),
        "last_day": view.last_day.isoformat(),
        "all_day": view.all_day,
        "timezone": view.timezone,
        "location": view.location,
        "status": view.status,
        "basis": view.basis,
        "rule": view.rule,
        "session": view.session,
        "states": [{"code": code, "role": role} for code, role in view.states],
        "vanished": view.vanished_at is not None,
        "vanished_at": _iso(view.vanished_at),
        "sequence": view.sequence,
        "first_seen": _iso(view.first_seen),
        "last_changed": _iso(view.last_changed),
        "source_url": view.source_url,
        "source_name": view.source_name,
        "sources": list(view.sources) or [view.source_url],
        # an estimate's stored description is the rule's own record; readers get it in words
        "description": wording.estimate_note(view.rule) if view.basis == "derived" else view.description,
        "action": view.action,
    }


def event_json(view: EventView, record: dict[str, Any] | None = None) -> str:
    return json.dumps(record or event_record(view), ensure_ascii=False, separators=(", ", ": "))


def event_csv(view: EventView, record: dict[str, Any] | None = None) -> str:
    """One CSV line; ``record`` is the view's :func:`event_record` when the caller has it already."""
    record = dict(record or event_record(view))
    record["states"] = ";".join(f"{s['code']}:{s['role']}" for s in record["states"])
    record["binding"] = "true" if record["binding"] else "false"
    record["all_day"] = "true" if record["all_day"] else "false"
    record["vanished"] = "true" if record["vanished"] else "false"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        "" if record[name] is None else record[name] for name in CSV_COLUMNS
    )
    return buffer.getvalue()


def assemble_json(fragments: Iterable[str], *, state: str | None = None, body: str | None = None) -> bytes:
    head: dict[str, Any] = {"version": SCHEMA_VERSION}
    if state:
        head["state"] = state
    if body:
        head["body"] = body
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "events": ['
    items = list(fragments)
    inner = ("\n" + ",\n".join(items) + "\n") if items else ""
    return (opening + inner + "]}\n").encode("utf-8")


def assemble_csv(fragments: Iterable[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(CSV_COLUMNS)
    return (buffer.getvalue() + "".join(fragments)).encode("utf-8")
