from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from library.seeding import SHIPPED_LIBRARY, SeedFileError, seed_library

USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Add the shipped task library's missing tasks (by primary key) and leave every "
        "existing task as editors left it. `loaddata task_library` instead overwrites "
        "existing tasks with the shipped versions."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--fixture",
            type=Path,
            default=SHIPPED_LIBRARY,
            help=f"a task fixture in Django's JSON format (default {SHIPPED_LIBRARY.name})",
        )

    def handle(self, *args, **options) -> None:
        try:
            report = seed_library(options["fixture"])
        except SeedFileError as exc:
            raise CommandError(f"--fixture: {exc}", returncode=USAGE_ERROR) from exc
        except ValidationError as exc:
            raise CommandError(f"--fixture: invalid task: {'; '.join(exc.messages)}") from exc
        self.stdout.write(
            f"Task library: {len(report.added)} shipped task(s) added, "
            f"{report.kept} already present and left as they are."
        )
