"""evaluate_policy in several processes: each replays the users of one slice of the user-id
space (feedback/logged_slots.py reads it in bounded chunks) and hands back its per-user
totals; the totals of disjoint users merge exactly (feedback/offpolicy.py, Totals).

Replaying a slot is CPU work in numpy and Python (the candidate policy's draws), so on a
machine with spare cores the wall time divides by about the number of workers. Workers
are spawned, not forked, so none inherits the parent's database connection.
"""

import multiprocessing
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import date

from . import evaluation_worker
from .evaluation import stream_events
from .logged_slots import ID_SPACE, MAX_ROWS
from .offpolicy import Totals


def shard_totals(
    candidate: str,
    since: date,
    until: date,
    user_ids: list[uuid.UUID] | None,
    id_range: tuple[int, int],
    max_rows: int = MAX_ROWS,
) -> tuple[Totals, set[str]]:
    """The totals and logging policies of the users whose ids fall in `id_range`."""
    totals, policies = Totals(), set()
    for event in stream_events(candidate, since, until, user_ids, policies, max_rows, id_range):
        totals.add(event)
    return totals, policies


def id_ranges(workers: int) -> list[tuple[int, int]]:
    step = ID_SPACE // workers
    return [(n * step, (n + 1) * step if n + 1 < workers else ID_SPACE) for n in range(workers)]


def evaluate_totals(
    candidate: str,
    since: date,
    until: date,
    user_ids: list[uuid.UUID] | None = None,
    workers: int = 1,
) -> tuple[Totals, set[str]]:
    """Every logged slot of the period replayed, in `workers` processes (1: in this one)."""
    if workers <= 1:
        return shard_totals(candidate, since, until, user_ids, (0, ID_SPACE))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        shares = list(
            pool.map(
                evaluation_worker.shard,
                *zip(
                    *[(candidate, since, until, user_ids, r) for r in id_ranges(workers)],
                    strict=True,
                ),
            )
        )
    totals, policies = Totals(), set()
    for share, seen in shares:
        totals.merge(share)
        policies |= seen
    return totals, policies
