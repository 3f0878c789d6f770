"""Monthly range partitions on PostgreSQL: converting a live table, adding months ahead.

The big history tables (plan_items, user_task_feedback) are partitioned by month of their
`scheduled_date` so that retention drops a whole month instead of deleting row by row,
and date-window reads touch only the months they name. SQLite has no partitions; callers
check `connection.vendor` and these functions are PostgreSQL-only.

Converting an existing table (`convert`) holds an exclusive lock only for catalog
changes, never for a scan of the rows:

1. outside any transaction: a NOT VALID check that every row is before `upper`, then
   VALIDATE (a scan that lets reads and writes go on), and the unique indexes the
   partitioned parent needs (a partition's unique keys must contain the partition key)
   built CONCURRENTLY;
2. in one short transaction: rename the table, create the parent `LIKE` it (so it follows
   whatever columns the table has), give the parent the same indexes, keys and foreign
   keys, and ATTACH the old table as the partition for everything before `upper`. The
   validated check proves the bound, so ATTACH skips its scan; its indexes and foreign
   keys match the parent's and are adopted, not rebuilt.

A DEFAULT partition catches rows past the last month created, so a missed nightly run
never makes a write fail. It is kept empty by creating months ahead (`ensure_months`); a
month whose dates already sit in the default is not created (it is reported), and those
rows stay correct, only unpruned.
"""

import hashlib
import logging
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.db import transaction

log = logging.getLogger(__name__)
LOCK_TIMEOUT_MS = 10_000


@contextmanager
def timed_step(table: str, what: str):
    """Log how long a step took: the operator's answer to "how long was it locked?"."""
    started = time.monotonic()
    yield
    log.info("partitioning %s: %s took %.3f s", table, what, time.monotonic() - started)


_BOUND = re.compile(r"FROM \((?:'([\d-]+)'|MINVALUE)\) TO \((?:'([\d-]+)'|MAXVALUE)\)")


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y_%m}"


@dataclass(frozen=True, slots=True)
class Partition:
    name: str
    lower: date | None  # None: MINVALUE (or the default partition)
    upper: date | None  # None: MAXVALUE (or the default partition)
    is_default: bool


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table])
    return cursor.fetchone() is not None


def partitions(cursor, table: str) -> list[Partition]:
    """The table's partitions, the default last, the others by their lower bound."""
    cursor.execute(
        """
        SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = to_regclass(%s)
        """,
        [table],
    )
    found = []
    for name, bound in cursor.fetchall():
        if bound == "DEFAULT":
            found.append(Partition(name, None, None, True))
            continue
        lower, upper = _BOUND.search(bound).groups()
        found.append(
            Partition(
                name,
                date.fromisoformat(lower) if lower else None,
                date.fromisoformat(upper) if upper else None,
                False,
            )
        )
    return sorted(found, key=lambda p: (p.is_default, p.lower or date.min))


def ensure_months(cursor, table: str, key: str, through: date) -> tuple[list[str], list[str]]:
    """Create monthly partitions after the last one until the month of `through` is covered.

    Returns (created, problems). Idempotent: an existing month is never touched.
    """
    existing = partitions(cursor, table)
    ranges = [p for p in existing if not p.is_default]
    default = next((p.name for p in existing if p.is_default), None)
    created: list[str] = []
    if not ranges or ranges[-1].upper is None:
        return created, []
    month = ranges[-1].upper
    while month <= through:
        following = add_months(month, 1)
        if default is not None:
            cursor.execute(
                f'SELECT 1 FROM "{default}" WHERE "{key}" >= %s AND "{key}" < %s LIMIT 1',
                [month, following],
            )
            if cursor.fetchone():
                # Later months cannot be created either: ranges must stay contiguous.
                return created, [f"{table}: rows for {month:%Y-%m} are in {default}; not created"]
        name = partition_name(table, month)
        cursor.execute(
            f'CREATE TABLE "{name}" PARTITION OF "{table}" FOR VALUES FROM (%s) TO (%s)',
            [month, following],
        )
        created.append(name)
        month = following
    return created, []


def _short(name: str, suffix: str) -> str:
    """A partition's own name for an index or constraint (PostgreSQL names stop at 63)."""
    full = f"{name}_{suffix}"
    if len(full) <= 63:
        return full
    return f"{name}_{hashlib.md5(suffix.encode()).hexdigest()[:8]}"


