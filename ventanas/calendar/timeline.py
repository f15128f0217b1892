"""A State's timeline as one SVG: binding events above the time axis, non-binding below, links across.

Drawn on the server, so the page works without JavaScript. Every mark links
to the event's row in the tables under the drawing (which carry the same
information as text for screen readers and small screens); hovering a mark
shows its title. Past events are faded, estimated ones dashed, cancelled ones
hollow; a link opportunity is a curve from the meeting to the review or deadline.

It stays legible however many events a State has:

- events of one lane that start on the same day are one group with one label
  ("CMW 23 mar ×2", "CMW, CED 23 mar"); each keeps its own mark and the
  group's tooltip lists them all;
- labels are placed on rows so that none overlaps another (their widths are
  estimated per character, generously); a label that would run past the
  right edge ends at its mark instead; when :data:`MAX_ROWS` rows are full a
  group keeps its mark and loses its label (the tables list everything);
- month names are placed the same way, the today label and January's year
  first, so that none is cut at the edge or drawn over another, in any
  language ("janv. 2027");
- the today line is drawn under the text, link curves under the marks.
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
MAX_ROWS = 8
AXIS_HEIGHT = 34
LANE_TITLE = 22
LABEL_GAP = 8  # pixels between two labels on one row
EDGE = 4  # no text closer than this to the drawing's left or right edge


def text_width(text: str, bold: bool = False) -> float:
    """An upper estimate of a 12px sans-serif text's width (DejaVu Sans, the widest common fallback)."""
    width = 0.0
    for ch in text:
        if ch in " .,:;'’·":
            width += 4.0
        elif ch.isupper() or ch in "mwMW":
            width += 8.6
        elif ch.isdigit():
            width += 7.7
        else:
            width += 7.1
    return width * (1.08 if bold else 1.0)


def timeline_range(today: date) -> tuple[date, date]:
    """Six months back, eighteen ahead: the past review and the next cycle both show."""
    first = _add_months(date(today.year, today.month, 1), -6)
    return first, _add_months(first, 24) - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class _Mark:
    """One event's shape."""

    event: EventView
    x1: float
    x2: float

    @property
    def center(self) -> float:
        return self.x1 if self.event.is_deadline else (self.x1 + self.x2) / 2


@dataclass
class _Group:
    """The events of one lane that start on one day: their marks on one row, one label."""

    marks: list[_Mark]
    label: str
    row: int = 0
    label_x: float = 0.0
    anchor_end: bool = False  # the label ends at label_x (near the right edge) instead of starting there

    @property
    def x1(self) -> float:
        return min(m.x1 for m in self.marks)

    @property
    def x2(self) -> float:
        return max(max(m.x2, m.x1 + 7) for m in self.marks)

    def extent(self) -> tuple[float, float]:
        """Where the group's marks and label are, left to right, when it is labelled."""
        width = text_width(self.label)
        if self.x1 + width <= WIDTH - EDGE:
            self.label_x, self.anchor_end = self.x1, False
            return min(self.x1 - 7, self.x1), max(self.x2, self.x1 + width)
        self.label_x, self.anchor_end = min(self.x2, WIDTH - EDGE), True
        return min(self.x1 - 7, self.label_x - width), max(self.x2, self.label_x)


def _label(events: Sequence[EventView], lang: str) -> str:
    bodies = list(dict.fromkeys(e.body for e in events))
    named = ", ".join(bodies[:2]) + (f" +{len(bodies) - 2}" if len(bodies) > 2 else "")
    count = f" ×{len(events)}" if len(events) > 1 else ""
    return f"{named} {i18n.fmt_day_month(events[0].first_day, lang)}{count}"


def _pack(groups: list[_Group]) -> int:
    """Greedy rows, left to right, so that no two labels (or marks) overlap; returns the rows used.
    A group that fits on no row keeps its mark, on the row that frees up first, without its label."""
    row_ends: list[float] = []
    for group in sorted(groups, key=lambda g: (g.x1, g.marks[0].event.key)):
        left, right = group.extent()
        for index, end in enumerate(row_ends):
            if left >= end:
                group.row, row_ends[index] = index, right + LABEL_GAP
                break
        else:
            if len(row_ends) < MAX_ROWS:
                group.row = len(row_ends)
                row_ends.append(right + LABEL_GAP)
            else:  # too crowded: its mark on the row that frees up first, its label left to the tables
                group.label = ""
                group.row = min(range(len(row_ends)), key=lambda i: row_ends[i])
                row_ends[group.row] = max(row_ends[group.row], group.x2 + 2)
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


