"""A State's timeline as one SVG: binding events above the time axis, non-binding below, links across.

Drawn on the server, so the page works without JavaScript. Every mark links
to the event's row in the tables under the drawing (which carry the same
information as text for screen readers and small screens); hovering a mark
shows its title. Past events are faded, estimated ones dashed, cancelled ones
hollow; a link opportunity is a curve from the meeting to the review or deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from ventanas.calendar import i18n
from ventanas.calendar.events import EventView
from ventanas.windows import LinkOpportunity

WIDTH = 960
MARGIN = 20
ROW = 30  # height of one row of marks with their labels
MAX_ROWS = 6
AXIS_HEIGHT = 34
LANE_TITLE = 22
CHAR_WIDTH = 6.6  # average width of a 12px label character, to keep labels from overlapping


def timeline_range(today: date) -> tuple[date, date]:
    """Six months back, eighteen ahead: the past review and the next cycle both show."""
    first = _add_months(date(today.year, today.month, 1), -6)
    return first, _add_months(first, 24) - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class _Mark:
    event: EventView
    x1: float
    x2: float
    label: str
    row: int = 0

    @property
    def center(self) -> float:
        return (self.x1 + self.x2) / 2


def _pack(marks: list[_Mark]) -> int:
    """Greedy rows so that labels never overlap; returns the number of rows used."""
    row_ends: list[float] = []
    for mark in sorted(marks, key=lambda m: (m.x1, m.event.key)):
        right = max(mark.x2, mark.x1 + len(mark.label) * CHAR_WIDTH) + 6
        for index, end in enumerate(row_ends):
            if mark.x1 >= end:
                mark.row, row_ends[index] = index, right
                break
        else:
            if len(row_ends) < MAX_ROWS:
                mark.row = len(row_ends)
                row_ends.append(right)
            else:  # too crowded: the mark is drawn in the last row, its label left to the table
                mark.row, mark.label = MAX_ROWS - 1, ""
    return max(1, len(row_ends))


def _essential(events: Sequence[EventView]) -> list[EventView]:
    """One mark per review: a session's review stands for its dialogues and for the session itself."""
    reviewed = {(e.body, e.session) for e in events if e.kind in ("review", "dialogue") and e.session}
    with_review = {(e.body, e.session) for e in events if e.kind == "review" and e.session}
    return [
        e for e in events
        if e.kind != "news"
        and not (e.kind == "session" and (e.body, e.session) in reviewed)
        and not (e.kind == "dialogue" and (e.body, e.session) in with_review)
    ]


