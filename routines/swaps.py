"""Swapping one task of a stored plan: the plan's side (feedback/swaps.py drives it).

Reads the plan under a row lock, drafts the replacement (`routines/swapping.py`, pure) and
writes it. The swapped item keeps its row (history: its propensity and slot log stay) and
is marked replaced; the replacement takes its position, so the plan keeps its order, and
logs its own propensity. Rotation counts follow the stored tasks in the same transaction:
the swapped-out use is taken back and the new one added (`rotation.record_usage`).

Plans never write feedback: the swap's outcome (a feedback row) is written by the caller
above, in the same transaction.
"""

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from library.candidates import Candidate
from library.selectors import active_candidates
from profiles.models import UserPreferenceProfile

from . import holdout
from .drafting import ScorerFactory, make_scorer
from .layout import BLOCK_LAYOUT, allowed_difficulties
from .models import Plan, PlanItem
from .planning import DayRequest, block_bounds
from .rotation import record_usage
from .selectors import StoredPlan, load_plan_contents, recent_task_use
from .swapping import PlanTask, Replacement, choose_replacement, swap_rng, swap_slot

_SPECS = {spec.name: spec for spec in BLOCK_LAYOUT}


@dataclass(frozen=True, slots=True)
class SwapDraft:
    replacement: Replacement | None  # None: no other task fits the slot
    policy: str


def lock_plan(user_id: uuid.UUID, day: date) -> StoredPlan | None:
    """The user's plan for `day` with its blocks and items, its row locked until commit:
    concurrent swaps of one plan apply one after another (SQLite's immediate transactions
    already serialize writers)."""
    plan = Plan.objects.select_for_update().filter(user_id=user_id, date=day).order_by().first()
    return None if plan is None else load_plan_contents(plan)


def current_items(stored: StoredPlan) -> list[PlanItem]:
    """The plan's tasks as the user sees them: the items not swapped out."""
    return [item for item in stored.items if item.replaced_by is None]


def swaps_today(stored: StoredPlan) -> int:
    return sum(1 for item in stored.items if item.replaced_by is not None)


def swaps_of_slot(stored: StoredPlan, item: PlanItem) -> int:
    """How many swaps led to `item`: the length of the chain of items it replaced."""
    replaced = {i.replaced_by: i for i in stored.items if i.replaced_by is not None}
    count, current = 0, item
    while current.id in replaced and count < len(stored.items):
        current = replaced[current.id]
        count += 1
    return count


def latest_of(stored: StoredPlan, item: PlanItem) -> PlanItem:
    """The task that holds `item`'s slot now: `item`, or the end of its replacements."""
    by_id = {i.id: i for i in stored.items}
    current, steps = item, 0
    while current.replaced_by in by_id and steps < len(stored.items):
        current = by_id[current.replaced_by]
        steps += 1
    return current


def draft_swap(
    stored: StoredPlan,
    item: PlanItem,
    profile: UserPreferenceProfile | None,
    candidates: Sequence[Candidate] | None = None,
    scorer_factory: ScorerFactory | None = None,
) -> SwapDraft:
    """Draw the replacement of `item` as the planner would fill its slot (reads only)."""
    plan = stored.plan
    candidates = active_candidates() if candidates is None else candidates
    tolerance = profile.complexity_tolerance if profile is not None else 0.5
    mode = plan.readiness_mode
    request = DayRequest(plan.date, plan.wake_time, mode, allowed_difficulties(mode, tolerance))
    # The user's holdout group picks the policy, as for the day's draft: a held-out user's
    # replacement is the static policy's and is recorded as the holdout's.
    held_out = scorer_factory is None and holdout.in_holdout(plan.user_id)
    if scorer_factory is not None:
        scorer = scorer_factory(plan.archetype, mode, profile, candidates)
    else:
        policy = holdout.STATIC_POLICY if held_out else None
        scorer = make_scorer(plan.archetype, mode, profile, candidates, policy)
    positions = {block.id: block.position for block in stored.blocks}
    names = {block.id: block.block_name for block in stored.blocks}
    tasks = {
        i.id: PlanTask(
            str(i.task_library_id) if i.task_library_id else None,
            i.variation_group,
            datetime.combine(i.scheduled_date, i.scheduled_time),
            positions[i.time_block_id],
        )
        for i in stored.items
    }
    _, block_end = block_bounds(_SPECS[names[item.time_block_id]], plan.date, plan.wake_time)
    current = [tasks[i.id] for i in current_items(stored)]
    slot = swap_slot(item.category, item.time_of_day, tasks[item.id], current, block_end)
    replacement = choose_replacement(
        request,
        slot,
        list(tasks.values()),
        candidates,
        recent_task_use(plan.user_id, plan.date),
        scorer,
        swap_rng(plan.user_id, plan.date, item.id),
    )
    return SwapDraft(replacement, holdout.recorded_policy(scorer.policy, held_out))


def replace_item(
    stored: StoredPlan, item: PlanItem, draft: SwapDraft, now: datetime
) -> tuple[StoredPlan, PlanItem]:
    """Write the swap: mark `item` replaced, insert its replacement in its place, move the
    rotation counts. Four statements. Call it inside the transaction that locked the plan.
    Returns the plan as it now stands and the new item."""
    chosen = draft.replacement
    if chosen is None:
        raise ValueError("no replacement to write")
    task = chosen.task
    new = PlanItem(
        plan_id=item.plan_id,
        time_block_id=item.time_block_id,
        position=item.position,
        user_id=item.user_id,
        scheduled_date=chosen.start.date(),
        scheduled_time=chosen.start.time(),
        end_time=chosen.end.time(),
        title=task.name,
        description=task.description,
        category=task.category,
        priority=item.priority,
        estimated_duration_minutes=task.duration_minutes,
        time_of_day=item.time_of_day,
        task_library_id=uuid.UUID(task.id),
        variation_group=task.variation_group,
        is_dynamic=True,
        policy=draft.policy,
        propensity=chosen.propensity,
        slot_log=chosen.slot_log,
    )
    # The swapped item leaves its position to the replacement (unique per plan) and moves
    # past the last one; filtering by its date lets PostgreSQL prune to one partition.
    moved_to = max(i.position for i in stored.items) + 1
    PlanItem.objects.filter(id=item.id, scheduled_date=item.scheduled_date).update(
        position=moved_to, replaced_by=new.id, swapped_at=now
    )
    item.position, item.replaced_by, item.swapped_at = moved_to, new.id, now
    PlanItem.objects.bulk_create([new])
    record_usage(
        stored.plan.date,
        {item.user_id: [(new.task_library_id, new.variation_group)]},
        {item.user_id: Counter({item.variation_group: 1})},
    )
    items = sorted([*stored.items, new], key=lambda i: i.position)
    return StoredPlan(stored.plan, stored.blocks, items), new
