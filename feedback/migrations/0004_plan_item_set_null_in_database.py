"""Feedback outlives its plan item in the database itself: ON DELETE SET NULL.

Replacing a plan deletes its items with plain SQL (routines never touches feedback), so the
database, not Django's collector, must clear `plan_item_id` on the feedback that pointed at
them. Django 5.2 cannot declare a database-level ON DELETE, so the constraint is rewritten
here. PostgreSQL: the new constraint is added NOT VALID and validated afterwards, so the
table is locked only briefly. SQLite: the table is rebuilt with the clause (SQLite's
documented procedure for changing a constraint), keeping its rows and indexes.
"""

from django.db import migrations

TABLE = "user_task_feedback"
CLAUSE = 'REFERENCES "plan_items" ("id") DEFERRABLE INITIALLY DEFERRED'
SET_NULL_CLAUSE = 'REFERENCES "plan_items" ("id") ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED'


def _postgresql(schema_editor, on_delete: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname FROM pg_constraint c
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
             WHERE c.conrelid = %s::regclass AND c.contype = 'f' AND a.attname = 'plan_item_id'
            """,
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
        for name in names:
            cursor.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
        name = "user_task_feedback_plan_item_id_fk_plan_items_id"
        cursor.execute(
            f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" FOREIGN KEY (plan_item_id) '
            f"REFERENCES plan_items (id) {on_delete} DEFERRABLE INITIALLY DEFERRED NOT VALID"
        )
        cursor.execute(f'ALTER TABLE {TABLE} VALIDATE CONSTRAINT "{name}"')


def _sqlite(schema_editor, old: str, new: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        create_sql = cursor.fetchone()[0]
        if new in create_sql:
            return
        if old not in create_sql:
            raise RuntimeError(f"unexpected definition of {TABLE}: {create_sql}")
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [TABLE],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        temporary = f"new__{TABLE}"
        cursor.execute(
            create_sql.replace(old, new).replace(f'"{TABLE}"', f'"{temporary}"', 1)
        )
        cursor.execute(f'INSERT INTO "{temporary}" SELECT * FROM "{TABLE}"')
        cursor.execute(f'DROP TABLE "{TABLE}"')
        cursor.execute(f'ALTER TABLE "{temporary}" RENAME TO "{TABLE}"')
        for index_sql in indexes:
            cursor.execute(index_sql)


def set_null(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _postgresql(schema_editor, "ON DELETE SET NULL")
    elif vendor == "sqlite":
        _sqlite(schema_editor, CLAUSE, SET_NULL_CLAUSE)


def no_action(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _postgresql(schema_editor, "")
    elif vendor == "sqlite":
        _sqlite(schema_editor, SET_NULL_CLAUSE, CLAUSE)


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0003_profile_moves_to_profiles"),
        ("routines", "0002_plan_item_propensities"),
    ]

    operations = [migrations.RunPython(set_null, no_action)]
