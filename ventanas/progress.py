"""Crawl progress for people and for cron.

On a terminal: a live table (rich) with one row per source — requests, wire
bytes, items, and its health once it has finished. Elsewhere (cron, CI, a
pipe): one plain log line per source when it finishes, nothing in between.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table


class CrawlProgress:
    def __init__(self, stream: TextIO | None = None, *, interactive: bool | None = None):
        self.stream = stream or sys.stdout
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.rows: dict[str, dict[str, Any]] = {}
        self._live: Live | None = None

    def update(self, source: str, counts: dict[str, Any]) -> None:
        """The callback handed to the crawl (ventanas.spiders.progress.ProgressExtension)."""
        self.rows[source] = counts
        if self._live is not None:
            self._live.update(self._table())
        elif "finished" in counts and not self.interactive:
            print(f"crawl {source}: finished ({counts['finished']}), {counts['requests']} requests, "
                  f"{counts['wire_bytes']} bytes, {counts['items']} items, {counts['errors']} errors",
                  file=self.stream, flush=True)

    def _table(self) -> Table:
        table = Table(title="ventanas crawl", expand=False)
        for column in ("source", "requests", "bytes", "items", "errors", "state"):
            table.add_column(column, justify="left" if column in ("source", "state") else "right")
        for source, c in sorted(self.rows.items()):
            table.add_row(source, str(c["requests"]), f"{c['wire_bytes']:,}", str(c["items"]), str(c["errors"]),
                          c.get("finished", "running…"))
        return table

    @contextmanager
    def shown(self) -> Iterator[CrawlProgress]:
        if not self.interactive:
            yield self
            return
        with Live(self._table(), console=Console(file=self.stream), refresh_per_second=4, transient=False) as live:
            self._live = live
            try:
                yield self
            finally:
                self._live = None
