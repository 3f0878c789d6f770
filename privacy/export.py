"""Everything held about one user, as one JSON document written piece by piece.

The document is produced as a stream of text chunks, one per page of rows, so memory holds
one page at a time however long the user's history: plans a few weeks per page (with
their blocks, items and each item's outcome), feedback and other rows a few hundred per
page, each page found by keyset (the last date or key seen), so every page is an index
range and a late page costs what the first does. The API streams the chunks; the
`export_user_data` command writes the same chunks to a file.
"""

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from functools import cache

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from rest_framework.serializers import Serializer

from feedback.models import UserTaskFeedback
from feedback.outcomes import item_outcomes, state_without_outcome
from profiles.models import UserPreferenceProfile
from profiles.selectors import get_profile, local_today
from routines.models import Plan, PlanItem, TaskRotationState, TimeBlock

from .explanations import PROFILE_FIELDS
from .serializers import (
    FeedbackExportSerializer,
    PlanExportSerializer,
    ProfileExportSerializer,
    RotationExportSerializer,
)
from .tables import user_tables

PLANS_PER_PAGE = 28
ROWS_PER_PAGE = 500

# Tables with a section of their own; any other table found by privacy.tables goes to
# `other_tables`, so a table added later is exported as soon as it is erased.
_SECTIONED = {
    m._meta.db_table
    for m in (UserPreferenceProfile, Plan, TimeBlock, PlanItem, UserTaskFeedback, TaskRotationState)
}


def export_chunks(user_id: uuid.UUID, now: datetime | None = None) -> Iterator[str]:
    """The export document of one user, as text chunks to be written in order."""
    now = now or timezone.now()
    profile = get_profile(user_id)
    today = local_today(profile, now)
    head = {
        "user_id": str(user_id),
        "exported_at": now.isoformat(),
        "profile": _row(ProfileExportSerializer, profile) if profile is not None else None,
        "profile_explained": PROFILE_FIELDS,
    }
    yield _dumps(head)[:-1]  # the object stays open for the sections below
    yield ', "rotation_state": '
    yield from _array(_rotation_pages(user_id))
    yield ', "plans": '
    yield from _array(_plan_pages(user_id, today))
    yield ', "feedback": '
    yield from _array(_feedback_pages(user_id))
    yield ', "other_tables": {'
    for index, (table, pages) in enumerate(_other_tables(user_id)):
        yield (", " if index else "") + _dumps(table) + ": "
        yield from _array(pages)
    yield "}}\n"


def _rows(serializer: type[Serializer], instances: list) -> list[dict]:
    """The rows as the serializer writes them, through one serializer object per class.

    A serializer made per page (`many=True`) is a reference cycle (its fields point back
    at it) holding the page's rows, freed only by the next full garbage collection: peak
    memory grew with the pages read. One instance, kept for the process, holds no rows.
    """
    return [_one(serializer).to_representation(instance) for instance in instances]


def _row(serializer: type[Serializer], instance) -> dict:
    return _one(serializer).to_representation(instance)


@cache
def _one(serializer: type[Serializer]) -> Serializer:
    return serializer()


