"""The randomized holdout: which users the static policy plans, so the lift can be measured.

A user's group is a pure function of their id and `HOLDOUT_SALT`: the first 8 bytes of
HMAC-SHA256(salt, user id) read as a number in [0, 1), held out when it is below
`HOLDOUT_SHARE`. Nothing is stored: every process (the API, the nightly run, its Celery
chunks, another machine) computes the same group. Raising the share from 5% to 10% moves
only the users between 0.05 and 0.10 into the holdout; everyone else keeps their group.

The holdout group is planned by the static scorer under the same rules and exploration as
everyone else (so propensities stay comparable); the treatment group by `SCORING_POLICY`.
Plan items record it in their `policy` column (`recorded_policy`):

- `adaptive-v3`, `static-v1`: the treatment group, planned by that scorer (a user with no
  profile yet gets the static scorer: nothing learned);
- `static-v1:holdout`: the holdout group (always the static scorer);
- `""`: a static fallback day (no scorer chose its tasks).

Rows written before the holdout existed hold the first two forms: treatment, as they were.
"""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import models

MAX_SHARE = 0.5
HOLDOUT_SUFFIX = ":holdout"
# Users are grouped into this many random clusters for the lift's bootstrap (see
# feedback/lift.py): a hash of the id with another key than the group's, so every bucket
# holds users of both groups.
BUCKETS = 500
STATIC_POLICY = "static"


class Group(models.TextChoices):
    TREATMENT = "treatment", "Treatment (SCORING_POLICY)"
    HOLDOUT = "holdout", "Holdout (static policy)"


def _unit(key: str, user_id: uuid.UUID | str) -> float:
    digest = hmac.new(key.encode(), str(user_id).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assignment_number(user_id: uuid.UUID | str, salt: str) -> float:
    """The user's stable uniform number in [0, 1) under this salt."""
    return _unit(salt, user_id)


def is_held_out(user_id: uuid.UUID | str, share: float, salt: str) -> bool:
    """Pure: held out iff the assignment number is below the share."""
    return share > 0 and assignment_number(user_id, salt) < share


def in_holdout(user_id: uuid.UUID | str) -> bool:
    """The user's group under the current settings: the one function every planner asks."""
    return is_held_out(user_id, settings.HOLDOUT_SHARE, settings.HOLDOUT_SALT)


def group_of(user_id: uuid.UUID | str) -> str:
    return Group.HOLDOUT if in_holdout(user_id) else Group.TREATMENT


def bucket_of(user_id: uuid.UUID | str, salt: str | None = None) -> int:
    """The user's random cluster in 0..BUCKETS-1 (independent of the group)."""
    key = f"bucket:{settings.HOLDOUT_SALT if salt is None else salt}"
    return int(_unit(key, user_id) * BUCKETS)


def planning_policy(user_id: uuid.UUID | str) -> str | None:
    """The policy that plans this user: static in the holdout, else None (SCORING_POLICY)."""
    return STATIC_POLICY if in_holdout(user_id) else None


def recorded_policy(scorer_policy: str, held_out: bool) -> str:
    """What a plan item's `policy` column holds (the values are listed above)."""
    return f"{scorer_policy}{HOLDOUT_SUFFIX}" if held_out and scorer_policy else scorer_policy


def is_holdout_policy(recorded: str) -> bool:
    return recorded.endswith(HOLDOUT_SUFFIX)


def scorer_policy(recorded: str) -> str:
    """The scorer's own name in a recorded policy (`static-v1:holdout` -> `static-v1`)."""
    return recorded.removesuffix(HOLDOUT_SUFFIX)
