"""The task performance page in a real browser: sorting by a column's header, filtering
by archetype, mode and category, and screenshots at 1400 and 1920 px."""

import random
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from feedback.rollups import rollup_days
from feedback.services import Outcome, record_outcomes
from library.models import Task
from routines.services import generate_plan

from .test_editor_pages import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASONS = ["too_hard", "no_time", "not_interested", "forgot", None]


def _history() -> None:
    """Six users over ten days, every archetype and mode, rolled up like the nightly run."""
    rng = random.Random(17)
    today = timezone.localdate()
    archetypes = ["Peak Performer", "Foundation Builder", "Connected Explorer"]
    for n in range(6):
        user = uuid.uuid4()
        for back in range(1, 11):
            day = today - timedelta(days=back)
            items = generate_plan(user, archetypes[n % 3], day, rng.choice(["low", "high"])).items
            outcomes = []
            for item in items:
                if rng.random() < 0.3:
                    continue
                done = rng.random() < 0.6
                outcomes.append(
                    Outcome(
                        item.id,
                        done,
                        satisfaction_rating=rng.choice([None, 2, 4, 5]) if done else None,
                        skip_reason=None if done else rng.choice(REASONS),
                    )
                )
            now = datetime.combine(day, time(21, 0), tzinfo=UTC)
            record_outcomes(user, outcomes, now=now)
    rollup_days(today - timedelta(days=11), today - timedelta(days=1), today)


def _column(page, css: str) -> list[str]:
    return page.locator(f"#performance-table tbody tr td.{css}").all_inner_texts()


def _percent(text: str) -> float:
    return -1.0 if text == "\u2013" else float(text.rstrip("%"))  # an en dash: no rate


def test_performance_page_sorts_and_filters(editor_page):
    _history()
    page = editor_page
    page.goto(f"{page.base_url}/admin/feedback/usertaskfeedback/dashboard/")
    page.click("#dashboard-links a:text-is('Task performance')")
    page.wait_for_selector("#performance-table")

    page.click("#performance-table th.column-completion_rate a")
    page.wait_for_url("**o=-completion_rate**")
    rates = [_percent(t) for t in _column(page, "completion")]
    known = [r for r in rates if r >= 0]
    assert known == sorted(known, reverse=True) and rates[: len(known)] == known
    page.click("#performance-table th.column-completion_rate a")  # the other way round
    page.wait_for_url("**o=completion_rate**")
    known = [r for r in (_percent(t) for t in _column(page, "completion")) if r >= 0]
    assert known == sorted(known)
    assert "sorted-asc" in page.locator("th.column-completion_rate").get_attribute("class")

    page.select_option("#id_archetype", "Peak Performer")
    page.select_option("#id_mode", "high")
    page.select_option("#id_category", "movement")
    page.click("#performance-filters input[type=submit]")
    page.wait_for_url("**archetype=Peak+Performer**")
    assert "o=completion_rate" in page.url  # the sort survives filtering
    categories = set(page.locator("#performance-table tbody tr td:nth-child(2)").all_inner_texts())
    assert categories == {"Movement"}
    planned_all = int(page.locator("#performance-table tfoot td.num").first.inner_text())
    page.select_option("#id_archetype", "")
    page.click("#performance-filters input[type=submit]")
    page.wait_for_url("**archetype=&**")
    assert int(page.locator("#performance-table tfoot td.num").first.inner_text()) > planned_all

    page.select_option("#id_view", "group")
    page.click("#performance-filters input[type=submit]")
    page.wait_for_selector("th.column-name a:text-is('Variation group')")
    shoot(page, "task-performance-groups")


def test_reached_from_a_task_with_its_row_highlighted(editor_page):
    _history()
    page = editor_page
    task = Task.objects.get(name="Sunset Walk")
    page.goto(f"{page.base_url}/admin/library/task/{task.pk}/change/")
    page.click("#task-performance-link")
    page.wait_for_selector(f"#task-{task.pk}.highlight")
    groups = set(page.locator("#performance-table tbody td.group").all_inner_texts())
    assert groups == {task.variation_group}
    shoot(page, "task-performance-one-group")


def test_the_table_fits_the_screen_at_1400_and_1920_px(editor_page):
    _history()
    call_command("seed_library", verbosity=0)
    page = editor_page
    page.goto(f"{page.base_url}/admin/feedback/usertaskfeedback/task-performance/?days=28")
    for width in (1400, 1920):
        page.set_viewport_size({"width": width, "height": 1000})
        table = page.locator("#performance-table").bounding_box()
        assert table["x"] + table["width"] <= width  # no sideways scrolling for the table
        name = page.locator("#performance-table tbody td.name a").first.bounding_box()
        assert name["height"] < 40  # a task's name on at most two lines
    page.set_viewport_size({"width": 1400, "height": 1000})
    shoot(page, "task-performance-28-days")