def _dumps(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _array(pages: Iterable[list]) -> Iterator[str]:
    """A JSON array written one page of rows at a time."""
    yield "["
    first = True
    for rows in pages:
        if rows:
            yield ("" if first else ", ") + ", ".join(_dumps(row) for row in rows)
            first = False
    yield "]"


def _plan_pages(user_id: uuid.UUID, today: date) -> Iterator[list]:
    """Plans oldest first, PLANS_PER_PAGE at a time: four bounded queries a page."""
    after: date | None = None
    while True:
        plans_query = Plan.objects.filter(user_id=user_id).order_by("date")
        if after is not None:
            plans_query = plans_query.filter(date__gt=after)
        plans = list(plans_query[:PLANS_PER_PAGE])
        if not plans:
            return
        ids = [plan.id for plan in plans]
        blocks = TimeBlock.objects.filter(plan_id__in=ids).order_by("plan_id", "position")
        items = list(PlanItem.objects.filter(plan_id__in=ids).order_by("plan_id", "position"))
        _attach_outcomes(user_id, items, today)
        by_plan = {plan.id: plan for plan in plans}
        for plan in plans:
            plan.export_blocks, plan.export_items = [], []
        for block in blocks:
            by_plan[block.plan_id].export_blocks.append(block)
        for item in items:
            by_plan[item.plan_id].export_items.append(item)
        yield _rows(PlanExportSerializer, plans)
        if len(plans) < PLANS_PER_PAGE:
            return
        after = plans[-1].date


def _attach_outcomes(user_id: uuid.UUID, items: list[PlanItem], today: date) -> None:
    """Each item's outcome, read for the page's days only (feedback.outcomes decides)."""
    if not items:
        return
    days = [item.scheduled_date for item in items]
    found = {
        outcome.item_id: outcome.group.state
        for outcome in item_outcomes([user_id], min(days), today, until=max(days))
    }
    for item in items:
        item.export_outcome = found.get(item.id) or state_without_outcome(
            item.scheduled_date, today
        )


def _feedback_pages(user_id: uuid.UUID) -> Iterator[list]:
    """Feedback oldest first, keyset on (scheduled_date, id): the (user, date) index range."""
    rows = UserTaskFeedback.objects.filter(user_id=user_id).order_by("scheduled_date", "id")
    last: UserTaskFeedback | None = None
    while True:
        page = rows
        if last is not None:
            # The date bound alone is the index range; the id only breaks ties within it.
            page = rows.filter(scheduled_date__gte=last.scheduled_date).filter(
                Q(scheduled_date__gt=last.scheduled_date) | Q(id__gt=last.id)
            )
        found = list(page[:ROWS_PER_PAGE])
        if not found:
            return
        yield _rows(FeedbackExportSerializer, found)
        if len(found) < ROWS_PER_PAGE:
            return
        last = found[-1]


def _rotation_pages(user_id: uuid.UUID) -> Iterator[list]:
    rows = TaskRotationState.objects.filter(user_id=user_id).order_by("variation_group")
    for page in _keyset_pages(rows, "variation_group"):
        yield _rows(RotationExportSerializer, page)


def _keyset_pages(rows: QuerySet, key: str) -> Iterator[list]:
    """`rows` (ordered by the unique `key`) ROWS_PER_PAGE at a time, each after the last."""
    after = None
    while True:
        page = rows if after is None else rows.filter(**{f"{key}__gt": after})
        found = list(page[:ROWS_PER_PAGE])
        if not found:
            return
        yield found
        if len(found) < ROWS_PER_PAGE:
            return
        last = found[-1]
        after = last[key] if isinstance(last, dict) else getattr(last, key)


def _other_tables(user_id: uuid.UUID) -> Iterator[tuple[str, Iterator[list]]]:
    """Rows of the tables without a section of their own, model by model, keyset on pk.

    A table without a Django model is erased (privacy.tables) but not exported: every
    table of ours has a model; the README says so.
    """
    models = {m._meta.db_table: m for m in apps.get_models()}
    for table in user_tables():
        model = models.get(table.table)
        if table.table in _SECTIONED or model is None:
            continue
        yield table.table, _model_pages(model, _mine(model, table.columns, user_id))


def _mine(model: type[Model], columns, user_id: uuid.UUID) -> Q:
    by_column = {field.column: field for field in model._meta.concrete_fields}
    subqueries = {
        Plan: Plan.objects.filter(user_id=user_id).values("pk"),
        TimeBlock: TimeBlock.objects.filter(plan__user_id=user_id).values("pk"),
        PlanItem: PlanItem.objects.filter(user_id=user_id).values("pk"),
    }
    condition = Q(pk__in=[])
    for column, target in columns:
        name = by_column[column].attname
        if target is None:
            condition |= Q(**{name: user_id})
        else:
            condition |= Q(**{f"{name}__in": subqueries[target]})
    return condition


def _model_pages(model: type[Model], condition: Q) -> Iterator[list]:
    key = model._meta.pk.attname
    rows = model._default_manager.filter(condition).order_by(key).values()
    return _keyset_pages(rows, key)
