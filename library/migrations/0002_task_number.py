"""Every task gets a small stable number: logged slot propensities name tasks by it.

Shipped tasks get the number the fixture gives them, so a later `loaddata task_library`
writes the same number back; any other task gets an editor number (from 10001, oldest
first).
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

FIRST_EDITOR_NUMBER = 10_001
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "task_library.json"


def shipped_numbers() -> dict[str, int]:
    try:
        rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(row["pk"]): row["fields"]["number"] for row in rows if "number" in row["fields"]}


def number_tasks(apps, schema_editor) -> None:
    Task = apps.get_model("library", "Task")
    shipped = shipped_numbers()
    next_number = FIRST_EDITOR_NUMBER
    for task in Task.objects.order_by("created_at", "id"):
        if str(task.pk) in shipped:
            task.number = shipped[str(task.pk)]
        else:
            task.number, next_number = next_number, next_number + 1
        task.save(update_fields=["number"])


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="task",
            name="number",
            field=models.PositiveIntegerField(null=True, editable=False),
        ),
        migrations.RunPython(number_tasks, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="task",
            name="number",
            field=models.PositiveIntegerField(editable=False, unique=True),
        ),
    ]
