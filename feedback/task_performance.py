"""The task performance page's figures: per task or per variation group over a window of
days, with the outcome model's counts, read from the daily rollups.

`task_performance` costs two queries whatever the history: the window's rollup rows
grouped by task (`feedback.rollup_reads.task_outcomes`) and the library's task labels
(`library.selectors.task_labels`). Merging and sorting are pure functions of plain data.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from django.db import models

from library.selectors import TaskLabel, task_labels

from .rollup_reads import COUNT_COLUMNS, OutcomeTotals, add_totals, task_outcomes

WINDOW_DAYS = (7, 28, 90)
MAX_WINDOW_DAYS = 366  # a from/to window longer than a year is refused, not slowly served
DEFAULT_SORT = "-planned"
STATIC_LABEL = "Static plan items (no library task)"
DELETED_LABEL = "Task deleted since"


class View(models.TextChoices):
    TASK = "task", "Per task"
    GROUP = "group", "Per variation group"


@dataclass(frozen=True, slots=True)
class PerformanceQuery:
    since: date
    until: date
    view: str = View.TASK
    archetype: str | None = None
    readiness_mode: str | None = None
    category: str | None = None
    variation_group: str | None = None
    sort: str = DEFAULT_SORT


@dataclass(frozen=True, slots=True)
class PerformanceRow:
    """One line of the page: a task (or a variation group) and its totals."""

    label: str
    category: str
    variation_group: str
    task_id: uuid.UUID | None  # None for a variation group, or static plan items
    is_active: bool
    tasks: int  # library tasks behind the line (1 for a task)
    totals: OutcomeTotals

    def share(self, kind: str) -> float:
        """The part of the outcomes of this kind (completed, skipped, ...), 0..1."""
        outcomes = self.totals.outcomes
        return self.totals.of_kind(kind) / outcomes if outcomes else 0.0

    @property
    def segments(self) -> list[tuple[str, int, float]]:
        """The chart's stacked bar: (kind, count, percent of outcomes) per outcome kind."""
        kinds = dict.fromkeys(c.kind for c in COUNT_COLUMNS if c.is_outcome)
        return [(k, self.totals.of_kind(k), round(100 * self.share(k), 1)) for k in kinds]


@dataclass(frozen=True, slots=True)
class PerformanceReport:
    query: PerformanceQuery
    rows: list[PerformanceRow]
    overall: OutcomeTotals


@dataclass(frozen=True, slots=True)
class CountCell:
    """A count column of the page: a rollup column, or the total of a kind that has several
    (skipped, by reason), shown under `group` before its parts."""

    key: str
    label: str
    group: str | None
    value: Callable[[OutcomeTotals], int]


def _count_cells() -> tuple[CountCell, ...]:
    cells = []
    for kind, columns in groupby(COUNT_COLUMNS, key=lambda c: c.kind):
        columns = list(columns)
        if len(columns) == 1:
            column = columns[0]
            cells.append(
                CountCell(column.field, column.label, None, lambda t, f=column.field: t.count(f))
            )
            continue
        group = kind.capitalize()
        cells.append(CountCell(kind, "All", group, lambda t, k=kind: t.of_kind(k)))
        cells += [
            CountCell(c.field, c.label, group, lambda t, f=c.field: t.count(f)) for c in columns
        ]
    return tuple(cells)


COUNT_CELLS = _count_cells()

SORT_KEYS: dict[str, Callable[[PerformanceRow], object]] = {
    "name": lambda r: r.label.lower(),
    "category": lambda r: (r.category, r.variation_group, r.label.lower()),
    "group": lambda r: (r.variation_group, r.label.lower()),
    **{cell.key: (lambda r, v=cell.value: v(r.totals)) for cell in COUNT_CELLS},
    "completion_rate": lambda r: r.totals.completion_rate,
    "average_rating": lambda r: r.totals.average_rating,
}


def parse_sort(sort: str) -> tuple[str, bool]:
    """("planned", True) for "-planned"; an unknown key falls back to the default."""
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    if key not in SORT_KEYS:
        return parse_sort(DEFAULT_SORT)
    return key, descending


