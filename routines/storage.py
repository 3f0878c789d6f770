"""Storing drafted plans: the one writer behind a single request and the nightly batch."""

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, connection
from django.utils import timezone

from .drafting import Draft, PlanRequest
from .models import Plan, PlanItem, PlanType, TimeBlock
from .rotation import record_usage
from .selectors import StoredPlan


class PlanExists(Exception):
    """Another request stored a plan for one of these users and this date first."""


@dataclass(frozen=True, slots=True)
class PlanToStore:
    request: PlanRequest
    draft: Draft

    @property
    def user_id(self) -> uuid.UUID:
        return self.request.user_id


def store_plans(day: date, plans: Sequence[PlanToStore], regenerate: bool) -> list[StoredPlan]:
    """Write drafted plans for `day` in a constant number of statements, however many.

    The one writer behind a single request (one plan) and the nightly batch (hundreds).
    Call it inside a transaction. Without `regenerate` every plan must be new (a stored
    plan for the same user and date raises PlanExists); with it, existing plans keep
    their id and have their blocks and items replaced. Rotation counts follow in one
    upsert.
    """
    existing: dict[uuid.UUID, Plan] = {}
    removed: dict[uuid.UUID, Counter] = {}
    user_ids = [p.user_id for p in plans]
    if regenerate:
        locked = Plan.objects.select_for_update().filter(user_id__in=user_ids, date=day)
        existing = {plan.user_id: plan for plan in locked.order_by("user_id")}
    if existing:
        # Swapped-out items were taken back when they were swapped (routines/swaps.py).
        replaced = PlanItem.objects.filter(
            plan__in=existing.values(), is_dynamic=True, replaced_by__isnull=True
        )
        for user_id, group in replaced.values_list("user_id", "variation_group"):
            removed.setdefault(user_id, Counter())[group] += 1
        _clear_contents(list(existing.values()))

    stored_plans: list[Plan] = []
    new_plans: list[Plan] = []
    now = timezone.now()
    for to_store in plans:
        fields = _plan_fields(to_store)
        plan = existing.get(to_store.user_id)
        if plan is None:
            plan = Plan(user_id=to_store.user_id, date=day, **fields)
            new_plans.append(plan)
        else:
            for name, value in fields.items():
                setattr(plan, name, value)
            plan.updated_at = now  # bulk_update does not apply auto_now
        stored_plans.append(plan)
    if existing:
        Plan.objects.bulk_update(existing.values(), fields=[*_PLAN_FIELDS, "updated_at"])
    if new_plans:
        try:
            Plan.objects.bulk_create(new_plans)
        except IntegrityError as exc:
            # The caller's transaction rolls back; it returns or replaces the winner.
            raise PlanExists from exc

    results: list[StoredPlan] = []
    all_blocks: list[TimeBlock] = []
    all_items: list[PlanItem] = []
    added: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    for to_store, plan in zip(plans, stored_plans, strict=True):
        blocks, items = _rows(plan, to_store.draft)
        all_blocks += blocks
        all_items += items
        results.append(StoredPlan(plan, blocks, items))
        used = [(i.task_library_id, i.variation_group) for i in items if i.is_dynamic]
        if used:
            added[to_store.user_id] = used
    TimeBlock.objects.bulk_create(all_blocks)
    PlanItem.objects.bulk_create(all_items)
    if added or removed:
        record_usage(day, added, removed)
    return results


_PLAN_FIELDS = (
    "archetype",
    "plan_type",
    "model_used",
    "readiness_mode",
    "wake_time",
    "fallback_reason",
)


def _plan_fields(to_store: PlanToStore) -> dict:
    draft, request = to_store.draft, to_store.request
    values = (
        request.archetype,
        draft.plan_type,
        draft.model_used,
        draft.mode,
        request.wake_time,
        draft.fallback_reason,
    )
    return dict(zip(_PLAN_FIELDS, values, strict=True))


def _clear_contents(plans: list[Plan]) -> None:
    """Delete plans' blocks and items in two statements.

    Feedback on a deleted item is history and stays: the database clears its link (the
    foreign key is ON DELETE SET NULL, feedback migration 0004). Django's cascade would
    first fetch every block and item to do the same.
    """
    ids = [Plan._meta.pk.get_db_prep_value(plan.pk, connection) for plan in plans]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        for model in (PlanItem, TimeBlock):
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE plan_id IN ({marks})", ids)


def _rows(plan: Plan, draft: Draft) -> tuple[list[TimeBlock], list[PlanItem]]:
    """The time block and plan item rows of a drafted plan."""
    blocks: list[TimeBlock] = []
    items: list[PlanItem] = []
    is_dynamic = draft.plan_type == PlanType.DYNAMIC
    for block_index, planned in enumerate(draft.blocks):
        block = TimeBlock(
            plan=plan,
            position=block_index,
            block_name=planned.spec.name,
            start_time=planned.start.time(),
            end_time=planned.end.time(),
            zone_type=planned.spec.zone_type,
            purpose=planned.spec.purpose,
            time_of_day=planned.spec.time_of_day,
        )
        blocks.append(block)
        for task in planned.tasks:
            items.append(
                PlanItem(
                    plan=plan,
                    time_block=block,
                    position=len(items),
                    user_id=plan.user_id,
                    scheduled_date=task.start.date(),
                    scheduled_time=task.start.time(),
                    end_time=task.end.time(),
                    title=task.title,
                    description=task.description,
                    category=task.category,
                    priority=task.priority,
                    estimated_duration_minutes=task.duration_minutes,
                    time_of_day=task.time_of_day,
                    task_library_id=uuid.UUID(task.task_id) if task.task_id else None,
                    variation_group=task.variation_group,
                    is_dynamic=is_dynamic,
                    policy=draft.recorded_policy if is_dynamic else "",
                    propensity=task.propensity,
                    slot_log=task.slot_log,
                )
            )
    return blocks, items
