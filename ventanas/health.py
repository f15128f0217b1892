"""Is a source run healthy? One pure rule for every spider (DESIGN §10).

failed: the run did not finish, or yielded fewer items than its spider's
declared minimum: its data is not trusted and nothing is written.
degraded: it finished with errors, or yielded much less than its last healthy
run: what it found is stored, but nothing is marked vanished.
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