def sort_rows(rows: list[PerformanceRow], sort: str) -> list[PerformanceRow]:
    """Rows by one column, either way; rows without a value (no rating, no outcomes) last
    both ways, and ties by name so the order is stable."""
    key, descending = parse_sort(sort)
    value = SORT_KEYS[key]
    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    present.sort(key=lambda r: r.label.lower())
    present.sort(key=value, reverse=descending)
    return present + sorted(missing, key=lambda r: r.label.lower())


def rows_by_task(
    totals: list[OutcomeTotals], labels: dict[uuid.UUID, TaskLabel]
) -> list[PerformanceRow]:
    """One row per library task (its rollup rows differ by variation group and category:
    feedback whose item was replaced has no group), idle inactive tasks left out; static
    plan items and deleted tasks get rows of their own."""
    parts: dict[uuid.UUID | None, list[OutcomeTotals]] = defaultdict(list)
    for total in totals:
        parts[total.task_library_id].append(total)
    rows = []
    for task_id, label in labels.items():
        mine = parts.pop(task_id, [])
        if not mine and not label.is_active:
            continue
        rows.append(
            PerformanceRow(
                label=label.name,
                category=label.category,
                variation_group=label.variation_group,
                task_id=task_id,
                is_active=label.is_active,
                tasks=1,
                totals=add_totals(mine, category=label.category, task_library_id=task_id),
            )
        )
    for static in parts.pop(None, []):
        rows.append(
            PerformanceRow(
                label=STATIC_LABEL,
                category=static.category or "",
                variation_group=static.variation_group or "",
                task_id=None,
                is_active=True,
                tasks=0,
                totals=static,
            )
        )
    for task_id, mine in parts.items():
        rows.append(
            PerformanceRow(
                label=DELETED_LABEL,
                category=mine[0].category or "",
                variation_group=next((p.variation_group for p in mine if p.variation_group), ""),
                task_id=task_id,
                is_active=False,
                tasks=1,
                totals=add_totals(mine, category=mine[0].category, task_library_id=task_id),
            )
        )
    return rows


def rows_by_group(
    totals: list[OutcomeTotals], labels: dict[uuid.UUID, TaskLabel]
) -> list[PerformanceRow]:
    """One row per variation group: the group an item was planned in, or for feedback whose
    item was replaced (no group recorded) the task's group in the library now."""
    parts: dict[str, list[OutcomeTotals]] = defaultdict(list)
    categories: dict[str, str] = {}
    members: dict[str, list[TaskLabel]] = defaultdict(list)
    for label in labels.values():
        members[label.variation_group].append(label)
        categories[label.variation_group] = label.category
    for total in totals:
        label = labels.get(total.task_library_id) if total.task_library_id else None
        group = total.variation_group or (label.variation_group if label else "")
        parts[group].append(total)
        categories.setdefault(group, total.category or "")
    rows = []
    live = {group for group, tasks in members.items() if any(t.is_active for t in tasks)}
    for group in set(parts) | live:
        tasks = members.get(group, [])
        rows.append(
            PerformanceRow(
                label=group or "(no group recorded)",
                category=categories.get(group, ""),
                variation_group=group,
                task_id=None,
                is_active=any(t.is_active for t in tasks),
                tasks=len(tasks),
                totals=add_totals(parts.get(group, []), category=categories.get(group)),
            )
        )
    return rows


def build_rows(
    totals: list[OutcomeTotals], labels: dict[uuid.UUID, TaskLabel], query: PerformanceQuery
) -> list[PerformanceRow]:
    rows = (rows_by_group if query.view == View.GROUP else rows_by_task)(totals, labels)
    if query.variation_group:
        rows = [r for r in rows if r.variation_group == query.variation_group]
    return sort_rows(rows, query.sort)


def task_performance(query: PerformanceQuery) -> PerformanceReport:
    """The page's rows and their overall totals. Two queries."""
    totals = task_outcomes(
        query.since,
        query.until,
        archetype=query.archetype,
        readiness_mode=query.readiness_mode,
        category=query.category,
    )
    labels = task_labels(query.category)
    rows = build_rows(totals, labels, query)
    return PerformanceReport(query, rows, add_totals(r.totals for r in rows))
