"""Splitting users between nightly workers: stable, disjoint and complete."""

import hashlib
import re
import uuid
from dataclasses import dataclass

_SHARD = re.compile(r"^(\d+)/(\d+)$")


@dataclass(frozen=True, slots=True)
class Shard:
    index: int  # 1-based, as written on the command line: 1/2 and 2/2
    count: int

    def owns(self, user_id: uuid.UUID) -> bool:
        return shard_of(user_id, self.count) == self.index


def shard_of(user_id: uuid.UUID, count: int) -> int:
    """The 1-based shard of a user; sha256 so it is the same in every process and release."""
    digest = hashlib.sha256(str(user_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> Shard:
    match = _SHARD.match(text.strip())
    if not match:
        raise ValueError(f"shard must look like K/N (e.g. 1/4), got {text!r}")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard K/N needs 1 <= K <= N, got {text!r}")
    return Shard(index, count)
