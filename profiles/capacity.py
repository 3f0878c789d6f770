"""How many tasks a day suit a user: learned from what they finish. Pure.

A plan larger than the user can face does not just leave the extra tasks undone: overloaded
users finish fewer tasks in all (issue 14 measured 3.95 tasks done a day on a 15-task plan
against 5.31 on a 10-task plan for the same users). So the plan size follows the tasks the
user completes per active day, sized so that completing CAPACITY_TARGET_RATE of the plan
would be a normal day, less one task per daily "no time" skip (the user saying so
directly). It grows back as soon as the user completes more: a plan of n tasks of which
the user completes d sets the next size to about d / CAPACITY_TARGET_RATE.

The capacity is stored on the profile (`daily_capacity`, None until there is enough
evidence) and the planner keeps it inside the bounds of the day's mode
(`routines.layout.PLAN_SIZE`).
"""

import math

# Completing this share of the plan is a normal day: users who complete more keep the
# mode's full plan, users who complete less get a plan closer to what they finish.
# Measured against 0.3 and 0.45 in the load world and the standard worlds (docs/simulation.md).
CAPACITY_TARGET_RATE = 0.35
# Active days (days with any feedback) in the learning window before the size moves.
CAPACITY_MIN_ACTIVE_DAYS = 5
MAX_CAPACITY = 20  # the largest plan any mode serves


def learn_capacity(
    completed: int, no_time_skips: int, active_days: int, outcomes: int
) -> int | None:
    """Tasks a day for this user, or None while the window holds too few active days.

    `completed`, `no_time_skips` and `outcomes` (completed + skipped + unanswered) count the
    learning window's items on active days; `active_days` the days with any feedback.
    """
    if active_days < CAPACITY_MIN_ACTIVE_DAYS or outcomes <= 0:
        return None
    done_per_day = completed / active_days
    no_time_per_day = no_time_skips / active_days
    size = done_per_day / CAPACITY_TARGET_RATE - no_time_per_day
    return max(1, min(MAX_CAPACITY, math.ceil(size)))
