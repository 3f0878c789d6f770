from django.core.management.base import BaseCommand, CommandError

from core.command_args import iso_date
from feedback.lift import lift_between
from feedback.lift_display import report_lines


class Command(BaseCommand):
    help = (
        "Print the holdout lift of the closed days --since..--until (the dashboard's figures "
        "and 95%% intervals; for a weekly business report). Exits non-zero when an interval "
        "lies entirely below zero, so a regression can page someone."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", required=True, help="YYYY-MM-DD, first day")
        parser.add_argument("--until", required=True, help="YYYY-MM-DD, last day")

    def handle(self, *args, **options) -> None:
        since = iso_date(options["since"], "--since")
        until = iso_date(options["until"], "--until")
        if since > until:
            raise CommandError(f"--since ({since}) is after --until ({until})")
        window = lift_between(since, until)
        self.stdout.write("\n".join(report_lines(window)))
        if window.below_zero:
            raise CommandError("the lift's 95% interval lies entirely below zero")