def _month_labels(first: date, last: date, x: Callable[[date], float], lang: str,
                  taken: list[tuple[float, float]]) -> list[tuple[float, str, bool, bool]]:
    """(x, text, is_year, ends_at_x) of the month names that fit: the first month and every January with
    its year, then the quarters; none over another, over ``taken`` (the today label) or past the edges."""
    candidates = []
    month = first
    while month <= last:
        big = month.month == 1 or month == first
        if big or month.month % 3 == 1:
            candidates.append((0 if big else 1, month, big))
        month = _add_months(month, 1)
    placed: list[tuple[float, str, bool, bool]] = []
    spans = list(taken)
    for _priority, month, big in sorted(candidates, key=lambda c: (c[0], c[1])):
        text = i18n.fmt_skeleton("MMMy" if big else "MMM", month, lang)
        width = text_width(text, bold=big)
        tick = x(month)
        left, end_anchored = tick + 2, False
        if left + width > WIDTH - EDGE:  # at the right edge: the name ends there, over its own tick
            left, end_anchored = WIDTH - EDGE - width, True
            if left > tick:
                continue
        span = (left, left + width)
        if left < EDGE or any(span[0] < b + LABEL_GAP and a < span[1] + LABEL_GAP for a, b in spans):
            continue
        spans.append(span)
        placed.append((WIDTH - EDGE if end_anchored else left, text, big, end_anchored))
    return sorted(placed)