def _keys(cursor, table: str) -> list[tuple[str, str, list[str]]]:
    """(name, 'p' or 'u', columns) of the table's primary key and unique constraints."""
    cursor.execute(
        """
        SELECT c.conname, c.contype,
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                      ORDER BY k.o)
          FROM pg_constraint c
         WHERE c.conrelid = to_regclass(%s) AND c.contype IN ('p', 'u')
         ORDER BY c.contype, c.conname
        """,
        [table],
    )
    return [(name, kind, list(columns)) for name, kind, columns in cursor.fetchall()]


def _plain_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of indexes that back no constraint."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
          FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
         WHERE x.indrelid = to_regclass(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
         ORDER BY 1
        """,
        [table],
    )
    return cursor.fetchall()


def _foreign_keys(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype = 'f' AND conparentid = 0 ORDER BY 1",
        [table],
    )
    return cursor.fetchall()


def _columns(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def prepare(cursor, table: str, key: str, upper: date) -> None:
    """Step 1, outside a transaction: prove the bound and build the keyed unique indexes.

    Safe to rerun: what exists is kept.
    """
    old = f"{table}_p_before_{upper:%Y_%m}"
    check = _short(old, "bound")
    cursor.execute(
        "SELECT convalidated FROM pg_constraint WHERE conrelid = to_regclass(%s) AND conname = %s",
        [table, check],
    )
    row = cursor.fetchone()
    if row is None:
        cursor.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{check}" '
            f'CHECK ("{key}" IS NOT NULL AND "{key}" < \'{upper.isoformat()}\') NOT VALID'
        )
    if row is None or not row[0]:
        with timed_step(table, "validate the bound (SHARE UPDATE EXCLUSIVE: reads, writes go on)"):
            cursor.execute(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{check}"')
    for name, _kind, columns in _keys(cursor, table):
        if key in columns:
            continue
        index = _short(old, name)
        cursor.execute(f'DROP INDEX IF EXISTS "{index}"')  # a CONCURRENTLY build that failed
        with timed_step(table, f"build {index} concurrently (no lock on writes)"):
            cursor.execute(
                f'CREATE UNIQUE INDEX CONCURRENTLY "{index}" ON "{table}" '
                f"({_columns([*columns, key])})"
            )


def convert(cursor, table: str, key: str, upper: date, months_ahead: int, after_attach=None) -> str:
    """Step 2, one short transaction: make `table` a partitioned table of its old self.

    `after_attach(cursor)` runs inside the same transaction (to re-point foreign keys that
    referenced the old table). Returns the old table's new name.
    """
    old = f"{table}_p_before_{upper:%Y_%m}"
    check = _short(old, "bound")
    with (
        timed_step(table, "swap in the partitioned table (ACCESS EXCLUSIVE)"),
        transaction.atomic(),
    ):
        # Waiting for the lock queues every other query behind us: give up instead (a
        # rerun continues where this stopped).
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
        keys = _keys(cursor, table)
        foreign_keys = _foreign_keys(cursor, table)
        # Incoming foreign keys point at the old table's id; the caller re-creates them.
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE confrelid = to_regclass(%s) AND contype = 'f' AND conparentid = 0",
            [table],
        )
        for referencing, name in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{referencing}" DROP CONSTRAINT "{name}"')
        for name, kind, columns in keys:
            if key in columns:  # already valid on the parent: the partition's copy is renamed
                cursor.execute(
                    f'ALTER TABLE "{table}" RENAME CONSTRAINT "{name}" TO "{_short(old, name)}"'
                )
                continue
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            index = _short(old, name)
            kind_sql = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            cursor.execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{index}" {kind_sql} USING INDEX "{index}"'
            )
        indexes = _plain_indexes(cursor, table)  # now without the keyed unique indexes
        for name, _definition in indexes:
            cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{_short(old, name)}"')
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        cursor.execute(
            f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS) '
            f'PARTITION BY RANGE ("{key}")'
        )
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{check}"')
        for name, kind, columns in keys:
            keyed = columns if key in columns else [*columns, key]
            kind_sql = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            cursor.execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {kind_sql} ({_columns(keyed)})'
            )
        for _name, definition in indexes:
            # The definition names the parent's name (the table's, before the rename).
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            f'ALTER TABLE "{table}" ATTACH PARTITION "{old}" FOR VALUES FROM (MINVALUE) TO (%s)',
            [upper],
        )
        cursor.execute(f'ALTER TABLE "{old}" DROP CONSTRAINT "{check}"')
        cursor.execute(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT')
        ensure_months(cursor, table, key, add_months(upper, months_ahead - 1))
        if after_attach is not None:
            after_attach(cursor)
    return old
