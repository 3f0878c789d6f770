"""Benchmark: what a feedback call, a plan and a weekly summary cost as history grows.

Users with 30 and with 730 days of history (one plan a day through the real services,
about 15 items, most of them answered the evening they were planned), measured side by
side: the cohorts alternate call by call, so the noise of this shared machine falls on
both alike. Target (issue 18): at 730 days within 1.2x of the cost at 30 days.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.selectors import weekly_summary
from feedback.services import Outcome, record_outcomes
from profiles.models import UserPreferenceProfile
from routines.services import generate_plan

from .plan_generation import SHIPPED_LIBRARY_SIZE, build_library, reset_data
from .stats import median, verdict

TODAY = date(2027, 1, 4)  # a Monday
TARGET_RATIO = 1.2
ARCHETYPE = "Peak Performer"


@dataclass
class Cost:
    operation: str
    history_days: int
    samples: int
    p50_ms: float
    queries: int


def build_history(user: uuid.UUID, days: int, today: date = TODAY) -> None:
    """`days` days of plans and outcomes before `today`, answered the evening of each day
    (8 in 10 tasks answered, 3 in 5 of those done)."""
    UserPreferenceProfile.objects.create(user_id=user, archetype=ARCHETYPE)
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        stored = generate_plan(user, ARCHETYPE, day)
        outcomes = [
            Outcome(item.id, hash((user, item.task_library_id, day)) % 5 < 3)
            for item in stored.items
            if hash((item.id, "answered")) % 10 < 8
        ]
        record_outcomes(user, outcomes, now=datetime.combine(day, clock_time(21), UTC))


def timed(call) -> tuple[float, int, object]:
    """(seconds, statements, what the call returned)."""
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
    return elapsed, len(ctx.captured_queries), result


def run(histories=(30, 730), users=3, rounds=3) -> list[Cost]:
    reset_data()
    build_library(SHIPPED_LIBRARY_SIZE)
    cohorts = {days: [uuid.uuid4() for _ in range(users)] for days in histories}
    for days, people in cohorts.items():
        for user in people:
            build_history(user, days)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have, days before a real user's call
    samples: dict[tuple[str, int], list[tuple[float, int]]] = {}

    def sample(operation: str, days: int, call) -> None:
        samples.setdefault((operation, days), []).append(timed(call)[:2])

    for round_ in range(rounds):
        day = TODAY + timedelta(days=round_)
        now = datetime.combine(day, clock_time(12), UTC)
        plans = {}
        # Alternate the cohorts user by user: plan the day, tick it, read the summary.
        for index in range(users):
            for days, people in cohorts.items():
                user = people[index]
                sample(
                    "plan",
                    days,
                    lambda u=user, d=day, out=plans: out.__setitem__(
                        u, generate_plan(u, ARCHETYPE, d)
                    ),
                )
        for position in range(6):
            for index in range(users):
                for days, people in cohorts.items():
                    user = people[index]
                    item = plans[user].items[position]
                    outcome = [Outcome(item.id, True)]
                    sample(
                        "feedback", days, lambda u=user, o=outcome, n=now: record_outcomes(u, o, n)
                    )
        for index in range(users):
            for days, people in cohorts.items():
                profile = UserPreferenceProfile.objects.get(user_id=people[index])
                week = day - timedelta(days=day.weekday())
                for _ in range(5):
                    sample(
                        "summary", days, lambda p=profile, w=week, d=day: weekly_summary(p, w, d)
                    )
    return summarize(samples)


def summarize(samples: dict[tuple[str, int], list[tuple[float, int]]]) -> list[Cost]:
    """Medians of (seconds, statements) per operation and history length."""
    return [
        Cost(
            operation,
            days,
            len(values),
            median([v[0] for v in values]) * 1000,
            round(median([v[1] for v in values])),
        )
        for (operation, days), values in samples.items()
    ]


def report(results: list[Cost]) -> str:
    return growth_table(results, "operation", "each operation")


def growth_table(results: list[Cost], noun: str, subject: str) -> str:
    """Each operation's cost per history length beside its cost at the shortest one."""
    lines = [
        f"| {noun} | history | calls | p50 | queries | p50 / p50 at the shortest history |",
        "|---|---|---|---|---|---|",
    ]
    base: dict[str, float] = {}
    worst = 0.0
    for r in sorted(results, key=lambda r: (r.operation, r.history_days)):
        base.setdefault(r.operation, r.p50_ms)
        ratio = r.p50_ms / base[r.operation] if base[r.operation] else 0.0
        worst = max(worst, ratio)
        lines.append(
            f"| {r.operation} | {r.history_days} days | {r.samples} | {r.p50_ms:.1f} ms |"
            f" {r.queries} | {ratio:.2f}x |"
        )
    lines += [
        "",
        f"Target: {subject} at the longest history within {TARGET_RATIO}x of its cost at "
        f"the shortest: worst {worst:.2f}x, {verdict(worst <= TARGET_RATIO)}.",
    ]
    return "\n".join(lines)
