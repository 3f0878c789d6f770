"""The spec's Prometheus metrics (section 1.11), plus fallbacks and generation latency."""

from prometheus_client import Counter, Histogram

dynamic_plans_generated = Counter(
    "dynamic_plans_generated_total", "Dynamic plans generated", ["policy"]
)
plan_fallbacks = Counter(
    "plan_fallbacks_total", "Static plans served instead of dynamic ones", ["reason"]
)
task_feedback_recorded = Counter("task_feedback_recorded_total", "Task feedback recorded")
task_library_selection_seconds = Histogram(
    "task_library_selection_seconds", "Task selection latency (scoring and rotation)"
)
plan_generation_seconds = Histogram(
    "plan_generation_seconds", "Plan generation latency, reads and writes included"
)
nightly_chunk_seconds = Histogram(
    "nightly_chunk_seconds",
    "Time to relearn and plan one nightly chunk (a key range of users)",
    buckets=(1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
nightly_chunk_failures = Counter(
    "nightly_chunk_failures_total", "Nightly chunks that raised (retried, then failed)"
)
nightly_users_planned = Counter("nightly_users_planned_total", "Users planned by nightly chunks")
