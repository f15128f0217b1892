"""Rendered fragments per event (a VEVENT per language, JSON, CSV), kept between publications.

icalendar's serializer costs most of a publication; an event appears in
several feeds and exports, in three languages. So each event is rendered
once into fragments, and kept in a small SQLite file in ``var_dir``: its
JSON and CSV keyed by the event's id, its VEVENTs by the event's id *and the
language*, each with the event's fingerprint (key, content hash, sequence,
last change, vanished) plus :data:`RENDER_VERSION` — a hash of the code that
renders. A fragment is reused only while all of them match: a stale cache
costs a re-render, never a wrong feed. ``publish --all`` ignores the cache
and rebuilds it.

The same file keeps the publisher's own notes (the day the pages were last
rendered for, and what they were rendered with) and what it last wrote of
each personal feed (:mod:`ventanas.calendar.personal`), so a lost or
foreign file simply means a full publication.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ventanas.calendar import events, exports, feeds, i18n, wording
from ventanas.calendar.events import Entry, EventView, fingerprint
from ventanas.calendar.feeds import LANGS
from ventanas.normalize import meetings, rules


def _render_version() -> str:
    digest = hashlib.sha256()
    # the rules' and the meeting types' data are words of the feeds too (see wording.py)
    for module in (feeds, exports, i18n, events, wording, rules, meetings):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


RENDER_VERSION = _render_version()
SCHEMA = "2"  # the cache's tables; another value (an older file) means they are made anew


@dataclass(frozen=True)
class Fragments:
    ics: dict[str, bytes]  # language → VEVENT
    json: str
    csv: str
    tzids: frozenset[str]
    all_day: bool = True


def render_fragments(view: EventView) -> Fragments:
    record = exports.event_record(view)
    return Fragments(feeds.event_blocks(view), exports.event_json(view, record), exports.event_csv(view, record),
                     feeds.tzids_of(view), view.all_day)


class BlockCache:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("CREATE TABLE IF NOT EXISTS note (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        if self.note("schema") != SCHEMA:
            with self._db:
                for table in ("fragment", "vevent", "personal"):
                    self._db.execute(f"DROP TABLE IF EXISTS {table}")
                self._db.execute("DELETE FROM note")
                self._db.execute("INSERT INTO note VALUES ('schema', ?)", (SCHEMA,))
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS fragment (event_id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL,"
            " json TEXT NOT NULL, csv TEXT NOT NULL, tzids TEXT NOT NULL, all_day INTEGER NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vevent (event_id INTEGER NOT NULL, lang TEXT NOT NULL,"
            " fingerprint TEXT NOT NULL, ics BLOB NOT NULL, PRIMARY KEY (event_id, lang))"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS personal (token TEXT PRIMARY KEY, signature TEXT NOT NULL)")
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

    def _cached(self, ids: list[int] | None) -> dict[int, tuple[str, Fragments]]:
        """What the cache holds, for every event or for ``ids``: one row per event, its VEVENT in every
        language joined to it by (event, language) and stamp, so an event missing a language (or holding
        one of another rendering) is not held."""
        joins = " ".join(f"JOIN vevent v{i} ON v{i}.event_id = f.event_id AND v{i}.lang = '{lang}'"
                         f" AND v{i}.fingerprint = f.fingerprint" for i, lang in enumerate(LANGS))
        blobs = ", ".join(f"v{i}.ics" for i in range(len(LANGS)))
        query = f"SELECT f.event_id, f.fingerprint, f.json, f.csv, f.tzids, f.all_day, {blobs} FROM fragment f {joins}"
        rows: list[tuple] = []
        if ids is None:
            rows = self._db.execute(query).fetchall()
        else:
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                rows += self._db.execute(f"{query} WHERE f.event_id IN ({','.join('?' * len(chunk))})",
                                         chunk).fetchall()
        return {
            row[0]: (row[1], Fragments(dict(zip(LANGS, row[6:], strict=True)), row[2], row[3],
                                       frozenset(filter(None, row[4].split(","))), bool(row[5])))
            for row in rows
        }

    def fragments(self, entries: Iterable[EventView | Entry], load: Callable[[list[int]], list[EventView]], *,
                  rebuild: bool = False, prune: bool = True) -> tuple[dict[int, Fragments], int]:
        """Fragments for ``entries``, and how many had to be rendered.

        Cached fragments whose stamp still matches are reused; ``load`` gives the full
        views of the others (the entries may be :class:`EventView` already). With ``prune``
        the entries are every event, and the fragments of any other event are dropped.
        """
        entries = list(entries)
        cached = {} if rebuild else self._cached(None if prune else sorted({e.id for e in entries}))
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
        fresh, blocks = [], []
        for view in views:
            fragments = render_fragments(view)
            result[view.id] = fragments
            stamp = self.stamp(view)
            fresh.append((view.id, stamp, fragments.json, fragments.csv, ",".join(sorted(fragments.tzids)),
                          int(fragments.all_day)))
            blocks += [(view.id, lang, stamp, ics) for lang, ics in fragments.ics.items()]
        with self._db:
            if rebuild:
                self._db.execute("DELETE FROM fragment")
                self._db.execute("DELETE FROM vevent")
            self._db.executemany("INSERT OR REPLACE INTO fragment VALUES (?, ?, ?, ?, ?, ?)", fresh)
            self._db.executemany("INSERT OR REPLACE INTO vevent VALUES (?, ?, ?, ?)", blocks)
            if prune and not rebuild:
                known = {entry.id for entry in entries}
                gone = [(i,) for i in cached if i not in known]
                self._db.executemany("DELETE FROM fragment WHERE event_id = ?", gone)
                self._db.executemany("DELETE FROM vevent WHERE event_id = ?", gone)
        return result, len(fresh)

    def note(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM note WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_notes(self, **values: str) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO note VALUES (?, ?)", list(values.items()))

    # -- personal feeds: what was last written for each token ------------------------------------

    def personal_signatures(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT token, signature FROM personal"))

    def set_personal(self, written: dict[str, str], forgotten: Iterable[str] = ()) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO personal VALUES (?, ?)", list(written.items()))
            self._db.executemany("DELETE FROM personal WHERE token = ?", [(t,) for t in forgotten])
