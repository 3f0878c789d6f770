"""Hand-written SQL for hot paths, with the ORM's own value handling.

Compiling a queryset costs ~0.4 ms of CPU on our 2-core machine, more than PostgreSQL
spends running the query; recording one feedback runs six statements on the request
path. Those statements are written once here as SQL, while parameters and results go
through the same field methods and backend converters the ORM uses, so they work
unchanged on SQLite and PostgreSQL and give back the Python values a queryset would.
Use it only where a benchmark shows the compiler is the cost (docs/performance.md).

On PostgreSQL these statements also skip the planner after their first runs on a
connection: `cursor()` binds parameters server-side, and psycopg prepares what it
executes (settings: DATABASE_PREPARED_STATEMENTS). The ORM's own queries bind
client-side, as Django's default, and are never prepared.
"""

from collections.abc import Sequence
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import DEFERRED, Model


def cursor():
    """A Django cursor (errors wrapped, queries logged and counted) for the SQL written here."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = _server_binding_cursor_class()(connection.connection)
    if connection.queries_logged:
        return _PreparedDebugCursor(raw, connection)
    return connection.make_cursor(raw)


class _PreparedDebugCursor(CursorDebugWrapper):
    """Logs each statement as written: psycopg keeps no query text for a prepared one."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


@cache
def _server_binding_cursor_class():
    """psycopg's server-binding cursor, preparing what it runs, with the query metrics."""
    from django.db.backends.postgresql.base import ServerBindingCursor
    from django_prometheus.db.common import ExportingCursorWrapper

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            if not settings.DATABASE_PREPARED_STATEMENTS:
                return super().execute(query, params, **kwargs)
            # Preparing is switched on for this statement only. Left on for the connection,
            # psycopg would also keep the text of every ORM query in its prepare cache (up
            # to 100 of them, a nightly batch's inserts among them) without ever preparing
            # one: the ORM binds client-side.
            conn = self.connection
            previous = conn.prepare_threshold
            conn.prepare_threshold = 0 if previous is None else previous
            try:
                return super().execute(query, params, prepare=True, **kwargs)
            finally:
                conn.prepare_threshold = previous

    return ExportingCursorWrapper(PreparingCursor, connection.alias, connection.vendor)


def columns(model: type[Model], alias: str, names: Sequence[str]) -> str:
    """`alias.col1, alias.col2, ...` for the named fields of a model."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(model._meta.get_field(n).column)}" for n in names)


def param(model: type[Model], name: str, value):
    """A Python value as a query parameter for the named field (e.g. a UUID on SQLite)."""
    return model._meta.get_field(name).get_db_prep_value(value, connection)


@cache
def _shape(model: type[Model], names: tuple[str, ...], alias: str, vendor: str) -> tuple:
    """Per field: its attname, its column expression and the converters the ORM applies."""
    shape = []
    for name in names:
        field = model._meta.get_field(name)
        col = field.get_col("t")  # a foreign key converts like the field it points to
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        shape.append((field.attname, col, tuple(converters)))
    return tuple(shape)


def python_values(model: type[Model], names: Sequence[str], row: Sequence) -> list:
    """Database values of the named fields as the ORM would return them."""
    values = []
    shape = _shape(model, tuple(names), connection.alias, connection.vendor)
    for (_, col, converters), value in zip(shape, row, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        values.append(value)
    return values


def instance(model: type[Model], names: Sequence[str], row: Sequence) -> Model:
    """A model instance loaded from a hand-written SELECT; fields not named stay deferred."""
    shape = _shape(model, tuple(names), connection.alias, connection.vendor)
    attnames = [attname for attname, _, _ in shape]
    loaded = dict(zip(attnames, python_values(model, names, row), strict=True))
    ordered = [loaded.get(f.attname, DEFERRED) for f in model._meta.concrete_fields]
    return model.from_db(connection.alias, attnames, ordered)


def insert(objs: Sequence[Model]) -> None:
    """INSERT new instances in one statement: what bulk_create does for a few rows."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = meta.concrete_fields
    rows, params = [], []
    for obj in objs:
        for field in fields:
            params.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
        rows.append("(" + ", ".join(["%s"] * len(fields)) + ")")
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) VALUES "
    with cursor() as db:
        db.execute(sql + ", ".join(rows), params)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def update(obj: Model, names: Sequence[str]) -> None:
    """UPDATE the named fields of one saved instance (auto_now fields are stamped)."""
    meta = type(obj)._meta
    fields = [meta.get_field(n) for n in names]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(f.pre_save(obj, add=False), connection) for f in fields]
    params.append(meta.pk.get_db_prep_value(obj.pk, connection))
    sql = (
        f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} "
        f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s"
    )
    with cursor() as db:
        db.execute(sql, params)


def update_many(objs: Sequence[Model], names: Sequence[str]) -> None:
    """UPDATE the named fields of many saved instances: one statement, executed per row.

    What bulk_update does, without its CASE WHEN per field and row: compiling that for a
    nightly batch of 200 profiles cost seconds of CPU. psycopg pipelines the executions.
    """
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [meta.get_field(n) for n in names]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} "
        f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(f.pre_save(obj, add=False), connection) for f in fields]
        + [meta.pk.get_db_prep_value(obj.pk, connection)]
        for obj in objs
    ]
    with cursor() as db:
        db.executemany(sql, params)
