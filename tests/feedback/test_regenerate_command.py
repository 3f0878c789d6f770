import uuid
from datetime import date, time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routines import drafting, nightly, services
from routines.models import Plan
from routines.selectors import users_to_plan
from routines.sharding import parse_shard
from tests.factories import PlanFactory, ProfileFactory

pytestmark = pytest.mark.django_db

DAY = "2026-11-25"


def run(*args) -> str:
    out = StringIO()
    call_command("regenerate_plans", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_all_users_with_a_profile_get_a_plan(task_library):
    profiles = ProfileFactory.create_batch(5)
    output = run("--date", DAY, "--all", "--batch-size", "2")
    assert Plan.objects.filter(date=date(2026, 11, 25)).count() == 5
    assert {p.user_id for p in Plan.objects.all()} == {p.user_id for p in profiles}
    assert "users=5 plans_written=5 fallbacks=0 failures=0" in output


def test_archetype_mode_and_wake_time_come_from_the_user(task_library):
    profile = ProfileFactory(archetype="Peak Performer", current_mode="low")
    PlanFactory(user_id=profile.user_id, date=date(2026, 11, 20), wake_time=time(7, 30))
    run("--date", DAY, "--user", str(profile.user_id))
    plan = Plan.objects.get(user_id=profile.user_id, date=date(2026, 11, 25))
    assert (plan.archetype, plan.readiness_mode, plan.wake_time) == (
        "Peak Performer",
        "low",
        time(7, 30),
    )


def test_existing_plans_are_regenerated(task_library):
    profile = ProfileFactory()
    run("--date", DAY, "--all")
    first = Plan.objects.get(user_id=profile.user_id)
    run("--date", DAY, "--all")
    assert Plan.objects.get(user_id=profile.user_id).pk == first.pk
    assert Plan.objects.count() == 1


def test_only_named_users(task_library):
    chosen, _other = ProfileFactory.create_batch(2)
    run("--date", DAY, "--user", str(chosen.user_id))
    assert list(Plan.objects.values_list("user_id", flat=True)) == [chosen.user_id]


def test_dry_run_writes_nothing(task_library):
    ProfileFactory.create_batch(3)
    output = run("--date", DAY, "--all", "--dry-run")
    assert not Plan.objects.exists()
    assert output.startswith("dry run: users=3 plans_written=0")


def test_shards_partition_users_with_no_overlap_and_no_gap(task_library):
    profiles = ProfileFactory.create_batch(12)
    seen = []
    for k in (1, 2, 3):
        before = set(Plan.objects.values_list("user_id", flat=True))
        run("--date", DAY, "--all", "--shard", f"{k}/3")
        after = set(Plan.objects.values_list("user_id", flat=True))
        seen.append(after - before)
    assert sum(len(s) for s in seen) == 12
    assert set().union(*seen) == {p.user_id for p in profiles}


def test_shards_are_key_ranges_that_split_random_ids_evenly():
    shards = [parse_shard(f"{k}/4") for k in range(1, 5)]
    user = uuid.UUID("2f6f1a52-3b7e-4d35-9a55-6f7c0f1f2a11")
    assert [s.owns(user) for s in shards] == [True, False, False, False]
    assert shards[0].key_range.low is None and shards[-1].key_range.high is None
    assert shards[0].key_range.high == shards[1].key_range.low  # no gap, no overlap
    counts = [0, 0, 0, 0]
    for _ in range(400):
        user = uuid.uuid4()
        owners = [k for k, shard in enumerate(shards) if shard.owns(user)]
        assert len(owners) == 1
        counts[owners[0]] += 1
    assert min(counts) > 60  # roughly even


def test_a_shard_reads_only_its_own_users():
    profiles = ProfileFactory.create_batch(8)
    shard = parse_shard("2/2")
    with CaptureQueriesContext(connection) as ctx:
        read = [u.user_id for page in users_to_plan(None, 3, shard.key_range) for u in page]
    assert read == sorted(p.user_id for p in profiles if shard.owns(p.user_id))
    # Bounded by the range in the database, not filtered afterwards.
    assert all('"user_id" >= ' in q["sql"] for q in ctx.captured_queries), ctx.captured_queries


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "a/b", "1-2", ""])
def test_bad_shard_is_rejected(text):
    with pytest.raises(ValueError):
        parse_shard(text)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--date", "tomorrow", "--all"], "--date must be YYYY-MM-DD"),
        (["--date", DAY, "--user", "bob"], "--user must be a UUID"),
        (["--date", DAY, "--all", "--shard", "5/4"], "--shard"),
        (["--date", DAY, "--all", "--batch-size", "0"], "--batch-size"),
    ],
)
def test_bad_arguments_are_usage_errors(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_neither_user_nor_all_is_a_usage_error():
    with pytest.raises(CommandError, match=r"one of the arguments --user --all"):
        run("--date", DAY)


def test_a_failing_user_is_reported_and_skipped(task_library, monkeypatch):
    profiles = ProfileFactory.create_batch(3)
    broken = profiles[1].user_id
    real = nightly.store_plans

    def flaky(day, plans, regenerate):
        # A write that fails whenever it includes the broken user's plan: the batch's
        # write fails, then that user alone when the batch is written one by one.
        if any(plan.user_id == broken for plan in plans):
            raise RuntimeError("database went away")
        return real(day, plans, regenerate)

    # Both writers: the batch's and the one-at-a-time path's.
    monkeypatch.setattr(nightly, "store_plans", flaky)
    monkeypatch.setattr(services, "store_plans", flaky)
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 3 users failed"):
        call_command("regenerate_plans", "--date", DAY, "--all", stdout=StringIO(), stderr=err)
    assert str(broken) in err.getvalue()
    assert set(Plan.objects.values_list("user_id", flat=True)) == {
        p.user_id for p in profiles if p.user_id != broken
    }


def test_a_batch_that_meets_an_on_demand_plan_still_plans_everyone(task_library):
    """The app generated one user's plan meanwhile: the batch insert conflicts, the batch
    is written user by user, and that plan is replaced like the others."""
    profiles = ProfileFactory.create_batch(3)
    on_demand = services.generate_plan(
        profiles[0].user_id, profiles[0].archetype, date(2026, 11, 25)
    )
    output = run("--date", DAY, "--all")
    assert "users=3 plans_written=3 fallbacks=0 failures=0" in output
    assert Plan.objects.count() == 3
    assert Plan.objects.get(user_id=profiles[0].user_id).pk == on_demand.plan.pk


def test_a_user_whose_dynamic_plan_fails_gets_the_static_plan(task_library, monkeypatch):
    profiles = ProfileFactory.create_batch(3)
    broken = profiles[2].user_id
    real = drafting.draft_dynamic_plan

    def failing(request):
        if request.user_id == broken:
            raise drafting.PlanningError("nothing fits")
        return real(request)

    monkeypatch.setattr(drafting, "draft_dynamic_plan", failing)
    output = run("--date", DAY, "--all")
    assert "users=3 plans_written=3 fallbacks=1 failures=0" in output
    assert Plan.objects.get(user_id=broken).fallback_reason == "planning"


def test_nightly_batch_costs_a_constant_number_of_queries_per_user(task_library):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(users: int) -> int:
        Plan.objects.all().delete()
        from profiles.models import UserPreferenceProfile

        UserPreferenceProfile.objects.all().delete()
        ProfileFactory.create_batch(users)
        with CaptureQueriesContext(connection) as ctx:
            run("--date", DAY, "--all", "--batch-size", "50")
        return len(ctx.captured_queries)

    small, large = queries_for(5), queries_for(25)
    # A batch is read and written with the same statements whatever its size: profiles,
    # rotation history, plan lock, 3 inserts, rotation upsert. Only SQLite's limit of 999
    # parameters a statement splits the larger inserts into a few more.
    if connection.vendor == "postgresql":
        assert large == small, (small, large)
    assert large - small <= 8, (small, large)  # for 20 more users and 300 more items
    # + relearning each batch first: lock profiles, read outcomes, write profiles, in a
    # savepoint (two more statements inside the test's transaction).
    # The first run also folds the users' pasts into their totals rows: fold, insert, read
    # again (feedback/totals.py); later nights fold every few days. PostgreSQL: once a run,
    # the partition upkeep (is it partitioned, advisory lock, lock timeout, the two tables'
    # partitions) before the first batch. + the closed days' rollup at the end: a delete
    # and an insert for each of the three tables a calendar week; the three days before
    # 2026-11-25 span two weeks (+ savepoint, and on PostgreSQL the lock and planner
    # settings).
    # + one lock on the batch's profiles before its write (an erasure meanwhile is seen).
    upkeep = 5 if connection.vendor == "postgresql" else 0
    assert small <= 22 + upkeep + 2 * 6 + 3 + 1, small  # the library version check, two pages


def test_batch_rewrites_keep_every_users_rotation_counts_true(task_library):
    """Two nightly runs over the same day and the previous one: each user's times_used per
    group equals the plan items stored from that group (the replaced ones taken back)."""
    from collections import Counter

    from routines.models import PlanItem, TaskRotationState

    profiles = ProfileFactory.create_batch(4)
    run("--date", "2026-11-24", "--all", "--batch-size", "3")
    run("--date", DAY, "--all", "--batch-size", "3")
    run("--date", DAY, "--all", "--batch-size", "3")
    for profile in profiles:
        stored = Counter(
            PlanItem.objects.filter(user_id=profile.user_id, is_dynamic=True).values_list(
                "variation_group", flat=True
            )
        )
        rotation = dict(
            TaskRotationState.objects.filter(user_id=profile.user_id).values_list(
                "variation_group", "times_used"
            )
        )
        assert {g: n for g, n in rotation.items() if n} == dict(stored)
        assert Plan.objects.filter(user_id=profile.user_id).count() == 2


def test_the_nightly_run_closes_yesterday_before_planning_today(task_library):
    """A completion-only user ticks 2 of 15 tasks and sends nothing else: before the run
    the profile has seen 2 completions; the run for the next day counts the 13 silent
    items, so tomorrow's plan is drafted from the truth."""
    from datetime import UTC, datetime, timedelta

    from feedback.services import Outcome, record_outcomes
    from profiles.models import UserPreferenceProfile

    yesterday = date(2026, 11, 24)
    stored = services.generate_plan(uuid.uuid4(), "Connected Explorer", yesterday)
    user = stored.plan.user_id
    evening = datetime(2026, 11, 24, 21, tzinfo=UTC)
    record_outcomes(user, [Outcome(i.id, True) for i in stored.items[:2]], now=evening)
    before = UserPreferenceProfile.objects.get(user_id=user)
    assert (before.completion_rate, before.total_tasks_scheduled) == (1.0, 2)

    run("--date", (yesterday + timedelta(days=1)).isoformat(), "--user", str(user))

    after = UserPreferenceProfile.objects.get(user_id=user)
    assert after.total_tasks_scheduled == len(stored.items)
    assert after.completion_rate == pytest.approx(2 / len(stored.items), abs=1e-4)


def test_a_dry_run_relearns_nothing(task_library):
    from datetime import UTC, datetime

    from feedback.services import Outcome, record_outcomes
    from profiles.models import UserPreferenceProfile

    stored = services.generate_plan(uuid.uuid4(), "Connected Explorer", date(2026, 11, 24))
    user = stored.plan.user_id
    record_outcomes(
        user, [Outcome(stored.items[0].id, True)], now=datetime(2026, 11, 24, 21, tzinfo=UTC)
    )
    run("--date", DAY, "--user", str(user), "--dry-run")
    assert UserPreferenceProfile.objects.get(user_id=user).total_tasks_scheduled == 1
