"""plan_items and user_task_feedback range-partitioned by month of scheduled_date (PostgreSQL).

SQLite and the Django state are unchanged: Django keeps `id` as each model's primary key,
while in PostgreSQL the keys include the partition key, as partitioned tables require:
PRIMARY KEY (id, scheduled_date); plan_items_position_unique (plan_id, position,
scheduled_date); user_task_feedback_one_per_plan_item (user_id, plan_item_id,
scheduled_date). Feedback copies its item's date, so these bind as before.

Feedback keeps its link to the item through a composite foreign key:
(plan_item_id, scheduled_date) -> plan_items (id, scheduled_date) ON DELETE SET NULL
(plan_item_id), so deleting items (replacing a plan) still clears only the link and the
feedback keeps its own date. MATCH SIMPLE: a feedback row whose link is already NULL is
not checked.

Non-atomic: each step commits on its own so that no exclusive lock is held during a scan
(core/partitions.py; README "Partitions and retention" has the measured lock times). A
failed run can be rerun: every step checks what is already done.
"""

from datetime import date

from django.db import migrations

from core import partitions

KEY = "scheduled_date"
ITEMS = "plan_items"
FEEDBACK = "user_task_feedback"
LINK = "user_task_feedback_plan_item_fk"
MONTHS_AHEAD = 3


def _upper(cursor) -> date:
    """The old tables become the partition of everything before this month: two months
    past today (or past the latest date stored), so writes during the migration fit."""
    latest = date.today()
    for table in (ITEMS, FEEDBACK):
        cursor.execute(f'SELECT max("{KEY}") FROM "{table}"')
        found = cursor.fetchone()[0]
        if found is not None and found > latest:
            latest = found
    return partitions.add_months(partitions.month_start(latest), 2)


def _link_feedback(cursor) -> None:
    cursor.execute(
        f'ALTER TABLE "{FEEDBACK}" ADD CONSTRAINT "{LINK}" '
        f'FOREIGN KEY ("plan_item_id", "{KEY}") REFERENCES "{ITEMS}" ("id", "{KEY}") '
        'ON DELETE SET NULL ("plan_item_id") DEFERRABLE INITIALLY DEFERRED NOT VALID'
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if partitions.is_partitioned(cursor, FEEDBACK):
            return
        # The scans below take minutes on a big table and block no one; the settings'
        # statement timeout (meant for requests) would cancel them. The exclusive step has
        # its own lock_timeout (core/partitions.py).
        cursor.execute("SET statement_timeout = 0")
        try:
            _partition(cursor)
        finally:
            cursor.execute("RESET statement_timeout")


def _partition(cursor) -> None:
    upper = _upper(cursor)
    if not partitions.is_partitioned(cursor, ITEMS):
        cursor.execute(
            f'SELECT count(*) FROM "{FEEDBACK}" f JOIN "{ITEMS}" i ON i.id = f.plan_item_id '
            f'WHERE f."{KEY}" <> i."{KEY}"'
        )
        mismatched = cursor.fetchone()[0]
        if mismatched:
            raise RuntimeError(
                f"{mismatched} feedback rows have a scheduled_date other than their plan "
                "item's; the composite foreign key needs them equal"
            )
        partitions.prepare(cursor, ITEMS, KEY, upper)
        partitions.convert(cursor, ITEMS, KEY, upper, MONTHS_AHEAD, after_attach=_link_feedback)
    else:
        upper = min(p.upper for p in partitions.partitions(cursor, ITEMS) if p.lower is None)
    # A scan of feedback with only SHARE UPDATE EXCLUSIVE: reads and writes go on.
    with partitions.timed_step(FEEDBACK, "validate the link to plan_items"):
        cursor.execute(f'ALTER TABLE "{FEEDBACK}" VALIDATE CONSTRAINT "{LINK}"')
    partitions.prepare(cursor, FEEDBACK, KEY, upper)
    partitions.convert(cursor, FEEDBACK, KEY, upper, MONTHS_AHEAD)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("feedback", "0008_drop_redundant_indexes"),
        ("routines", "0005_drop_redundant_indexes"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
