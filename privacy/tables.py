"""Which tables hold a user's rows, found in the database itself rather than listed.

Erasure must keep working as other rooms add tables (per-user totals, first-completion
facts, a propensity log), so nothing here names them. A table holds a user's rows when:

- it has a `user_id` column (our user ids are UUIDs from Supabase), except the staff
  tables whose `user_id` is a foreign key to Django's auth user (admin log, groups);
- or it points at one of the user's plans, time blocks or plan items: a column named
  `plan_id`, `time_block_id` or `plan_item_id`, or any foreign key of a model to those
  three models (e.g. a propensity log keyed by item, with no `user_id` of its own).

Each (table, column) gets its own statement; the plans' own tables come last so that rows
pointing at them go first (raw foreign keys need not be deferrable).
"""

import uuid
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

from core import sql_rows
from routines.models import Plan, PlanItem, TimeBlock

USER_COLUMN = "user_id"
# The user's plan, block and item ids, as subqueries over their own rows.
_PLAN_IDS = "SELECT id FROM {plans} WHERE user_id = %s"
_BLOCK_IDS = "SELECT id FROM {blocks} WHERE plan_id IN (" + _PLAN_IDS + ")"
_ITEM_IDS = "SELECT id FROM {items} WHERE user_id = %s"
_PARENT_OF = {"plan_id": Plan, "time_block_id": TimeBlock, "plan_item_id": PlanItem}

# Deleted last, children first: items point at blocks and plans, blocks at plans.
_PLAN_TABLES = [m._meta.db_table for m in (PlanItem, TimeBlock, Plan)]


@dataclass(frozen=True, slots=True)
class UserTable:
    table: str
    # (column, model the column points at, or None for the user's own id column)
    columns: tuple[tuple[str, type | None], ...]

    def deletes(self, user_id: uuid.UUID) -> list[tuple[str, list]]:
        """One DELETE per column, each an index range of its own column.

        Not one statement OR-ing the columns: PostgreSQL cannot use an index for an OR of
        subquery conditions and would scan the whole table, a cost growing with every
        user's history rather than this user's.
        """
        quote = connection.ops.quote_name
        user = sql_rows.param(Plan, "user_id", user_id)
        found = []
        for column, target in self.columns:
            if target is None:
                condition = "= %s"
            elif connection.vendor == "postgresql":
                # The ids first (an InitPlan), then an index scan for them: as a plain
                # IN (subquery) PostgreSQL may hash-join the whole table instead.
                condition = f"= ANY(ARRAY({_ids_of(target)}))"
            else:
                condition = f"IN ({_ids_of(target)})"
            sql = f"DELETE FROM {quote(self.table)} WHERE {quote(column)} {condition}"
            found.append((sql, [user]))
        return found


def _ids_of(model: type) -> str:
    """A subquery of the user's plan, block or item ids; one user id parameter."""
    names = {
        "plans": Plan._meta.db_table,
        "blocks": TimeBlock._meta.db_table,
        "items": PlanItem._meta.db_table,
    }
    sql = {Plan: _PLAN_IDS, TimeBlock: _BLOCK_IDS, PlanItem: _ITEM_IDS}[model]
    return sql.format(**names)


_COLUMNS_SQL = {
    # One statement per vendor, so finding the tables costs one query however many exist.
    "sqlite": (
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
        "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%%' AND p.name IN ({names}) "
        "ORDER BY 1, 2"
    ),
    "postgresql": (
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_name IN ({names}) ORDER BY 1, 2"
    ),
}


def user_tables() -> list[UserTable]:
    """Every table holding rows of some user, in the order erasure deletes them."""
    wanted = [USER_COLUMN, *_PARENT_OF]
    sql = _COLUMNS_SQL[connection.vendor].format(names=", ".join(["%s"] * len(wanted)))
    with connection.cursor() as cursor:
        cursor.execute(sql, wanted)
        found = cursor.fetchall()
    staff = _staff_tables()
    by_table: dict[str, dict[str, type | None]] = {}
    for table, column in found:
        if column == USER_COLUMN:
            if table not in staff:
                by_table.setdefault(table, {})[column] = None
        else:
            by_table.setdefault(table, {})[column] = _PARENT_OF[column]
    for table, column, target in _model_references():
        by_table.setdefault(table, {}).setdefault(column, target)
    ordered = [t for t in sorted(by_table) if t not in _PLAN_TABLES]
    ordered += [t for t in _PLAN_TABLES if t in by_table]
    return [
        # The user's own id first: it takes nearly every row, the references what is left.
        UserTable(table, tuple(sorted(by_table[table].items(), key=lambda c: c[0] != USER_COLUMN)))
        for table in ordered
        if by_table[table]
    ]


def _staff_tables() -> set[str]:
    """Tables whose `user_id` is a staff account (auth user), not an app user."""
    staff_model = get_user_model()
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            if field.column == USER_COLUMN and field.related_model is staff_model:
                tables.add(model._meta.db_table)
    return tables


def _model_references() -> list[tuple[str, str, type]]:
    """Foreign keys of any model to plans, blocks or items, whatever their column name."""
    found = []
    for parent in (Plan, TimeBlock, PlanItem):
        for relation in parent._meta.related_objects:
            field = relation.field
            if field.many_to_one or field.one_to_one:
                found.append((field.model._meta.db_table, field.column, parent))
    return found
