import itertools
import threading
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from prometheus_client import REGISTRY

from feedback.models import UserTaskFeedback
from feedback.services import Outcome, record_outcomes
from library.models import Task
from routines import drafting
from routines.models import Plan, PlanItem, TaskRotationState, TimeBlock
from routines.services import generate_plan
from tests.factories import ProfileFactory, TaskFactory

DAY = date(2026, 11, 24)
ARCHETYPE = "Foundation Builder"

pytestmark = pytest.mark.django_db


def metric(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_generates_and_stores_a_dynamic_plan(task_library):
    user = uuid.uuid4()
    stored = generate_plan(user, ARCHETYPE, DAY)
    plan = Plan.objects.get(user_id=user, date=DAY)
    assert plan.plan_type == "dynamic_routine"
    assert plan.model_used == "task_library_v1"
    assert plan.readiness_mode == "medium"
    assert TimeBlock.objects.filter(plan=plan).count() == 5
    items = PlanItem.objects.filter(plan=plan)
    assert items.count() == 15 == len(stored.items)
    assert all(i.is_dynamic and i.task_library_id and i.variation_group for i in items)
    assert all(i.user_id == user for i in items)


def test_same_inputs_give_the_same_plan(task_library):
    user = uuid.uuid4()
    first = [i.task_library_id for i in generate_plan(user, ARCHETYPE, DAY).items]
    Plan.objects.all().delete()
    TaskRotationState.objects.all().delete()
    again = [i.task_library_id for i in generate_plan(user, ARCHETYPE, DAY).items]
    assert first == again


def test_second_call_returns_the_stored_plan(task_library):
    user = uuid.uuid4()
    first = generate_plan(user, ARCHETYPE, DAY)
    second = generate_plan(user, ARCHETYPE, DAY, mode="high")
    assert second.plan.id == first.plan.id
    assert [i.id for i in second.items] == [i.id for i in first.items]
    assert Plan.objects.filter(user_id=user).count() == 1


def test_regenerate_replaces_items_and_keeps_rotation_counts_true(task_library):
    user = uuid.uuid4()
    first = generate_plan(user, ARCHETYPE, DAY)
    second = generate_plan(user, ARCHETYPE, DAY, mode="high", regenerate=True)
    assert second.plan.id == first.plan.id
    assert second.plan.readiness_mode == "high"
    assert not PlanItem.objects.filter(id__in=[i.id for i in first.items]).exists()
    assert PlanItem.objects.filter(plan=second.plan).count() == 20
    stored_counts = Counter(
        PlanItem.objects.filter(user_id=user).values_list("variation_group", flat=True)
    )
    rotation = dict(
        TaskRotationState.objects.filter(user_id=user).values_list("variation_group", "times_used")
    )
    assert {g: n for g, n in rotation.items() if n} == dict(stored_counts)


def test_regenerate_keeps_feedback_on_replaced_items_as_history(task_library):
    user = uuid.uuid4()
    first = generate_plan(user, ARCHETYPE, DAY)
    done = first.items[0]
    record_outcomes(user, [Outcome(done.id, True)], now=datetime.combine(DAY, time(21), UTC))
    second = generate_plan(user, ARCHETYPE, DAY, regenerate=True)
    feedback = UserTaskFeedback.objects.get(user_id=user)
    assert feedback.plan_item_id is None
    assert feedback.completed and feedback.task_library_id == done.task_library_id
    assert feedback.scheduled_date == DAY
    assert TimeBlock.objects.filter(plan=second.plan).count() == 5
    assert set(PlanItem.objects.filter(user_id=user).values_list("id", flat=True)) == {
        i.id for i in second.items
    }


def test_rotation_state_tracks_last_task_and_date(task_library):
    user = uuid.uuid4()
    first = generate_plan(user, ARCHETYPE, DAY)
    stored = generate_plan(user, ARCHETYPE, DAY + timedelta(days=1))
    item = stored.items[0]
    state = TaskRotationState.objects.get(user_id=user, variation_group=item.variation_group)
    assert state.last_used_date == DAY + timedelta(days=1)
    assert state.task_library_id == item.task_library_id
    in_both = sum(i.variation_group == item.variation_group for i in first.items + stored.items)
    assert state.times_used == in_both


def _week(user, archetype=ARCHETYPE, mode=None):
    return [
        generate_plan(user, archetype, DAY + timedelta(days=offset), mode=mode)
        for offset in range(7)
    ]


@pytest.mark.parametrize(
    "archetype", ["Foundation Builder", "Peak Performer", "Connected Explorer"]
)
@pytest.mark.parametrize("mode", ["low", "medium", "high"])
@pytest.mark.parametrize("user_number", range(4))
def test_a_week_shows_variety_and_no_next_day_repeats(task_library, archetype, mode, user_number):
    user = uuid.uuid5(uuid.NAMESPACE_URL, f"week/{archetype}/{mode}/{user_number}")
    week = _week(user, archetype, mode)
    hydration = {i.task_library_id for s in week for i in s.items if i.category == "hydration"}
    assert len(hydration) >= 3

    groups: dict[str, set] = defaultdict(set)
    for task_id, group in Task.objects.filter(is_active=True).values_list("id", "variation_group"):
        groups[group].add(task_id)
    for yesterday, today in itertools.pairwise(week):
        yesterday_ids = {i.task_library_id for i in yesterday.items}
        today_ids = {i.task_library_id for i in today.items}
        for item in today.items:
            if item.task_library_id in yesterday_ids:
                # Allowed only when every variant of its group was taken today or yesterday.
                free = groups[item.variation_group] - today_ids - yesterday_ids
                assert not free, (item.title, free)


def test_every_slot_is_filled_from_the_shipped_library(task_library):
    for mode, expected in (("low", 10), ("medium", 15), ("high", 20)):
        for offset in range(7):
            stored = generate_plan(uuid.uuid4(), ARCHETYPE, DAY + timedelta(days=offset), mode=mode)
            assert len(stored.items) == expected, (mode, offset)


def test_low_and_high_modes_differ_as_specified(task_library):
    user_low, user_high = uuid.uuid4(), uuid.uuid4()
    low = [i for s in _week(user_low, "Peak Performer", "low") for i in s.items]
    high = [i for s in _week(user_high, "Peak Performer", "high") for i in s.items]
    difficulty = dict(Task.objects.values_list("id", "difficulty"))
    assert len(low) == 7 * 10 and len(high) == 7 * 20
    assert not any(difficulty[i.task_library_id] == "advanced" for i in low)
    assert any(difficulty[i.task_library_id] == "advanced" for i in high)
    low_beginner = sum(difficulty[i.task_library_id] == "beginner" for i in low) / len(low)
    high_beginner = sum(difficulty[i.task_library_id] == "beginner" for i in high) / len(high)
    assert low_beginner > high_beginner
    mean = lambda items: sum(i.estimated_duration_minutes for i in items) / len(items)  # noqa: E731
    assert mean(low) < mean(high)


def test_mode_comes_from_request_then_profile_then_medium(task_library):
    profiled = ProfileFactory(current_mode="low")
    assert generate_plan(profiled.user_id, ARCHETYPE, DAY).plan.readiness_mode == "low"
    assert (
        generate_plan(
            profiled.user_id, ARCHETYPE, DAY + timedelta(days=1), mode="high"
        ).plan.readiness_mode
        == "high"
    )
    assert generate_plan(uuid.uuid4(), ARCHETYPE, DAY).plan.readiness_mode == "medium"


def test_wake_time_anchors_the_day(task_library):
    stored = generate_plan(uuid.uuid4(), ARCHETYPE, DAY, preferences={"wake_time": time(8, 0)})
    assert stored.blocks[0].start_time == time(8, 0)
    assert stored.plan.wake_time == time(8, 0)
    assert all(i.scheduled_time >= time(8, 0) for i in stored.items[:3])


def test_flag_off_serves_the_static_plan(task_library, settings):
    settings.ENABLE_DYNAMIC_PLANS = False
    before = metric("plan_fallbacks_total", reason="disabled")
    stored = generate_plan(uuid.uuid4(), ARCHETYPE, DAY)
    assert stored.plan.plan_type == "static_routine"
    assert stored.plan.fallback_reason == "disabled"
    assert stored.items and not any(i.is_dynamic or i.task_library_id for i in stored.items)
    assert metric("plan_fallbacks_total", reason="disabled") == before + 1


def test_failure_in_dynamic_generation_falls_back_to_static(task_library, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("scoring exploded")

    monkeypatch.setattr(drafting, "plan_day", broken)
    before = metric("plan_fallbacks_total", reason="error")
    user = uuid.uuid4()
    stored = generate_plan(user, ARCHETYPE, DAY)
    assert stored.plan.plan_type == "static_routine"
    assert metric("plan_fallbacks_total", reason="error") == before + 1
    assert "scoring exploded" in caplog.text
    assert not TaskRotationState.objects.filter(user_id=user).exists()


def test_database_error_while_storing_leaves_nothing_half_written(task_library, monkeypatch):
    real_bulk_create = PlanItem.objects.bulk_create
    calls = {"n": 0}

    def fail_first_time(objs, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            from django.db import DatabaseError

            raise DatabaseError("disk full")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(PlanItem.objects, "bulk_create", fail_first_time)
    user = uuid.uuid4()
    stored = generate_plan(user, ARCHETYPE, DAY)
    assert stored.plan.plan_type == "static_routine"
    assert Plan.objects.filter(user_id=user).count() == 1
    assert TimeBlock.objects.filter(plan__user_id=user).count() == 5
    assert not PlanItem.objects.filter(user_id=user, is_dynamic=True).exists()
    assert not TaskRotationState.objects.filter(user_id=user).exists()


def test_empty_library_falls_back_to_static(db):
    stored = generate_plan(uuid.uuid4(), ARCHETYPE, DAY)
    assert stored.plan.plan_type == "static_routine"
    assert stored.plan.fallback_reason == "planning"


def test_dynamic_plans_are_counted(task_library):
    before = metric("dynamic_plans_generated_total", policy="static-v1")
    generate_plan(uuid.uuid4(), ARCHETYPE, DAY)
    assert metric("dynamic_plans_generated_total", policy="static-v1") == before + 1


def test_query_budget_for_a_new_plan(task_library, django_assert_max_num_queries):
    generate_plan(uuid.uuid4(), ARCHETYPE, DAY)  # warm up content types etc.
    with django_assert_max_num_queries(10):
        generate_plan(uuid.uuid4(), ARCHETYPE, DAY)


def test_query_budget_with_history_and_profile(task_library, django_assert_max_num_queries):
    profile = ProfileFactory(archetype=ARCHETYPE)
    for offset in range(6):
        generate_plan(profile.user_id, ARCHETYPE, DAY + timedelta(days=offset))
    with django_assert_max_num_queries(10):
        generate_plan(profile.user_id, ARCHETYPE, DAY + timedelta(days=6))


def test_queries_do_not_grow_with_the_library(task_library):
    from django.test.utils import CaptureQueriesContext

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            generate_plan(uuid.uuid4(), ARCHETYPE, DAY)
        return len(ctx.captured_queries)

    count_queries()  # the library is loaded once per process, then only version-checked
    small = count_queries()
    TaskFactory.create_batch(300, category="movement", variation_group="bulk_movement")
    reloaded = count_queries()
    assert reloaded == small + 1  # the changed library is read again, once
    assert count_queries() == small


def test_library_edits_reach_the_next_plan(task_library):
    from library.services import set_active

    first = generate_plan(uuid.uuid4(), ARCHETYPE, DAY)
    chosen = [i.task_library_id for i in first.items]
    set_active(chosen, False)
    second = generate_plan(uuid.uuid4(), ARCHETYPE, DAY)
    assert not {i.task_library_id for i in second.items} & set(chosen)


def test_query_budget_for_replacing_a_plan(task_library, django_assert_max_num_queries):
    user = uuid.uuid4()
    generate_plan(user, ARCHETYPE, DAY, mode="high")
    # Replacing 20 items from many groups: no per-item or per-group statements (the
    # cascade that keeps feedback while deleting the old items is 5 of these).
    with django_assert_max_num_queries(17):
        generate_plan(user, ARCHETYPE, DAY, mode="high", regenerate=True)


def test_stored_plan_read_back_costs_three_queries(task_library, django_assert_num_queries):
    user = uuid.uuid4()
    generate_plan(user, ARCHETYPE, DAY)
    with django_assert_num_queries(3):
        stored = generate_plan(user, ARCHETYPE, DAY)
    assert len(stored.items) == 15


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_generation_yields_one_plan(task_library):
    user = uuid.uuid4()
    results: dict[str, list] = defaultdict(list)
    barrier = threading.Barrier(4)

    def worker(regenerate: bool) -> None:
        try:
            barrier.wait()
            stored = generate_plan(user, ARCHETYPE, DAY, regenerate=regenerate)
            results["plans"].append(stored.plan.id)
        except Exception as exc:  # pragma: no cover - reported below
            results["errors"].append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i % 2 == 1,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not results["errors"]
    assert Plan.objects.filter(user_id=user, date=DAY).count() == 1
    plan = Plan.objects.get(user_id=user, date=DAY)
    assert set(results["plans"]) == {plan.id}
    items = PlanItem.objects.filter(plan=plan)
    assert items.count() == 15
    assert TimeBlock.objects.filter(plan=plan).count() == 5
    assert set(items.values_list("time_block__plan_id", flat=True)) == {plan.id}
    stored_counts = Counter(items.values_list("variation_group", flat=True))
    rotation = dict(
        TaskRotationState.objects.filter(user_id=user).values_list("variation_group", "times_used")
    )
    assert {g: n for g, n in rotation.items() if n} == dict(stored_counts)
