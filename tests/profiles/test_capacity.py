"""Plan size learned from what the user completes (pure)."""

import math

from profiles.capacity import CAPACITY_MIN_ACTIVE_DAYS, CAPACITY_TARGET_RATE, learn_capacity


def test_no_capacity_until_enough_active_days():
    assert learn_capacity(20, 0, CAPACITY_MIN_ACTIVE_DAYS - 1, 60) is None
    assert learn_capacity(0, 0, 0, 0) is None
    assert learn_capacity(20, 0, CAPACITY_MIN_ACTIVE_DAYS, 60) is not None


def test_capacity_follows_tasks_completed_per_active_day():
    # 3 tasks a day over 10 days: a plan in which 3 tasks are CAPACITY_TARGET_RATE of it.
    assert learn_capacity(30, 0, 10, 150) == math.ceil(3 / CAPACITY_TARGET_RATE) == 9


def test_capacity_grows_back_when_the_user_completes_more():
    small = learn_capacity(30, 0, 10, 90)
    grown = learn_capacity(60, 0, 10, 90)
    assert grown > small
    assert learn_capacity(200, 0, 10, 200) == 20  # never above the largest plan


def test_no_time_skips_take_a_task_off_each():
    plain = learn_capacity(40, 0, 10, 150)
    pressed = learn_capacity(40, 30, 10, 150)  # three "no time" skips a day
    assert plain - pressed == 3


def test_capacity_is_at_least_one():
    assert learn_capacity(0, 50, 10, 150) == 1