def render_timeline(events: Sequence[EventView], links: Sequence[tuple[LinkOpportunity, str]], *, today: date, lang: str,
                    title: str, lane_titles: tuple[str, str], anchor: Callable[[EventView], str],
                    event_title: Callable[[EventView], str]) -> Markup:
    first, last = timeline_range(today)
    span = (last - first).days + 1
    inner = WIDTH - 2 * MARGIN

    def x(day: date) -> float:
        return MARGIN + inner * min(max((day - first).days, 0), span) / span

    shown = [e for e in _essential(events) if e.last_day >= first and e.first_day <= last]
    lanes: dict[bool, list[_Mark]] = {True: [], False: []}
    for event in shown:
        x1, x2 = x(event.first_day), x(event.last_day + timedelta(days=1))
        label = f"{event.body} {i18n.fmt_day_month(event.first_day, lang)}"
        lanes[event.binding].append(_Mark(event, x1, max(x2, x1 + 3), label))
    rows_top, rows_bottom = _pack(lanes[True]), _pack(lanes[False])

    top_lane_y = LANE_TITLE
    axis_y = top_lane_y + rows_top * ROW + 8
    bottom_lane_y = axis_y + AXIS_HEIGHT + LANE_TITLE
    height = bottom_lane_y + rows_bottom * ROW + 8

    def mark_y(mark: _Mark, binding: bool) -> float:
        if binding:  # rows grow upwards from the axis, so the nearest row is next to the axis
            return axis_y - 8 - (mark.row + 1) * ROW + 14
        return bottom_lane_y + mark.row * ROW + 2

    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="group" '
        f'aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<rect class="lane binding" x="0" y="0" width="{WIDTH}" height="{axis_y}"/>',
        f'<rect class="lane non-binding" x="0" y="{axis_y + AXIS_HEIGHT}" width="{WIDTH}" '
        f'height="{height - axis_y - AXIS_HEIGHT}"/>',
        f'<text class="lane-title" x="{MARGIN}" y="15">{escape(lane_titles[0])}</text>',
        f'<text class="lane-title" x="{MARGIN}" y="{axis_y + AXIS_HEIGHT + 15}">{escape(lane_titles[1])}</text>',
        f'<line class="axis" x1="{MARGIN}" x2="{WIDTH - MARGIN}" y1="{axis_y + 10}" y2="{axis_y + 10}"/>',
    ]
    month = first
    while month <= last:
        mx = x(month)
        big = month.month == 1 or month == first
        parts.append(f'<line class="tick" x1="{mx:.1f}" x2="{mx:.1f}" y1="{axis_y + 10}" y2="{axis_y + (18 if big else 14)}"/>')
        label = i18n.fmt_skeleton("MMMy" if big else "MMM", month, lang)
        if (big or month.month % 3 == 1) and mx + len(label) * CHAR_WIDTH < WIDTH - 4:
            parts.append(f'<text class="month{" year" if big else ""}" x="{mx + 2:.1f}" y="{axis_y + 29}">{escape(label)}</text>')
        month = _add_months(month, 1)

    centers: dict[int, tuple[float, float]] = {}
    for binding in (True, False):
        for mark in lanes[binding]:
            event, y = mark.event, mark_y(mark, binding)
            classes = ["mark", "binding" if binding else "non-binding"]
            if event.is_deadline:
                classes.append("deadline")
            if event.last_day < today:
                classes.append("past")
            if event.basis == "derived":
                classes.append("estimated")
            if not event.active:
                classes.append("inactive")
            tip = f"{event_title(event)} — {i18n.fmt_range(event.first_day, event.last_day, lang)}"
            parts.append(f'<a href="#{anchor(event)}" class="{" ".join(classes)}"><title>{escape(tip)}</title>')
            if event.is_deadline:
                cx, cy = mark.x1, y + 7
                parts.append(f'<path d="M{cx:.1f} {cy - 7:.1f} l7 7 l-7 7 l-7 -7 z"/>')
            else:
                parts.append(f'<rect x="{mark.x1:.1f}" y="{y:.1f}" width="{mark.x2 - mark.x1:.1f}" height="14" rx="3"/>')
            if mark.label:
                parts.append(f'<text x="{mark.x1:.1f}" y="{y + 26:.1f}">{escape(mark.label)}</text>')
            parts.append("</a>")
            centers[event.id] = (mark.x1 if event.is_deadline else mark.center, y + (0 if not binding else 14))

    for link, sentence in links:
        if link.meeting.id not in centers or link.target.id not in centers:
            continue
        (mx, my), (tx, ty) = centers[link.meeting.id], centers[link.target.id]
        past = " past" if link.meeting.last_day < today else ""
        parts.append(
            f'<path class="link{past}" d="M{mx:.1f} {my:.1f} C{mx:.1f} {axis_y + 10:.1f} {tx:.1f} {axis_y + 10:.1f} '
            f'{tx:.1f} {ty:.1f}"><title>{escape(sentence)}</title></path>'
        )

    tx = x(today)
    parts.append(f'<line class="today" x1="{tx:.1f}" x2="{tx:.1f}" y1="4" y2="{height - 4}"/>')
    parts.append(f'<text class="today-label" x="{tx + 4:.1f}" y="{axis_y + 6}">{escape(i18n.fmt_day_month(today, lang))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
