"""HTML tables read by their header labels, not by brittle classes or positions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ventanas.normalize.states import fold
from ventanas.normalize.text import clean_text


def _cell_text(cell: Any) -> str:
    return clean_text(" ".join(cell.xpath(".//text()").getall()))


def table_rows(selector: Any, required: Iterable[str]) -> list[dict[str, Any]]:
    """Rows of the first table whose header has every ``required`` label.

    Each row is a dict: folded header label → cell text, plus ``"_links"``
    (the absolute-or-relative hrefs in the row) and ``"_cells"`` (the cell
    selectors by label). Returns [] when no table matches: the caller decides
    whether an empty page is an error (it usually is: the spider's min_items).
    """
    wanted = [fold(label) for label in required]
    for table in selector.xpath("//table"):
        header_cells = table.xpath("./thead/tr[1]/th|./thead/tr[1]/td")
        body_rows = table.xpath("./tbody/tr|./tr")
        if not header_cells and body_rows:
            header_cells = body_rows[0].xpath("./th|./td")
            body_rows = body_rows[1:]
        labels = [fold(_cell_text(cell)) for cell in header_cells]
        if not all(any(w in label for label in labels) for w in wanted):
            continue
        rows = []
        for tr in body_rows:
            cells = tr.xpath("./td|./th")
            if not cells or len(cells) < len(labels):
                continue
            row: dict[str, Any] = {label: _cell_text(cell) for label, cell in zip(labels, cells, strict=False)}
            row["_cells"] = dict(zip(labels, cells, strict=False))
            row["_links"] = tr.xpath(".//a/@href").getall()
            rows.append(row)
        return rows
    return []


def column(row: dict[str, Any], label: str) -> str:
    """The cell whose folded header contains ``label`` ('' if none)."""
    key = fold(label)
    for name, value in row.items():
        if not name.startswith("_") and key in name:
            return value
    return ""
