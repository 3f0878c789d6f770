from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feedback.retention import ensure_partitions


class Command(BaseCommand):
    # regenerate_plans runs it every night; a separate cron entry is not needed.
    help = (
        "PostgreSQL: create the monthly partitions of plan_items and user_task_feedback "
        "through --months-ahead months after this one (nothing to do on SQLite)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--months-ahead", type=int, default=3)

    def handle(self, *args, **options) -> None:
        if options["months_ahead"] < 1:
            raise CommandError("--months-ahead must be at least 1")
        created, problems = ensure_partitions(timezone.now().date(), options["months_ahead"])
        for problem in problems:
            self.stderr.write(problem)
        self.stdout.write(f"created={len(created)} {' '.join(created)}".rstrip())
