"""Simulated users who swap ("Not this one") and what swapping adds to completion.

Before living a day, a user who opens the app looks at the plan and swaps each task they
dislike (their hidden probability of doing it is below SWAP_BELOW) with probability
`share`, through the real swap service (feedback/swaps.py, the same policy, rules and
limits as the API). The replacement is lived instead; a refused swap (a limit, no other
task) leaves the task in the plan. A client that never opens the app that day (the mixed
client's silent days) swaps nothing.

Every draw comes from the simulation's fixed coin with labels of its own ("client-swaps"),
so with swapping off no coin moves and the default output stays the same.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from feedback.swaps import SwapRefused, swap_task
from library.candidates import Candidate
from routines.drafting import ScorerFactory
from routines.selectors import StoredPlan
from routines.swaps import current_items

from .clients import SILENT_DAY
from .results import SimulationResult
from .worlds import Day, WorldUser

# A task the user would do with less than this probability is one they dislike: about the
# bottom fifth of planned tasks at medium heterogeneity.
SWAP_BELOW = 0.3
# Users look at the plan in the morning, before the day's first task.
SWAP_AT = time(5, 0)

Coin = Callable[..., float]


def opens_app(client: str, coin: Coin) -> bool:
    """Whether the user opens the app that day: the mixed client's silent days do not (the
    same coin lab/clients.py draws for them)."""
    return client != "mixed" or coin("client-silent-day") >= SILENT_DAY


def swap_disliked(
    user_id: uuid.UUID,
    day: date,
    stored: StoredPlan,
    person: WorldUser,
    lived_day: Day,
    coin: Coin,
    share: float,
    candidates: Sequence[Candidate],
    scorer_factory: ScorerFactory,
) -> tuple[StoredPlan, int]:
    """The plan after the user's swaps that morning, and how many were made."""
    by_id = {c.id: c for c in candidates}
    now = datetime.combine(day, SWAP_AT, tzinfo=UTC)
    swaps = 0
    for item in current_items(stored):
        task = by_id.get(str(item.task_library_id))
        if task is None or coin(task.id, "client-swaps") >= share:
            continue
        if person.probability(task, item.time_of_day, lived_day) >= SWAP_BELOW:
            continue
        try:
            result = swap_task(
                user_id,
                day,
                item.id,
                now,
                candidates=candidates,
                scorer_factory=scorer_factory,
            )
        except SwapRefused:
            continue
        stored = result.stored
        swaps += 1
    return stored, swaps


@dataclass(frozen=True, slots=True)
class SwapComparison:
    """One configuration run twice on the same users: without swaps and with them."""

    without: SimulationResult
    with_swaps: SimulationResult
    share: float


def format_swap_summary(comparisons: list[SwapComparison]) -> str:
    """Per client and policy, over all weeks and in the last week: completion without
    and with swapping, the difference in points, and swaps per user-day."""
    lines = [
        f"What swapping adds (a user swaps a task they would do with p < {SWAP_BELOW} with "
        f"probability {comparisons[0].share:.2f}, before the day):",
        "client       policy     all weeks: off    on     diff | last week: off    on     "
        "diff | swaps/user-day",
    ]
    for comparison in comparisons:
        off, on = comparison.without, comparison.with_swaps
        last = off.week_count - 1
        for policy in off.weeks:
            all_off = _overall(off, policy)
            all_on = _overall(on, policy)
            week_off, week_on = off.rate(policy, last), on.rate(policy, last)
            swaps = sum(w.swaps for w in on.weeks[policy])
            days = sum(w.user_days for w in on.weeks[policy])
            lines.append(
                f"{off.client:<12} {policy:<10} {all_off:>15.1%} {all_on:>6.1%} "
                f"{(all_on - all_off) * 100:>+6.1f} | {week_off:>14.1%} {week_on:>6.1%} "
                f"{(week_on - week_off) * 100:>+6.1f} | {swaps / days if days else 0:>10.2f}"
            )
    return "\n".join(lines)


def _overall(result: SimulationResult, policy: str) -> float:
    weeks = result.weeks[policy]
    planned = sum(w.planned for w in weeks)
    return sum(w.completed for w in weeks) / planned if planned else 0.0
