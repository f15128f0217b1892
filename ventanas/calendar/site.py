"""The static site: index, State, body and history pages in English, Spanish and French (Jinja2).

One tree per language: English at the root, Spanish under ``es/``, French
under ``fr/``, each with its own feeds (``es/feeds/…``), which its pages'
subscribe buttons open; exports and the style sheet are shared at the root.
Links between pages are relative, so the tree works from any base path and
from disk; subscribe links are absolute, built from ``Settings.base_url``.

A timed event says its hours in its own zone and, on a State's page, in the
State's ("12:00–13:00 Ginebra · 04:00–05:00 Ciudad de México", see
:mod:`ventanas.calendar.zones`).

Pages depend on the day ("upcoming", "days left", the today line): they say
which day they were computed for, and the publisher re-renders them when
the day changes (see :mod:`ventanas.calendar.publisher`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ventanas.calendar import i18n, wording, zones
from ventanas.calendar.events import EventView
from ventanas.calendar.labels import FIELD_NAMES, source_name, ui
from ventanas.calendar.timeline import render_timeline, timeline_range
from ventanas.normalize.bodies import BODIES
from ventanas.normalize.states import fold
from ventanas.windows import LinkOpportunity, Window, link_opportunities_in, open_windows_in

INDEX_HORIZON_DAYS = 180  # the index lists deadlines of the next six months across all States,
INDEX_ROWS = 120  # the soonest of them: a longer list is for the feeds and the exports
HISTORY_LENGTH = 100
BODY_ROWS = 150  # a body's page lists its next and its latest events; its feed and the exports have them all
STATE_NEWS = 10  # the latest news items on a State's page (they are in no feed; the body pages list them all)


@dataclass(frozen=True)
class FeedLink:
    label: str
    https: str
    webcal: str
    ident: str  # a unique HTML id for the copy field


@dataclass(frozen=True)
class Row:
    """An event as the tables show it, in one language."""

    anchor: str
    view: EventView
    title: str
    when: str
    kind: str
    badge_html: Markup
    past: bool
    inactive: bool
    body: str
    location: str | None
    source_url: str
    css: str
    also: tuple[str, ...] = ()  # the other pages that announced it


@dataclass(frozen=True)
class ChangeLine:
    """One row of the history page."""

    id: int
    kind: str
    detected_at: datetime
    source_name: str
    diff: dict[str, Any]
    event: EventView
    states: tuple[str, ...]


@cache
def _environment() -> Environment:
    """One per process: a scheduler publishing every hour compiles the templates once."""
    return Environment(
        loader=PackageLoader("ventanas.calendar", "templates"), autoescape=select_autoescape(default=True),
        trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined, keep_trailing_newline=True,
    )


def page_path(lang: str, relative: str) -> str:
    return relative if lang == "en" else f"{lang}/{relative}"


def _root_prefix(path: str) -> str:
    return "../" * path.count("/")


class Site:
    def __init__(self, *, base_url: str, today: date, demo_clock: bool, link_span_days: int):
        self.base_url = base_url.rstrip("/")
        self.today = today
        self.demo_clock = demo_clock
        self.span = link_span_days
        self._rows: dict[tuple[int, str, str | None], Row] = {}
        self.env = _environment()

    # -- links ---------------------------------------------------------------

    def feed_link(self, relative: str, label: str) -> FeedLink:
        https = f"{self.base_url}/{relative}"
        webcal = "webcal://" + https.split("://", 1)[1]
        return FeedLink(label, https, webcal, "feed-" + relative.replace("/", "-").replace(".", "-"))

    def _context(self, lang: str, relative: str, title: str) -> dict[str, Any]:
        path = page_path(lang, relative)
        root = _root_prefix(path)
        lang_root = root + ("" if lang == "en" else f"{lang}/")
        return {
            "lang": lang, "t": partial(ui, lang), "title": title, "root": root, "home": lang_root + "index.html",
            "history_href": lang_root + "history.html", "lang_root": lang_root,
            "alternates": [
                {"lang": other, "name": i18n.LANG_NAMES[other], "href": root + page_path(other, relative),
                 "current": other == lang}
                for other in i18n.LANGS
            ],
            "today_text": ui(lang, "today", date=i18n.fmt_date(self.today, lang, "long")),
            "demo_text": ui(lang, "demo_clock", date=i18n.fmt_date(self.today, lang, "long")) if self.demo_clock else "",
            "state_href": lambda code: f"{lang_root}states/{code}.html",
            "body_href": lambda code: f"{lang_root}bodies/{code}.html",
            "state_name": lambda code: i18n.state_name(code, lang),
            "body_name": lambda code: i18n.body_name(code, lang),
        }

    def _render(self, template: str, context: dict[str, Any]) -> bytes:
        return self.env.get_template(template).render(**context).encode("utf-8")

    # -- presenting events ----------------------------------------------------

    def title_of(self, view: EventView, lang: str) -> str:
        state = view.state_with_role("reviewed", "due_by") or (view.states[0][0] if len(view.states) == 1 else None)
        return i18n.localized_title(title=view.title, kind=view.kind, body=view.body, session=view.session,
                                    state=state, cycle=str(view.details.get("cycle") or "") or None, lang=lang,
                                    key=view.key)

    def when(self, view: EventView, lang: str, local_zone: str | None = None) -> str:
        """The dates; for a timed event its hours in its zone, and in ``local_zone`` when those differ."""
        text = i18n.fmt_range(view.first_day, view.last_day, lang)
        if not view.all_day and isinstance(view.start, datetime):
            end = view.end if isinstance(view.end, datetime) else None
            text += ", " + zones.times_text(view.start, end, view.timezone, lang, local_zone)
        return text

    def badges(self, view: EventView, lang: str) -> list[tuple[str, str]]:
        found = []
        if view.vanished_at is not None:
            found.append(("vanished", ui(lang, "vanished")))
        if view.status in ("cancelled", "postponed", "tentative"):
            found.append((view.status, ui(lang, view.status)))
        if view.basis == "derived":
            found.append(("estimated", ui(lang, "estimated_how", how=wording.estimate_how(view.rule, lang))))
        return found

    def row(self, view: EventView, lang: str, local_zone: str | None = None) -> Row:
        """An event as a table row; the same on every page it appears on (State pages of one zone alike),
        so built once per language and zone."""
        key = (view.id, lang, local_zone)
        found = self._rows.get(key)
        if found is None:
            badges = self.badges(view, lang)
            # built here rather than by a template macro per row: pages have hundreds of rows, three times
            badge_html = Markup(" ").join(Markup('<span class="badge {}">{}</span>').format(c, t) for c, t in badges)
            lane = "binding" if view.binding else "non-binding"
            found = Row(
                anchor=f"ev-{view.id}", view=view, title=self.title_of(view, lang),
                when=self.when(view, lang, local_zone),
                kind=i18n.kind_label(view.kind, lang), badge_html=badge_html, past=view.last_day < self.today,
                inactive=not view.active, body=view.body, location=view.location, source_url=view.source_url,
                css=" ".join([lane, *(["deadline"] if view.is_deadline else []), *(["inactive"] if not view.active else [])]),
                also=view.also_announced_at,
            )
            self._rows[key] = found
        return found

    # -- pages ------------------------------------------------------------------

    def index(self, lang: str, *, states: Sequence[str], bodies: Sequence[str],
              deadlines: Sequence[tuple[EventView, Sequence[str]]]) -> bytes:
        context = self._context(lang, "index.html", "ventanas")
        context.update(
            all_feed=self.feed_link(page_path(lang, "feeds/all.ics"), ui(lang, "feed_all")),
            state_rows=[
                {"code": code, "name": i18n.state_name(code, lang),
                 "feed": self.feed_link(page_path(lang, f"feeds/states/{code}.ics"), ui(lang, "all_events")),
                 "deadlines": self.feed_link(page_path(lang, f"feeds/states/{code}-deadlines.ics"),
                                             ui(lang, "deadlines_only"))}
                for code in sorted(states, key=lambda c: fold(i18n.state_name(c, lang)))
            ],
            body_rows=[
                {"code": code, "name": i18n.body_name(code, lang), "binding": BODIES[code].binding,
                 "feed": self.feed_link(page_path(lang, f"feeds/bodies/{code}.ics"), code)}
                for code in bodies
            ],
            deadlines=[(self.row(view, lang), sorted(codes, key=lambda c: fold(i18n.state_name(c, lang))))
                       for view, codes in deadlines[:INDEX_ROWS]],
            more_deadlines=max(0, len(deadlines) - INDEX_ROWS),
            horizon=INDEX_HORIZON_DAYS,
        )
        return self._render("index.html", context)

    def state_page(self, lang: str, code: str, events: Sequence[EventView], *,
                   windows: Sequence[Window], links: Sequence[LinkOpportunity],
                   earlier_links: Sequence[LinkOpportunity]) -> bytes:
        name = i18n.state_name(code, lang)
        context = self._context(lang, f"states/{code}.html", name)
        first, last = timeline_range(self.today)
        local = zones.state_zone(code)
        rows = [self.row(e, lang, local) for e in events if e.kind != "news"]
        news = [self.row(e, lang, local) for e in reversed(events) if e.kind == "news"][:STATE_NEWS]
        said = [(link, link.sentence(lang)) for link in links]
        said_before = [(link, link.sentence(lang)) for link in earlier_links]
        context.update(
            code=code, name=name,
            feeds=[self.feed_link(page_path(lang, f"feeds/states/{code}.ics"), ui(lang, "all_events")),
                   self.feed_link(page_path(lang, f"feeds/states/{code}-deadlines.ics"), ui(lang, "deadlines_only"))],
            json_href=f"{context['root']}api/states/{code}.json", csv_href=f"{context['root']}api/states/{code}.csv",
            links=[sentence for _, sentence in said],
            earlier_links=[sentence for _, sentence in said_before],
            windows=[
                {"deadline": self.row(w.deadline, lang, local), "days_left": w.days_left(self.today),
                 "review": self.row(w.review, lang, local) if w.review else None,
                 "opened": self.row(w.opened, lang, local) if w.opened else None}
                for w in windows
            ],
            timeline=render_timeline(
                events, [*said_before, *said], today=self.today, lang=lang,
                title=f"{ui(lang, 'timeline')}: {name}", lane_titles=(ui(lang, "binding"), ui(lang, "non_binding")),
                anchor=lambda e: f"ev-{e.id}", event_title=lambda e: self.title_of(e, lang),
            ),
            timeline_note=ui(lang, "timeline_range", first=i18n.fmt_date(first, lang, "long"),
                             last=i18n.fmt_date(last, lang, "long")),
            upcoming=[r for r in rows if not r.past],
            past=[r for r in reversed(rows) if r.past],
            news=news,
            span=self.span,
        )
        return self._render("state.html", context)

    def state_data(self, code: str, events: Sequence[EventView]):
        """What a State page shows besides its events: windows, upcoming and earlier link opportunities."""
        windows = open_windows_in(events, code, self.today)
        links = link_opportunities_in(events, code, self.today, self.span)
        first, _ = timeline_range(self.today)
        earlier = [link for link in link_opportunities_in(events, code, None, self.span)
                   if link.meeting.last_day < self.today and link.target.first_day >= first]
        return windows, links, earlier

    def body_page(self, lang: str, code: str, events: Sequence[EventView], scope_sizes: dict[int, int]) -> bytes:
        name = i18n.body_name(code, lang)
        context = self._context(lang, f"bodies/{code}.html", name)
        past = [e for e in events if e.last_day < self.today][::-1]
        coming = [e for e in events if e.last_day >= self.today]

        def body_row(event: EventView) -> dict[str, Any]:
            linked = [c for c, _ in event.states][:10]
            return {"row": self.row(event, lang), "states": linked,
                    "more_states": max(0, scope_sizes.get(event.id, 0) - len(linked))}

        context.update(
            code=code, name=name, binding=BODIES[code].binding,
            feeds=[self.feed_link(page_path(lang, f"feeds/bodies/{code}.ics"), ui(lang, "all_events"))],
            feed_href=f"{context['lang_root']}feeds/bodies/{code}.ics",
            upcoming=[body_row(e) for e in coming[:BODY_ROWS]], more_upcoming=max(0, len(coming) - BODY_ROWS),
            past=[body_row(e) for e in past[:BODY_ROWS]], more_past=max(0, len(past) - BODY_ROWS),
            json_href=f"{context['root']}api/events.json",
        )
        return self._render("body.html", context)

    def history(self, lang: str, changes: Sequence[ChangeLine]) -> bytes:
        context = self._context(lang, "history.html", ui(lang, "history"))
        context["changes"] = [
            {"row": self.row(c.event, lang), "kind": ui(lang, _change_label(c)),
             "detected": i18n.fmt_date(c.detected_at.date(), lang), "what": self.describe_diff(c, lang),
             "source_name": source_name(c.source_name, lang) or ui(lang, "source"), "states": c.states[:8],
             "more_states": max(0, len(c.states) - 8)}
            for c in changes
        ]
        return self._render("history.html", context)

    def describe_diff(self, change: ChangeLine, lang: str) -> list[str]:
        if change.kind in ("created", "vanished") or (change.kind == "restored" and not change.diff):
            return []
        lines = []
        diff = change.diff or {}
        if "start" in diff or "end" in diff:
            old = _day(diff.get("start", [None])[0]) or change.event.first_day
            new = _day(diff.get("start", [None, None])[1]) or change.event.first_day
            old_end = _day(diff.get("end", [None])[0]) if "end" in diff else change.event.last_day
            new_end = _day(diff.get("end", [None, None])[1]) if "end" in diff else change.event.last_day
            lines.append(ui(lang, "moved", old=i18n.fmt_range(old, max(old_end or old, old), lang),
                            new=i18n.fmt_range(new, max(new_end or new, new), lang)))
        names = FIELD_NAMES.get(lang, FIELD_NAMES["en"])
        for field in ("status", "location", "title", "states", "basis", "timezone", "source_url", "sources"):
            if field in diff:
                lines.append(ui(lang, "field_changed", field=names.get(field, field)))
        return lines

    def not_found(self) -> bytes:
        context = self._context("en", "404.html", "404")
        # served at any depth: absolute links to the roots of the three trees
        context.update(home="/index.html", history_href="/history.html", root="/")
        context["alternates"] = [{"lang": lang, "name": i18n.LANG_NAMES[lang], "href": "/" + page_path(lang, "index.html"),
                                  "current": lang == "en"} for lang in i18n.LANGS]
        return self._render("404.html", context)


def _change_label(change: ChangeLine) -> str:
    """The history's word for a change: a restored event with a diff had its cancellation or
    postponement lifted; without one, its source lists it again."""
    if change.kind == "restored":
        return "restored_status" if change.diff else "restored"
    return {"cancelled": "cancelled_change", "vanished": "vanished_change"}.get(change.kind, change.kind)


def _day(value: str | None) -> date | None:
    if not value:
        return None
    return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
