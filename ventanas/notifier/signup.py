"""What the sign-up pages of `serve` show besides their words: the States to choose from, and where a page is.

The pages (/subscribe, /confirm, /unsubscribe, and the same under /es/ and
/fr/) look like the published site: its style sheet, header and footer, with
links relative to the page, as the site's are, so they work under any base
path. The path gives the page's language, as the site's trees do.

The States offered are the UN member and observer States, by their names in
the reader's language, in alphabetical groups with a search field that
suggests those names (a ``<datalist>``: no script needed). A name typed
there is read like the command line reads one (any of the three languages,
any case or accents).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from ventanas.calendar import i18n
from ventanas.normalize.bodies import UN_MEMBER_STATES
from ventanas.normalize.statefind import OBSERVER_STATES
from ventanas.normalize.states import fold, resolve_state

PREFIX = {"en": "", "es": "es/", "fr": "fr/"}
SIGNUP_STATES = (*UN_MEMBER_STATES, *OBSERVER_STATES)


@dataclass(frozen=True)
class StateGroup:
    letter: str
    states: tuple[tuple[str, str], ...]  # (code, name in the reader's language)


@cache
def state_groups(lang: str) -> tuple[StateGroup, ...]:
    """The States to choose from, by name in ``lang``, grouped by initial (accents folded: É with E)."""
    named = sorted(((code, i18n.state_name(code, lang)) for code in SIGNUP_STATES), key=lambda pair: fold(pair[1]))
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name in named:
        groups.setdefault(fold(name)[:1].upper(), []).append((code, name))
    return tuple(StateGroup(letter, tuple(states)) for letter, states in groups.items())


def path_language(path: str) -> str | None:
    """The language a path's first folder names (/es/…, /fr/…); None for the English root."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in PREFIX and first != "en" else None


def page_context(path: str, lang: str, current: str) -> dict:
    """Links of a page at ``path``: ``root`` (the site's root) and ``here`` (its language's tree), relative."""
    root = "../" * max(path.count("/") - 1, 0)
    return {
        "root": root, "here": root + PREFIX[lang], "current": current,
        "alternates": [
            {"lang": other, "name": i18n.LANG_NAMES[other], "href": root + PREFIX[other] + current,
             "current": other == lang}
            for other in PREFIX
        ] if current == "subscribe" else [],
    }


def chosen_states(values: Iterable[str]) -> tuple[set[str], str]:
    """What a form sent back, to show it again: the States it names (ticked), and what could not be read."""
    chosen, unread = set(), []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            code = resolve_state(part.upper() if len(part) == 3 else part)
            if code:
                chosen.add(code)
            else:
                unread.append(part)
    return chosen, ", ".join(unread)
