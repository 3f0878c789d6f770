"""What a content editor does, in a real browser."""

import csv
import io

import pytest

from library.models import Task
from routines.models import Plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_fits(page, value: str = "0.6") -> None:
    for field in page.query_selector_all("input[name^='fit_'], input[name^='mode_fit_']"):
        field.fill(value)


def test_create_a_task_fix_a_bad_fit_and_save(editor_page):
    page = editor_page
    page.goto(f"{page.base_url}/admin/library/task/add/")
    page.fill("#id_name", "Balcony Stretch")
    page.fill("#id_description", "Five slow stretches on the balcony in the evening air.")
    page.select_option("#id_category", "movement")
    page.fill("#id_subcategory", "mobility")
    page.fill("#id_variation_group", "desk_mobility")
    page.fill("#id_duration_minutes", "5")
    page.fill("#id_tags_text", "outdoor, gentle")
    fill_fits(page)
    page.fill("#id_fit_peak_performer", "1.5")
    page.click("input[name=_save]")
    error = page.locator(".field-fit_peak_performer .errorlist")
    assert "Peak Performer: must be between 0 and 1." in error.inner_text()
    assert not Task.objects.filter(name="Balcony Stretch").exists()

    page.fill("#id_fit_peak_performer", "0.85")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    task = Task.objects.get(name="Balcony Stretch")
    assert task.archetype_fit["Peak Performer"] == 0.85
    assert task.tags == ["outdoor", "gentle"]


def test_filter_the_list(editor_page):
    page = editor_page
    page.goto(f"{page.base_url}/admin/library/task/")
    page.click("#changelist-filter a:text-is('Recovery')")
    page.wait_for_url("**category__exact=recovery**")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == Task.objects.filter(category="recovery").count()
    assert "Legs Up the Wall" in page.locator("#result_list").inner_text()
    assert "Morning Lemon Water" not in page.locator("#result_list").inner_text()


def test_duplicate_as_a_new_variation(editor_page):
    page = editor_page
    page.goto(f"{page.base_url}/admin/library/task/?q=Sunset+Walk")
    page.check("#result_list tbody input.action-select")
    page.select_option("select[name=action]", "duplicate_as_new_variation")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist .success")
    assert "Created 1 inactive variation" in page.locator(".messagelist").inner_text()
    copy = Task.objects.get(name="Sunset Walk (new variation)")
    assert not copy.is_active and copy.variation_group == "evening_outdoor"


def test_import_with_a_bad_row_shows_the_error_and_changes_nothing(editor_page, tmp_path):
    from library.resources import TaskResource

    rows = list(csv.DictReader(io.StringIO(TaskResource().export().csv)))
    good = next(r for r in rows if r["name"] == "Sunset Walk") | {"name": "Sunset Walk EDITED"}
    bad = next(r for r in rows if r["name"] == "Post-Lunch Walk") | {"fit Peak Performer": "1.5"}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows([good, bad])
    upload = tmp_path / "library.csv"
    upload.write_text(out.getvalue())

    page = editor_page
    page.goto(f"{page.base_url}/admin/library/task/import/")
    page.set_input_files("input[type=file]", str(upload))
    page.select_option("select[name=format]", label="csv")
    page.click("input[type=submit]")
    page.wait_for_selector("text=between 0.0 and 1.0")
    assert page.locator("input[name=confirm]").count() == 0 or not page.is_visible(
        "input[value='Confirm import']"
    )
    assert not Task.objects.filter(name="Sunset Walk EDITED").exists()


def test_plan_preview_shows_a_generated_plan(editor_page):
    page = editor_page
    page.click("#editor-tools a:text-is('Plan preview')")
    page.select_option("#id_archetype", "Connected Explorer")
    page.select_option("#id_mode", "high")
    page.fill("#id_date", "2026-11-25")
    page.click("input[value='Preview plan']")
    page.wait_for_selector("#preview-plan")
    text = page.locator("#preview-plan").inner_text()
    for block in ("Morning Block", "Peak Energy", "Midday", "Evening", "Wind Down"):
        assert block in text
    assert page.locator(".planned-task").count() == 20
    assert page.locator("tr.chosen").count() == 20
    assert not Plan.objects.exists()
