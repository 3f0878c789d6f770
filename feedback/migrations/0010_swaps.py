"""Swaps ("Not this one"): the outcome's flag on feedback, its count in the rollups.

On SQLite, adding a field with a default or a check constraint rebuilds the table from the
model, whose foreign key to plan_items cannot say ON DELETE SET NULL (migration 0004 wrote
it by hand): the rebuilt table would lose it, and replacing a plan would then fail on
feedback that points at its items. The clause is written back after the rebuild (and
after the rebuild that migrating backwards makes). PostgreSQL alters the table in place.
"""

import importlib

from django.db import migrations, models

_SET_NULL = importlib.import_module("feedback.migrations.0004_plan_item_set_null_in_database")


def restore_set_null(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _SET_NULL._sqlite(schema_editor, _SET_NULL.CLAUSE, _SET_NULL.SET_NULL_CLAUSE)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0009_partition_by_month"),
        ("library", "0002_task_number"),
        ("routines", "0008_plan_item_swaps"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_set_null),
        migrations.AddField(
            model_name="dailyoutcomerollup",
            name="swapped",
            field=models.PositiveIntegerField(default=0, db_default=0),
        ),
        migrations.AddField(
            model_name="usertaskfeedback",
            name="swapped",
            field=models.BooleanField(default=False, db_default=False),
        ),
        migrations.AddConstraint(
            model_name="usertaskfeedback",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("swapped", False),
                    models.Q(("completed", False), ("skipped", True)),
                    _connector="OR",
                ),
                name="user_task_feedback_swap_is_a_skip",
            ),
        ),
        migrations.RunPython(restore_set_null, migrations.RunPython.noop),
    ]
