"""Is a source run healthy? One pure rule for every spider (DESIGN §10).

failed: the run did not finish, or yielded fewer items than its spider's
declared minimum: its data is not trusted and nothing is written.
degraded: it finished with errors, or yielded much less than its last healthy
run: what it found is stored, but nothing is marked vanished. A page that
yielded before and yields nothing now, or a label no reader knows, counts as
an error and is named in the run's reason (:func:`layout_findings`), so that
a changed page is told from a quiet week.
"""

from __future__ import annotations

from dataclasses import dataclass

from ventanas.domain import Health

# A healthy source that suddenly yields less than this share of its last
# healthy run has probably lost part of its page, not its events.
LARGE_DROP = 0.5


@dataclass(frozen=True)
class Verdict:
    health: Health
    reason: str


def assess(
    *, items: int, errors: int, finish_reason: str, min_items: int, previous_items: int | None
) -> Verdict:
    if finish_reason != "finished":
        return Verdict(Health.FAILED, f"crawl ended early ({finish_reason})")
    if items < min_items:
        return Verdict(Health.FAILED, f"{items} items, fewer than the {min_items} a healthy run yields")
    if errors:
        return Verdict(Health.DEGRADED, f"{errors} errors while crawling")
    if previous_items and items < previous_items * LARGE_DROP:
        return Verdict(Health.DEGRADED, f"{items} items, down from {previous_items} in the last healthy run")
    return Verdict(Health.OK, f"{items} items")


# -- a changed page, told from a quiet week -------------------------------------------
#
# A quiet week yields fewer events from the same pages. A changed page yields nothing
# from a page that yielded before, or shows a label no reader knows. Each run keeps,
# in its stats, what every page it parsed yielded (``page:<url>``: items and requests)
# and the labels it could not read (``new_label:<what>: <label>``: rows); a run is
# compared with the last healthy one, and what changed is named.

PAGE_STAT = "page:"
NEW_LABEL_STAT = "new_label:"


def layout_findings(stats: dict[str, object], previous: dict[str, object] | None) -> list[str]:
    """What points at a changed page in a run's stats, each by name (none: a healthy or a quiet run).

    - a page that yielded something (items or links) in the last healthy run and nothing now;
    - a label no reader knows (a document or review type), with the rows it was on.
    A page not fetched this time (a news item off the listing) is not a finding.
    """
    findings = []
    before = {k[len(PAGE_STAT):]: v for k, v in (previous or {}).items() if k.startswith(PAGE_STAT)}
    for url, count in sorted(before.items()):
        now = stats.get(PAGE_STAT + url)
        if isinstance(count, int) and count > 0 and now == 0:
            findings.append(f"{url} yielded nothing (it yielded {count} in the last healthy run)")
    for key, rows in sorted(stats.items()):
        if key.startswith(NEW_LABEL_STAT):
            what, _, label = key[len(NEW_LABEL_STAT):].partition(": ")
            findings.append(f"new {what} {label!r} on {rows} row{'s' if rows != 1 else ''}")
    return findings


def with_findings(reason: str, findings: list[str]) -> str:
    """The run's reason with what changed on its pages: what `status` shows and the operator is mailed."""
    return f"{reason}{CHANGED_MARKER}{'; '.join(findings)}" if findings else reason


CHANGED_MARKER = "; page changed? "
