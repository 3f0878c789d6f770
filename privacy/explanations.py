"""What each profile field means, in plain words, for the person reading their own export.

Every field of `UserPreferenceProfile` must have an entry (tests/privacy/test_export.py
checks), so a field added later cannot reach an export unexplained.
"""

PROFILE_FIELDS: dict[str, str] = {
    "user_id": "Your user id in the app.",
    "archetype": "The wellness style you chose (for example Peak Performer); it decides "
    "which tasks fit you before anything is learned.",
    "category_affinity": "Learned from what you completed and skipped: for each kind of task "
    "(hydration, movement, ...) how likely you are to complete it, from 0 to 1. It starts "
    "at 0.5 and moves as you complete or skip tasks of that kind.",
    "subcategory_affinity": "The same as category_affinity, for narrower kinds of task (for "
    "example water or tea within hydration).",
    "time_of_day_performance": "Learned: how often you complete tasks planned in the morning, "
    "afternoon and evening, from 0 to 1.",
    "complexity_tolerance": "Learned: how often you complete the harder (intermediate and "
    "advanced) tasks, from 0 to 1. High values let harder tasks into medium-energy days.",
    "variety_seeking_score": "Learned: how many different tasks you completed in the last 14 "
    "days, as a share of 20 (20 or more different tasks gives 1).",
    "current_mode": "The energy mode (low, medium, high) you or the app set last; it decides "
    "how many tasks a day gets and how demanding they are.",
    "learning_phase": "How far learning has got: discovery (new, mostly exploring), "
    "establishment, mastery (enough history to rely on what was learned).",
    "total_tasks_completed": "How many planned tasks you completed, all time.",
    "total_tasks_scheduled": "How many planned tasks had an outcome (completed, skipped, or "
    "left unanswered on a day you used the app), all time.",
    "completion_rate": "Learned: the share of your recent tasks you completed (last 14 "
    "days), from 0 to 1.",
    "longest_streak": "The most days in a row on which you completed at least one task.",
    "current_streak": "Days in a row, up to today, on which you completed at least one task.",
    "unique_tasks_tried": "How many different tasks you have completed, all time.",
    "discovery_start_date": "The day the engine started learning about you.",
    "profile_confidence": "How much the engine trusts what it learned about you, from 0 "
    "(nothing yet) to 1; it grows with the days you use the app.",
    "daily_capacity": "Learned: how many tasks a day suit you, from how many you complete on "
    "the days you are active and the tasks you skip for lack of time. Empty until there "
    "is enough evidence; plans stay within the limits of the day's energy mode.",
    "evidence": "The raw counts behind the learned numbers: for each kind of task, time of "
    "day, difficulty and mode, how many were planned and how many you completed, over the "
    "last 28 days. The planner draws its choices from these counts.",
    "timezone": "Your time zone, so that 'today', streaks and early or late completions "
    "follow your own clock.",
    "last_analyzed_at": "When the engine last relearned this profile from your outcomes.",
    "created_at": "When this profile was created.",
    "updated_at": "When this profile last changed.",
}
