from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.command_args import iso_date
from feedback.retention import MIN_KEEP_DAYS, prune_history


class Command(BaseCommand):
    help = (
        "Drop plan items (with their plans, time blocks and slot propensities) older than "
        "--keep-days; feedback is kept. Whole monthly partitions on PostgreSQL, bounded "
        "batches otherwise. Safe to rerun."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--keep-days",
            type=int,
            default=None,
            help=f"default HISTORY_KEEP_DAYS; at least {MIN_KEEP_DAYS}",
        )
        parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today, UTC)")
        parser.add_argument("--batch-size", type=int, default=500, help="plans per transaction")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, **options) -> None:
        keep_days = options["keep_days"]
        if keep_days is None:
            keep_days = settings.HISTORY_KEEP_DAYS
        today = iso_date(options["today"], "--today") if options["today"] else None
        try:
            report = prune_history(
                today or timezone.now().date(),
                keep_days,
                batch_size=options["batch_size"],
                dry_run=options["dry_run"],
                say=self.stdout.write,
            )
        except ValueError as exc:
            raise CommandError(f"--keep-days/--batch-size: {exc}") from exc
        prefix = "dry run: " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}cutoff={report.cutoff} partitions_dropped={len(report.partitions_dropped)} "
            f"links_cleared={report.links_cleared} plans={report.plans} "
            f"time_blocks={report.time_blocks} items={report.items}"
        )
