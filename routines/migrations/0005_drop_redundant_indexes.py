"""Drop indexes no query needs (issue 18, item 3).

- plan_items: two indexes on task_library_id (Django's foreign key index and a named
  twin); (policy, scheduled_date), which no query filters by (evaluation filters by date
  and user); plan_id alone, the prefix of plan_items_position_unique (plan_id, position).
- time_blocks: plan_id alone, the prefix of time_blocks_position_unique.

The foreign keys lose their own index in the state only; in the database just the index is
dropped (AlterField would drop and re-add the constraint, re-validating a big table under
an exclusive lock).
"""

from django.db import migrations, models
import django.db.models.deletion

# Django's generated names for the foreign keys' indexes (same on SQLite and PostgreSQL).
PLAN_ITEMS_PLAN = "plan_items_plan_id_e5fc28ac"
TIME_BLOCKS_PLAN = "time_blocks_plan_id_a36f134e"


class Migration(migrations.Migration):

    dependencies = [
        ('routines', '0004_plan_items_slot_log'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='planitem',
            name='idx_plan_items_task_library_id',
        ),
        migrations.RemoveIndex(
            model_name='planitem',
            name='idx_plan_items_policy_date',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='planitem',
                    name='plan',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='items', to='routines.plan'),
                ),
                migrations.AlterField(
                    model_name='timeblock',
                    name='plan',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='time_blocks', to='routines.plan'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{PLAN_ITEMS_PLAN}"',
                    f'CREATE INDEX "{PLAN_ITEMS_PLAN}" ON "plan_items" ("plan_id")',
                ),
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{TIME_BLOCKS_PLAN}"',
                    f'CREATE INDEX "{TIME_BLOCKS_PLAN}" ON "time_blocks" ("plan_id")',
                ),
            ],
        ),
    ]
