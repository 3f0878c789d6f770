"""What the simulated mobile client posts: the feedback calls for one user's day.

The user lives the day the same way under every client (the completion coins are drawn by
the simulation before a client sees the day); a client only decides what gets reported:

- full: every planned item answered, completed True or False (the lab's original model);
- completions: only ticked tasks are posted, nothing for the others;
- mixed: the real Flutter client (spec 1.6 and 1.8). A tick posts a completion; sometimes
  the user also gives a star rating, sent as a second call for the same item; sometimes a
  task left undone is skipped explicitly with a reason; on some days the app is never
  opened and nothing is posted at all.

Pure: no database, no randomness of its own. Every draw comes from `coin(*labels)`, the
simulation's fixed coin for (seed, user, day, *labels), with labels distinct from the
completion coin's so adding a client never moves the coins the policies face.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from feedback.models import SkipReason
from feedback.services import Outcome
from library.candidates import Candidate

CLIENTS = ("full", "completions", "mixed")

SILENT_DAY = 0.1  # mixed: share of days the app is not opened
SKIP_SHARE = 0.3  # mixed: an undone task is skipped explicitly with this probability
RATING_SHARE = 0.4  # mixed: a completed task gets a star rating with this probability
LONG_TASK_MINUTES = 10  # longer than this, "no time" is the natural excuse


@dataclass(frozen=True, slots=True)
class LivedItem:
    """One plan item as the simulated user lived it (what the client may report on)."""

    item_id: uuid.UUID
    task: Candidate
    at: datetime  # when it was scheduled that day (UTC): the completion time reported
    probability: float  # the user's hidden probability of doing it
    contributions: dict[str, float]  # the hidden logit's parts (see WorldUser.contributions)
    done: bool


Coin = Callable[..., float]


def day_calls(client: str, lived: list[LivedItem], coin: Coin) -> list[list[Outcome]]:
    """The record_outcomes calls the client makes for the day, in order (maybe none)."""
    if client == "full":
        # Always one call, even for an empty day: the original model, kept exactly.
        return [[Outcome(item.item_id, item.done) for item in lived]]
    if client == "completions":
        completions = [
            Outcome(item.item_id, True, completed_at=item.at) for item in lived if item.done
        ]
        return [completions] if completions else []
    if client == "mixed":
        return _mixed(lived, coin)
    raise ValueError(f"unknown client {client!r}; expected one of {', '.join(CLIENTS)}")


def _mixed(lived: list[LivedItem], coin: Coin) -> list[list[Outcome]]:
    if coin("client-silent-day") < SILENT_DAY:
        return []
    ticks, ratings = [], []
    for item in lived:
        task_id = item.task.id
        if item.done:
            ticks.append(Outcome(item.item_id, True, completed_at=item.at))
            if coin(task_id, "client-rates") < RATING_SHARE:
                rating = star_rating(item.probability, coin(task_id, "client-rating"))
                ratings.append(Outcome(item.item_id, True, satisfaction_rating=rating))
        elif coin(task_id, "client-skips") < SKIP_SHARE:
            ticks.append(Outcome(item.item_id, False, skip_reason=skip_reason(item)))
    # The rating dialog answers after the tick: a second call that fills in the stars.
    return [calls for calls in (ticks, ratings) if calls]


def star_rating(probability: float, noise: float) -> int:
    """1..5 stars, higher the likelier the user was to do the task, give or take half a star."""
    return min(5, max(1, round(1 + 4 * probability + (noise - 0.5))))


def skip_reason(item: LivedItem) -> str:
    """The real cause of a skip: the most negative part of the user's logit, if it is the
    difficulty, the user's taste or an overloaded day (the load world); else a long task's
    lack of time; else forgetting."""
    parts = item.contributions
    worst = min(parts, key=parts.get)
    if parts[worst] < 0:
        if worst == "difficulty":
            return SkipReason.TOO_HARD
        if worst == "taste":
            return SkipReason.NOT_INTERESTED
        if worst == "load":
            return SkipReason.NO_TIME
    if item.task.duration_minutes > LONG_TASK_MINUTES:
        return SkipReason.NO_TIME
    return SkipReason.FORGOT
