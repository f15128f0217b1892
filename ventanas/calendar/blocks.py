"""Rendered fragments per event (VEVENT, JSON, CSV), kept between publications.

icalendar's serializer costs most of a publication; an event appears in
several feeds and exports. So each event is rendered once into fragments,
and kept in a small SQLite file in ``var_dir`` keyed by the event's id and
its fingerprint (key, content hash, sequence, last change, vanished) plus
:data:`RENDER_VERSION` — a hash of the code that renders. A fragment is
reused only while all of them match: a stale cache costs a re-render, never
a wrong feed. ``publish --all`` ignores the cache and rebuilds it.

The same file keeps the publisher's own notes (the day the pages were last
rendered for, and what they were rendered with), so a lost or foreign
file simply means a full publication.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ventanas.calendar import events, exports, feeds, i18n, wording
from ventanas.calendar.events import Entry, EventView, fingerprint
from ventanas.normalize import meetings, rules


def _render_version() -> str:
    digest = hashlib.sha256()
    # the rules' and the meeting types' data are words of the feeds too (see wording.py)
    for module in (feeds, exports, i18n, events, wording, rules, meetings):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


RENDER_VERSION = _render_version()


@dataclass(frozen=True)
class Fragments:
    ics: bytes
    json: str
    csv: str
    tzids: frozenset[str]


def render_fragments(view: EventView) -> Fragments:
    record = exports.event_record(view)
    return Fragments(feeds.event_block(view), exports.event_json(view, record), exports.event_csv(view, record),
                     feeds.tzids_of(view))


class BlockCache:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS fragment (event_id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL,"
            " ics BLOB NOT NULL, json TEXT NOT NULL, csv TEXT NOT NULL, tzids TEXT NOT NULL)"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS note (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> BlockCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def stamp(event: EventView | Entry) -> str:
        return f"{RENDER_VERSION}|{fingerprint(event)}"

    def fragments(self, entries: Iterable[EventView | Entry], load: Callable[[list[int]], list[EventView]], *,
                  rebuild: bool = False) -> tuple[dict[int, Fragments], int]:
        """Fragments for every event, and how many had to be rendered.

        Cached fragments whose stamp still matches are reused; ``load`` gives the full
        views of the others (the entries may be :class:`EventView` already).
        """
        entries = list(entries)
        cached: dict[int, tuple[str, Fragments]] = {}
        if not rebuild:
            for event_id, stamp, ics, json_text, csv_text, tzids in self._db.execute(
                "SELECT event_id, fingerprint, ics, json, csv, tzids FROM fragment"
            ):
                cached[event_id] = (stamp, Fragments(bytes(ics), json_text, csv_text,
                                                     frozenset(filter(None, tzids.split(",")))))
        result: dict[int, Fragments] = {}
        stale = []
        for entry in entries:
            hit = cached.get(entry.id)
            if hit is not None and hit[0] == self.stamp(entry):
                result[entry.id] = hit[1]
            else:
                stale.append(entry)
        views = [e for e in stale if isinstance(e, EventView)]
        missing = [e.id for e in stale if not isinstance(e, EventView)]
        if missing:
            views.extend(load(missing))
        fresh = []
        for view in views:
            fragments = render_fragments(view)
            result[view.id] = fragments
            fresh.append((view.id, self.stamp(view), fragments.ics, fragments.json, fragments.csv,
                          ",".join(sorted(fragments.tzids))))
        with self._db:
            if rebuild:
                self._db.execute("DELETE FROM fragment")
            self._db.executemany("INSERT OR REPLACE INTO fragment VALUES (?, ?, ?, ?, ?, ?)", fresh)
            known = {entry.id for entry in entries}
            self._db.executemany("DELETE FROM fragment WHERE event_id = ?", [(i,) for i in cached if i not in known])
        return result, len(fresh)

    def note(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM note WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_notes(self, **values: str) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO note VALUES (?, ?)", list(values.items()))