def render_timeline(events: Sequence[EventView], links: Sequence[tuple[LinkOpportunity, str]], *, today: date, lang: str,
                    title: str, lane_titles: tuple[str, str], anchor: Callable[[EventView], str],
                    event_title: Callable[[EventView], str]) -> Markup:
    first, last = timeline_range(today)
    span = (last - first).days + 1
    inner = WIDTH - 2 * MARGIN

    def x(day: date) -> float:
        return MARGIN + inner * min(max((day - first).days, 0), span) / span

    shown = [e for e in _essential(events) if e.last_day >= first and e.first_day <= last]
    by_day: dict[tuple[bool, date], list[EventView]] = {}
    for event in sorted(shown, key=lambda e: (e.first_day, e.key)):
        by_day.setdefault((event.binding, event.first_day), []).append(event)
    lanes: dict[bool, list[_Group]] = {True: [], False: []}
    for (binding, _day), members in by_day.items():
        marks = []
        for event in members:
            x1, x2 = x(event.first_day), x(event.last_day + timedelta(days=1))
            marks.append(_Mark(event, x1, max(x2, x1 + 3)))
        lanes[binding].append(_Group(marks, _label(members, lang)))
    rows_top, rows_bottom = _pack(lanes[True]), _pack(lanes[False])

    top_lane_y = LANE_TITLE
    axis_y = top_lane_y + rows_top * ROW + 8
    bottom_lane_y = axis_y + AXIS_HEIGHT + LANE_TITLE
    height = bottom_lane_y + rows_bottom * ROW + 8

    def row_y(row: int, binding: bool) -> float:
        if binding:  # rows grow upwards from the axis, so the nearest row is next to the axis
            return axis_y - 8 - (row + 1) * ROW + 14
        return bottom_lane_y + row * ROW + 2

    tx = x(today)
    today_text = i18n.fmt_day_month(today, lang)
    today_span = (tx + 4, tx + 4 + text_width(today_text, bold=True))
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="group" '
        f'aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<rect class="lane binding" x="0" y="0" width="{WIDTH}" height="{axis_y}"/>',
        f'<rect class="lane non-binding" x="0" y="{axis_y + AXIS_HEIGHT}" width="{WIDTH}" '
        f'height="{height - axis_y - AXIS_HEIGHT}"/>',
        # under everything else (text keeps its white halo over it), and not through the lanes' titles
        f'<line class="today" x1="{tx:.1f}" x2="{tx:.1f}" y1="{LANE_TITLE}" y2="{axis_y + AXIS_HEIGHT}"/>',
        f'<line class="today" x1="{tx:.1f}" x2="{tx:.1f}" y1="{bottom_lane_y}" y2="{height - 4}"/>',
        f'<text class="lane-title" x="{MARGIN}" y="15">{escape(lane_titles[0])}</text>',
        f'<text class="lane-title" x="{MARGIN}" y="{axis_y + AXIS_HEIGHT + 15}">{escape(lane_titles[1])}</text>',
        f'<line class="axis" x1="{MARGIN}" x2="{WIDTH - MARGIN}" y1="{axis_y + 10}" y2="{axis_y + 10}"/>',
    ]
    month = first
    while month <= last:
        mx = x(month)
        big = month.month == 1 or month == first
        parts.append(f'<line class="tick" x1="{mx:.1f}" x2="{mx:.1f}" y1="{axis_y + 10}" y2="{axis_y + (18 if big else 14)}"/>')
        month = _add_months(month, 1)
    for lx, text, big, end in _month_labels(first, last, x, lang, [today_span]):
        anchor_attr = ' text-anchor="end"' if end else ""
        parts.append(f'<text class="month{" year" if big else ""}" x="{lx:.1f}" y="{axis_y + 29}"{anchor_attr}>'
                     f'{escape(text)}</text>')

    centers: dict[int, tuple[float, float]] = {}
    for binding in (True, False):
        for group in lanes[binding]:
            y = row_y(group.row, binding)
            for mark in group.marks:
                centers[mark.event.id] = (mark.center, y + (14 if binding else 0))

    for link, sentence in links:  # under the marks and their labels
        if link.meeting.id not in centers or link.target.id not in centers:
            continue
        (mx, my), (lx, ly) = centers[link.meeting.id], centers[link.target.id]
        past = " past" if link.meeting.last_day < today else ""
        parts.append(
            f'<path class="link{past}" d="M{mx:.1f} {my:.1f} C{mx:.1f} {axis_y + 10:.1f} {lx:.1f} {axis_y + 10:.1f} '
            f'{lx:.1f} {ly:.1f}"><title>{escape(sentence)}</title></path>'
        )

    for binding in (True, False):
        for group in lanes[binding]:
            y = row_y(group.row, binding)
            members = [m.event for m in group.marks]
            lead = members[0]
            classes = ["mark", "binding" if binding else "non-binding"]
            if all(e.is_deadline for e in members):
                classes.append("deadline")
            if all(e.last_day < today for e in members):
                classes.append("past")
            if all(e.basis == "derived" for e in members):
                classes.append("estimated")
            if not any(e.active for e in members):
                classes.append("inactive")
            if len(members) > 1:
                classes.append("group")
            tip = "\n".join(f"{event_title(e)} — {i18n.fmt_range(e.first_day, e.last_day, lang)}" for e in members)
            parts.append(f'<a href="#{anchor(lead)}" class="{" ".join(classes)}"><title>{escape(tip)}</title>')
            for mark in sorted(group.marks, key=lambda m: m.x1 - m.x2):  # the longest first, under the others
                if mark.event.is_deadline:
                    cx, cy = mark.x1, y + 7
                    parts.append(f'<path d="M{cx:.1f} {cy - 7:.1f} l7 7 l-7 7 l-7 -7 z"/>')
                else:
                    parts.append(f'<rect x="{mark.x1:.1f}" y="{y:.1f}" width="{mark.x2 - mark.x1:.1f}" height="14" rx="3"/>')
            if group.label:
                anchor_attr = ' text-anchor="end"' if group.anchor_end else ""
                parts.append(f'<text x="{group.label_x:.1f}" y="{y + 26:.1f}"{anchor_attr}>{escape(group.label)}</text>')
            parts.append("</a>")

    parts.append(f'<text class="today-label" x="{today_span[0]:.1f}" y="{axis_y + 29}">{escape(today_text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
