"""Editors' pages in a real browser at 1400 px: edits survive reseeding, the import
preview shows its values, and every page touched for editors is screenshotted into
test-artifacts/ for a person (or CI) to look at."""

import csv
import io
import uuid
from datetime import date

import pytest
from django.core.management import call_command

from library.models import Task

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name: str) -> None:
    """The page as it is (1400 px wide) and again at 1920 px, full length."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editors-{name}.png"), full_page=True)
    size = page.viewport_size
    if size["width"] != 1920:
        page.set_viewport_size({"width": 1920, "height": size["height"]})
        page.screenshot(path=str(ARTIFACTS / f"editors-{name}-1920.png"), full_page=True)
        page.set_viewport_size(size)


def test_an_edit_survives_reseeding(editor_page):
    page = editor_page
    task = Task.objects.get(name="Sunset Walk")
    url = f"{page.base_url}/admin/library/task/{task.pk}/change/"
    page.goto(url)
    page.fill("#id_fit_peak_performer", "0.85")
    page.uncheck("#id_is_active")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    call_command("seed_library", verbosity=0)  # what `make run` does on every start

    page.goto(url)
    assert page.input_value("#id_fit_peak_performer") == "0.85"
    assert not page.is_checked("#id_is_active")
    task.refresh_from_db()
    assert task.archetype_fit["Peak Performer"] == 0.85 and not task.is_active


def _upload(page, tmp_path, rows: list[dict]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    upload = tmp_path / "library.csv"
    upload.write_text(out.getvalue())
    page.goto(f"{page.base_url}/admin/library/task/import/")
    page.set_input_files("input[type=file]", str(upload))
    page.select_option("select[name=format]", label="csv")
    page.click("input[type=submit]")


def test_import_preview_shows_the_values(editor_page, tmp_path):
    from library.resources import TaskResource

    rows = list(csv.DictReader(io.StringIO(TaskResource().export().csv)))
    walk = next(r for r in rows if r["name"] == "Sunset Walk")
    changed = walk | {"fit Peak Performer": "0.85"}
    new = walk | {
        "id": "",
        "name": "Balcony Stretch",
        "fit Peak Performer": "0.65",
        "mode low": "0.35",
        "tags": "gentle, indoor",
    }
    page = editor_page
    _upload(page, tmp_path, [changed, new])
    page.wait_for_selector("#import-preview")
    new_row = page.locator("#import-preview tr.new")
    assert new_row.is_visible()
    cells = new_row.locator("td").all_inner_texts()
    assert "Balcony Stretch" in cells and "0.65" in cells and "0.35" in cells
    assert "gentle, indoor" in cells
    changed_cell = page.locator("#import-preview tr.update .changed")
    assert changed_cell.count() == 1
    assert changed_cell.inner_text().replace("\u00a0", " ") == (
        f"{walk['fit Peak Performer']} → 0.85"
    )
    assert changed_cell.is_visible()
    # The change is also listed by column at the row's start, on screen without scrolling.
    listed = page.locator("#import-preview tr.update td.row-changes")
    assert listed.inner_text().replace("\u00a0", " ") == (
        f"fit Peak Performer: {walk['fit Peak Performer']} → 0.85"
    )
    box = listed.bounding_box()
    assert box["x"] + box["width"] <= 1400
    assert page.locator("#nav-sidebar").count() == 0  # the table gets the sidebar's width
    shoot(page, "import-preview")


def test_import_errors_are_readable_without_hovering(editor_page, tmp_path):
    from library.resources import TaskResource

    rows = list(csv.DictReader(io.StringIO(TaskResource().export().csv)))
    bad = next(r for r in rows if r["name"] == "Sunset Walk") | {"fit Peak Performer": "1.5"}
    page = editor_page
    _upload(page, tmp_path, [bad])
    errors = page.locator("#import-errors td.row-errors")
    errors.wait_for()
    assert errors.is_visible()
    assert "between 0.0 and 1.0" in errors.inner_text()
    shoot(page, "import-errors")


def test_import_preview_of_200_rows_stays_usable(editor_page, tmp_path):
    from library.resources import TaskResource

    rows = list(csv.DictReader(io.StringIO(TaskResource().export().csv)))
    fresh = [rows[0] | {"id": "", "name": f"Imported {n}"} for n in range(200)]
    page = editor_page
    # The dry run of 200 rows is the slowest page here: on a busy 2-core machine the upload
    # took over the default 15 s. The test is about the layout, not the time.
    page.set_default_timeout(90_000)
    _upload(page, tmp_path, fresh)
    page.wait_for_selector("#import-preview")
    assert page.locator("#import-preview tr.new").count() == 200
    # The confirm button stays on screen above the table; the table scrolls in its box.
    assert page.locator("input[name=confirm]").is_visible()
    box = page.locator(".preview-scroll").bounding_box()
    assert box["height"] <= 1000
    # Scrolled sideways to the last columns, each row still says which task it is.
    page.locator(".preview-scroll").evaluate("box => box.scrollBy(5000, 0)")
    name = page.locator("#import-preview tr.new td.import-type").first
    assert name.bounding_box()["x"] <= box["x"] + 1
    assert name.inner_text().endswith("Imported 0")
    shoot(page, "import-200-rows")


def test_screenshots_of_the_lists_profile_and_plan_pages(editor_page):
    from routines.services import generate_plan
    from tests.factories import FeedbackFactory, ProfileFactory

    page = editor_page
    page.goto(f"{page.base_url}/admin/")
    assert "HolisticOS editors" in page.locator("#site-name").inner_text()
    assert page.locator("a:text-is('View site')").count() == 0
    for tool in page.locator("#editor-tools th a").all():
        assert tool.bounding_box()["height"] < 30  # each tool's name on one line
    shoot(page, "index")

    page.goto(f"{page.base_url}/admin/library/task/")
    assert page.locator("#fit-legend").is_visible()
    # The name's link, not its cell: the cell is as tall as the row's two-line fit grid.
    name = page.locator("#result_list tbody tr th.field-name a").first
    assert name.bounding_box()["height"] < 40  # at most two lines, not three
    fits = page.locator("#result_list tbody tr td.field-archetype_fits").first.bounding_box()
    filters = page.locator("#changelist-filter").bounding_box()
    assert fits["x"] + fits["width"] <= filters["x"]  # the fit grid is not cut off
    shoot(page, "task-list")

    user = uuid.uuid4()
    profile = ProfileFactory(
        user_id=user,
        archetype="Peak Performer",
        profile_confidence=0.8,
        category_affinity={"movement": 0.8, "hydration": 0.4, "focus": 0.6},
        time_of_day_performance={"morning": 0.8, "afternoon": 0.5, "evening": 0.3},
        evidence={
            "overall": [6, 9],
            "category": {"movement": [4, 5], "hydration": [2, 4]},
            "time_of_day": {"morning": [5, 6], "evening": [1, 3]},
        },
    )
    stored = generate_plan(user, "Peak Performer", date(2026, 11, 24))
    FeedbackFactory(plan_item=stored.items[0], completed=True)
    FeedbackFactory(plan_item=stored.items[1], completed=False, skipped=True, skip_reason="no_time")

    page.goto(f"{page.base_url}/admin/profiles/userpreferenceprofile/{user}/change/")
    assert page.locator(".score-bar").count() >= 8
    shoot(page, "profile")
    page.click("a:text-is('Weekly summary')")
    page.wait_for_selector("#weekly-summary")
    shoot(page, "weekly-summary")

    page.goto(f"{page.base_url}/admin/routines/plan/{stored.plan.pk}/change/")
    assert page.locator("#plan-items tr.block-row").count() == 5
    assert page.locator("#plan-items .outcome-completed").count() == 1
    shoot(page, "plan")

    page.goto(
        f"{page.base_url}/admin/routines/plan/preview/?archetype=Peak+Performer&mode=high"
        f"&date=2026-11-25&wake_time=06:00&user_id={profile.user_id}"
    )
    page.wait_for_selector("#preview-plan")
    assert page.locator(".draw-explanation").count() >= 15
    shoot(page, "plan-preview")
