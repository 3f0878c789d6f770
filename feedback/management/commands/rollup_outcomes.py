from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.command_args import iso_date
from feedback.rollups import rollup_days


class Command(BaseCommand):
    help = (
        "Recompute the daily rollups (outcomes, plans, hydration variety) of the closed days "
        "--since..--until; idempotent. The nightly regenerate_plans keeps the last few days."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", required=True, help="YYYY-MM-DD, first day")
        parser.add_argument("--until", required=True, help="YYYY-MM-DD, last day (before today)")

    def handle(self, *args, **options) -> None:
        since = iso_date(options["since"], "--since")
        until = iso_date(options["until"], "--until")
        try:
            report = rollup_days(since, until, timezone.localdate())
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"rolled up {report.since}..{report.until}: outcome_rows={report.outcome_rows} "
            f"plan_rows={report.plan_rows} variety_rows={report.variety_rows} "
            f"holdout_rows={report.holdout_rows}"
        )
