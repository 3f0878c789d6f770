"""Splitting users between nightly workers by key range: stable, disjoint and complete.

User ids are random UUIDs (Supabase's, uuid4), so cutting the 128-bit id space into equal
ranges gives each range about the same number of users, and a worker reads its own range
through the primary key index: no walk over every profile with a hash filter. The cron
path (`--shard K/N`) and the Celery chunks (feedback/nightly_jobs.py) use the same ranges.
"""

import re
import uuid
from dataclasses import dataclass

_SHARD = re.compile(r"^(\d+)/(\d+)$")
_SPACE = 1 << 128


@dataclass(frozen=True, slots=True)
class KeyRange:
    """User ids from `low` (inclusive) to `high` (exclusive); None is open-ended."""

    low: uuid.UUID | None
    high: uuid.UUID | None

    def __contains__(self, user_id: uuid.UUID) -> bool:
        return (self.low is None or user_id >= self.low) and (
            self.high is None or user_id < self.high
        )


def key_range(index: int, count: int) -> KeyRange:
    """The `index`-th (1-based) of `count` equal ranges of the id space."""
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"range K/N needs 1 <= K <= N, got {index}/{count}")
    low = None if index == 1 else uuid.UUID(int=(index - 1) * _SPACE // count)
    high = None if index == count else uuid.UUID(int=index * _SPACE // count)
    return KeyRange(low, high)


@dataclass(frozen=True, slots=True)
class Shard:
    index: int  # 1-based, as written on the command line: 1/2 and 2/2
    count: int

    @property
    def key_range(self) -> KeyRange:
        return key_range(self.index, self.count)

    def owns(self, user_id: uuid.UUID) -> bool:
        return user_id in self.key_range


def parse_shard(text: str) -> Shard:
    match = _SHARD.match(text.strip())
    if not match:
        raise ValueError(f"shard must look like K/N (e.g. 1/4), got {text!r}")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard K/N needs 1 <= K <= N, got {text!r}")
    return Shard(index, count)
