"""Seeding the shipped task library without overwriting what editors changed.

`loaddata task_library` writes every fixture row over the row with the same primary key,
so running it on each start undid editors' work. Seeding only inserts the shipped tasks
whose primary key is not in the library yet: an empty library gets all of them, an edited
one keeps every edit (including deactivations) and gains tasks added to the fixture since.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.serializers.base import DeserializationError
from django.db import transaction

from .models import Task

SHIPPED_LIBRARY = Path(settings.BASE_DIR) / "fixtures" / "task_library.json"


class SeedFileError(ValueError):
    """The fixture cannot be read, is not JSON, or holds something other than tasks."""


@dataclass(frozen=True, slots=True)
class SeedReport:
    added: list[str]  # names of the tasks inserted
    kept: int  # shipped tasks already present, left exactly as they are


def seed_library(path: Path = SHIPPED_LIBRARY) -> SeedReport:
    """Insert the shipped tasks that are missing, by primary key; touch nothing else."""
    shipped = _read_tasks(path)
    with transaction.atomic():
        present = set(
            Task.objects.filter(pk__in=[t.object.pk for t in shipped]).values_list("pk", flat=True)
        )
        added = []
        for row in shipped:
            if row.object.pk in present:
                continue
            row.object.full_clean()
            row.save()
            added.append(row.object.name)
    return SeedReport(added=added, kept=len(present))


def _read_tasks(path: Path) -> list:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        rows = list(serializers.deserialize("json", text))
    except DeserializationError as exc:
        raise SeedFileError(f"{path} is not a task fixture: {exc}") from exc
    others = sorted({type(r.object).__name__ for r in rows if not isinstance(r.object, Task)})
    if others:
        raise SeedFileError(f"{path} holds other models than tasks: {', '.join(others)}")
    return rows
